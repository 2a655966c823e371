import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";

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

/** One file the last sync did not update in the work tree (see `src/sync/plan.ts` "hold"). */
export const HeldFileSchema = z.object({
  /** Repository path (`<folder>/<file>`). */
  path: z.string(),
  reason: z.enum(["modified", "hot", "partial-line"]),
});
export type HeldFile = z.infer<typeof HeldFileSchema>;

/** Shape of `$GIT_DIR/ctx/last-sync.json`. */
export const LastSyncSchema = z.looseObject({
  /** ISO time at which the sync finished. */
  time: z.string(),
  ok: z.boolean(),
  /** One human line, e.g. `committed 3 files, pulled 2 commits, pushed`. */
  summary: z.string(),
  /** Error message when `ok` is false. */
  error: z.string().optional(),
  /** Files left as they were in the work tree (updated by a later sync). */
  heldBack: z.array(HeldFileSchema).default([]),
  /** Wall time of the sync in milliseconds. */
  ms: z.number().optional(),
});
export type LastSync = z.infer<typeof LastSyncSchema>;

/** Reads `last-sync.json`; `undefined` when absent or unreadable (status shows "never"). */
export function readLastSync(p: SyncPaths): LastSync | undefined {
  try {
    const r = LastSyncSchema.safeParse(JSON.parse(readFileSync(p.lastSync, "utf8")));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `last-sync.json` atomically. */
export function writeLastSync(p: SyncPaths, s: LastSync): void {
  mkdirSync(p.ctxDir, { recursive: true });
  writeFileAtomic.sync(p.lastSync, JSON.stringify(s, null, 2) + "\n");
}

/**
 * Files whose work-tree copy is behind the view's HEAD because a sync held them back. For each,
 * `base` is a commit whose version of the path the work-tree bytes derive from; the next sync
 * commits the work-tree bytes on top of `base` and merges that with HEAD, so neither the local
 * edit nor the remote change is lost.
 */
export const CarrySchema = z.object({
  version: z.literal(1),
  files: z.record(z.string(), z.object({ base: z.string().regex(/^[0-9a-f]{40,64}$/) })).default({}),
});
export type Carry = z.infer<typeof CarrySchema>;

/** Reads `sync-carry.json` (empty when absent or invalid). */
export function readCarry(p: SyncPaths): Carry {
  try {
    const r = CarrySchema.safeParse(JSON.parse(readFileSync(p.carry, "utf8")));
    if (r.success) return r.data;
  } catch {
    /* absent */
  }
  return { version: 1, files: {} };
}

/** Writes `sync-carry.json` atomically. */
export function writeCarry(p: SyncPaths, c: Carry): void {
  mkdirSync(p.ctxDir, { recursive: true });
  writeFileAtomic.sync(p.carry, JSON.stringify(c, null, 2) + "\n");
}
