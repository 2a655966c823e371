import { mkdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import lockfile from "proper-lockfile";
import type { SyncPaths } from "./paths.js";

/** Timing of {@link runCoalesced}. */
export interface CoalesceOptions {
  /**
   * Wait until no new request came for this many ms before a run (the Stop hook fires after
   * every turn: a burst of requests becomes one run). 0 for an interactive `git ctx sync`.
   */
  quietMs: number;
  /** Never wait longer than this for quiet (ms). */
  maxWaitMs: number;
  /** Wait for a running sync to finish (interactive) instead of leaving the request to it. */
  waitForLock: boolean;
  /** Whether to record a request first (false for a worker spawned by someone who did). */
  request: boolean;
  /** Called for log lines. */
  log?: (line: string) => void;
}

/** Outcome of {@link runCoalesced}. */
export interface CoalesceResult {
  /** Sync runs this process made. */
  runs: number;
  /** True when another process held the lock and will serve the request (its trailing run). */
  deferred: boolean;
}

/** A lock older than this (ms without its mtime being refreshed) is stale: its holder died. */
export const LOCK_STALE_MS = 30_000;

/** Records a sync request: (re)writes `sync.pending`, whose mtime is the request time. */
export function requestSync(p: SyncPaths): void {
  mkdirSync(p.ctxDir, { recursive: true });
  writeFileSync(p.pending, String(Date.now()));
}

/** Whether a sync holds the lock right now (and is not stale). */
export async function syncRunning(p: SyncPaths): Promise<boolean> {
  mkdirSync(p.ctxDir, { recursive: true });
  return lockfile.check(p.ctxDir, { lockfilePath: p.lock, stale: LOCK_STALE_MS, realpath: false });
}

function pendingMtime(p: SyncPaths): number | undefined {
  try {
    return statSync(p.pending).mtimeMs;
  } catch {
    return undefined;
  }
}

async function tryLock(p: SyncPaths, wait: boolean, log: (l: string) => void): Promise<(() => Promise<void>) | undefined> {
  mkdirSync(p.ctxDir, { recursive: true });
  try {
    return await lockfile.lock(p.ctxDir, {
      lockfilePath: p.lock,
      stale: LOCK_STALE_MS,
      update: 5_000,
      realpath: false,
      retries: wait ? { retries: 600, factor: 1, minTimeout: 200, maxTimeout: 200, randomize: true } : 0,
      onCompromised: (e) => log(`sync lock compromised: ${e.message}`),
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOCKED") return undefined;
    throw e;
  }
}

/**
 * Runs `run` under the view's sync lock (proper-lockfile on `$GIT_DIR/ctx/sync.lock`, stale
 * after {@link LOCK_STALE_MS}) so that one sync at a time runs per view, and coalesces bursts:
 *
 * - every caller first records a request (`sync.pending`), then takes the lock;
 * - the holder loops: wait for `quietMs` of quiet, consume the request (unlink), run; as long
 *   as a new request arrived meanwhile, run again (the trailing run);
 * - a caller that finds the lock held (and does not wait) returns `deferred`: its request is
 *   served by the holder's trailing run. The holder re-checks for a request after releasing
 *   the lock, which closes the window between its last check and the release (the caller wrote
 *   its request before its failed lock attempt, hence before the release).
 *
 * A request is served by a run that starts after it was recorded, so every change made before
 * a request is in some run's commit.
 */
export async function runCoalesced(p: SyncPaths, run: () => Promise<void>, o: CoalesceOptions): Promise<CoalesceResult> {
  const log = o.log ?? (() => {});
  if (o.request) requestSync(p);
  let runs = 0;
  let wait = o.waitForLock;
  for (;;) {
    const release = await tryLock(p, wait, log);
    if (!release) return { runs, deferred: true };
    try {
      while (pendingMtime(p) !== undefined) {
        const start = Date.now();
        for (;;) {
          const m = pendingMtime(p);
          if (m === undefined) break;
          const quietFor = Date.now() - m;
          if (quietFor >= o.quietMs || Date.now() - start >= o.maxWaitMs) break;
          await new Promise((r) => setTimeout(r, Math.min(100, o.quietMs - quietFor)));
        }
        try {
          unlinkSync(p.pending);
        } catch {
          /* consumed already */
        }
        runs++;
        await run();
      }
    } finally {
      await release();
    }
    if (pendingMtime(p) === undefined) return { runs, deferred: false };
    wait = false; // a request slipped in before the release: serve it unless someone else does
  }
}
