import { CtxError } from "../errors.js";

/** A converted session could not be written, or failed its read-back check: nothing was left behind. */
export class ResumeWriteError extends CtxError {
  readonly code = "ResumeWrite" as const;
  constructor(readonly data: { agent: string; path: string; why: string }) {
    super(`the ${data.agent} session git-ctx would write at ${data.path} ${data.why}; nothing was left there`);
  }
}
