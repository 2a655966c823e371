import { CtxError } from "../errors.js";

/**
 * Writing one work-tree file failed during `git ctx sync` (errno from the file system, e.g.
 * `ENOSPC` when the disk is full). Nothing is left half-written: a created file's temp copy is
 * removed and a failed append is truncated back to the file's previous length. HEAD did not move,
 * so the next sync tries the same update again.
 */
export class SyncWriteError extends CtxError {
  readonly code = "SyncWrite" as const;
  constructor(readonly data: { path: string; file: string; errno: string; detail: string }) {
    super(`could not write ${data.path} (${data.file}): ${describe(data.errno, data.detail)}; nothing was half-written — ${fixFor(data.errno)}`);
  }
}

function describe(errno: string, detail: string): string {
  if (errno === "ENOSPC") return "no space left on device (disk full)";
  if (errno === "EDQUOT") return "disk quota exceeded (disk full for this user)";
  return detail;
}

/** The fix named in a {@link SyncWriteError} message for an errno. */
function fixFor(errno: string): string {
  if (errno === "ENOSPC" || errno === "EDQUOT") return "free disk space, then run 'git ctx sync' again";
  if (errno === "EACCES" || errno === "EPERM" || errno === "EROFS") return "make the folder writable, then run 'git ctx sync' again";
  return "fix the cause, then run 'git ctx sync' again";
}

/** Wraps a file-system error of a work-tree write in a {@link SyncWriteError}; anything else is returned as is. */
export function asWriteError(e: unknown, repoPath: string, file: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== "string" || !/^E[A-Z]+$/.test(err.code)) return e;
  return new SyncWriteError({ path: repoPath, file, errno: err.code, detail: err.message });
}
