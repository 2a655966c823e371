/**
 * Base class of every expected failure in git-ctx (STYLE.md: one error class per condition,
 * a literal `code`, structured `data`, and a message that names the file and the fix).
 *
 * Concern folders define their own subclasses next to their code (e.g. `src/cluster/errors.ts`, `src/sync/errors.ts`; `GitCommandError` sits in `src/git/exec.ts`);
 * the CLI layer (`src/cli`) maps any `CtxError` to a one-line message on stderr and exit code 1,
 * and anything else to a bug report with exit code 70.
 */
export abstract class CtxError extends Error {
  /** Stable, machine-readable name of the condition, e.g. `"UnknownProject"`. */
  abstract readonly code: string;
  /** Structured details for `--json` output and tests. */
  abstract readonly data: Record<string, unknown>;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** True when `e` is an expected git-ctx failure (as opposed to a bug). */
export function isCtxError(e: unknown): e is CtxError {
  return e instanceof CtxError;
}

/** A user-supplied value (argument, option, file content) is invalid. */
export class InvalidInputError extends CtxError {
  readonly code = "InvalidInput" as const;
  constructor(readonly data: { what: string; value?: string; fix: string }) {
    super(`invalid ${data.what}${data.value !== undefined ? ` '${data.value}'` : ""}: ${data.fix}`);
  }
}
