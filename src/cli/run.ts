import { paint } from "../commands/style.js";
import { isCtxError } from "../errors.js";

/**
 * Runs a command function and turns its outcome into a process exit code (STYLE.md: a single
 * place decides exit codes). A command returns its exit code (`0` when it returns nothing);
 * a {@link CtxError} prints its one-line message on stderr and exits 1; anything else is a bug:
 * stack on stderr, exit 70 (EX_SOFTWARE).
 */
export async function runCommand(fn: () => Promise<number | void>): Promise<void> {
  let code: number;
  try {
    code = (await fn()) ?? 0;
  } catch (e) {
    if (isCtxError(e)) {
      process.stderr.write(`${paint(process.stderr, "error", `git-ctx: ${e.message}`)}\n`);
      code = 1;
    } else {
      process.stderr.write(`git-ctx: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
      code = 70;
    }
  }
  process.exitCode = code;
}
