import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeMachine, type TestMachine } from "../helpers/env.js";

/**
 * A cluster whose tree or roster was crafted to escape the project folder (issue 5, scope 4;
 * issue 22, the inbound gate): `git clone ctx::` + `git ctx join` + `git pull` through the real
 * remote helper leave the entry out with a warning naming the branch, the entry and why, bring
 * the rest of the project, and a later `git ctx sync` says it again and exits 1; nothing is
 * written outside the view and the local files stay as they were.
 */

type Entry = { name: string; mode?: "100644" | "120000" | "160000"; content?: string; tree?: Entry[]; commit?: string };

let m: TestMachine;
let cluster: string;
beforeEach(async () => {
  m = await makeMachine("escape");
  cluster = path.join(m.home, "..", "cluster.git");
  git(["init", "-q", "--bare", "--initial-branch=main", cluster], m.home);
});
afterEach(async () => m.cleanup());

function git(args: string[], cwd: string, input?: string): string {
  const r = spawnSync("git", args, { cwd, env: m.env, input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

function mktree(entries: Entry[]): string {
  const lines = entries.map((e) => {
    if (e.tree) return `040000 tree ${mktree(e.tree)}\t${e.name}`;
    if (e.mode === "160000") return `160000 commit ${e.commit}\t${e.name}`;
    const oid = git(["hash-object", "-w", "--stdin"], cluster, e.content ?? "");
    return `${e.mode ?? "100644"} blob ${oid}\t${e.name}`;
  });
  return git(["mktree"], cluster, lines.join("\n") + "\n");
}

const GOOD_ROSTER = JSON.stringify({ project_id: "p", rewrite_home: true, participants: [] });

/** A cluster with branch project/p holding `roster` and `context/` = `ctx`, and main with a README. */
function craft(ctx: Entry[], roster = GOOD_ROSTER) {
  const top = mktree([
    { name: "roster.json", content: roster },
    { name: "context", tree: ctx },
  ]);
  const c = git(["commit-tree", top, "-m", "crafted"], cluster);
  git(["update-ref", "refs/heads/project/p", c], cluster);
  const main = git(["commit-tree", mktree([{ name: "README.md", content: "cluster\n" }]), "-m", "main"], cluster);
  git(["update-ref", "refs/heads/main", main], cluster);
}

const SESSION = '{"type":"user","message":{"content":"hello"}}\n';

/** Clone, join project p, pull: returns the join and pull results. */
function cloneJoinPull() {
  const root = path.join(m.home, "work", "p");
  mkdirSync(root, { recursive: true });
  const c = spawnSync("git", ["clone", `ctx::${cluster}`, m.projects], { cwd: m.home, env: m.env, encoding: "utf8" });
  expect(c.status, c.stderr).toBe(0);
  const join = spawnSync("git", ["ctx", "join", "--id", "p", root], { cwd: m.projects, env: m.env, encoding: "utf8" });
  const pull = spawnSync("git", ["pull"], { cwd: m.projects, env: m.env, encoding: "utf8" });
  return { join, pull, key: root.replace(/[^a-zA-Z0-9]/g, "-") };
}

/** Every path under the temp machine's parent, to prove nothing appeared outside the view. */
function treeOf(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (p.startsWith(path.join(m.projects, ".git"))) continue;
    out.push(p);
    if (e.isDirectory() && !e.isSymbolicLink()) treeOf(p, out);
  }
  return out;
}

const CASES: { name: string; ctx: Entry[]; problem: RegExp; entry: string }[] = [
  { name: "'..' component", ctx: [{ name: "..", tree: [{ name: "escaped.txt", content: "pwned\n" }] }], problem: /'\.\.' path component/, entry: ".." },
  {
    name: "'.git' component",
    ctx: [{ name: ".git", tree: [{ name: "config", content: "[core]\n\tfsmonitor = touch /tmp/pwned\n" }] }],
    problem: /git control name '\.git'/,
    entry: ".git",
  },
  { name: "'.GIT' (case-insensitive file systems)", ctx: [{ name: ".GIT", tree: [{ name: "HEAD", content: "x\n" }] }], problem: /git control name '\.GIT'/, entry: ".GIT" },
  { name: "absolute symlink", ctx: [{ name: "s.jsonl", mode: "120000", content: "/etc/passwd" }], problem: /symbolic link/, entry: "s.jsonl" },
  {
    name: "relative symlink leaving the folder",
    ctx: [{ name: "a", tree: [{ name: "l.jsonl", mode: "120000", content: "../../../.ssh/id_rsa" }] }],
    problem: /symbolic link/,
    entry: "a/l.jsonl",
  },
  { name: "backslash name (Windows traversal)", ctx: [{ name: "..\\..\\evil.jsonl", content: "x\n" }], problem: /backslash/, entry: "..\\..\\evil.jsonl" },
  { name: "submodule entry", ctx: [{ name: "sub", mode: "160000", commit: "1".repeat(40) }], problem: /submodule/, entry: "sub" },
];

describe("a cluster crafted to escape the project folder", () => {
  for (const c of CASES) {
    it(`${c.name}: left out with the branch, the entry and why; the rest arrives; nothing written outside the view`, () => {
      craft([{ name: "ok.jsonl", content: SESSION }, ...c.ctx]);
      const before = treeOf(path.dirname(m.home));
      const { join, pull, key } = cloneJoinPull();
      const out = join.stderr + join.stdout + pull.stderr + pull.stdout;
      expect(join.status, out).toBe(0);
      expect(out).toContain(`refused '${c.entry}' of project/p from the cluster`);
      expect(out).toMatch(c.problem);
      expect(readFileSync(path.join(m.projects, key, "ok.jsonl"), "utf8")).toBe(SESSION);
      const after = treeOf(path.dirname(m.home));
      const added = after.filter((p) => !before.includes(p));
      // the only new paths are the view itself, the project root we created and (maybe) the project folder
      for (const p of added) {
        // (the cluster itself receives this machine's roster entry from join)
        const ok = p.startsWith(m.projects) || p.startsWith(path.join(m.home, "work")) || p.startsWith(path.join(m.home, ".config")) || p.startsWith(path.resolve(cluster));
        expect(ok, `written outside the view: ${p}`).toBe(true);
      }
      expect(readdirSync(path.join(m.projects, key)).sort()).toEqual(["ok.jsonl"]);
      expect(existsSync(path.join(m.home, ".claude", "escaped.txt"))).toBe(false);
      expect(existsSync(path.join(m.projects, key, "..", "escaped.txt"))).toBe(false);
      expect(existsSync("/tmp/pwned")).toBe(false);
      // never only a log line: the foreground sync says it again and exits 1, status too
      const sync = spawnSync("git", ["ctx", "sync"], { cwd: m.projects, env: m.env, encoding: "utf8" });
      expect(sync.status, sync.stderr + sync.stdout).toBe(1);
      expect(sync.stderr).toContain(`refused '${c.entry}' of project/p from the cluster`);
      const status = spawnSync("git", ["ctx", "status"], { cwd: m.projects, env: m.env, encoding: "utf8" });
      expect(status.status).toBe(1);
      expect(status.stdout).toContain(`refused '${c.entry}' of project/p`);
    });
  }

  it("a roster whose entries name other roots and keys (even '../..') cannot move the view folder", () => {
    const roster = JSON.stringify({
      project_id: "p",
      rewrite_home: true,
      participants: [{ machine_id: "evil", os: "linux", home: "/", project_root: "/etc", encoded_dir: "../../../etc", last_converged: null }],
    });
    craft([{ name: "ok.jsonl", content: SESSION }], roster);
    const { join, pull, key } = cloneJoinPull();
    expect(join.status, join.stderr + join.stdout).toBe(0);
    expect(pull.status, pull.stderr).toBe(0);
    expect(readFileSync(path.join(m.projects, key, "ok.jsonl"), "utf8")).toBe(SESSION);
    expect(readdirSync(m.projects).filter((n) => n !== ".git")).toEqual([key]);
  });

  it("a roster that is not valid JSON is refused naming the branch and the fix", () => {
    craft([{ name: "ok.jsonl", content: SESSION }], "{not json");
    const { join, pull } = cloneJoinPull();
    const out = join.stderr + join.stdout + pull.stderr + pull.stdout;
    expect(join.status !== 0 || pull.status !== 0).toBe(true);
    expect(out).toMatch(/invalid roster\.json in refs\/ctx\/cluster\/project\/p:roster\.json/);
  });

  // Issue 10, defect 10 and issue 22: a branch that turns unsafe later has the unsafe entry left
  // out with a warning; the rest of it arrives, local files stay as they were.
  it("local files of the joined project are untouched when a later pull finds an unsafe entry", () => {
    craft([{ name: "ok.jsonl", content: SESSION }]);
    const { join, pull, key } = cloneJoinPull();
    expect(join.status, join.stderr).toBe(0);
    expect(pull.status, pull.stderr).toBe(0);
    const local = path.join(m.projects, key, "local.jsonl");
    const mine = '{"type":"user","message":{"content":"mine, not pushed yet"}}\n';
    writeFileSync(local, mine);
    const okBefore = readFileSync(path.join(m.projects, key, "ok.jsonl"));
    // the cluster turns malicious
    craft([
      { name: "ok.jsonl", content: SESSION + '{"type":"assistant"}\n' },
      { name: "..", tree: [{ name: "escaped.txt", content: "pwned\n" }] },
    ]);
    const again = spawnSync("git", ["pull"], { cwd: m.projects, env: m.env, encoding: "utf8" });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/warning: refused '\.\.' of project\/p from the cluster \('\.\.' path component\)/);
    expect(readFileSync(local, "utf8")).toBe(mine);
    // the rest of the branch still arrives
    expect(readFileSync(path.join(m.projects, key, "ok.jsonl"), "utf8")).toBe(okBefore.toString("utf8") + '{"type":"assistant"}\n');
    expect(existsSync(path.join(m.home, ".claude", "escaped.txt"))).toBe(false);
  });
});
