import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { BIN } from "../helpers/env.js";
import { bareCluster, clusterGit, node, run, sessionLines, writeSession, type Node, type RunResult } from "../cluster/harness.js";

/**
 * One odd file never stops everything (issue 23, point 3): a transcript that cannot be read (one
 * `sudo claude` wrote) and a folder named like a session file (`x.jsonl/`) are skipped with a
 * warning naming them in `init`, `join`, `sync`, `sessions`, `show`, `learn` and listed by
 * `doctor`; the other sessions sync (exit 0: a warning, not a failure), and the folder never
 * travels. Real bins, real git.
 *
 * Root reads every file whatever its mode: when the tests run as root, the bins run under
 * `setpriv` without the capabilities that let root bypass file permissions (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH), so a mode-000 file is unreadable to them as to any user; without
 * `setpriv` the unreadable cases are skipped.
 */

const ROOT = process.getuid?.() === 0;
const DROP = ["--bounding-set=-dac_override,-dac_read_search"];
function canDrop(): boolean {
  if (!ROOT) return true;
  return spawnSync("setpriv", [...DROP, "true"]).status === 0;
}
const UNREADABLE_OK = canDrop();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** `git ctx <args>` on machine `n` as an ordinary user would run it (root without its permission bypass). */
function ctx(n: Node, args: string[], cwd = n.projects): Promise<RunResult> {
  if (!ROOT) return n.ctx(args, { allowFail: true, cwd });
  return run("setpriv", [...DROP, path.join(BIN, "git-ctx"), ...args], { cwd, baseEnv: n.env, allowFail: true });
}

/** Plain `git` on machine `n` without root's permission bypass. */
function gitAsUser(n: Node, args: string[]): Promise<RunResult> {
  if (!ROOT) return n.git(args, { allowFail: true });
  return run("setpriv", [...DROP, "git", ...args], { cwd: n.projects, baseEnv: n.env, allowFail: true });
}

/** A transcript nobody but root could read (as `sudo claude` leaves it: mode 000 here, so the owner cannot read it either). */
function unreadable(folder: string, id: string, root: string): string {
  const f = writeSession(folder, id, sessionLines(root, id, `${id}t`, 2));
  chmodSync(f, 0o000);
  cleanups.push(async () => chmodSync(f, 0o644));
  return f;
}

/** A folder named like a session file, with a file inside that a sync would otherwise send (`<id>/subagents/*.jsonl` is a synced shape). */
function jsonlFolder(folder: string, name = "x.jsonl"): string {
  const d = path.join(folder, name);
  mkdirSync(path.join(d, "subagents"), { recursive: true });
  writeFileSync(path.join(d, "subagents", "a.jsonl"), '{"type":"user","uuid":"q"}\n');
  return d;
}

async function clusterFiles(url: string, id: string): Promise<string[]> {
  const r = await clusterGit(url, ["ls-tree", "-r", "--name-only", `refs/heads/project/${id}`]);
  return r.stdout.split("\n").filter(Boolean);
}

async function pair() {
  const cluster = await bareCluster();
  const A = await node("A");
  const B = await node("B");
  cleanups.push(async () => {
    await A.cleanup();
    await B.cleanup();
    await cluster.cleanup();
  });
  const rootA = "/home/a/src/app";
  const rootB = "/home/b/src/app";
  return { A, B, url: cluster.url, rootA, rootB, keyA: claudeDirKey(rootA), keyB: claudeDirKey(rootB) };
}

