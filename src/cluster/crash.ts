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
