import { paint } from "../commands/style.js";
import { isCtxError } from "../errors.js";
import { errorDocument, jsonText } from "../json/version.js";

/** Which command runs and whether it was asked for `--json` (then its errors are JSON too). */
export interface RunJson {
  /** The subcommand's name, e.g. `"status"`. */
  command: string;
  /** `--json` was given. */
  json?: boolean;
}

/**
 * Runs a command function and turns its outcome into a process exit code (STYLE.md: a single
 * place decides exit codes). A command returns its exit code (`0` when it returns nothing);
 * a {@link CtxError} prints its one-line message on stderr and exits 1; anything else is a bug:
 * stack on stderr, exit 70 (EX_SOFTWARE). Under `--json` (`j.json`) the error is also printed on
 * stdout as the error document of docs/json.md (`{schemaVersion, command, ok: false, error:
 * {code, message}}`; a bug's code is `Internal`), with the same exit code.
 */
export async function runCommand(fn: () => Promise<number | void>, j?: RunJson): Promise<void> {
  let code: number;
  try {
    code = (await fn()) ?? 0;
  } catch (e) {
    if (isCtxError(e)) {
      process.stderr.write(`${paint(process.stderr, "error", `git-ctx: ${e.message}`)}\n`);
      if (j?.json) process.stdout.write(jsonText(errorDocument(j.command, e.code, e.message)));
      code = 1;
    } else {
      process.stderr.write(`git-ctx: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
      if (j?.json) process.stdout.write(jsonText(errorDocument(j.command, "Internal", `internal error (please report): ${(e as Error)?.message ?? String(e)}`)));
      code = 70;
    }
  }
  process.exitCode = code;
}
