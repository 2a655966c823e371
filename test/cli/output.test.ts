import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, node, sessionLines, writeSession, type Node } from "../cluster/harness.js";

/**
 * Issue 24, points 7 and 10: git's output conventions on the real bin, output into pipes (no
 * terminal): `-q`, `status -s`, colour only when asked, progress only with `--progress`, the
 * final counts, and a no-op sync that says "nothing to commit" once, not once per view.
 */

const ESC = "\u001b[";
let A: Node;
let cleanupCluster: () => Promise<void>;
let url: string;
const root = "/home/a/app";
const key = claudeDirKey(root);
const id = "7d3f2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6";

beforeAll(async () => {
  const c = await bareCluster();
  cleanupCluster = c.cleanup;
  url = c.url;
  A = await node("out");
  // three agents' homes: init makes three views (Claude Code, Codex CLI, Gemini CLI)
  mkdirSync(`${A.home}/.codex/sessions`, { recursive: true });
  mkdirSync(`${A.home}/.gemini/tmp`, { recursive: true });
  writeSession(A.at(key), id, sessionLines(root, id, "t", 2));
  const init = await A.ctx(["init", "--remote", url, "--id", "app", root], { cwd: A.home, env: { NO_COLOR: "" } });
  expect(init.stdout).toMatch(/^git ctx init: joined 1 project in 3 views$/m);
});
afterAll(async () => {
  await A?.cleanup();
  await cleanupCluster?.();
});

describe("a no-op sync and the final counts", () => {
  it("says 'nothing to commit' once, not once per view, and ends with the counts", async () => {
    const r = await A.ctx(["sync"], { env: { NO_COLOR: "" } });
    expect(r.stdout.match(/nothing to commit/g) ?? []).toHaveLength(1);
    expect(r.stdout).toBe("git ctx sync: synced 1 project in 3 views: nothing to commit, up to date\n");
    expect(r.stderr).not.toMatch(/nothing to commit/); // (a loaded machine may name a slow step there)
  });

  it("a view that did something has its line, then the counts", async () => {
    writeSession(A.at(key), id, sessionLines(root, id, "more", 2), true);
    const r = await A.ctx(["sync"], { env: { NO_COLOR: "" } });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines, r.stdout).toHaveLength(2);
    expect(lines[0]).toMatch(/^git ctx sync: Claude Code: committed 1 file\(s\); pushed$/);
    expect(lines[1]).toBe("git ctx sync: synced 1 project in 3 views: 1 file committed, 0 files updated");
  });
});

