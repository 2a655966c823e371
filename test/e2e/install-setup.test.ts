import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { presentAgents } from "../../src/agents/index.js";
import { MINIMAL_PATH } from "../../src/doctor/checks/config.js";
import { filterCommand } from "../../src/git/config.js";
import { bareCluster, node, sessionLines, writeSession, type Node } from "../cluster/harness.js";

/**
 * Issue 24, point 9 (set-up edges): `git ctx install` never creates an agent's home (a created
 * `~/.claude` made Claude Code count as installed on a Codex-only machine), and the filter git
 * runs in a view is found whatever PATH git has (cron, GUI clients, a shell without nvm): install
 * writes absolute paths, updates a view's old bare entries, and doctor checks a minimal PATH.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function machine(name = "A"): Promise<Node> {
  const n = await node(name, { filter: true });
  cleanups.push(n.cleanup);
  return n;
}

describe("git ctx install on a machine without some agents", () => {
  it("only ~/.codex: no ~/.claude afterwards, Claude Code's hook is reported skipped, and Claude Code is not counted as installed", async () => {
    const A = await machine();
    rmSync(path.join(A.home, ".claude"), { recursive: true, force: true });
    mkdirSync(path.join(A.home, ".codex"), { recursive: true });
    const r = await A.ctx(["install"], { cwd: A.home });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(A.home, ".claude"))).toBe(false);
    expect(existsSync(path.join(A.home, ".gemini"))).toBe(false);
    expect(r.stdout).toMatch(/skipped the claude hook: .*\.claude does not exist/);
    expect(r.stdout).toMatch(/installed the codex notify hook/);
    expect(presentAgents(A.env).map((a) => a.id)).toEqual(["codex"]);
    const json = JSON.parse((await A.ctx(["install", "--json"], { cwd: A.home })).stdout);
    expect(json.skipped.map((s: { agent: string }) => s.agent)).toEqual(["claude", "gemini"]);
    expect(existsSync(path.join(A.home, ".claude"))).toBe(false);
  });
});

describe("the filter runs with a minimal PATH", () => {
  it("git add in a view with PATH=/usr/bin:/bin stores canonical content; an old bare entry fails there, doctor says so, and install repairs it", async () => {
    const A = await machine();
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const root = "/home/al/src/app";
    const key = claudeDirKey(root);
    writeSession(A.at(key), "s1", sessionLines(root, "s1", "a", 2));
    await A.ctx(["install"], { cwd: A.home });
    await A.ctx(["init", "--remote", cluster.url, root], { cwd: A.home });
    expect((await A.git(["config", "--global", "filter.ctx.process"])).stdout.trim()).toBe(`${filterCommand()} process`);
    expect((await A.git(["config", "--local", "filter.ctx.process"])).stdout.trim()).toBe(`${filterCommand()} process`);

    const minimal = { PATH: MINIMAL_PATH };
    writeSession(A.at(key), "s2", sessionLines(root, "s2", "b", 2));
    const add = await A.git(["add", "--", `${key}/s2.jsonl`], { env: minimal, allowFail: true });
    expect(add.code, add.stderr).toBe(0);
    const blob = (await A.git(["show", `:${key}/s2.jsonl`])).stdout;
    expect(blob).toContain("{{CC_PROJECT_ROOT}}");
    expect(blob).not.toContain(root);

    // a view made by an older release: bare names, found only on the user's PATH
    await A.git(["config", "--local", "filter.ctx.process", "git-ctx-filter process"]);
    await A.git(["config", "--local", "merge.ctx.driver", "git-ctx-filter merge %O %A %B %L %P"]);
    writeSession(A.at(key), "s3", sessionLines(root, "s3", "c", 2));
    const bad = await A.git(["add", "--", `${key}/s3.jsonl`], { env: minimal, allowFail: true });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/git-ctx-filter: not found|cannot run|failed/);
    const doc = await A.ctx(["doctor"], { cwd: A.home, allowFail: true });
    expect(doc.code).not.toBe(0);
    expect(doc.stdout).toMatch(/✗ filter runs without your PATH: .*git-ctx-filter: not found/);

    const inst = await A.ctx(["install"], { cwd: A.home });
    expect(inst.stdout).toContain(`set filter.ctx.process = ${filterCommand()} process  (${A.projects}/.git/config)`);
    expect((await A.git(["config", "--local", "merge.ctx.driver"])).stdout.trim()).toBe(`${filterCommand()} merge %O %A %B %L %P`);
    const good = await A.git(["add", "--", `${key}/s3.jsonl`], { env: minimal, allowFail: true });
    expect(good.code, good.stderr).toBe(0);
    const doc2 = await A.ctx(["doctor"], { cwd: A.home, allowFail: true });
    expect(doc2.code, doc2.stdout).toBe(0);
    expect(doc2.stdout).toMatch(/✓ filter runs without your PATH/);
    expect(readFileSync(A.at(".git", "config"), "utf8")).not.toMatch(/= git-ctx-filter /);
  });
});