describe.skipIf(!UNREADABLE_OK)("init, join and sync skip an unreadable transcript and a folder named like a session file", () => {
  it("init: exit 0, both named on stderr, the good session reaches the other machine, the odd ones never", async () => {
    const { A, B, url, rootA, rootB, keyA, keyB } = await pair();
    writeSession(A.at(keyA), "good", sessionLines(rootA, "good", "g", 4));
    const bad = unreadable(A.at(keyA), "bad", rootA);
    jsonlFolder(A.at(keyA));
    const r = await ctx(A, ["init", "--remote", url, "--id", "app", rootA]);
    expect(r.stderr).not.toMatch(/internal error|fatal: adding files failed/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`skipped ${keyA}/bad.jsonl: permission denied — fix: sudo chown $USER ${bad}`);
    expect(r.stderr).toContain(`skipped ${keyA}/x.jsonl: not a file`);
    const files = await clusterFiles(url, "app");
    expect(files).toContain("context/good.jsonl");
    expect(files.some((f) => f.includes("bad.jsonl") || f.includes("x.jsonl"))).toBe(false);
    // the other machine gets the good session
    await B.git(["clone", "-q", `ctx::${url}`, B.projects], { cwd: B.home });
    const j = await ctx(B, ["join", "--id", "app", rootB]);
    expect(j.code, j.stderr).toBe(0);
    expect(existsSync(B.at(keyB, "good.jsonl"))).toBe(true);
    expect(existsSync(B.at(keyB, "x.jsonl"))).toBe(false);
  });

  it("sync: exit 0, the warning names the file and is in --json and last-sync.json; the new good session arrives; join skips local odd files too", async () => {
    const { A, B, url, rootA, rootB, keyA, keyB } = await pair();
    writeSession(A.at(keyA), "s1", sessionLines(rootA, "s1", "a", 2));
    expect((await ctx(A, ["init", "--remote", url, "--id", "app", rootA])).code).toBe(0);
    // B has local sessions of the project before it joins, one of them unreadable
    await B.git(["clone", "-q", `ctx::${url}`, B.projects], { cwd: B.home });
    writeSession(B.at(keyB), "b1", sessionLines(rootB, "b1", "b", 2));
    const badB = unreadable(B.at(keyB), "badb", rootB);
    const j = await ctx(B, ["join", "--id", "app", rootB]);
    expect(j.stderr).not.toMatch(/internal error|fatal: adding files failed/);
    expect(j.code, j.stderr).toBe(0);
    expect(j.stderr).toContain(`skipped ${keyB}/badb.jsonl: permission denied — fix: sudo chown $USER ${badB}`);
    expect(await clusterFiles(url, "app")).toContain("context/b1.jsonl");

    writeSession(A.at(keyA), "s2", sessionLines(rootA, "s2", "c", 2));
    const bad = unreadable(A.at(keyA), "bad", rootA);
    jsonlFolder(A.at(keyA), "y.jsonl");
    const s = await ctx(A, ["sync", "--json"]);
    expect(s.stderr).not.toMatch(/internal error/);
    expect(s.code, s.stderr + s.stdout).toBe(0);
    const report = JSON.parse(s.stdout).views[0].report;
    const warnings = (report.warnings as { message: string }[]).map((w) => w.message);
    expect(warnings).toContain(`skipped ${keyA}/bad.jsonl: permission denied — fix: sudo chown $USER ${bad} (then it syncs with the next 'git ctx sync')`);
    expect(warnings.some((w: string) => w.startsWith(`skipped ${keyA}/y.jsonl: not a file`))).toBe(true);
    expect(report.skipped).toEqual([
      { path: `${keyA}/bad.jsonl`, reason: "unreadable" },
      { path: `${keyA}/y.jsonl`, reason: "not-a-file" },
    ]);
    const last = JSON.parse(readFileSync(A.at(".git", "ctx", "last-sync.json"), "utf8"));
    expect(last.warnings.some((w: string) => w.includes(`${keyA}/bad.jsonl`))).toBe(true);
    // the human line names it too
    const h = await ctx(A, ["sync"]);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout + h.stderr).toContain(`skipped ${keyA}/bad.jsonl: permission denied`);
    const b = await ctx(B, ["sync"]);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(B.at(keyB, "s2.jsonl"), "utf8")).toContain("c-u0");
    expect(existsSync(B.at(keyB, "y.jsonl"))).toBe(false);
    // doctor lists what sync leaves out, as a warning with the fix
    const d = await ctx(A, ["doctor", "--json"]);
    const odd = JSON.parse(d.stdout).views[0].checks.find((c: { name: string }) => c.name === "odd files");
    expect(odd).toMatchObject({ ok: true, warning: true });
    expect(odd.detail).toContain(`${keyA}/bad.jsonl: permission denied`);
    expect(odd.detail).toContain(`${keyA}/y.jsonl: not a file`);
    expect(odd.fix).toMatch(/chown/);
  });
});

