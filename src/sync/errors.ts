import * as path from "node:path";
import { CtxError } from "../errors.js";
import { corruptionLines } from "../git/corrupt.js";

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

/**
 * `git ctx sync` cannot write its own state in the view's git dir (`$GIT_DIR/ctx/`: the request
 * marker, the sync lock, the log, `last-sync.json`, `sync-carry.json`) or the git dir itself:
 * the file system is read-only (`EROFS`, e.g. a view on a read-only mount) or this user may not
 * write there (`EACCES`, `EPERM`). Nothing was committed, fetched into the view or written to the
 * work tree after that point; the next sync, once the folder is writable, does it all.
 */
export class ViewNotWritableError extends CtxError {
  readonly code = "ViewNotWritable" as const;
  constructor(readonly data: { dir: string; file: string; errno: string }) {
    super(
      `git ctx sync cannot write its state in ${data.dir} (${data.file}: ${data.errno === "EROFS" ? "read-only file system" : "permission denied"}) — ${data.errno === "EROFS" ? `remount ${data.dir} read-write` : `make ${data.dir} writable for this user`}, then run 'git ctx sync' again`,
    );
  }
}

/**
 * Wraps a file-system error `EROFS`, `EACCES` or `EPERM` on a path inside `gitDir` (the view's
 * git dir, where sync keeps its state) in a {@link ViewNotWritableError} naming the folder; any
 * other error is returned as is (a work-tree write already is a {@link SyncWriteError}).
 */
export function asStateWriteError(e: unknown, gitDir: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!err || (err.code !== "EROFS" && err.code !== "EACCES" && err.code !== "EPERM") || typeof err.path !== "string") return e;
  const file = err.path;
  if (file !== gitDir && !file.startsWith(gitDir.endsWith("/") ? gitDir : `${gitDir}/`)) return e;
  return new ViewNotWritableError({ dir: path.dirname(file), file, errno: err.code });
}

/** What git operation left which marker in the git dir, and how to end it (git's own advice). */
const IN_PROGRESS: readonly { file: string; what: string; fix: string }[] = [
  { file: "MERGE_HEAD", what: "a merge (e.g. a 'git pull' with conflicts)", fix: "resolve the conflicts and run 'git commit', or 'git merge --abort'" },
  { file: "rebase-merge", what: "a rebase", fix: "'git rebase --continue' or 'git rebase --abort'" },
  { file: "rebase-apply", what: "a rebase or 'git am'", fix: "'git rebase --continue', 'git rebase --abort' or 'git am --abort'" },
  { file: "CHERRY_PICK_HEAD", what: "a cherry-pick", fix: "'git cherry-pick --continue' or 'git cherry-pick --abort'" },
  { file: "REVERT_HEAD", what: "a revert", fix: "'git revert --continue' or 'git revert --abort'" },
  { file: "BISECT_LOG", what: "a bisect", fix: "'git bisect reset'" },
];

/**
 * The git operation in progress in a git dir (issue 10, defect 6), or `undefined`. Markers as
 * git itself writes them (`wt-status.c`: MERGE_HEAD, rebase-merge/, rebase-apply/,
 * CHERRY_PICK_HEAD, REVERT_HEAD, BISECT_LOG).
 */
export function operationInProgress(gitDir: string, exists: (p: string) => boolean): { file: string; what: string; fix: string } | undefined {
  return IN_PROGRESS.find((x) => exists(`${gitDir}/${x.file}`));
}

/**
 * A plain git operation (merge, rebase, cherry-pick, revert, bisect) is in progress in the view:
 * sync neither commits nor pushes then (it would commit conflict markers and push them to every
 * machine, and leave git's operation half-done).
 */
export class ViewBusyError extends CtxError {
  readonly code = "ViewBusy" as const;
  constructor(readonly data: { workTree: string; marker: string; what: string; fix: string }) {
    super(
      `${data.what} is in progress in ${data.workTree} (${data.marker}): git ctx sync does not commit or push until it ends — ${data.fix} in ${data.workTree}, then run 'git ctx sync'`,
    );
  }
}

/**
 * A sync failed because the view's object store is damaged (issue 22, point 8): a loose object
 * that does not inflate, a corrupt pack entry, a missing object (git's words in `lines`,
 * src/git/corrupt.ts). Every sync fails the same way until the repository is rebuilt from the
 * cluster by `git ctx doctor --fix`, which keeps the work tree (every local line) and the broken
 * repository (under `$GIT_DIR/ctx/backup/`).
 */
export class ViewCorruptError extends CtxError {
  readonly code = "ViewCorrupt" as const;
  constructor(readonly data: { workTree: string; gitDir: string; lines: string[] }) {
    super(
      `the repository of the view ${data.workTree} (${data.gitDir}) is corrupt: git says ${data.lines.map((l) => `'${l}'`).join(", ")}; nothing was synced — run 'git ctx doctor --fix' to rebuild it from the cluster (your local lines stay in ${data.workTree}; the broken repository is kept under ${data.gitDir}/ctx/backup/)`,
    );
  }
}

/**
 * A sync's failure `e` as a {@link ViewCorruptError} when its message holds git's words for a
 * damaged object store; anything else is returned as is.
 */
export function asCorruptError(e: unknown, view: { workTree: string; gitDir: string }): unknown {
  if (!(e instanceof Error) || e instanceof ViewCorruptError) return e;
  const lines = corruptionLines(e.message, 3).map((l) => (l.length > 200 ? l.slice(0, 197) + "..." : l));
  return lines.length ? new ViewCorruptError({ workTree: view.workTree, gitDir: view.gitDir, lines }) : e;
}
