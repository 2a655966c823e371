import { mkdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
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
  /**
   * Called once when this caller has to wait for another sync (interactive use prints it: a
   * foreground sync must not wait in silence), with a line naming the holder.
   */
  onWait?: (line: string) => void;
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

/**
 * proper-lockfile, loaded on first use: the hook path (src/commands/synchook.ts) asks
 * {@link syncRunning} after every agent turn and, with no lock present, never needs it (its
 * graceful-fs, retry and signal-exit were ~10 ms of the hook's start-up; issue 15).
 */
async function lockfile(): Promise<typeof import("proper-lockfile")> {
  return (await import("proper-lockfile")).default;
}

/**
 * Whether a sync holds the lock right now: proper-lockfile's check (the lock exists and is not
 * stale), false without loading it when there is no lock, and false when the holder recorded in
 * the lock ({@link ownerFile}) is a process of this host that no longer runs (a killed sync: the
 * worker this answer starts takes the lock over at once, see {@link tryLock}).
 */
export async function syncRunning(p: SyncPaths): Promise<boolean> {
  mkdirSync(p.ctxDir, { recursive: true });
  try {
    statSync(p.lock);
  } catch {
    return false;
  }
  const owner = readOwner(p);
  if (owner && owner.host === hostname() && owner.pid !== process.pid && !alive(owner.pid)) return false;
  return (await lockfile()).check(p.ctxDir, { lockfilePath: p.lock, stale: LOCK_STALE_MS, realpath: false });
}

function pendingMtime(p: SyncPaths): number | undefined {
  try {
    return statSync(p.pending).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * `$GIT_DIR/ctx/sync.lock/owner`: `<pid> <host> <ISO time>` of the process holding the sync lock.
 * Inside the lock directory, so a record can only describe the lock it sits in (a taken-over lock
 * is a new directory).
 */
function ownerFile(p: SyncPaths): string {
  return path.join(p.lock, "owner");
}

/** Runs `change` on the contents of directory `dir`, then restores the directory's times. Never throws (the owner record is a diagnostic). */
function keepMtime(dir: string, change: () => void): void {
  try {
    const st = statSync(dir);
    change();
    utimesSync(dir, st.atime, st.mtime);
  } catch {
    /* only a diagnostic */
  }
}

/** The holder recorded in {@link ownerFile}, when readable. */
function readOwner(p: SyncPaths): { pid: number; host: string; since: string } | undefined {
  try {
    const [pid, host, since] = readFileSync(ownerFile(p), "utf8").trim().split(" ");
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, host: host ?? "", since: since ?? "" } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` exists on this machine (`kill(pid, 0)`; EPERM means it exists). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the sync lock. A lock whose recorded holder (same host) no longer runs is taken over at
 * once (a killed sync), instead of after proper-lockfile's {@link LOCK_STALE_MS} (issue 10,
 * defect 12); with `wait`, retries every 200 ms for up to 2 minutes and says once whom it waits for.
 */
async function tryLock(p: SyncPaths, wait: boolean, log: (l: string) => void, onWait?: (l: string) => void): Promise<(() => Promise<void>) | undefined> {
  mkdirSync(p.ctxDir, { recursive: true });
  const deadline = Date.now() + 120_000;
  let told = false;
  for (;;) {
    try {
      const release = await (await lockfile()).lock(p.ctxDir, {
        lockfilePath: p.lock,
        stale: LOCK_STALE_MS,
        update: 5_000,
        realpath: false,
        retries: 0,
        onCompromised: (e) => log(`sync lock compromised: ${e.message}`),
      });
      // proper-lockfile checks that the lock directory's mtime is still the one it set: writing
      // into it changes that, so the mtime is put back right after each change.
      keepMtime(p.lock, () => writeFileSync(ownerFile(p), `${process.pid} ${hostname()} ${new Date().toISOString()}\n`));
      return async () => {
        keepMtime(p.lock, () => rmSync(ownerFile(p), { force: true }));
        await release();
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTEMPTY" || code === "EEXIST") {
        // proper-lockfile found the lock stale and could not rmdir it (our owner record is inside)
        rmSync(p.lock, { recursive: true, force: true });
        continue;
      }
      if (code !== "ELOCKED") throw e;
    }
    const owner = readOwner(p);
    if (owner && owner.host === hostname() && owner.pid !== process.pid && !alive(owner.pid)) {
      log(`sync lock of pid ${owner.pid} (since ${owner.since}) is left by a process that no longer runs: taking it over`);
      rmSync(p.lock, { recursive: true, force: true }); // the owner record goes with it
      continue;
    }
    if (!wait || Date.now() > deadline) return undefined;
    if (!told) {
      told = true;
      onWait?.(`waiting for the sync that is running${owner ? ` as pid ${owner.pid} since ${owner.since}` : ""} (lock ${p.lock}) to finish…`);
    }
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 100));
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
    const release = await tryLock(p, wait, log, o.onWait);
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
