import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, node, sessionLines, writeSession } from "./harness.js";

/**
 * Issue 24, point 3: the cautious first step on a new machine, `git ctx join --dry-run --remote
 * <url> …`, refused with "not a git-ctx view" while the same command without `--dry-run` worked.
 * It now says what it would do (clone the cluster into the store, join the project, which folder)
 * and writes nothing: no store folder, no `.git`, the cluster unchanged.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("git ctx join --dry-run --remote on a machine without a view", () => {
  it("says what it would do, writes nothing, and the real join then does it", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await node("jdA");
    cleanups.push(A.cleanup);
    const rootA = "/home/a/app";
    writeSession(A.at(claudeDirKey(rootA)), "s1", sessionLines(rootA, "s1", "a", 2));
    await A.ctx(["init", "--remote", cluster.url, "--id", "app", rootA]);

    const B = await node("jdB");
    cleanups.push(B.cleanup);
    rmSync(B.projects, { recursive: true }); // a new machine: ~/.claude but no projects folder yet
    const rootB = "/home/b/my app";
    const refs = async () => (await clusterGit(cluster.url, ["for-each-ref", "--format=%(refname) %(objectname)"])).stdout;
    const before = await refs();

    const dry = await B.ctx(["join", "--dry-run", "--remote", cluster.url, "--id", "app", rootB], { cwd: B.home, allowFail: true });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).not.toMatch(/not a git-ctx view/);
    expect(dry.stdout).toMatch(/nothing was written/);
    expect(dry.stdout).toContain(`cloning the cluster ${cluster.url}`);
    expect(dry.stdout).toContain(`join project/app: ${rootB} -> ${path.join(B.projects, claudeDirKey(rootB))}`);
    expect(existsSync(B.projects)).toBe(false);
    expect(await refs()).toBe(before);

    const json = await B.ctx(["join", "--dry-run", "--json", "--remote", cluster.url, "--id", "app", rootB], { cwd: B.home });
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, views: [{ newView: { cluster: cluster.url }, id: "app", key: claudeDirKey(rootB), alreadyJoined: false }] });
    expect(existsSync(B.projects)).toBe(false);

    // an unknown project is refused as the real join refuses it, still writing nothing
    const unknown = await B.ctx(["join", "--dry-run", "--remote", cluster.url, "--id", "nope", rootB], { cwd: B.home, allowFail: true });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/nope/);
    expect(existsSync(B.projects)).toBe(false);

    // what it said is what the join does
    await B.ctx(["join", "--remote", cluster.url, "--id", "app", rootB], { cwd: B.home });
    expect(existsSync(path.join(B.projects, claudeDirKey(rootB), "s1.jsonl"))).toBe(true);
  });
});
