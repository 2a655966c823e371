import { existsSync, writeFileSync } from "node:fs";

/**
 * Test-only fault injection: when `GIT_CTX_TEST_CRASH_AT` names `step`, the process kills itself
 * with SIGKILL (no cleanup, no flush), as a power cut or `kill -9` would. The end-to-end crash
 * tests use it to prove that every step leaves a repository where the next push/pull works.
 * Steps: `list:after-fetch`, `list:before-ref`, `push:after-fetch`, `push:after-commit`,
 * `push:after-remote`, `push:after-refs`.
 */
export function crashPoint(step: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GIT_CTX_TEST_CRASH_AT === step) process.kill(process.pid, "SIGKILL");
}

/**
 * Test-only delay: when `GIT_CTX_TEST_PAUSE_AT` is `<step>:<ms>`, waits that long at `step`
 * (used to make two machines' pushes race on the same cluster tip). When
 * `GIT_CTX_TEST_PAUSE_SIGNAL` names a file, it is created as the pause starts, so a test knows
 * the process is paused; when `GIT_CTX_TEST_RESUME_FILE` names a file, the pause ends as soon as
 * that file exists (polled every 20 ms), `<ms>` then being only the longest wait.
 */
export async function pausePoint(step: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const v = env.GIT_CTX_TEST_PAUSE_AT;
  if (!v) return;
  const i = v.lastIndexOf(":");
  if (v.slice(0, i) !== step) return;
  if (env.GIT_CTX_TEST_PAUSE_SIGNAL) writeFileSync(env.GIT_CTX_TEST_PAUSE_SIGNAL, step);
  const until = Date.now() + (Number(v.slice(i + 1)) || 0);
  const resume = env.GIT_CTX_TEST_RESUME_FILE;
  while (Date.now() < until && !(resume && existsSync(resume))) await new Promise((r) => setTimeout(r, resume ? 20 : until - Date.now()));
}
