import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, handBranch, node, rosterText, type Node } from "./harness.js";

/**
 * Clear errors for cluster content that must not reach the work tree: tree entries escaping the
 * project folder (`..`, `.git`, symlinks pointing outside) and invalid rosters, each naming the
 * branch; nothing is written before the check.
 */
describe("cluster validation on join and pull", () => {
  let B: Node;
  let cluster: { url: string; cleanup: () => Promise<void> };
  const session = '{"type":"user","cwd":"{{CC_PROJECT_ROOT}}","message":{"role":"user","content":"hi"}}\n';

  beforeAll(async () => {
    cluster = await bareCluster();
    await handBranch(cluster.url, "good", rosterText("good"), { "s.jsonl": session });
    await handBranch(cluster.url, "dotdot", rosterText("dotdot"), { "..": "escape\n", "s.jsonl": session });
    await handBranch(cluster.url, "dotgit", rosterText("dotgit"), { ".git/config": "[core]\n", "s.jsonl": session });
    await handBranch(cluster.url, "link", rosterText("link"), { "s.jsonl": session, "sub/evil": { symlink: "../../../.ssh/id_rsa" } });
    await handBranch(cluster.url, "abslink", rosterText("abslink"), { evil: { symlink: "/etc/passwd" } });
    await handBranch(cluster.url, "badroster", '{"project_id": "badroster", "participants": [{"machine_id": 3}]}\n', { "s.jsonl": session });
    await handBranch(cluster.url, "noroster", "", {});
    B = await node("B");
    await B.git(["clone", "-q", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
  });
  afterAll(async () => {
    await B?.cleanup();
    await cluster?.cleanup();
  });

  const cases: [string, RegExp][] = [
    ["dotdot", /cluster branch project\/dotdot holds an unsafe entry '\.\.' \('\.\.' path component\)/],
    ["dotgit", /cluster branch project\/dotgit holds an unsafe entry '\.git\/config'/],
    ["link", /cluster branch project\/link holds an unsafe entry 'sub\/evil' \(symlink pointing outside the project folder/],
    ["abslink", /cluster branch project\/abslink holds an unsafe entry 'evil' \(symlink to an absolute path/],
    ["badroster", /invalid roster\.json in refs\/ctx\/cluster\/project\/badroster:roster\.json/],
  ];
  for (const [id, msg] of cases) {
    it(`join of ${id} fails with a clear error and writes nothing`, async () => {
      const root = `/home/b/${id}`;
      const r = await B.ctx(["join", "--id", id, root], { allowFail: true });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(msg);
      const state = JSON.parse(readFileSync(B.at(".git", "ctx", "state.json"), "utf8"));
      expect(state.projects[id]).toBeUndefined();
      expect(existsSync(B.at(claudeDirKey(root)))).toBe(false);
    });
  }

  it("an unknown project id points to git ctx projects", async () => {
    const r = await B.ctx(["join", "--id", "nope", "/home/b/nope"], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no project 'nope' in .*\(it has: abslink, badroster, dotdot, dotgit, good, link, noroster\).*git ctx projects/);
  });

  // Issue 10, defect 10: a broken branch is skipped with a warning naming it (other projects
  // still sync); the folder stays as it was.
  it("a pull whose joined branch turns unsafe warns naming the branch, leaving the work tree as it was", async () => {
    await B.ctx(["join", "--id", "good", "/home/b/good"]);
    const key = claudeDirKey("/home/b/good");
    expect(readFileSync(B.at(key, "s.jsonl"), "utf8")).toBe(session);
    await handBranch(cluster.url, "good", rosterText("good"), { "s.jsonl": session + session, x: { symlink: "../../outside" } });
    const r = await B.git(["pull"], { allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: good was not updated: .*project\/good holds an unsafe entry 'x'/);
    expect(readFileSync(B.at(key, "s.jsonl"), "utf8")).toBe(session);
    await handBranch(cluster.url, "good", "{broken", { "s.jsonl": session });
    const r2 = await B.git(["pull"], { allowFail: true });
    expect(r2.stderr).toMatch(/warning: good was not updated: invalid roster\.json in refs\/ctx\/cluster\/project\/good:roster\.json/);
    expect(readFileSync(B.at(key, "s.jsonl"), "utf8")).toBe(session);
  });

  it("git ctx projects lists every project and flags the broken rosters", async () => {
    const list = JSON.parse((await B.ctx(["projects", "--json"])).stdout) as { id: string; error?: string; joined: boolean }[];
    expect(list.map((x) => x.id)).toEqual(["abslink", "badroster", "dotdot", "dotgit", "good", "link", "noroster"]);
    expect(list.find((x) => x.id === "badroster")!.error).toMatch(/project\/badroster/);
    expect(list.find((x) => x.id === "noroster")!.error).toMatch(/project\/noroster/);
    expect(list.find((x) => x.id === "good")!.joined).toBe(true);
  });
});
