/**
 * Installing a real agent client on demand for tests: into a cache folder outside the package's
 * dependencies (git-ignored `.cache/`), one install at a time (test files run in parallel
 * workers), and a small process runner with a timeout.
 */
import { spawn } from "node:child_process";
import { lock } from "proper-lockfile";

/** Runs `fn` holding a lock on `cache` (created by the caller); a lock that cannot be taken is a skip reason. */
export async function withCacheLock<T extends { ok: boolean }>(cache: string, fn: () => Promise<T>): Promise<T | { ok: false; why: string }> {
  let release: (() => Promise<void>) | undefined;
  try {
    release = await lock(cache, { retries: { retries: 400, minTimeout: 500, maxTimeout: 3000 }, realpath: false });
  } catch (e) {
    return { ok: false, why: `could not lock ${cache}: ${(e as Error).message}` };
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

/** Runs `cmd args` with `input` on stdin; resolves with the exit code (null when killed after `timeoutMs`, -1 when it could not start) and the output. */
export function run(
  cmd: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; input?: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), o.timeoutMs);
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e) });
    });
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(o.input ?? "");
  });
}
