import { mkdirSync, readFileSync } from "node:fs";
import writeFileAtomic from "write-file-atomic";
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

export { syncPaths, logLine, LOG_MAX_BYTES, type SyncPaths } from "./paths.js";
import type { SyncPaths } from "./paths.js";

/** One file the last sync did not update in the work tree (see `src/sync/plan.ts` "hold"). */
export const HeldFileSchema = z.object({
  /** Repository path (`<folder>/<file>`). */
  path: z.string(),
  reason: z.enum(["modified", "hot", "partial-line", "vanished"]),
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
  error: z.optional(z.string()),
  /** Files left as they were in the work tree (updated by a later sync). */
  heldBack: z._default(z.array(HeldFileSchema), []),
  /** Wall time of the sync in milliseconds. */
  ms: z.optional(z.number()),
  /** What did not fail the sync but needs the user, one line each naming the fix (e.g. a file skipped because it cannot be read). */
  warnings: z.optional(z.array(z.string())),
});
export type LastSync = z.infer<typeof LastSyncSchema>;

// zod/mini (not classic zod: ~0.3 MB less to load on the sync's and the helper's start, issue 15)
// carries no messages by default; the English locale gives the same ones as classic zod.
z.config(en());

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
  files: z._default(z.record(z.string(), z.object({ base: z.string().check(z.regex(/^[0-9a-f]{40,64}$/)) })), {}),
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

/**
 * Writes `sync-carry.json` atomically (write-file-atomic: temp file, fsync, rename). A carry file
 * that already holds exactly these bytes is left alone: every sync saves the carry, nearly always
 * unchanged (empty), and the fsync alone took ~50 ms of an incremental sync on the bench machine
 * (issue 15's profile).
 */
export function writeCarry(p: SyncPaths, c: Carry): void {
  const text = JSON.stringify(c, null, 2) + "\n";
  try {
    if (readFileSync(p.carry, "utf8") === text) return;
  } catch {
    /* absent or unreadable: write it */
  }
  mkdirSync(p.ctxDir, { recursive: true });
  writeFileAtomic.sync(p.carry, text);
}
