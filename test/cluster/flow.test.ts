import { existsSync, readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { filterCommand } from "../../src/git/config.js";
import { bareCluster, clusterGit, node, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * The main flow through the real helper, with the codec out of the way (filter off): A inits,
 * B clones and joins under its own key, B appends and pushes, A pulls as a fast-forward, a
 * second pull has nothing to do, and only the joined project's objects reach B.
 */
describe("ctx:: helper: init, clone, join, push, pull", () => {
  let A: Node, B: Node, cluster: { url: string; cleanup: () => Promise<void> };
  const rootA = "/home/a/src/app";
  const rootA2 = "/home/a/src/other";
  const rootB = "/Users/b/work/app";
  const keyA = claudeDirKey(rootA),
    keyA2 = claudeDirKey(rootA2),
    keyB = claudeDirKey(rootB);

  beforeAll(async () => {
    cluster = await bareCluster();
    A = await node("A");
    B = await node("B", { os: "darwin", pathHome: "/Users/b" });
    writeSession(A.at(keyA), "s1", sessionLines(rootA, "s1", "a1", 6));
    writeSession(A.at(keyA, "s1", "subagents"), "agent-1", sessionLines(rootA, "s1", "sub", 2));
    writeSession(A.at(keyA2), "o1", sessionLines(rootA2, "o1", "secret-other-project", 3));
  });
  afterAll(async () => {
    await A?.cleanup();
    await B?.cleanup();
    await cluster?.cleanup();
  });

  it("A's init pushes both projects to their own branches and a README on main", async () => {
    await A.ctx(["init", "--remote", cluster.url, "--id", "app", rootA]);
    await A.ctx(["init", "--id", "other", rootA2]);
    const heads = (await clusterGit(cluster.url, ["for-each-ref", "--format=%(refname)"])).stdout.trim().split("\n").sort();
    expect(heads).toEqual(["refs/heads/main", "refs/heads/project/app", "refs/heads/project/other"]);
    const files = (await clusterGit(cluster.url, ["ls-tree", "-r", "--name-only", "project/app"])).stdout.trim().split("\n");
    expect(files.sort()).toEqual(["context/s1.jsonl", "context/s1/subagents/agent-1.jsonl", "format.json", "roster.json"]);
    const roster = JSON.parse((await clusterGit(cluster.url, ["show", "project/app:roster.json"])).stdout);
    expect(roster.participants.map((p: { machine_id: string; project_root: string; encoded_dir: string }) => [p.machine_id, p.project_root, p.encoded_dir])).toEqual([
      ["A", rootA, keyA],
    ]);
    expect((await clusterGit(cluster.url, ["show", "main:README.md"])).stdout).toContain("project/<id>");
    const st = await A.git(["status", "--porcelain"]);
    expect(st.stdout).toBe("");
  });

  it("B clones (a view with no projects) and joins under its own key", async () => {
    await B.git(["clone", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
    expect(readdirSync(B.projects).filter((n) => n !== ".git")).toEqual([]);
    // option cloning configured the new repository (so its checkouts are smudged without `git ctx install`)
    expect((await B.git(["config", "--local", "filter.ctx.process"])).stdout.trim()).toBe(`${filterCommand()} process`);
    expect((await B.git(["config", "--local", "filter.ctx.required"])).stdout.trim()).toBe("true");
    expect((await B.git(["config", "--local", "merge.ctx.driver"])).stdout.trim()).toBe(`${filterCommand()} merge %O %A %B %L %P`);
    expect((await B.git(["config", "--local", "pull.rebase"])).stdout.trim()).toBe("false");
    expect(readFileSync(B.at(".git", "info", "attributes"), "utf8")).toContain("* filter=ctx -text");
    expect(readFileSync(B.at(".git", "info", "exclude"), "utf8")).toMatch(/^\/\*$/m);
    const state0 = JSON.parse(readFileSync(B.at(".git", "ctx", "state.json"), "utf8"));
    expect(state0).toMatchObject({ version: 1, cluster: cluster.url, machine: { id: "B", os: "darwin", home: "/Users/b" }, projects: {} });
    const listed = JSON.parse((await B.ctx(["projects", "--json"])).stdout).projects;
    expect(listed.map((p: { id: string }) => p.id)).toEqual(["app", "other"]);
    await B.ctx(["join", "--id", "app", rootB]);
    expect(readdirSync(B.projects).filter((n) => n !== ".git")).toEqual([keyB]);
    expect(readFileSync(B.at(keyB, "s1.jsonl"), "utf8")).toBe(readFileSync(A.at(keyA, "s1.jsonl"), "utf8"));
    expect(readFileSync(B.at(keyB, "s1/subagents/agent-1.jsonl"), "utf8")).toBe(readFileSync(A.at(keyA, "s1/subagents/agent-1.jsonl"), "utf8"));
    const roster = JSON.parse((await clusterGit(cluster.url, ["show", "project/app:roster.json"])).stdout);
    expect(roster.participants.map((p: { machine_id: string; project_root: string; os: string; home: string }) => [p.machine_id, p.os, p.home, p.project_root])).toEqual([
      ["A", "linux", A.pathHome, rootA],
      ["B", "darwin", "/Users/b", rootB],
    ]);
  });

  it("only the joined project's objects reach B", async () => {
    const otherBlob = (await clusterGit(cluster.url, ["rev-parse", "project/other:context/o1.jsonl"])).stdout.trim();
    const appBlob = (await clusterGit(cluster.url, ["rev-parse", "project/app:context/s1.jsonl"])).stdout.trim();
    expect((await B.git(["cat-file", "-e", appBlob], { allowFail: true })).code).toBe(0);
    expect((await B.git(["cat-file", "-e", otherBlob], { allowFail: true })).code).not.toBe(0);
    expect((await B.git(["cat-file", "-e", (await clusterGit(cluster.url, ["rev-parse", "project/other"])).stdout.trim()], { allowFail: true })).code).not.toBe(0);
  });

  it("B appends and pushes; A pulls as a fast-forward; a second pull is already up to date", async () => {
    const added = sessionLines(rootB, "s1", "b-append", 2, Date.UTC(2026, 0, 2));
    writeSession(B.at(keyB), "s1", added, true);
    writeSession(B.at(keyB), "s2", sessionLines(rootB, "s2", "b-new", 3));
    await B.git(["add", "--", keyB]);
    await B.git(["commit", "-q", "-m", "B: more work"]);
    const push = await B.git(["push"]);
    expect(push.stderr).toMatch(/main -> main/);
    const log = (await clusterGit(cluster.url, ["log", "-1", "--format=%an|%s", "project/app"])).stdout.trim();
    expect(log).toBe("user-B|B: more work");
    const headBefore = (await A.git(["rev-parse", "HEAD"])).stdout.trim();
    const pull = await A.git(["pull"]);
    expect(pull.stdout).toMatch(/Fast-forward/);
    expect((await A.git(["rev-parse", "HEAD^"])).stdout.trim()).toBe(headBefore);
    expect(readFileSync(A.at(keyA, "s1.jsonl"), "utf8")).toBe(readFileSync(B.at(keyB, "s1.jsonl"), "utf8"));
    expect(existsSync(A.at(keyA, "s2.jsonl"))).toBe(true);
    expect((await A.git(["pull"])).stdout).toMatch(/Already up to date/);
    expect((await B.git(["pull"])).stdout).toMatch(/Already up to date/);
    expect((await A.git(["status", "--porcelain"])).stdout).toBe("");
  });

  it("list is deterministic: the same inputs advertise the same commit", async () => {
    const a = (await A.git(["ls-remote", `ctx::${cluster.url}`])).stdout;
    const b = (await A.git(["ls-remote", `ctx::${cluster.url}`])).stdout;
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/m);
  });
});
