import { AGENTS } from "../agents/index.js";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { CtxError } from "../errors.js";
import { gitRaw } from "../git/exec.js";
import { readViewState, type ViewState } from "../view/state.js";
import { runCoalesced, type CoalesceResult } from "./coalesce.js";
import { asCorruptError, asStateWriteError } from "./errors.js";
import { logLine, syncPaths, writeLastSync, type SyncPaths } from "./files.js";
import { summarize, syncView, type RemoteSpec, type SyncReport, type SyncTransport } from "./run.js";

export { planFileUpdate, missingLines, splitLines, HOT_MS, type FilePlan } from "./plan.js";
export { syncPaths, readLastSync, writeLastSync, readCarry, logLine, type LastSync, type SyncPaths, type HeldFile } from "./files.js";
export { runCoalesced, requestSync, syncRunning } from "./coalesce.js";
export { syncInBackground, gitCtxBin } from "./background.js";
export {
  syncView,
  summarize,
  appendNormalized,
  normalizeStagedTranscripts,
  heldSecrets,
  sharedCandidates,
  type SyncReport,
  type SyncTransport,
  type RemoteSpec,
  type RefusedFile,
  type HeldSecret,
} from "./run.js";
export { applyUpdates, reorderInPlace, verifiedFolder, type FolderCheck } from "./worktree.js";
export { stampActivity, ACTIVITY_TAIL_BYTES } from "./activity.js";
export { SyncWriteError, ViewCorruptError, ViewNotWritableError } from "./errors.js";

/** `dir` is not a git-ctx view (no git repository, or no `$GIT_DIR/ctx/state.json`). */
export class NotAViewError extends CtxError {
  readonly code = "NotAView" as const;
  constructor(readonly data: { dir: string; problem: string }) {
    super(
      `${data.dir} is not a git-ctx view: ${data.problem} (run 'git ctx init', or clone one with 'git clone ctx::<url> <store>', the store being ${AGENTS.map((a) => a.storeHint).join(" or ")}; or pass --dir)`,
    );
  }
}

/** A resolved view repository. */
export interface View {
  /** Absolute work tree. */
  workTree: string;
  /** Absolute git dir. */
  gitDir: string;
  state: ViewState;
  paths: SyncPaths;
}

/**
 * Resolves the view at `dir` (any folder inside it): work tree, git dir, state.
 * @throws NotAViewError when `dir` is not inside a git work tree or has no view state.
 * @throws ViewStateError when the state file is invalid.
 */
export async function openView(dir: string, env?: Record<string, string | undefined>): Promise<View> {
  const r = await gitRaw(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { cwd: dir, env, okCodes: [0, 128] }).catch((e: Error) => ({
    code: 128,
    stdout: Buffer.from(""),
    stderr: e.message,
  }));
  if (r.code !== 0) throw new NotAViewError({ dir, problem: "not a git repository" });
  const [workTree, gitDir] = r.stdout.toString("utf8").trim().split("\n");
  const state = readViewState(gitDir!);
  if (!state) throw new NotAViewError({ dir, problem: `no ${path.join(gitDir!, "ctx", "state.json")}` });
  return { workTree: workTree!, gitDir: gitDir!, state, paths: syncPaths(gitDir!) };
}

/** A sync run that takes longer than this (ms) is abandoned (`GIT_CTX_SYNC_TIMEOUT_MS` overrides). */
export const SYNC_TIMEOUT_MS = 10 * 60 * 1000;

/** Options of {@link syncNow}. */
export interface SyncNowOptions {
  /** Wait quietly for this long after the last request before running (ms). */
  quietMs?: number;
  /** Wait for a running sync (interactive) instead of leaving the request to it. */
  waitForLock?: boolean;
  /** Told once when this call waits for another sync (a foreground sync prints it). */
  onWait?: (line: string) => void;
  /** Told each step of a run as it starts (see `SyncViewOptions.progress`). */
  progress?: (step: string) => void;
  /** Whether this process records the request (false for a spawned worker). */
  request?: boolean;
  /** See `SyncViewOptions.transport`: how the run reaches the remote (default: git fetch / git push). */
  transport?: (remote: RemoteSpec, log: (line: string) => void) => SyncTransport | undefined;
  env?: Record<string, string | undefined>;
}

