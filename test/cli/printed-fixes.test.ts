import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { gemini } from "../../src/agents/gemini/index.js";
import { checkGemini } from "../../src/agents/gemini/doctor.js";
import { shellQuote } from "../../src/git/shell.js";
import { heldSecrets } from "../../src/sync/run.js";
import { bareCluster, node, sessionLines, writeSession, type Node } from "../cluster/harness.js";

/**
 * Issue 24, point 2: every command git-ctx prints as a fix or hint runs as printed. Each row
 * builds a message from its template with realistic inputs — a Claude Code folder that starts
 * with `-` (every one on Linux and macOS does), a project root with a space — extracts the
 * command, runs it with `sh -c` (the real bins on PATH) and checks that it is no usage error
 * (exit 129, "Unknown arguments", "Not enough arguments") and does what the message promises.
 */

function fakeAws(n: number): string {
  return `AKIA${"QWERTYUIOPASDFGH".slice(n)}${"ZXCVBNMLKJ234567".slice(0, n)}`;
}
const leak = (root: string, uuid: string, key: string) => JSON.stringify({ type: "user", uuid, cwd: root, toolUseResult: { stdout: `AWS_ACCESS_KEY_ID=${key}\n` } });

let A: Node;
let cleanupCluster: () => Promise<void>;
const root = "/home/a/my proj";
const key = claudeDirKey(root); // -home-a-my-proj
const ids = ["7d3f2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6", "8e4a3b21-6c7d-4e8f-9a01-b2c3d4e5f607", "9f5b4c32-7d8e-4f90-ab12-c3d4e5f60718"];

function sh(cmd: string, cwd: string) {
  return spawnSync("sh", ["-c", cmd], { cwd, env: A.env, encoding: "utf8" });
}
/** A run of a printed command: no usage error (yargs exits 1 with these, git with 129). */
function expectNoUsageError(r: ReturnType<typeof sh>, cmd: string): void {
  expect(r.status, `${cmd}\n${r.stderr}`).not.toBe(129);
  expect(r.stderr, cmd).not.toMatch(/Unknown arguments?:|Not enough (non-option )?arguments/);
}
const file = (i: number) => A.at(key, `${ids[i]}.jsonl`);

beforeAll(async () => {
  const c = await bareCluster();
  cleanupCluster = c.cleanup;
  A = await node("pfx");
  for (const [i, id] of ids.entries()) writeSession(A.at(key), id, [...sessionLines(root, id, `t${i}`, 2), leak(root, `${id}-leak`, fakeAws(i + 1))]);
  await A.ctx(["init", "--remote", c.url, "--id", "proj", root], { cwd: A.home });
});
afterAll(async () => {
  await A?.cleanup();
  await cleanupCluster?.();
});

describe("printed fixes and hints run as printed (issue 24)", () => {
  it("sync's held-back fix: git ctx scan on a '-' folder, from outside the view", () => {
    const h = heldSecrets(path.join(A.projects, ".git"), A.projects).find((x) => x.path === `${key}/${ids[0]}.jsonl`);
    expect(h, JSON.stringify(heldSecrets(path.join(A.projects, ".git"), A.projects))).toBeDefined();
    const cmd = h!.fix.split("   (")[0]!;
    const r = sh(cmd, A.home); // sync runs from the project's hook, not from the view
    expectNoUsageError(r, cmd);
    expect(r.status, r.stderr).toBe(1); // findings
    expect(r.stdout).toContain(ids[0]);
  });

  it("sync's held-back fix: git ctx redact on a '-' folder, from outside the view", () => {
    const h = heldSecrets(path.join(A.projects, ".git"), A.projects).find((x) => x.path === `${key}/${ids[0]}.jsonl`)!;
    const cmd = /then (.+?) to remove it/.exec(h.fix)?.[1];
    expect(cmd, h.fix).toBeDefined();
    const r = sh(cmd!, A.home);
    expectNoUsageError(r, cmd!);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file(0), "utf8")).toContain("[REDACTED");
  });

  it("scan's hint 'git ctx redact -- <file>' with a file of a '-' folder", () => {
    const scan = sh("git ctx scan --all", A.projects);
    const template = /'(git ctx redact[^']*<file>[^']*)'/.exec(scan.stdout)?.[1];
    expect(template, scan.stdout).toBeDefined();
    const cmd = template!.replace("<file>", shellQuote(`${key}/${ids[1]}.jsonl`));
    const r = sh(cmd, A.projects);
    expectNoUsageError(r, cmd);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file(1), "utf8")).toContain("[REDACTED");
  });

  it("doctor's 'git ctx redact <session>' with an id prefix, as show and resume take it", () => {
    const cmd = `git ctx redact ${ids[2]!.slice(0, 8)}`;
    const r = sh(cmd, A.projects);
    expectNoUsageError(r, cmd);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file(2), "utf8")).toContain("[REDACTED");
  });

  it("doctor's fix for a missing Gemini CLI hook installs Gemini CLI's hook", async () => {
    const home = path.join(A.home, ".gemini");
    const settingsFile = path.join(home, "settings.json");
    mkdirSync(home, { recursive: true });
    writeFileSync(settingsFile, "{}\n");
    const checks = await checkGemini(
      { env: A.env, workTree: path.join(home, "tmp"), gitDir: path.join(home, "tmp", ".git"), state: undefined },
      { home, settingsFile, hookInstalled: false, chats: () => [] },
    );
    const fix = checks.find((c) => !c.ok && /hook/i.test(c.name))?.fix;
    expect(fix, JSON.stringify(checks)).toBeDefined();
    const r = sh(fix!, A.home);
    expectNoUsageError(r, fix!);
    expect(r.status, r.stderr).toBe(0);
    expect(await gemini.hook!.installed(settingsFile)).toBe(true);
  });

  it("leave's undo hint 'git ctx join --id … <root>' with a space in the root", async () => {
    const leave = sh("git ctx leave proj", A.projects);
    expect(leave.status, leave.stderr).toBe(0);
    const cmd = /\((git ctx join .+) undoes it\)/.exec(leave.stdout)?.[1];
    expect(cmd, leave.stdout).toBeDefined();
    const r = sh(cmd!, A.home);
    expectNoUsageError(r, cmd!);
    expect(r.status, r.stderr).toBe(0);
    const state = JSON.parse(readFileSync(path.join(A.projects, ".git", "ctx", "state.json"), "utf8"));
    expect(state.projects.proj).toMatchObject({ root, key });
  });
});
