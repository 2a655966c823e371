import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { STORE_ROOTS, parseHookInput, readStdinWithin, type HookInput } from "../agents/stores.js";
import { gitRaw } from "../git/exec.js";
import { syncInBackground } from "../sync/background.js";
import { logLine, syncPaths } from "../sync/paths.js";
import { viewDirs } from "./viewdirs.js";

/*
 * `git ctx sync --hook`, on its own light module: it runs after every agent turn (Claude Code's
 * Stop hook, Codex's notify) and must return in ≤ 0.1 s (issue 15). It loads no agent registry,
 * no zod, no yargs and, unless a lock exists, no proper-lockfile; for the views it finds in the
 * agents' stores it runs no git process (test/hook/hook-imports.test.ts checks its imports).
 */

/**
 * In `--hook` mode a background sync waits until no further hook call came for this long (ms)
 * before it runs, so the burst of Stop hooks of a busy session becomes one run (plus at most
 * one trailing run). Override with `GIT_CTX_HOOK_QUIET_MS`.
 */
export const HOOK_QUIET_MS = 1000;

/** How long the hook waits for its stdin JSON (ms): the hook must return within ~200 ms. */
export const HOOK_STDIN_MS = 100;

/** Options of {@link syncHook}: the `--dir` and `--` (chain) of `git ctx sync --hook`. */
export interface SyncHookOptions {
  /** One view (any folder inside it) instead of every view of this machine. */
  dir?: string;
  /** Codex's notify: the user's own notify program and its arguments, then Codex's JSON (last). */
  chain?: string[];
}

/**
 * `--hook`: what Claude Code's Stop/SessionEnd hook and Codex's notify run. Reads the hook JSON
 * (FORMATS.md "Hooks": stdin for Claude Code, the last argument for Codex) for at most
 * {@link HOOK_STDIN_MS}, records a sync request in every view and spawns a detached worker where
 * none is running, and returns 0. Never writes to stdout/stderr (the user's session) and never
 * exits non-zero (exit code 2 from a Stop hook would block Claude): problems go to the sync log.
 * @returns always 0.
 */
export async function syncHook(o: SyncHookOptions): Promise<number> {
  const codexNote = o.chain?.length ? o.chain[o.chain.length - 1] : undefined;
  const input = codexNote !== undefined ? codexNotifyInput(codexNote) : parseHookInput(await readStdinWithin(HOOK_STDIN_MS).catch(() => ""));
  if (o.chain && o.chain.length > 1) startChained(o.chain);
  if (o.dir) {
    await hookOne(await resolveView(o.dir), input);
    return 0;
  }
  // every view of this machine (an agent's turn may touch a project all agents share)
  const dirs = viewDirs();
  if (dirs.length) for (const dir of dirs) await hookOne({ workTree: dir, gitDir: path.join(dir, ".git") }, input);
  else await hookOne(await resolveView(STORE_ROOTS[0]!.root(process.env)), input); // no view here: the first agent's store, as before
  return 0;
}

/**
 * Codex's notify JSON (`{"type":"agent-turn-complete","thread-id":…}`, FORMATS.md) as the hook
 * log reads it; `undefined` for anything else. Never throws.
 */
export function codexNotifyInput(json: string): HookInput | undefined {
  try {
    const j = JSON.parse(json) as Record<string, unknown>;
    if (typeof j !== "object" || j === null || Array.isArray(j)) return undefined;
    return { hook_event_name: `codex ${String(j.type ?? "notify")}`, session_id: String(j["thread-id"] ?? j["turn-id"] ?? "?") };
  } catch {
    return undefined;
  }
}

/**
 * Starts the user's own Codex notify program, detached, with the arguments Codex gave us (its
 * JSON last), so installing git-ctx's notify never stops it from running. Never throws.
 */
function startChained(argv: readonly string[]): void {
  try {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: "ignore" });
    child.on("error", () => {});
    child.unref();
  } catch {
    /* a program that cannot start is the user's to fix; the sync goes on */
  }
}

/**
 * The view holding `dir` (`git rev-parse`), or `undefined` when `dir` is in no repository or its
 * repository has no git-ctx state file. Never throws.
 */
async function resolveView(dir: string): Promise<{ workTree: string; gitDir: string } | undefined> {
  const r = await gitRaw(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { cwd: dir, okCodes: [0, 128] }).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  const [workTree, gitDir] = r.stdout.toString("utf8").trim().split("\n") as [string, string];
  return { workTree, gitDir };
}

/** The hook's work for one view: a request marker and a background worker; never fails, never prints. */
async function hookOne(view: { workTree: string; gitDir: string } | undefined, input: HookInput | undefined): Promise<void> {
  if (!view || !existsSync(path.join(view.gitDir, "ctx", "state.json"))) return; // not a view: nothing to sync, nowhere to log
  const paths = syncPaths(view.gitDir);
  try {
    logLine(paths, `hook ${input?.hook_event_name ?? "?"} session ${input?.session_id ?? "?"}`);
    const q = Number(process.env.GIT_CTX_HOOK_QUIET_MS);
    await syncInBackground({ workTree: view.workTree, paths }, { quietMs: Number.isFinite(q) && process.env.GIT_CTX_HOOK_QUIET_MS ? q : HOOK_QUIET_MS });
  } catch (e) {
    logLine(paths, `hook failed: ${(e as Error).message}`);
  }
}
