import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dir } from "tmp-promise";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, node, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * `git ctx init` never rewrites a remote behind the user's back, and a cluster that cannot be
 * read is reported with git's reason and the command to check it (not our nested git argv).
 */
describe("git ctx init refuses to rewrite remotes; unreachable clusters are named", () => {
  let A: Node, F: Node;
  let cluster: { url: string; cleanup: () => Promise<void> };
  let t: { path: string; cleanup: () => Promise<void> };
  const root = "/home/a/p";
  beforeAll(async () => {
    cluster = await bareCluster();
    t = await dir({ unsafeCleanup: true, prefix: "gitctx-refuse-" });
    A = await node("A");
    F = await node("F");
    writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "A", 2));
    await A.ctx(["init", "--remote", cluster.url, "--id", "p", root]);
  });
  afterAll(async () => {
    await A?.cleanup();
    await F?.cleanup();
    await cluster?.cleanup();
    await t?.cleanup();
  });

  const origin = async (n: Node) => (await n.git(["remote", "get-url", "origin"])).stdout.trim();

  it("--remote naming another cluster is refused; the view keeps its cluster and no new cluster is created", async () => {
    const other = path.join(t.path, "other.git");
    const r = await A.ctx(["init", "--remote", other, "/home/a/q"], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is already the view of the cluster ${cluster.url}, not ${other}`);
    expect(r.stderr).toContain("run git ctx init without --remote");
    expect(r.stderr).toContain(`remote set-url origin ctx::${other}`);
    expect(await origin(A)).toBe(`ctx::${cluster.url}`);
    expect(JSON.parse(readFileSync(A.at(".git", "ctx", "state.json"), "utf8")).cluster).toBe(cluster.url);
    expect(existsSync(other)).toBe(false);
  });

  it("the same cluster spelled with a trailing slash is accepted", async () => {
    const r = await A.ctx(["init", "--remote", `${cluster.url}/`, "--id", "p", root]);
    expect(r.stdout).toMatch(/already joined/);
    expect(await origin(A)).toBe(`ctx::${cluster.url}`);
  });

  it("a repository whose origin is the user's own remote is refused, origin untouched", async () => {
    await F.git(["init", "-q", "--initial-branch=main", F.projects]);
    await F.git(["remote", "add", "origin", "https://example.invalid/me/claude-backup.git"]);
    const r = await F.ctx(["init", "--remote", cluster.url, "/home/f/p"], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("remote 'origin' is https://example.invalid/me/claude-backup.git, not a git-ctx cluster");
    expect(r.stderr).toContain(`git -C ${F.projects} remote rename origin backup`);
    expect(await origin(F)).toBe("https://example.invalid/me/claude-backup.git");
    expect(existsSync(F.at(".git", "ctx", "state.json"))).toBe(false);
  });

  it("an unreachable cluster names the URL, git's reason and the check to run", async () => {
    const missing = path.join(t.path, "missing.git");
    const r = await F.ctx(["projects", "--remote", missing], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read the cluster ${missing}: fatal:`);
    expect(r.stderr).toContain(`git ls-remote ${missing}`);
    expect(r.stderr).not.toContain("filter.ctx");
  });
});