describe("-q / --quiet", () => {
  it.each([["-q"], ["--quiet"]])("sync %s prints nothing (fast path and yargs)", async (q) => {
    writeSession(A.at(key), id, sessionLines(root, id, `q${q}`, 2), true);
    const r = await A.ctx(["sync", q]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect((await A.ctx(["status", "-s", "--dir", A.projects])).stdout).toMatch(/^= claude app uncommitted=0 /); // it did sync
  });

  it("sync --background -q does not say it started", async () => {
    const r = await A.ctx(["sync", "--background", "-q", "--dir", A.projects]);
    expect(r.stdout + r.stderr).toBe("");
    expect((await A.ctx(["sync", "--background", "--dir", A.projects])).stdout).toMatch(/^git ctx sync: (started in the background|a sync is running)/);
    await A.ctx(["sync", "-q"]); // waits for the background run (the lock) before the next test
  });

  it("init -q and join -q print nothing on stdout", async () => {
    const init = await A.ctx(["init", "-q", "--id", "app", root], { cwd: A.home });
    expect(init.stdout).toBe("");
    const join = await A.ctx(["join", "-q", "--id", "app", root], { cwd: A.home });
    expect(join.stdout).toBe("");
    const loud = await A.ctx(["join", "--id", "app", root], { cwd: A.home });
    expect(loud.stdout).toMatch(/already joined/);
  });
});

describe("status -s", () => {
  it("one parseable line per joined project and view, '=' when in sync, '*' with something to sync", async () => {
    const clean = await A.ctx(["status", "-s"]);
    expect(clean.code).toBe(0);
    expect(clean.stdout.trimEnd().split("\n").sort()).toEqual(["claude", "codex", "gemini"].map((agent) => `= ${agent} app uncommitted=0 ahead=0 behind=0`));
    writeSession(A.at(key), "8e4a3b21-6c7d-4e8f-9a01-b2c3d4e5f607", sessionLines(root, "8e4a3b21-6c7d-4e8f-9a01-b2c3d4e5f607", "s", 2));
    const dirty = await A.ctx(["status", "--short"]);
    expect(dirty.stdout).toMatch(/^\* claude app uncommitted=1 ahead=0 behind=0$/m);
    await A.ctx(["sync", "-q"]);
  });
});

describe("colour: git's rules", () => {
  it("none into a pipe, none with --no-color, escapes with --color=always (red error, green ok)", async () => {
    for (const args of [["sync"], ["status"], ["status", "-s"], ["sync", "--no-color"]]) {
      const r = await A.ctx(args, { env: { NO_COLOR: "" } });
      expect(r.stdout + r.stderr, args.join(" ")).not.toContain(ESC);
    }
    const ok = await A.ctx(["sync", "--color=always"], { env: { NO_COLOR: "1" } });
    expect(ok.stdout).toContain(`${ESC}32m`); // green counts line: a flag overrides NO_COLOR (no-color.org)
    const s = await A.ctx(["status", "-s", "--color"], { env: { NO_COLOR: "" } });
    expect(s.stdout).toContain(`${ESC}32m=${ESC}39m claude app`);
    const bad = await A.ctx(["show", "no-such-session", "--color=always"], { allowFail: true });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${ESC}31mgit-ctx: `);
  });
});

describe("progress: only on a terminal or with --progress, on stderr, never with -q", () => {
  it("sync --progress into a pipe shows the views counted; without it, nothing", async () => {
    const shown = await A.ctx(["sync", "--progress"]);
    expect(shown.stderr).toMatch(/^git ctx sync: \[-+\] 0\/3 views/m);
    expect(shown.stderr).toMatch(/^git ctx sync: \[=+\] 3\/3 views done$/m);
    expect(shown.stdout).toMatch(/synced 1 project in 3 views/);
    expect((await A.ctx(["sync"])).stderr).not.toMatch(/views/);
    expect((await A.ctx(["sync", "--progress", "-q"])).stderr).toBe("");
    expect((await A.ctx(["sync", "--progress", "--dir", A.projects])).stderr).toMatch(/^git ctx sync: \[=+\] 1\/1 views done$/m);
  });

  it("init and join --progress count the views", async () => {
    const init = await A.ctx(["init", "--progress", "--id", "app", root], { cwd: A.home });
    expect(init.stderr).toMatch(/^git ctx init: \[=+\] 3\/3 views done$/m);
    const join = await A.ctx(["join", "--progress", "--id", "app", root], { cwd: A.home });
    expect(join.stderr).toMatch(/^git ctx join: \[=+\] 3\/3 views done$/m);
    expect((await A.ctx(["join", "--id", "app", root], { cwd: A.home })).stderr).not.toMatch(/views/);
  });
});

describe("show", () => {
  it("prints a message whole (it was cut at 100 characters), its lines kept", async () => {
    const sid = "9f5b4c32-7d8e-4f90-ab12-c3d4e5f60718";
    const long = `start ${"x".repeat(300)} end`;
    writeSession(A.at(key), sid, [
      JSON.stringify({
        type: "user",
        uuid: "long-u0",
        sessionId: sid,
        timestamp: "2026-01-02T00:00:00.000Z",
        cwd: root,
        message: { role: "user", content: `${long}\nsecond line` },
      }),
    ]);
    const r = await A.ctx(["show", sid.slice(0, 8)]);
    expect(r.stdout).toContain(`user      ${long}\n          second line\n`);
    const list = await A.ctx(["sessions"]);
    expect(list.stdout.split("\n").every((l) => l.length < 400)).toBe(true); // the list stays compact
  });
});
