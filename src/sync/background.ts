import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { requestSync, syncRunning } from "./coalesce.js";
import type { SyncPaths } from "./paths.js";

/* Kept free of zod and other heavy imports: the Claude Code hook path loads it (it must return in ~0.2 s). */

/**
 * Path of this package's `bin/git-ctx`, to spawn the background worker with the same Node:
 * the running CLI's own script when it is `git-ctx` (the hook runs as `git ctx sync --hook`),
 * else the first `bin/git-ctx` found walking up from this module (works from `dist/src/sync/`
 * and from the esbuild bundle in `dist/bundle/`).
 * @returns `undefined` when neither is found (the caller then runs `git ctx` through PATH).
 */
export function gitCtxBin(): string | undefined {
  const argv1 = process.argv[1];
  if (argv1 && path.basename(argv1) === "git-ctx" && existsSync(argv1)) return argv1;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "bin", "git-ctx");
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * Records a sync request and, unless a sync is already running (its trailing run will serve the
 * request), spawns a detached `git ctx sync --worker` with its output appended to `sync.log`,
 * and returns at once. Never waits for the sync.
 * @returns whether a worker was spawned.
 */
export async function syncInBackground(view: { workTree: string; paths: SyncPaths }, o: { quietMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<boolean> {
  requestSync(view.paths);
  if (await syncRunning(view.paths)) return false;
  mkdirSync(view.paths.ctxDir, { recursive: true });
  const fd = openSync(view.paths.log, "a");
  try {
    const bin = gitCtxBin();
    const args = ["sync", "--worker", "--dir", view.workTree, "--quiet-ms", String(o.quietMs ?? 0)];
    const child = spawn(bin ? process.execPath : "git", bin ? [bin, ...args] : ["ctx", ...args], {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: o.env ?? process.env,
      cwd: view.workTree,
    });
    child.unref();
  } finally {
    closeSync(fd);
  }
  return true;
}
