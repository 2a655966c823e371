import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { BIN, makeMachine, type TestMachine } from "../helpers/env.js";
import type { MachineOs } from "../../src/roster/machine.js";

/**
 * Test harness for the remote helper and the cluster commands: simulated machines (real HOME,
 * real git, the real `bin/` on PATH) sharing a local bare cluster.
 *
 * `filter: false` turns the ctx clean/smudge filter off through `GIT_CONFIG_*` (command-line
 * level config, above the repository config the helper writes), so these tests check the
 * helper's mapping of trees and history independently of the codec; the merge driver stays on.
 * The end-to-end tests in test/e2e run with the filter.
 */
export const NO_FILTER_ENV: Record<string, string> = {
  GIT_CONFIG_COUNT: "2",
  GIT_CONFIG_KEY_0: "filter.ctx.process",
  GIT_CONFIG_VALUE_0: "",
  GIT_CONFIG_KEY_1: "filter.ctx.required",
  GIT_CONFIG_VALUE_1: "false",
};

/** Output of a spawned command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A simulated machine with helpers to run git and git-ctx in its view (`~/.claude/projects`). */
export interface Node extends TestMachine {
  /** `git <args>` in `cwd` (default: the view); throws on a non-zero exit unless `allowFail`. */
  git(args: string[], o?: RunOpts): Promise<RunResult>;
  /** `git ctx <args>` (the real bin). */
  ctx(args: string[], o?: RunOpts): Promise<RunResult>;
  /** Absolute path of `<view>/<rel>`. */
  at(...rel: string[]): string;
}

export interface RunOpts {
  cwd?: string;
  env?: Record<string, string | undefined>;
  allowFail?: boolean;
  input?: string;
}

/** Spawns `cmd args` and collects its output. */
export function run(cmd: string, args: string[], o: RunOpts & { baseEnv?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...(o.baseEnv ?? process.env) };
    for (const [k, v] of Object.entries(o.env ?? {}))
      if (v === undefined) delete env[k];
      else env[k] = v;
    const child = spawn(cmd, args, { cwd: o.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const r = { code: code ?? (signal ? 128 + 9 : 1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
      if (r.code !== 0 && !o.allowFail) reject(new Error(`${cmd} ${args.join(" ")} (in ${o.cwd}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`));
      else resolve(r);
    });
    child.stdin.on("error", () => {});
    child.stdin.end(o.input ?? "");
  });
}

/** Creates a simulated machine; `filter: false` (default) turns the ctx filter off (see {@link NO_FILTER_ENV}). */
export async function node(name: string, o: { os?: MachineOs; pathHome?: string; filter?: boolean } = {}): Promise<Node> {
  const m = await makeMachine(name, { os: o.os, pathHome: o.pathHome });
  if (!o.filter) Object.assign(m.env, NO_FILTER_ENV);
  return {
    ...m,
    git: (args, ro = {}) => run("git", args, { ...ro, cwd: ro.cwd ?? m.projects, baseEnv: m.env }),
    ctx: (args, ro = {}) => run(path.join(BIN, "git-ctx"), args, { ...ro, cwd: ro.cwd ?? m.projects, baseEnv: m.env }),
    at: (...rel) => path.join(m.projects, ...rel),
  };
}

/** A new, empty bare cluster repository (branch main) in a temp dir. */
export async function bareCluster(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-cluster-" });
  const url = path.join(t.path, "cluster.git");
  await run("git", ["init", "-q", "--bare", "--initial-branch=main", url]);
  return { url, cleanup: t.cleanup };
}

/** `git <args>` against the bare cluster (plumbing checks in tests). */
export function clusterGit(url: string, args: string[], o: RunOpts = {}): Promise<RunResult> {
  return run("git", ["--git-dir", url, ...args], { ...o, env: { GIT_CONFIG_NOSYSTEM: "1", ...o.env } });
}

/**
 * Hand-authored Claude Code transcript lines for a project at `root` (shapes from FORMATS.md:
 * `cwd` on every message line, a tool_use with an absolute `file_path`, a tool_result path).
 * `tag` makes the lines unique; `t0` is the first timestamp (ms).
 */
export function sessionLines(root: string, sessionId: string, tag: string, n: number, t0 = Date.UTC(2026, 0, 1)): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = new Date(t0 + i * 1000).toISOString();
    if (i % 2 === 0) {
      lines.push(
        JSON.stringify({
          type: "user",
          uuid: `${tag}-u${i}`,
          sessionId,
          timestamp: ts,
          cwd: root,
          message: { role: "user", content: `${tag}: please look at ${root}/src/file${i}.ts` },
        }),
      );
    } else {
      lines.push(
        JSON.stringify({
          type: "assistant",
          uuid: `${tag}-a${i}`,
          sessionId,
          timestamp: ts,
          cwd: `${root}/src`,
          message: { role: "assistant", content: [{ type: "tool_use", id: `toolu_${tag}${i}`, name: "Read", input: { file_path: `${root}/src/file${i}.ts` } }] },
        }),
      );
    }
  }
  return lines;
}

