import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { writeExcludes } from "../../src/git/config.js";
import type { MachineOs } from "../../src/roster/machine.js";
import { writeViewState } from "../../src/view/state.js";
import type { TestMachine } from "../helpers/env.js";

/** Test helpers: a git-ctx view repository on a simulated machine, driven by the real bins. */

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  out: Buffer;
}

/** Runs `cmd args` in `cwd` with the machine's environment (bin/ first on PATH). */
export function run(m: TestMachine, cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, input?: Buffer): Run {
  const r = spawnSync(cmd, args, { cwd, env: { ...m.env, ...env }, input, maxBuffer: 1 << 30 });
  return { code: r.status, stdout: r.stdout?.toString("utf8") ?? "", stderr: r.stderr?.toString("utf8") ?? "", out: r.stdout ?? Buffer.alloc(0) };
}

/** Runs git and throws with its stderr when it fails. */
export function gitOk(m: TestMachine, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const r = run(m, "git", args, cwd, env);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r;
}

export interface ViewProject {
  root: string;
  key: string;
  rewriteHome?: boolean;
}

/**
 * Creates a view repository at `top` for machine `{os, home}`: `git init`, `git ctx install --local`
 * (the real bin), `$GIT_DIR/ctx/state.json` with the joined projects, and the excludes.
 */
export function makeView(m: TestMachine, top: string, machine: { os: MachineOs; home: string }, projects: Record<string, ViewProject>): { top: string; gitDir: string } {
  mkdirSync(top, { recursive: true });
  gitOk(m, ["-c", "init.defaultBranch=main", "init", "-q"], top);
  const inst = run(m, "git", ["ctx", "install", "--local"], top);
  if (inst.code !== 0) throw new Error(`git ctx install --local failed: ${inst.stderr}`);
  const gitDir = path.join(top, ".git");
  writeViewState(gitDir, {
    version: 1,
    cluster: "",
    machine: { id: m.name, ...machine },
    projects: Object.fromEntries(Object.entries(projects).map(([id, p]) => [id, { root: p.root, key: p.key, rewriteHome: p.rewriteHome ?? true }])),
  });
  writeExcludes(
    gitDir,
    Object.values(projects).map((p) => p.key),
  );
  return { top, gitDir };
}

/**
 * Imports the canonical blobs of `from`'s HEAD into the view `to` (another machine), renaming each
 * folder `fromKey → toKey` (what the remote helper does between machines), commits them with
 * plumbing (no filter runs) and checks the files out (the smudge filter runs with `to`'s anchors).
 */
export function importCanonical(m: TestMachine, from: string, to: string, folders: Record<string, string>): void {
  gitOk(m, ["-c", "filter.ctx.process=", "fetch", "-q", "--no-write-fetch-head", from, "+HEAD:refs/ctx/import"], to);
  for (const [fk, tk] of Object.entries(folders)) gitOk(m, ["read-tree", `--prefix=${tk}/`, `refs/ctx/import:${fk}`], to);
  gitOk(m, ["commit", "-q", "-m", "import canonical blobs"], to);
  gitOk(m, ["checkout", "-f", "--", "."], to);
}
