import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, sessionLines, writeSession, type Node } from "../cluster/harness.js";
import { codexNode, rolloutPath, sessionMeta, turnLines, writeRollout } from "../codex/rollouts.js";

/**
 * Issue 24, point 8: `doctor` and `scan` take the `--dir` the README promises ("`sync`,
 * `status`, `doctor`, `scan` and `leave` cover every view (…; `--dir` picks one)"). One machine
 * with a Claude Code and a Codex view: without `--dir` both are checked, with it only the named
 * one, and a folder that is no view is refused by name instead of another view being checked.
 */

const cleanups: (() => Promise<void>)[] = [];
let A: Node & { sessions: string };
const root = "/home/al/work";

beforeAll(async () => {
  const cluster = await bareCluster();
  cleanups.push(cluster.cleanup);
  A = await codexNode("A", cleanups);
  writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "c", 2));
  const id = "019b0000-0000-7000-8000-000000000001";
  writeRollout(A.sessions, rolloutPath(id), [sessionMeta(id, root), ...turnLines(root, "o", 2)]);
  await A.ctx(["init", "--remote", cluster.url, "--id", "work", root], { cwd: A.home });
  return async () => {
    while (cleanups.length) await cleanups.pop()!();
  };
}, 120_000);

/** The views a `--json` document names (`views[].dir`, src/json/schemas.ts). */
function workTrees(stdout: string): string[] {
  const j = JSON.parse(stdout) as { views: { dir: string | null }[] };
  return j.views.map((v) => path.resolve(v.dir ?? ""));
}

describe("doctor --dir", () => {
  it("checks every agent's view without it, only the named one with it", async () => {
    const all = await A.ctx(["doctor", "--json"], { cwd: A.home, allowFail: true });
    expect(workTrees(all.stdout).sort()).toEqual([A.projects, A.sessions].map((d) => path.resolve(d)).sort());
    const one = await A.ctx(["doctor", "--json", "--dir", A.sessions], { cwd: A.home, allowFail: true });
    expect(workTrees(one.stdout)).toEqual([path.resolve(A.sessions)]);
    const rel = await A.ctx(["doctor", "--json", "--dir", ".claude/projects"], { cwd: A.home, allowFail: true });
    expect(workTrees(rel.stdout)).toEqual([path.resolve(A.projects)]);
  });

  it("refuses a folder that is not a view, naming it", async () => {
    const other = path.join(A.home, "not-a-view");
    mkdirSync(other, { recursive: true });
    const r = await A.ctx(["doctor", "--dir", other], { cwd: A.home, allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${other} is not a git-ctx view`);
    expect(r.stdout).toBe("");
  });
});

describe("scan --dir", () => {
  it("scans every agent's view outside a repository, only the named one with --dir", async () => {
    const all = await A.ctx(["scan", "--json"], { cwd: A.home, allowFail: true });
    expect(workTrees(all.stdout).sort()).toEqual([A.projects, A.sessions].map((d) => path.resolve(d)).sort());
    const one = await A.ctx(["scan", "--json", "--dir", A.sessions], { cwd: A.home, allowFail: true });
    expect(one.code).toBe(0);
    expect(workTrees(one.stdout)).toEqual([path.resolve(A.sessions)]);
  });

  it("takes paths relative to the --dir view, as git -C does", async () => {
    const r = await A.ctx(["scan", "--json", "--all", "--dir", A.projects, "--", claudeDirKey(root)], { cwd: A.home, allowFail: true });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).views[0].scanned).toBe(1);
  });

  it("refuses a folder that is not a view, naming it", async () => {
    const r = await A.ctx(["scan", "--dir", path.join(A.home, "nowhere")], { cwd: A.home, allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nowhere is not a git-ctx view/);
  });
});