describe("a folder named like a session file never travels", () => {
  it("one committed by plain git is left out of the push and named", async () => {
    const { A, url, rootA, keyA } = await pair();
    writeSession(A.at(keyA), "s1", sessionLines(rootA, "s1", "a", 2));
    expect((await ctx(A, ["init", "--remote", url, "--id", "app", rootA])).code).toBe(0);
    jsonlFolder(A.at(keyA));
    await A.git(["add", "--", `${keyA}/x.jsonl`]);
    await A.git(["commit", "-q", "-m", "plain git"]);
    writeSession(A.at(keyA), "s2", sessionLines(rootA, "s2", "b", 2));
    const s = await ctx(A, ["sync"]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toContain(`not pushed: ${keyA}/x.jsonl`);
    const files = await clusterFiles(url, "app");
    expect(files).toContain("context/s2.jsonl");
    expect(files.some((f) => f.includes("x.jsonl"))).toBe(false);
  });
});

describe.skipIf(!UNREADABLE_OK)("sessions, show and learn skip what they cannot read", () => {
  it("names the unreadable file and the folder on stderr and lists the rest (no internal error)", async () => {
    const A = await node("A");
    cleanups.push(A.cleanup);
    const root = path.join(A.home, "app");
    mkdirSync(root, { recursive: true });
    const key = claudeDirKey(root);
    const good = writeSession(A.at(key), "good", sessionLines(root, "good", "g", 4, Date.UTC(2025, 0, 1)));
    utimesSync(good, new Date(Date.UTC(2025, 0, 2)), new Date(Date.UTC(2025, 0, 2))); // not a running session: learn reads it
    const bad = unreadable(A.at(key), "bad", root);
    const dir = jsonlFolder(A.at(key));
    const l = await ctx(A, ["sessions"]);
    expect(l.stderr).not.toMatch(/internal error|EISDIR|EACCES/);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toContain("good");
    expect(l.stderr).toContain(`skipped ${bad}: permission denied`);
    expect(l.stderr).toContain(`skipped ${dir}: not a file`);
    const sh = await ctx(A, ["show", "good"]);
    expect(sh.code, sh.stderr).toBe(0);
    expect(sh.stdout).toContain("session good");
    const b = await ctx(A, ["show", "bad"]);
    expect(b.stderr).not.toMatch(/internal error/);
    expect(b.stderr).toContain(`skipped ${bad}: permission denied`);
    const x = await ctx(A, ["show", "x"]);
    expect(x.stderr).not.toMatch(/internal error/);
    const learn = await ctx(A, ["learn", "--dry-run", "--json", "--project", root], root);
    expect(learn.stderr).not.toMatch(/internal error|EISDIR|EACCES/);
    expect(learn.code, learn.stderr).toBe(0);
    expect(learn.stderr).toContain(`skipped ${bad}: permission denied`);
    expect(learn.stderr).toContain(`skipped ${dir}: not a file`);
    expect(JSON.parse(learn.stdout).sessions).toBe(1);
  });
});

describe.skipIf(!UNREADABLE_OK)("plain git agrees that the file is unreadable", () => {
  it("git add of the folder fails on it (what init and sync did before)", async () => {
    const A = await node("A");
    cleanups.push(A.cleanup);
    await A.git(["init", "-q", "."]);
    const f = unreadable(A.at("k"), "bad", "/r");
    const r = await gitAsUser(A, ["add", "--", "k/"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`open("k/${path.basename(f)}")`);
  });
});

describe.skipIf(!UNREADABLE_OK)("a Codex view (shared layout)", () => {
  it("a synced rollout that became unreadable is skipped with a warning; a new rollout of the project still syncs", async () => {
    const { codexNode, rolloutPath, sessionMeta, turnLines, writeRollout } = await import("../codex/rollouts.js");
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await codexNode("A", cleanups);
    const root = "/home/al/proj";
    const one = "019b0000-0000-7000-8000-000000000001";
    const two = "019b0000-0000-7000-8000-000000000002";
    const f1 = writeRollout(A.sessions, rolloutPath(one), [sessionMeta(one, root), ...turnLines(root, "a", 2)]);
    expect((await ctx(A, ["init", "--remote", cluster.url, "--id", "proj", "--agents", "codex", root], A.home)).code).toBe(0);
    // root's now (as `sudo codex` would leave it), and changed since the last sync
    writeFileSync(f1, `${readFileSync(f1, "utf8")}${turnLines(root, "b", 2).join("\n")}\n`);
    chmodSync(f1, 0o000);
    cleanups.push(async () => chmodSync(f1, 0o644));
    writeRollout(A.sessions, rolloutPath(two), [sessionMeta(two, root), ...turnLines(root, "c", 2)]);
    const s = await ctx(A, ["sync", "--dir", A.sessions, "--json"], A.home);
    expect(s.stderr).not.toMatch(/internal error|fatal: adding files failed/);
    expect(s.code, s.stderr + s.stdout).toBe(0);
    expect((JSON.parse(s.stdout).views[0].report.warnings as { message: string }[]).map((w) => w.message)).toContain(
      `skipped ${rolloutPath(one)}: permission denied — fix: sudo chown $USER ${f1} (then it syncs with the next 'git ctx sync')`,
    );
    expect(await clusterFiles(cluster.url, "proj")).toContain(`codex/${rolloutPath(two)}`);
  });
});
