import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, node, run, sessionLines, writeSession, type Node } from "../cluster/harness.js";
import { REPO } from "../helpers/env.js";
import { rolloutPath, sessionMeta, turnLines, writeRollout } from "./rollouts.js";

/**
 * Issue 11: a project branch that also holds `codex/` (and `format.json`) stays readable by the
 * peer context-convergence (`../shared/anchors/context-convergence`, run as `python3 -m
 * convergence`; skipped visibly when it or python3 is absent): the peer joins it, syncs a turn
 * back, and git-ctx's Codex files and format file survive the peer's commit.
 */

const PEER = path.resolve(REPO, "../shared/anchors/context-convergence");
const HAS = existsSync(path.join(PEER, "convergence")) && spawnSync("python3", ["--version"]).status === 0;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.skipIf(!HAS)("context-convergence joins a branch that also holds codex/", () => {
  it("the peer reads context/, writes a turn back, and codex/ and format.json stay as git-ctx wrote them", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A: Node = await node("A", { filter: true });
    const P: Node = await node("P", { filter: true });
    cleanups.push(A.cleanup, P.cleanup);
    const rootA = "/home/al/proj";
    const sessions = path.join(A.home, ".codex", "sessions");
    mkdirSync(sessions, { recursive: true });
    writeSession(A.at(claudeDirKey(rootA)), "s1", sessionLines(rootA, "s1", "a", 2));
    const rid = "019b0000-0000-7000-8000-00000000c0de";
    writeRollout(sessions, rolloutPath(rid), [sessionMeta(rid, rootA), ...turnLines(rootA, "c", 3)]);
    await A.ctx(["init", "--remote", cluster.url, "--id", "proj", rootA], { cwd: A.home });
    const codexBlob = (await clusterGit(cluster.url, ["rev-parse", `project/proj:codex/${rolloutPath(rid)}`])).stdout.trim();
    const formatBlob = (await clusterGit(cluster.url, ["rev-parse", "project/proj:format.json"])).stdout.trim();

    const env = { ...P.env, PYTHONPATH: PEER };
    const converge = (args: string[]) => run("python3", ["-m", "convergence", ...args], { cwd: P.home, baseEnv: env });
    const rootP = path.join(P.home, "src", "proj");
    mkdirSync(rootP, { recursive: true });
    await converge(["remote", "set", cluster.url]);
    await converge(["join", rootP, "--project-id", "proj"]);
    const fileP = path.join(P.home, ".claude", "projects", claudeDirKey(rootP), "s1.jsonl");
    expect(readFileSync(fileP, "utf8")).toContain(`"cwd":"${rootP}"`);
    appendFileSync(fileP, sessionLines(rootP, "s1", "p", 1, Date.UTC(2026, 0, 9))[0] + "\n");
    await converge(["sync", rootP]);

    // the peer's commit kept git-ctx's files
    expect((await clusterGit(cluster.url, ["rev-parse", `project/proj:codex/${rolloutPath(rid)}`])).stdout.trim()).toBe(codexBlob);
    expect((await clusterGit(cluster.url, ["rev-parse", "project/proj:format.json"])).stdout.trim()).toBe(formatBlob);
    // and git-ctx reads the peer's turn back in A's spelling
    await A.ctx(["sync"], { cwd: A.home });
    const a = readFileSync(A.at(claudeDirKey(rootA), "s1.jsonl"), "utf8");
    expect(a).toContain("p: please look at");
    expect(a).not.toContain(rootP);
  });
});
