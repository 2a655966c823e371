import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAndCommit, clusterGit, sessionLines, setupPair, writeSession, type Pair } from "./harness.js";

/**
 * Folders of projects this machine has not joined are never pushed, changed or deleted — even
 * when forced into a commit; local deletions of sessions never propagate to the cluster.
 */
describe("unjoined folders and deletions", () => {
  let P: Pair;
  const unjoined = "-Users-b-private-thing";
  beforeAll(async () => {
    P = await setupPair();
  });
  afterAll(async () => P?.cleanup());

  it("an unjoined folder on B stays untouched and never reaches the cluster", async () => {
    const file = writeSession(P.B.at(unjoined), "p1", sessionLines("/Users/b/private/thing", "p1", "private", 2));
    const before = readFileSync(file);
    expect((await P.B.git(["status", "--porcelain"])).stdout).toBe(""); // excluded: invisible to git
    // even a forced add of that folder is not pushed
    await P.B.git(["add", "-f", "--", unjoined]);
    await appendAndCommit(P.B, P.keyB, "s1", sessionLines(P.rootB, "s1", "with-unjoined", 1, Date.UTC(2026, 3, 1)), "B with a forced unjoined folder");
    await P.B.git(["push"]);
    const all = (await clusterGit(P.url, ["log", "--all", "--format=", "--name-only"])).stdout;
    expect(all).not.toContain("p1.jsonl");
    expect((await clusterGit(P.url, ["grep", "-c", "private-u0", "project/app"], { allowFail: true })).code).not.toBe(0);
    await P.B.git(["pull"]);
    await P.A.git(["pull"]);
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(P.A.projects)).not.toContain(unjoined);
  });

  it("a session deleted locally is not deleted in the cluster (nor on the other machine)", async () => {
    writeSession(P.A.at(P.keyA), "old", sessionLines(P.rootA, "old", "old-session", 2));
    await P.A.git(["add", "--", P.keyA]);
    await P.A.git(["commit", "-q", "-m", "old session"]);
    await P.A.git(["push"]);
    await P.B.git(["pull"]);
    expect(existsSync(P.B.at(P.keyB, "old.jsonl"))).toBe(true);
    // B deletes it (like Claude Code's cleanupPeriodDays) and commits the deletion with other work
    unlinkSync(P.B.at(P.keyB, "old.jsonl"));
    await P.B.git(["add", "-A", "--", P.keyB]);
    await appendAndCommit(P.B, P.keyB, "s1", sessionLines(P.rootB, "s1", "after-delete", 1, Date.UTC(2026, 3, 2)), "B deletes old");
    await P.B.git(["push"]);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/old.jsonl"], { allowFail: true })).code).toBe(0);
    expect((await clusterGit(P.url, ["show", "project/app:context/s1.jsonl"])).stdout).toContain("after-delete-u0");
    await P.A.git(["pull"]);
    expect(existsSync(P.A.at(P.keyA, "old.jsonl"))).toBe(true);
  });

  it("a project folder of another machine's key does not appear on B", async () => {
    mkdirSync(P.A.at("-home-a-unjoined-on-a"), { recursive: true });
    writeFileSync(P.A.at("-home-a-unjoined-on-a", "x.jsonl"), "{}\n");
    await P.A.git(["add", "-f", "--", "-home-a-unjoined-on-a"]);
    await P.A.git(["commit", "-q", "-m", "forced unjoined on A"]);
    await P.A.git(["push"]);
    await P.B.git(["pull"]);
    expect(existsSync(P.B.at("-home-a-unjoined-on-a"))).toBe(false);
  });
});
