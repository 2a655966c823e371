import { appendFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import * as path from "node:path";

/* Kept free of zod and other heavy imports: the Claude Code hook path loads it (it must return in ~0.2 s). */

/**
 * Where `git ctx sync` keeps its state, all under `$GIT_DIR/ctx/` (never committed, never pushed;
 * docs/architecture.md "Where state lives").
 */
export interface SyncPaths {
  /** Absolute git dir of the view. */
  gitDir: string;
  /** `$GIT_DIR/ctx`. */
  ctxDir: string;
  /** `sync.lock`: the proper-lockfile lock (a directory) held by the one running sync. */
  lock: string;
  /** `sync.pending`: "a sync was requested"; its mtime is the time of the last request. */
  pending: string;
  /** `sync.log`: append-only log, rotated to `sync.log.1` past {@link LOG_MAX_BYTES}. */
  log: string;
  /** `last-sync.json`: {@link LastSync}, read by `git ctx status` and `git ctx doctor`. */
  lastSync: string;
  /** `sync-carry.json`: {@link Carry}, files held back from a work-tree update. */
  carry: string;
}

/** Paths of the sync state of the view whose absolute git dir is `gitDir`. */
export function syncPaths(gitDir: string): SyncPaths {
  const ctxDir = path.join(gitDir, "ctx");
  return {
    gitDir,
    ctxDir,
    lock: path.join(ctxDir, "sync.lock"),
    pending: path.join(ctxDir, "sync.pending"),
    log: path.join(ctxDir, "sync.log"),
    lastSync: path.join(ctxDir, "last-sync.json"),
    carry: path.join(ctxDir, "sync-carry.json"),
  };
}

/** The log is rotated (renamed to `sync.log.1`, replacing an older one) past this size. */
export const LOG_MAX_BYTES = 1 << 20;

/**
 * Appends one line `<ISO time> [<pid>] <message>` to the sync log, rotating it first when it
 * has grown past {@link LOG_MAX_BYTES}. Never throws: a sync must not fail because its log
 * cannot be written (the hook must stay silent in the user's session).
 */
export function logLine(p: SyncPaths, message: string): void {
  try {
    mkdirSync(p.ctxDir, { recursive: true });
    try {
      if (statSync(p.log).size > LOG_MAX_BYTES) renameSync(p.log, p.log + ".1");
    } catch {
      /* no log yet */
    }
    appendFileSync(p.log, `${new Date().toISOString()} [${process.pid}] ${message.replace(/\n+$/, "").replace(/\n/g, "\n    ")}\n`);
  } catch {
    /* best effort */
  }
}
