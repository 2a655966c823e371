import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeHeldBack } from "../../src/scan/index.js";
import { makeBareRemote, makeViewMachine, syncOk, makeMachinePair } from "./helpers.js";

/**
 * Issue 4, scope 5: `git ctx status [--json]` shows a one-line summary, then per joined project
 * uncommitted sessions, ahead/behind (no network), the last sync, conflicts and held-back files.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("git ctx status", () => {
  it("reports uncommitted sessions, ahead/behind, last sync, conflicts and held-back files", async () => {
    const { A, B } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "s1.jsonl"), '{"type":"user","n":1}\n');
    await syncOk(A);
    await syncOk(B);

    const fresh = JSON.parse((await B.ctx(["status", "--json"])).stdout).views[0];
    expect(fresh.projects).toHaveLength(1);
    expect(fresh.projects[0]).toMatchObject({ id: "proj-1", key: B.key, uncommitted: [], ahead: 0, behind: 0, conflicts: [], heldBack: [] });
    expect(fresh.lastSync.ok).toBe(true);

    // A moves on; B fetches (status itself never touches the network)
    appendFileSync(path.join(A.folder, "s1.jsonl"), '{"type":"user","n":2}\n');
    await syncOk(A);
    await B.git(["fetch", "-q", "origin"]);
    // B has a new session, a memory file with conflict markers, a file held back by the secret scan
    writeFileSync(path.join(B.folder, "s2.jsonl"), '{"type":"user","n":3}\n');
    mkdirSync(path.join(B.folder, "memory"), { recursive: true });
    writeFileSync(path.join(B.folder, "memory", "topic.md"), "# T\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n");
    writeHeldBack(B.gitDir, [{ path: `${B.key}/s9.jsonl`, findings: [], since: new Date().toISOString() }]);

    const r = await B.ctx(["status", "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout).views[0];
    const p = s.projects[0];
    expect(p.uncommitted.sort()).toEqual([`${B.key}/memory/topic.md`, `${B.key}/s2.jsonl`]);
    expect(p.uncommittedSessions).toBe(1);
    expect(p.behind).toBe(1);
    expect(p.ahead).toBe(0);
    expect(p.conflicts).toEqual([`${B.key}/memory/topic.md`]);
    expect(p.heldBack).toEqual([`${B.key}/s9.jsonl`]);
    expect(s).not.toHaveProperty("summary"); // prose: the human output's first line

    const human = await B.ctx(["status"]);
    expect(human.stdout.split("\n")[0]).toMatch(
      /^git ctx: 1 project\(s\); 2 uncommitted \(1 session\(s\)\); ahead 0, behind 1; last sync \d+s ago ok; 1 conflict\(s\); 1 held back$/,
    );
    expect(human.stdout).toContain(`conflict: ${B.key}/memory/topic.md`);

    // after a sync B is level with the remote and ahead of nothing
    await syncOk(B);
    const after = JSON.parse((await B.ctx(["status", "--json"])).stdout).views[0].projects[0];
    expect({ ahead: after.ahead, behind: after.behind, uncommitted: after.uncommitted }).toEqual({ ahead: 0, behind: 0, uncommitted: [] });
  });

  it("names the fix outside a view", async () => {
    const remote = await makeBareRemote();
    const A = await makeViewMachine("A", remote.url);
    cleanups.push(remote.cleanup, A.cleanup);
    const r = await A.ctx(["status", "--dir", A.home]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a git-ctx view.*git ctx init/);
  });

  it("exits 1 while the last sync failed (issue 10, defect 13), 0 again after a good one", async () => {
    const remote = await makeBareRemote();
    const A = await makeViewMachine("A", remote.url);
    cleanups.push(remote.cleanup, A.cleanup);
    writeFileSync(
      path.join(A.gitDir, "ctx", "last-sync.json"),
      JSON.stringify({ time: new Date().toISOString(), ok: false, summary: "failed", error: "push refused", heldBack: [], ms: 5 }),
    );
    const bad = await A.ctx(["status"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/last sync failed: push refused/);
    expect((await A.ctx(["status", "--json"])).code).toBe(1);
    await syncOk(A);
    expect((await A.ctx(["status"])).code).toBe(0);
  });
});
