import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, node, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * Re-running `git ctx init` / `git ctx join` is what a user does when unsure whether the first
 * run worked: it must say the project is already joined, change nothing in the cluster or the
 * view, and a second `init` with more roots must add them.
 */
describe("git ctx init / join run again", () => {
  let A: Node;
  let cluster: { url: string; cleanup: () => Promise<void> };
  const r1 = "/home/a/one",
    r2 = "/home/a/two";
  const k1 = claudeDirKey(r1),
    k2 = claudeDirKey(r2);
  const tips = async () => (await clusterGit(cluster.url, ["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/"])).stdout;
  const head = async () => (await A.git(["rev-parse", "HEAD"])).stdout.trim();
  const projects = () => JSON.parse(readFileSync(A.at(".git", "ctx", "state.json"), "utf8")).projects;

  beforeAll(async () => {
    cluster = await bareCluster();
    A = await node("A");
    writeSession(A.at(k1), "s1", sessionLines(r1, "s1", "one", 2));
    await A.ctx(["init", "--remote", cluster.url, "--id", "one", r1]);
  });
  afterAll(async () => {
    await A?.cleanup();
    await cluster?.cleanup();
  });

  it("init again with the same root says so and changes nothing", async () => {
    const [t0, h0, s0] = [await tips(), await head(), projects()];
    const r = await A.ctx(["init", "--id", "one", r1]);
    expect(r.stdout).toBe(`project/one is already joined (${r1} -> ${A.projects}/${k1}), 1 session\ngit ctx init: joined 0 projects in 1 view (1 already joined)\n`);
    expect(await tips()).toBe(t0);
    expect(await head()).toBe(h0);
    expect(projects()).toEqual(s0);
  });

  it("join of an already joined project says so, exits 0 and changes nothing", async () => {
    const [t0, h0] = [await tips(), await head()];
    const r = await A.ctx(["join", "--id", "one", r1]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`project/one is already joined (${r1} -> ${A.projects}/${k1}); nothing to do\ngit ctx join: project/one joined in 1 view (1 already joined)\n`);
    expect(await tips()).toBe(t0);
    expect(await head()).toBe(h0);
  });

  it("init again with another root adds that project and keeps the first", async () => {
    writeSession(A.at(k2), "s2", sessionLines(r2, "s2", "two", 2));
    const before = (await clusterGit(cluster.url, ["rev-parse", "project/one"])).stdout;
    const r = await A.ctx(["init", r2]);
    expect(r.stdout).toBe(`joined project/two: ${r2} -> ${A.projects}/${k2}, 1 session adopted\ngit ctx init: joined 1 project in 1 view\n`);
    expect(Object.keys(projects()).sort()).toEqual(["one", "two"]);
    expect((await clusterGit(cluster.url, ["show", "project/two:context/s2.jsonl"])).stdout).toContain('"two-u0"');
    expect((await clusterGit(cluster.url, ["rev-parse", "project/one"])).stdout).toBe(before);
    expect((await A.git(["status", "--porcelain"])).stdout).toBe("");
    const exclude = readFileSync(A.at(".git", "info", "exclude"), "utf8");
    expect(exclude).toContain(`!/${k1}/`);
    expect(exclude).toContain(`!/${k2}/`);
  });
});
