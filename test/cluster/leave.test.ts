import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, node, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * Issue 10, defect 13: there was no way to leave a project. `git ctx leave <id>` stops syncing
 * that folder on this machine, keeps its files, removes this machine's roster entry, and deletes
 * nothing anywhere; `--dry-run` changes nothing.
 */
describe("git ctx leave", () => {
  let A: Node, B: Node;
  let url: string;
  let cleanup: () => Promise<void>;
  const rootB = "/home/b/app";
  const keyB = claudeDirKey(rootB);
  beforeAll(async () => {
    const c = await bareCluster();
    url = c.url;
    A = await node("A");
    B = await node("B");
    cleanup = async () => {
      await A.cleanup();
      await B.cleanup();
      await c.cleanup();
    };
    writeSession(A.at(claudeDirKey("/home/a/app")), "s1", sessionLines("/home/a/app", "s1", "a", 2));
    await A.ctx(["init", "--remote", url, "--id", "app", "/home/a/app"]);
    await B.git(["clone", "-q", `ctx::${url}`, B.projects], { cwd: B.home });
    await B.ctx(["join", "--id", "app", rootB]);
  }, 120_000);
  afterAll(async () => cleanup?.());

  const roster = async () =>
    (JSON.parse((await clusterGit(url, ["show", "project/app:roster.json"])).stdout) as { participants: { machine_id: string }[] }).participants.map((p) => p.machine_id).sort();

  it("--dry-run changes nothing", async () => {
    const before = readFileSync(B.at(".git", "ctx", "state.json"), "utf8");
    const r = await B.ctx(["leave", "app", "--dry-run"]);
    expect(r.stdout).toMatch(/would leave project\/app/);
    expect(readFileSync(B.at(".git", "ctx", "state.json"), "utf8")).toBe(before);
    expect(await roster()).toEqual(["A", "B"]);
  });

  it("keeps the files, untracks the folder, leaves the roster; sync no longer touches it; the cluster keeps everything", async () => {
    const r = await B.ctx(["leave", "app", "--json"]);
    const rep = JSON.parse(r.stdout).views[0] as { rosterUpdated: boolean; untracked: boolean };
    expect(rep).toMatchObject({ rosterUpdated: true, untracked: true });
    expect(existsSync(B.at(keyB, "s1.jsonl"))).toBe(true);
    expect(await roster()).toEqual(["A"]);
    expect((await B.git(["ls-files", "--", `${keyB}/`])).stdout).toBe("");
    expect(JSON.parse(readFileSync(B.at(".git", "ctx", "state.json"), "utf8")).projects.app).toBeUndefined();
    // B keeps writing there: nothing of it leaves the machine any more
    writeSession(B.at(keyB), "s1", sessionLines(rootB, "s1", "after-leave", 1, Date.UTC(2026, 7, 1)), true);
    const s = await B.ctx(["sync"], { allowFail: true });
    expect(s.code, s.stderr).toBe(0);
    expect((await clusterGit(url, ["show", "project/app:context/s1.jsonl"])).stdout).not.toContain("after-leave");
    expect((await clusterGit(url, ["show", "project/app:context/s1.jsonl"])).stdout).toContain('"uuid":"a-u0"');
    expect((await B.git(["status", "--porcelain"])).stdout).toBe("");
  });

  it("a project not joined here is refused naming the joined ones; join undoes leave", async () => {
    const r = await B.ctx(["leave", "nope"], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has not joined it/);
    await B.ctx(["join", "--id", "app", rootB]);
    expect(await roster()).toEqual(["A", "B"]);
  });
});
