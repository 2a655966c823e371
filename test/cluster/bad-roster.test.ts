import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, handBranch, node, rosterText, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * Issue 10, defect 10: one project's invalid `roster.json` on the cluster blocked every
 * project's sync (B joined two projects; a broken roster on the other one made `git ctx sync`
 * exit 1 and the good project's new line never left), and the suggested `git show
 * project/app2:roster.json` failed in the view. Now the bad project is reported and skipped, the
 * others sync, its own changes go out once the roster is fixed, and the command named works.
 */
/** Writes a new tip of `project/<id>` with `roster` as its roster.json and the same context/ files (another tool's doing). */
async function replaceRoster(url: string, id: string, roster: string): Promise<void> {
  const files = (await clusterGit(url, ["ls-tree", "-r", "--name-only", `project/${id}`])).stdout
    .trim()
    .split("\n")
    .filter((f) => f.startsWith("context/"));
  const ctx: Record<string, string> = {};
  for (const f of files) ctx[f.slice("context/".length)] = (await clusterGit(url, ["show", `project/${id}:${f}`])).stdout;
  await handBranch(url, id, roster, ctx);
}

describe("an invalid roster on one project's branch", () => {
  let A: Node, B: Node;
  let url: string;
  let cleanup: () => Promise<void>;
  const rootA1 = "/home/a/app";
  const rootA2 = "/home/a/app2";
  const rootB1 = "/home/b/app";
  const rootB2 = "/home/b/app2";
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
    writeSession(A.at(claudeDirKey(rootA1)), "s1", sessionLines(rootA1, "s1", "a", 2));
    writeSession(A.at(claudeDirKey(rootA2)), "t1", sessionLines(rootA2, "t1", "a2", 2));
    await A.ctx(["init", "--remote", url, "--id", "app", rootA1]);
    await A.ctx(["init", "--id", "app2", rootA2]);
    await B.git(["clone", "-q", `ctx::${url}`, B.projects], { cwd: B.home });
    await B.ctx(["join", "--id", "app", rootB1]);
    await B.ctx(["join", "--id", "app2", rootB2]);
    // someone breaks app2's roster on the cluster
    await replaceRoster(url, "app2", "{ this is not json");
  }, 120_000);
  afterAll(async () => cleanup?.());

  it("sync still sends the good project's new lines, and the bad project's own change waits; the refusal is said and the exit is 1 (issue 22)", async () => {
    writeSession(B.at(claudeDirKey(rootB1)), "s1", sessionLines(rootB1, "s1", "b-good", 1, Date.UTC(2026, 5, 1)), true);
    writeSession(B.at(claudeDirKey(rootB2)), "t1", sessionLines(rootB2, "t1", "b-bad", 1, Date.UTC(2026, 5, 1)), true);
    const r = await B.ctx(["sync"], { allowFail: true });
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stderr).toMatch(/refused project\/app2 from the cluster: invalid roster\.json/);
    expect((await clusterGit(url, ["show", "project/app:context/s1.jsonl"])).stdout).toContain("b-good");
    expect((await clusterGit(url, ["show", "project/app2:context/t1.jsonl"])).stdout).not.toContain("b-bad");
  });

  it("a plain git fetch warns about the broken project (and succeeds), naming a git show that works in the view; so does doctor", async () => {
    const f = await B.git(["fetch"], { allowFail: true });
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).toMatch(/warning: app2 was not updated: invalid roster.json/);
    const cmd = /git show ([^\s']+)/.exec(f.stderr)![1]!;
    expect(cmd).toBe("refs/ctx/cluster/project/app2:roster.json");
    expect((await B.git(["show", cmd])).stdout).toContain("this is not json");
    const d = await B.ctx(["doctor", "--json"], { allowFail: true });
    const c = (JSON.parse(d.stdout).views[0] as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((x) => x.name === "project app2: roster")!;
    expect(c.ok).toBe(false);
    expect(c.detail).toContain(cmd);
  });

  it("once the roster is fixed, the waiting change goes out with the next sync", async () => {
    await replaceRoster(url, "app2", rosterText("app2", "A", rootA2));
    const r = await B.ctx(["sync"], { allowFail: true });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await clusterGit(url, ["show", "project/app2:context/t1.jsonl"])).stdout).toContain("b-bad");
  });
});

/**
 * Issue 10, defect 13: two machines with the same machine id (a synced ~/.config) silently
 * shared one roster entry. doctor now says so, with the fix.
 */
describe("two machines with one machine id", () => {
  it("doctor on the first names the clash and how to give it its own id", async () => {
    const c = await bareCluster();
    const A = await node("same");
    const B = await node("same", { os: "darwin", pathHome: "/Users/other" });
    try {
      writeSession(A.at(claudeDirKey("/home/a/app")), "s1", sessionLines("/home/a/app", "s1", "a", 2));
      await A.ctx(["init", "--remote", c.url, "--id", "app", "/home/a/app"]);
      await B.git(["clone", "-q", `ctx::${c.url}`, B.projects], { cwd: B.home });
      await B.ctx(["join", "--id", "app", "/Users/other/app"]);
      await A.git(["fetch", "-q"]);
      const d = await A.ctx(["doctor", "--json"], { allowFail: true });
      const chk = (JSON.parse(d.stdout).views[0] as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }).checks.find(
        (x) => x.name === "project app: machine id",
      )!;
      expect(chk.ok).toBe(false);
      expect(chk.detail).toMatch(/another machine uses this machine's id 'same'.*darwin, home \/Users\/other/);
      expect(chk.fix).toMatch(/machine-id.*GIT_CTX_MACHINE_ID/);
    } finally {
      await A.cleanup();
      await B.cleanup();
      await c.cleanup();
    }
  });
});
