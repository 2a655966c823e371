import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, node, sessionLines, writeSession } from "./harness.js";

/**
 * Issue 24, point 9: `git ctx join` over several agents that fails at one view after joining
 * others says which views it joined (they stay joined), and how to finish.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("a join that fails part way", () => {
  it("names the views joined before the failure on stderr, and the command for the agents left", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await node("A");
    cleanups.push(A.cleanup);
    writeSession(A.at(claudeDirKey("/home/al/app")), "s1", sessionLines("/home/al/app", "s1", "a", 2));
    await A.ctx(["init", "--remote", cluster.url, "--id", "app", "--agents", "claude", "/home/al/app"], { cwd: A.home });

    const B = await node("B");
    cleanups.push(B.cleanup);
    await B.git(["clone", "-q", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
    // Codex is installed, but its store cannot become a view: a file where the folder should be
    mkdirSync(path.join(B.home, ".codex"));
    writeFileSync(path.join(B.home, ".codex", "sessions"), "not a folder\n");
    const rootB = path.join(B.home, "app");
    mkdirSync(rootB);
    const r = await B.ctx(["join", "--id", "app", rootB], { cwd: B.home, allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`git-ctx: Claude Code: joined project/app: ${rootB} -> ${B.projects}/${claudeDirKey(rootB)}`);
    expect(r.stderr).toMatch(/the join stopped at Codex CLI's view \(the error follows\); the views above are joined and stay so/);
    expect(r.stderr).toContain(`git ctx join --id app --agents codex ${rootB}`);
    // what it says is true: Claude Code's view has the project
    expect((await B.ctx(["status"], { cwd: B.home, allowFail: true })).stdout).toMatch(/app/);
  });
});
