import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, node, sessionLines, type Node } from "../cluster/harness.js";

/** Issue 24, point 6: init refuses a typo'd root, says what it adopted, and counts as a sync. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A machine that is not simulated (no GIT_CTX_OS / GIT_CTX_HOME): its roots are this computer's paths. */
async function machine(name: string): Promise<Node> {
  const n = await node(name, { filter: true });
  cleanups.push(n.cleanup);
  delete n.env.GIT_CTX_OS;
  delete n.env.GIT_CTX_HOME;
  return n;
}

describe("git ctx init, first-hour edges", () => {
  it("refuses a root that does not exist and has no sessions (a typo), naming it, and writes nothing", async () => {
    const A = await machine("A");
    const cluster = path.join(A.home, "ctx-cluster");
    const typo = path.join(A.home, "src", "aap");
    const r = await A.ctx(["init", "--remote", cluster, typo], { cwd: A.home, allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`project root ${typo} does not exist on this machine`);
    expect(r.stderr).toContain("typo");
    expect(existsSync(cluster), "no cluster made").toBe(false);
    expect(existsSync(path.join(A.projects, ".git")), "no view made").toBe(false);
    const dry = await A.ctx(["init", "--dry-run", "--remote", cluster, typo], { cwd: A.home, allowFail: true });
    expect(dry.code).not.toBe(0);
    expect(dry.stderr).toContain(typo);
  });

  it("accepts a root whose folder is gone while its sessions are still in the store, says how many sessions it adopted, and counts as a sync", async () => {
    const A = await machine("A");
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const gone = path.join(A.home, "old-project");
    const folder = A.at(claudeDirKey(gone));
    mkdirSync(path.join(folder, "s1", "subagents"), { recursive: true });
    mkdirSync(path.join(folder, "memory"), { recursive: true });
    writeFileSync(path.join(folder, "s1.jsonl"), `${sessionLines(gone, "s1", "a", 2).join("\n")}\n`);
    writeFileSync(path.join(folder, "s2.jsonl"), `${sessionLines(gone, "s2", "b", 2).join("\n")}\n`);
    writeFileSync(path.join(folder, "s1", "subagents", "agent-1.jsonl"), `${sessionLines(gone, "s1", "c", 1).join("\n")}\n`);
    writeFileSync(path.join(folder, "memory", "MEMORY.md"), "# notes\n");
    const r = await A.ctx(["init", "--remote", cluster.url, gone], { cwd: A.home, allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/joined project\/\S+: .*old-project -> .*, 2 sessions adopted/);
    const st = await A.ctx(["status"], { allowFail: true });
    expect(st.stdout).not.toContain("never synced");
    expect(st.stdout).toMatch(/last sync .* ok/);
    const doc = await A.ctx(["doctor"], { allowFail: true });
    expect(doc.stdout + doc.stderr).not.toContain("no sync has run");
  });
});
