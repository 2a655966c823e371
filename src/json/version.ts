/**
 * The version of every `git ctx <command> --json` document (docs/json.md). It changes only when a
 * field is removed, renamed or changes meaning; new optional fields keep it. Its own module, free
 * of zod: the CLI's error path (src/cli/run.ts) writes it on the sync hook's light route (issue 15).
 */
export const SCHEMA_VERSION = 1;

/**
 * The `--json` document of a failed command (`ok: false`): what `git ctx <command> --json` prints
 * on stdout instead of its report when it stops with an error; the exit code is the same as
 * without `--json` (1 for an expected error, 70 for a bug).
 * @param command the subcommand's name, e.g. `"status"`.
 * @param code the error's literal `code` (`CtxError.code`, src/errors.ts), `"Internal"` for a bug.
 * @param message the one-line message the text output prints on stderr.
 */
export function errorDocument(command: string, code: string, message: string): { schemaVersion: number; command: string; ok: false; error: { code: string; message: string } } {
  return { schemaVersion: SCHEMA_VERSION, command, ok: false, error: { code, message } };
}

/** A `--json` document as printed: two-space indented JSON and a newline. */
export function jsonText(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + "\n";
}
