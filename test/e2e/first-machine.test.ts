import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, node, sessionLines, writeSession, type Node } from "../cluster/harness.js";

/**
 * Issue 10, defects 3, 4 and 11: the README's first-machine steps give a machine `git ctx
 * doctor` calls healthy (install also installs the Claude Code Stop hook); a command that fails
 * leaves the machine as it found it (`git ctx init` without a cluster, or with a cluster that
 * does not answer, leaves no `.git` behind, so `git clone ctx::…` or a re-run works).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function machine(): Promise<Node> {
  const n = await node("A", { filter: true });
  cleanups.push(n.cleanup);
  return n;
}

describe("first machine, as the README says", () => {
  it("install, init, sync: doctor exits 0; install added the Stop hook once and keeps other hooks", async () => {
    const A = await machine();
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const settings = path.join(A.home, ".claude", "settings.json");
    writeFileSync(settings, JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: "command", command: "echo mine" }] }] }, theme: "dark" }));
    const root = "/home/al/src/app";
    writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "a", 2));
    const inst = await A.ctx(["install"], { cwd: A.home });
    expect(inst.stdout).toMatch(/installed the claude Stop hook/);
    await A.ctx(["install"], { cwd: A.home }); // twice: one entry
    await A.ctx(["init", "--remote", cluster.url, root], { cwd: A.home });
    await A.ctx(["sync"], { cwd: A.home });
    const doc = await A.ctx(["doctor"], { cwd: A.home, allowFail: true });
    expect(doc.code, doc.stdout + doc.stderr).toBe(0);
    const s = JSON.parse(readFileSync(settings, "utf8"));
    expect(s.theme).toBe("dark");
    const commands = (s.hooks.Stop as { hooks: { command: string }[] }[]).flatMap((g) => g.hooks.map((h) => h.command));
    expect(commands.filter((c) => c.includes("git ctx sync --hook"))).toHaveLength(1);
    expect(commands).toContain("echo mine");
  });

  it("install --no-hooks writes no settings file", async () => {
    const A = await machine();
    await A.ctx(["install", "--no-hooks"], { cwd: A.home });
    expect(existsSync(path.join(A.home, ".claude", "settings.json"))).toBe(false);
  });
});

describe("a failed init leaves nothing behind", () => {
  it("init without --remote on a fresh machine: a clear error, no .git, and git clone ctx:: works after it", async () => {
    const A = await machine();
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const r = await A.ctx(["init", "/home/al/src/app"], { cwd: A.home, allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--remote/);
    expect(existsSync(path.join(A.projects, ".git"))).toBe(false);
    // the cluster needs a project for a clone to have something: another machine made one
    const B = await node("B", { filter: true });
    cleanups.push(B.cleanup);
    writeSession(B.at(claudeDirKey("/home/b/app")), "s1", sessionLines("/home/b/app", "s1", "b", 2));
    await B.ctx(["init", "--remote", cluster.url, "--id", "app", "/home/b/app"], { cwd: B.home });
    await A.git(["clone", "-q", `ctx::${cluster.url}`, A.projects], { cwd: A.home });
    expect(existsSync(path.join(A.projects, ".git"))).toBe(true);
  });

  it("init --remote <a cluster that does not answer>: no view is left bound to it; the re-run with the right URL works", async () => {
    const A = await machine();
    const root = "/home/al/src/app";
    writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "a", 2));
    const notARepo = path.join(A.home, "not-a-cluster");
    mkdirSync(notARepo);
    writeFileSync(path.join(notARepo, "README"), "a folder, not a git repository\n");
    const r = await A.ctx(["init", "--remote", notARepo, root], { cwd: A.home, allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not-a-cluster/);
    expect(existsSync(path.join(A.projects, ".git"))).toBe(false);
    expect(readFileSync(path.join(notARepo, "README"), "utf8")).toMatch(/a folder/); // untouched
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const ok = await A.ctx(["init", "--remote", cluster.url, root], { cwd: A.home, allowFail: true });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("a corrupt state.json: the advice in the error (remove it, re-run git ctx join) works", async () => {
    const A = await machine();
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const root = "/home/al/src/app";
    writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "a", 2));
    await A.ctx(["init", "--remote", cluster.url, "--id", "app", root], { cwd: A.home });
    const state = path.join(A.projects, ".git", "ctx", "state.json");
    writeFileSync(state, "{ broken");
    const r = await A.ctx(["sync"], { cwd: A.home, allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/remove the file and re-run 'git ctx join'/);
    rmSync(state);
    const j = await A.ctx(["join", "--id", "app", root], { cwd: A.home, allowFail: true });
    expect(j.code, j.stderr).toBe(0);
    writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "more", 1, Date.UTC(2026, 3, 1)), true);
    const s2 = await A.ctx(["sync"], { cwd: A.home, allowFail: true });
    expect(s2.code, s2.stderr).toBe(0);
  });

  it("a root that is a symbolic link: init says which spelling counts (issue 10, defect 13)", async () => {
    const A = await machine();
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const real = path.join(A.home, "src", "real-app");
    const link = path.join(A.home, "app-link");
    mkdirSync(real, { recursive: true });
    symlinkSync(real, link);
    writeSession(A.at(claudeDirKey(link)), "s1", sessionLines(link, "s1", "a", 2));
    const r = await A.ctx(["init", "--remote", cluster.url, "--id", "app", link], { cwd: A.home, allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${link} is a symbolic link to ${real}`);
    expect(r.stderr).toContain(claudeDirKey(link));
  });
});

describe("first hour with all three agents (issue 24: a newcomer following the README gets doctor exit 0)", () => {
  it("install, init (no sync yet): doctor exits 0 with Claude Code, Codex and Gemini CLI present", async () => {
    const A = await machine();
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    mkdirSync(path.join(A.home, ".codex"), { recursive: true });
    mkdirSync(path.join(A.home, ".gemini"), { recursive: true });
    const root = path.join(A.home, "src", "app");
    mkdirSync(root, { recursive: true });
    writeSession(A.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "a", 2));
    const inst = await A.ctx(["install"], { cwd: A.home, allowFail: true });
    expect(inst.code, inst.stdout + inst.stderr).toBe(0);
    const init = await A.ctx(["init", "--remote", cluster.url, root], { cwd: A.home, allowFail: true });
    expect(init.code, init.stdout + init.stderr).toBe(0);
    expect(init.stdout).toMatch(/1 session adopted/);
    const doc = await A.ctx(["doctor"], { cwd: A.home, allowFail: true });
    expect(doc.code, doc.stdout + doc.stderr).toBe(0);
    expect(doc.stdout + doc.stderr).not.toMatch(/no sync has run/);
    const st = await A.ctx(["status"], { cwd: A.home, allowFail: true });
    expect(st.stdout).not.toMatch(/never synced/);
  });
});
