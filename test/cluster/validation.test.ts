import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, handBranch, node, rosterText, type Node } from "./harness.js";

/**
 * Cluster content that must not reach the work tree: tree entries escaping the project folder
 * (`..`, `.git`, symlinks anywhere) are left out by the inbound gate with a warning naming the
 * branch and the entry (issue 22), the rest of the project joins; invalid rosters refuse the
 * project with a clear error naming the branch, and nothing is written.
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

  const unsafe: [string, string, RegExp][] = [
    ["dotdot", "..", /'\.\.' path component/],
    ["dotgit", ".git", /git control name '\.git'/],
    ["link", "sub/evil", /symbolic link/],
    ["abslink", "evil", /symbolic link/],
  ];
  for (const [id, entry, why] of unsafe) {
    it(`join of ${id} leaves '${entry}' out, naming the branch and why, and brings the rest`, async () => {
      const root = `/home/b/${id}`;
      const r = await B.ctx(["join", "--id", id, root], { allowFail: true });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`refused '${entry}' of project/${id} from the cluster`);
      expect(r.stderr).toMatch(why);
      const state = JSON.parse(readFileSync(B.at(".git", "ctx", "state.json"), "utf8"));
      expect(state.projects[id]).toBeDefined();
      const folder = B.at(claudeDirKey(root));
      // only the session arrived (an empty branch makes no folder)
      expect(existsSync(folder) ? readdirSync(folder) : []).toEqual(id === "abslink" ? [] : ["s.jsonl"]);
      if (id !== "abslink") expect(readFileSync(path.join(folder, "s.jsonl"), "utf8")).toBe(session);
    });
  }

  it("join of badroster fails with a clear error and writes nothing", async () => {
    const root = "/home/b/badroster";
    const r = await B.ctx(["join", "--id", "badroster", root], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid roster\.json in refs\/ctx\/cluster\/project\/badroster:roster\.json/);
    const state = JSON.parse(readFileSync(B.at(".git", "ctx", "state.json"), "utf8"));
    expect(state.projects.badroster).toBeUndefined();
    expect(existsSync(B.at(claudeDirKey(root)))).toBe(false);
  });

  it("an unknown project id points to git ctx projects", async () => {
    const r = await B.ctx(["join", "--id", "nope", "/home/b/nope"], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no project 'nope' in .*\(it has: abslink, badroster, dotdot, dotgit, good, link, noroster\).*git ctx projects/);
  });

  // Issue 10, defect 10: a broken branch is skipped with a warning naming it (other projects
  // still sync); the folder stays as it was.
  it("a pull whose joined branch turns unsafe warns naming the branch and the entry; the rest arrives", async () => {
    await B.ctx(["join", "--id", "good", "/home/b/good"]);
    const key = claudeDirKey("/home/b/good");
    expect(readFileSync(B.at(key, "s.jsonl"), "utf8")).toBe(session);
    await handBranch(cluster.url, "good", rosterText("good"), { "s.jsonl": session + session, x: { symlink: "../../outside" } });
    const r = await B.git(["pull"], { allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: refused 'x' of project\/good from the cluster \(symbolic link/);
    expect(readFileSync(B.at(key, "s.jsonl"), "utf8")).toBe(session + session);
    expect(existsSync(B.at(key, "x"))).toBe(false);
    await handBranch(cluster.url, "good", "{broken", { "s.jsonl": session });
    const r2 = await B.git(["pull"], { allowFail: true });
    expect(r2.stderr).toMatch(/warning: good was not updated: invalid roster\.json in refs\/ctx\/cluster\/project\/good:roster\.json/);
    expect(readFileSync(B.at(key, "s.jsonl"), "utf8")).toBe(session + session);
  });

  it("git ctx projects lists every project and flags the broken rosters", async () => {
    const list = JSON.parse((await B.ctx(["projects", "--json"])).stdout).projects as { id: string; problem: { message: string } | null; joined: boolean }[];
    expect(list.map((x) => x.id)).toEqual(["abslink", "badroster", "dotdot", "dotgit", "good", "link", "noroster"]);
    expect(list.find((x) => x.id === "badroster")!.problem?.message).toMatch(/project\/badroster/);
    expect(list.find((x) => x.id === "noroster")!.problem?.message).toMatch(/project\/noroster/);
    expect(list.find((x) => x.id === "good")!.joined).toBe(true);
  });
});