/** Outcome of {@link syncNow}: the coalescing result and the last run's report or error. */
export interface SyncNowResult extends CoalesceResult {
  report?: SyncReport;
  error?: Error;
}

/**
 * Runs a coalesced sync of `view` ({@link runCoalesced} + {@link syncView}), logging to
 * `sync.log` and writing `last-sync.json` after every run. A failing run is recorded, not thrown.
 * Test-only switches from the environment: `GIT_CTX_UNSAFE_CHECKOUT=1`, `GIT_CTX_TEST_PAUSE_DIR`.
 * A run that exceeds {@link SYNC_TIMEOUT_MS} is recorded as failed and the process exits 75.
 * @throws ViewNotWritableError when sync cannot write its state in the view's git dir (a
 *   read-only file system, or no permission): the request marker, the lock or `last-sync.json`.
 */
export async function syncNow(view: View, o: SyncNowOptions = {}): Promise<SyncNowResult> {
  try {
    return await syncNowUnchecked(view, o);
  } catch (e) {
    throw asStateWriteError(e, view.gitDir);
  }
}

async function syncNowUnchecked(view: View, o: SyncNowOptions): Promise<SyncNowResult> {
  const env = { ...process.env, ...o.env };
  const log = (l: string) => logLine(view.paths, l);
  const out: SyncNowResult = { runs: 0, deferred: false };
  const res = await runCoalesced(
    view.paths,
    async () => {
      const t0 = Date.now();
      log("sync start");
      // Watchdog: a hung git (or filter) must not hold the sync lock forever, silently.
      const limit = Number(env.GIT_CTX_SYNC_TIMEOUT_MS) > 0 ? Number(env.GIT_CTX_SYNC_TIMEOUT_MS) : SYNC_TIMEOUT_MS;
      const watchdog = setTimeout(() => {
        const error = `timed out after ${Math.round(limit / 1000)} s (a git process or the git-ctx filter hung; see ${view.paths.log}, and remove ${view.gitDir}/index.lock if no git runs)`;
        log(`sync failed: ${error}`);
        try {
          writeLastSync(view.paths, { time: new Date().toISOString(), ok: false, summary: "failed", error, heldBack: [], ms: Date.now() - t0 });
          rmSync(view.paths.lock, { recursive: true, force: true }); // ours: free it for the next sync now
        } finally {
          process.exit(75); // EX_TEMPFAIL
        }
      }, limit);
      watchdog.unref();
      try {
        const report = await syncView({
          workTree: view.workTree,
          paths: view.paths,
          state: view.state,
          log,
          env: o.env,
          unsafeCheckout: env.GIT_CTX_UNSAFE_CHECKOUT === "1",
          testPauseDir: env.GIT_CTX_TEST_PAUSE_DIR || undefined,
          progress: o.progress,
          transport: o.transport ? (r) => o.transport!(r, log) : undefined,
        });
        const summary = summarize(report);
        log(`sync done in ${Date.now() - t0} ms: ${summary}`);
        writeLastSync(view.paths, {
          time: new Date().toISOString(),
          ok: true,
          summary,
          heldBack: report.held,
          ms: Date.now() - t0,
          ...(report.warnings?.length ? { warnings: report.warnings } : {}),
        });
        out.report = report;
        out.error = undefined;
      } catch (caught) {
        // git's raw words for a damaged object store become one error naming the fix (issue 22, 8)
        const e = asCorruptError(caught, view);
        const msg = (e as Error).message;
        log(`sync failed after ${Date.now() - t0} ms: ${msg}`);
        writeLastSync(view.paths, { time: new Date().toISOString(), ok: false, summary: "failed", error: msg, heldBack: [], ms: Date.now() - t0 });
        out.error = e as Error;
      } finally {
        clearTimeout(watchdog);
      }
    },
    { quietMs: o.quietMs ?? 0, maxWaitMs: 10_000, waitForLock: o.waitForLock ?? true, request: o.request ?? true, log, onWait: o.onWait },
  );
  return { ...out, ...res };
}
