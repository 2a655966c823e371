import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dir } from "tmp-promise";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { clusterGit, node, sessionLines, writeSession, type Node } from "./harness.js";

/** git ctx init / join / projects: the embedded default cluster, adopting non-empty folders without loss, clear errors. */
describe("git ctx init / join", () => {
  let A: Node, B: Node, C: Node;
  let t: { path: string; cleanup: () => Promise<void> };
  let url: string;
  const rootA = "/home/a/proj",
    rootB = "/Users/b/code/proj";
  const keyA = claudeDirKey(rootA),
    keyB = claudeDirKey(rootB);

  beforeAll(async () => {
    t = await dir({ unsafeCleanup: true, prefix: "gitctx-cmd-" });
    url = path.join(t.path, "new", "cluster.git");
    A = await node("A");
    B = await node("B", { os: "darwin", pathHome: "/Users/b" });
    C = await node("C");
  });
  afterAll(async () => {
    await A?.cleanup();
    await B?.cleanup();
    await C?.cleanup();
    await t?.cleanup();
  });

  it("init with a local path that does not exist creates a bare cluster (honouring CLAUDE_CONFIG_DIR)", async () => {
    const cfg = path.join(A.home, "alt-claude");
    const env = { CLAUDE_CONFIG_DIR: cfg };
    writeSession(path.join(cfg, "projects", keyA), "s1", sessionLines(rootA, "s1", "A", 4));
    const r = await A.ctx(["init", "--remote", url, "--id", "proj", rootA], { env });
    expect(r.stdout).toMatch(/created a new cluster at/);
    expect((await clusterGit(url, ["rev-parse", "--is-bare-repository"])).stdout.trim()).toBe("true");
    expect((await clusterGit(url, ["show", "project/proj:context/s1.jsonl"])).stdout).toContain('"A-u0"');
    expect(existsSync(path.join(cfg, "projects", ".git", "ctx", "state.json"))).toBe(true);
    expect(existsSync(A.at(".git"))).toBe(false);
    // re-running is harmless
    await A.ctx(["init", "--remote", url, "--id", "proj", rootA], { env });
    expect((await A.git(["status", "--porcelain"], { cwd: path.join(cfg, "projects") })).stdout).toBe("");
  });

  it("init on a second machine that already has sessions of the project loses nothing", async () => {
    // B has its own sessions, one of them a continuation of the same session s1 (shared prefix;
    // the filter is off here, so the shared lines are A's bytes: test/e2e checks it with B's paths)
    const shared = sessionLines(rootA, "s1", "A", 4);
    writeSession(B.at(keyB), "s1", [...shared, ...sessionLines(rootB, "s1", "B-extra", 2, Date.UTC(2026, 5, 1))]);
    writeSession(B.at(keyB), "b2", sessionLines(rootB, "b2", "B2", 3));
    writeSession(B.at("-Users-b-unrelated"), "u", sessionLines("/Users/b/unrelated", "u", "U", 1));
    await B.ctx(["init", "--remote", url, "--id", "proj", rootB]);
    const s1 = (await clusterGit(url, ["show", "project/proj:context/s1.jsonl"])).stdout;
    for (const tag of ["A-u0", "A-a1", "A-u2", "A-a3", "B-extra-u0", "B-extra-a1"]) expect(s1.split("\n").filter((l) => l.includes(`"${tag}"`))).toHaveLength(1);
    expect((await clusterGit(url, ["cat-file", "-e", "project/proj:context/b2.jsonl"], { allowFail: true })).code).toBe(0);
    expect((await clusterGit(url, ["log", "--all", "--format=", "--name-only"])).stdout).not.toContain("u.jsonl");
    const roster = JSON.parse((await clusterGit(url, ["show", "project/proj:roster.json"])).stdout);
    expect(roster.participants.map((p: { machine_id: string }) => p.machine_id)).toEqual(["A", "B"]);
    expect((await B.git(["status", "--porcelain"])).stdout).toBe("");
  });

  it("join into a folder that already holds local sessions merges them, losing nothing", async () => {
    await C.git(["clone", "-q", `ctx::${url}`, C.projects], { cwd: C.home });
    const rootC = "/home/c/p";
    const keyC = claudeDirKey(rootC);
    writeSession(C.at(keyC), "c1", sessionLines(rootC, "c1", "C1", 2));
    const r = await C.ctx(["join", "--id", "proj", rootC]);
    expect(r.stdout).toMatch(/local sessions merged/);
    expect(readFileSync(C.at(keyC, "c1.jsonl"), "utf8")).toContain('"C1-u0"');
    expect(existsSync(C.at(keyC, "b2.jsonl"))).toBe(true);
    expect((await clusterGit(url, ["cat-file", "-e", "project/proj:context/c1.jsonl"], { allowFail: true })).code).toBe(0);
    expect((await C.git(["status", "--porcelain"])).stdout).toBe("");
  });

  it("a root whose key collides with another joined project is refused", async () => {
    await C.ctx(["init", "--id", "dotted", "/home/c/a.b"]);
    const r = await C.ctx(["join", "--id", "proj", "/home/c/a-b"], { allowFail: true });
    // /home/c/a-b and /home/c/a.b both key to -home-c-a-b
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would use the folder '-home-c-a-b', already used by joined project 'dotted'/);
  });

  it("init without a cluster, or --id with several roots, fails clearly", async () => {
    const fresh = await node("D");
    try {
      const r1 = await fresh.ctx(["init", "/home/d/x"], { allowFail: true });
      expect(r1.code).toBe(1);
      expect(r1.stderr).toMatch(/has no cluster: pass --remote <cluster-url>/);
      const r2 = await fresh.ctx(["init", "--remote", url, "--id", "x", "/home/d/x", "/home/d/y"], { allowFail: true });
      expect(r2.stderr).toMatch(/--id names one project/);
      const r3 = await fresh.ctx(["join", "/home/d/x"], { allowFail: true });
      expect(r3.stderr).toMatch(/is not a git-ctx view/);
    } finally {
      await fresh.cleanup();
    }
  });
});
