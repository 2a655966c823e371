import * as path from "node:path";
import { createInterface } from "node:readline";
import { git } from "../git/exec.js";
import { isCtxError } from "../errors.js";
import { Plumbing } from "../cluster/plumbing.js";
import { absoluteClusterUrl } from "../cluster/setup.js";
import { ClusterBackend } from "./backend.js";
import { runHelper } from "./protocol.js";

/**
 * Entry point of `bin/git-remote-ctx`, run by git as `git-remote-ctx <remote> <url>` for a
 * `ctx::<url>` remote (`git help gitremote-helpers`). `GIT_DIR` is set by git, relative during
 * fetch/push (GIT.md, observed): it is resolved against the current directory. stdout carries
 * only protocol and is flushed before exit; diagnostics go to stderr.
 */
export async function main(argv: string[]): Promise<void> {
  const [, rawUrl] = argv;
  try {
    if (!rawUrl) throw new Error("usage: git-remote-ctx <remote> <url> (run by git for ctx::<url> remotes)");
    const url = absoluteClusterUrl(rawUrl.replace(/^ctx::/, ""));
    const gitDir = path.resolve(process.env.GIT_DIR ?? (await git(["rev-parse", "--git-dir"], { noCtxFilter: true })));
    const backend = new ClusterBackend({ p: new Plumbing(gitDir), url });
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    try {
      await runHelper(rl, backend, (s) => process.stdout.write(s));
    } finally {
      rl.close();
      process.stdin.destroy();
    }
  } catch (e) {
    process.stderr.write(`git-remote-ctx: ${isCtxError(e) ? e.message : ((e as Error)?.stack ?? String(e))}\n`);
    process.exitCode = 1;
  }
  await new Promise<void>((r) => process.stdout.write("", () => r()));
}
