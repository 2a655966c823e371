import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { FORMAT_OID } from "../../src/cluster/layout.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, handBranch, node, rosterText, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * Issue 11: the cluster format is versioned (`format.json` at the root of a project branch,
 * docs/cluster-format.md "Format version"): this release writes format 2, and a branch of a newer
 * format (or an unreadable format file) is refused by name instead of misread: `join` fails
 * naming the upgrade (a view that already has the project keeps its folder as it was: the
 * skip path of buildView, test/cluster/bad-roster.test.ts), and the other projects go on.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const line = (root: string, n: string) =>
  JSON.stringify({ type: "user", uuid: n, timestamp: "2026-01-01T00:00:00Z", cwd: "{{CC_PROJECT_ROOT}}", message: { content: `${n} ${root}` } });

describe("cluster format version", () => {
  it("every branch this release writes says format 2", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A: Node = await node("A", { filter: true });
    cleanups.push(A.cleanup);
    const root = "/home/al/p";
    writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "a", 1));
    await A.ctx(["init", "--remote", cluster.url, "--id", "p", root]);
    expect(JSON.parse((await clusterGit(cluster.url, ["show", "project/p:format.json"])).stdout)).toEqual({ format: 2 });
    // the blob id readers recognise without reading it is git's own id of that text
    expect((await clusterGit(cluster.url, ["rev-parse", "project/p:format.json"])).stdout.trim()).toBe(FORMAT_OID);
  });

  it.each([
    ["a newer format", '{"format":3}\n', /uses cluster format 3, and this git-ctx reads formats up to 2: upgrade git-ctx/],
    ["an unreadable format file", "not json\n", /uses cluster format \d+, and this git-ctx reads formats up to 2: upgrade git-ctx/],
  ])("%s: join refuses by name and names the fix; the other projects still join", async (_, format, why) => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    await handBranch(cluster.url, "new", rosterText("new"), { "s.jsonl": line("/x", "n1") + "\n" }, { "format.json": format });
    await handBranch(cluster.url, "old", rosterText("old"), { "s.jsonl": line("/x", "o1") + "\n" });
    const B: Node = await node("B", { filter: true });
    cleanups.push(B.cleanup);
    await B.git(["clone", "-q", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
    const j = await B.ctx(["join", "--id", "new", "/home/b/new"], { allowFail: true });
    expect(j.code).not.toBe(0);
    expect(j.stderr).toMatch(why);
    expect(j.stderr).toContain("project/new");
    await B.ctx(["join", "--id", "old", "/home/b/old"]);
    expect(readFileSync(B.at(claudeDirKey("/home/b/old"), "s.jsonl"), "utf8")).toContain("o1 /x");
  });
});
