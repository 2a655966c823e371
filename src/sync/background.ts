import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { requestSync, syncRunning } from "./coalesce.js";
import type { SyncPaths } from "./paths.js";

/* Kept free of zod and other heavy imports: the Claude Code hook path loads it (it must return in ~0.2 s). */

/** Path of this package's `bin/git-ctx` (from `dist/src/sync/index.js`). */
export function gitCtxBin(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/git-ctx");
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
    const child = spawn(process.execPath, [gitCtxBin(), "sync", "--worker", "--dir", view.workTree, "--quiet-ms", String(o.quietMs ?? 0)], {
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