/** Writes (or appends) transcript lines to `<folder>/<sessionId>.jsonl`. */
export function writeSession(folder: string, sessionId: string, lines: string[], append = false): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${sessionId}.jsonl`);
  const text = lines.map((l) => l + "\n").join("");
  if (append) appendFileSync(file, text);
  else writeFileSync(file, text);
  return file;
}

/** Two machines sharing a cluster with one project `app`: A (linux) inited it with one session; B (darwin) cloned and joined. */
export interface Pair {
  A: Node;
  B: Node;
  url: string;
  rootA: string;
  rootB: string;
  keyA: string;
  keyB: string;
  cleanup: () => Promise<void>;
}

/** Builds a {@link Pair} (real bins, filter as given). */
export async function setupPair(o: { filter?: boolean; sessionLines?: number } = {}): Promise<Pair> {
  const { claudeDirKey } = await import("../../src/agents/claude/dirkey.js");
  const cluster = await bareCluster();
  const A = await node("A", { filter: o.filter });
  const B = await node("B", { os: "darwin", pathHome: "/Users/b", filter: o.filter });
  const rootA = "/home/a/src/app";
  const rootB = "/Users/b/work/app";
  const keyA = claudeDirKey(rootA);
  const keyB = claudeDirKey(rootB);
  writeSession(path.join(A.projects, keyA), "s1", sessionLines(rootA, "s1", "a1", o.sessionLines ?? 4));
  await A.ctx(["init", "--remote", cluster.url, "--id", "app", rootA]);
  await B.git(["clone", "-q", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
  await B.ctx(["join", "--id", "app", rootB]);
  return {
    A,
    B,
    url: cluster.url,
    rootA,
    rootB,
    keyA,
    keyB,
    cleanup: async () => {
      await A.cleanup();
      await B.cleanup();
      await cluster.cleanup();
    },
  };
}

/** Appends lines to a session in a node's folder and commits them (`git add -- <folder>`, `git commit`). */
export async function appendAndCommit(n: Node, key: string, session: string, lines: string[], message: string): Promise<void> {
  writeSession(n.at(key), session, lines, true);
  await n.git(["add", "--", key]);
  await n.git(["commit", "-q", "-m", message]);
}

/** A file of a hand-built cluster branch: text content, or a symlink target. */
export type HandFile = string | { symlink: string };

/**
 * Writes a commit to `refs/heads/project/<id>` of the cluster by hand with plumbing (as another
 * tool, e.g. context-convergence, would): `roster.json` (raw text) + `context/<files>`, plus any
 * extra root files. Names are written verbatim with `git mktree` (so unsafe names like `..` are
 * possible). The new commit's parent is the branch's current tip, if any.
 */
export async function handBranch(url: string, id: string, roster: string, files: Record<string, HandFile>, extraRoot: Record<string, string> = {}): Promise<string> {
  const g = (args: string[], input?: string) => clusterGit(url, args, { input }).then((r) => r.stdout.trim());
  const blob = (text: string) => g(["hash-object", "-w", "--stdin"], text);
  type Node = { files: Map<string, { mode: string; oid: string }>; dirs: Map<string, Node> };
  const mk = (): Node => ({ files: new Map(), dirs: new Map() });
  const root = mk();
  const put = async (p: string, f: HandFile) => {
    const parts = p.split("/");
    let n = root;
    for (const d of parts.slice(0, -1)) n = n.dirs.get(d) ?? (n.dirs.set(d, mk()), n.dirs.get(d)!);
    n.files.set(parts.at(-1)!, typeof f === "string" ? { mode: "100644", oid: await blob(f) } : { mode: "120000", oid: await blob(f.symlink) });
  };
  await put("roster.json", roster);
  for (const [p, c] of Object.entries(extraRoot)) await put(p, c);
  for (const [p, f] of Object.entries(files)) await put(`context/${p}`, f);
  const write = async (n: Node): Promise<string> => {
    const lines: string[] = [];
    for (const [name, f] of n.files) lines.push(`${f.mode} blob ${f.oid}\t${name}`);
    for (const [name, d] of n.dirs) lines.push(`040000 tree ${await write(d)}\t${name}`);
    return g(["mktree"], lines.join("\n") + "\n");
  };
  const tree = await write(root);
  const parent = (await clusterGit(url, ["rev-parse", "--verify", "-q", `refs/heads/project/${id}`], { allowFail: true })).stdout.trim();
  const commit = (
    await clusterGit(url, ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", `hand-built ${id}`], {
      env: { GIT_AUTHOR_NAME: "other tool", GIT_AUTHOR_EMAIL: "o@t", GIT_COMMITTER_NAME: "other tool", GIT_COMMITTER_EMAIL: "o@t" },
    })
  ).stdout.trim();
  await g(["update-ref", `refs/heads/project/${id}`, commit]);
  return commit;
}

/** A valid roster.json text for `id` with one participant. */
export function rosterText(id: string, machineId = "X", root = "/home/x/p"): string {
  return (
    JSON.stringify(
      {
        project_id: id,
        rewrite_home: true,
        participants: [{ machine_id: machineId, os: "linux", home: "/home/x", project_root: root, encoded_dir: root.replace(/[^a-zA-Z0-9]/g, "-"), last_converged: null }],
      },
      null,
      2,
    ) + "\n"
  );
}
