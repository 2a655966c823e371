import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCodec } from "../../src/commands/doctor.js";
import { doctorView, formatViewReport, type ViewReport } from "../../src/doctor/view.js";
import { git } from "../../src/git/exec.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { newRoster, participantFor, serializeRoster, upsertParticipant } from "../../src/roster/index.js";
import { readViewState, writeViewState } from "../../src/view/state.js";
import { BIN, makeMachine, type TestMachine } from "../helpers/env.js";

/**
 * A healthy view set up by hand: `git init` in ~/.claude/projects, `git ctx install --local`
 * (real bin), state.json via writeViewState, one joined project with a transcript committed
 * through the filter, the excludes block, and a Stop hook in ~/.claude/settings.json.
 * Then each seeded fault must make doctor fail and name its fix.
 */
let m: TestMachine;
let root: string;
let key: string;
let gitDir: string;
const ID = "github.com/acme/app";

const ctx = (cmd: string[]) => {
  const r = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), ...cmd], { cwd: m.projects, env: m.env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ctx ${cmd.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const run = async (): Promise<ViewReport> => doctorView({ env: m.env, codec: await loadCodec(), cwd: m.projects });
const failed = (r: ViewReport) => r.checks.filter((c) => !c.ok);
const check = (r: ViewReport, name: string) => r.checks.filter((c) => c.name === name);

beforeAll(async () => {
  m = await makeMachine("dv");
  root = path.join(m.pathHome, "src", "app");
  key = claudeDirKey(root);
  const g = (args: string[]) => git(args, { cwd: m.projects, env: m.env });
  await g(["init", "-q", "--initial-branch=main"]);
  gitDir = await g(["rev-parse", "--absolute-git-dir"]);
  ctx(["install", "--local"]);
  writeViewState(gitDir, { version: 1, cluster: "/nowhere/cluster.git", machine: { id: "dv", os: m.os, home: m.pathHome }, projects: { [ID]: { root, key, rewriteHome: true } } });
  const { writeExcludes } = await import("../../src/git/config.js");
  writeExcludes(gitDir, [key]);
  mkdirSync(path.join(m.projects, key, "memory"), { recursive: true });
  mkdirSync(path.join(m.projects, "-not-joined"), { recursive: true });
  writeFileSync(path.join(m.projects, "-not-joined", "x.jsonl"), "{}\n");
  const line = (o: object) => JSON.stringify({ cwd: root, sessionId: "s1", ...o }) + "\n";
  writeFileSync(path.join(m.projects, key, "s1.jsonl"), line({ type: "user", message: { content: `look at ${root}/src/x.ts` } }) + line({ type: "assistant" }));
  writeFileSync(path.join(m.projects, key, "memory", "MEMORY.md"), `- root is ${root}\n`);
  await g(["add", "--", key]);
  await g(["commit", "-q", "-m", "sessions"]);
  mkdirSync(path.join(m.home, ".claude"), { recursive: true });
  writeFileSync(
    path.join(m.home, ".claude", "settings.json"),
    JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: "command", command: "other-tool" }] }, { hooks: [{ type: "command", command: "git ctx sync --hook", timeout: 60 }] }] } }),
  );
});
afterAll(async () => m?.cleanup());

describe("git ctx doctor (whole view)", () => {
  it("passes on a healthy view, and the blob git stored is canonical", async () => {
    const r = await run();
    expect(failed(r), formatViewReport(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.view?.workTree).toBe(m.projects);
    const names = new Set(r.checks.map((c) => c.name));
    for (const n of [
      "view",
      "git version",
      "node version",
      "filter config",
      "merge driver config",
      "filter works",
      "attributes",
      "excludes",
      "filter in this view",
      "Stop hook",
      `project ${ID}`,
      "file sizes",
      "held back",
    ])
      expect(names, n).toContain(n);
    // 2 cwd fields + 1 in the message + 1 in MEMORY.md
    expect(check(r, `project ${ID}`)[0]!.detail).toMatch(/ root=4 /);
    const blob = await git(["show", `HEAD:${key}/s1.jsonl`], { cwd: m.projects, env: m.env, noCtxFilter: true });
    expect(blob).not.toContain(root);
    // the real bin agrees: exit 0
    const cli = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "doctor"], { cwd: m.projects, env: m.env, encoding: "utf8" });
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain("ok: nothing needs attention");
  });

  it("filter config removed → fails and names 'git ctx install'", async () => {
    await git(["config", "--local", "--unset", "filter.ctx.process"], { cwd: m.projects, env: m.env });
    try {
      const r = await run();
      expect(r.ok).toBe(false);
      const c = check(r, "filter config")[0]!;
      expect(c).toMatchObject({ ok: false, fix: expect.stringContaining("git ctx install") });
      expect(c.detail).toContain("filter.ctx.process is not set");
      // the exit code of the real bin says attention is needed, and the fix is printed
      const cli = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "doctor"], { cwd: m.projects, env: m.env, encoding: "utf8" });
      expect(cli.status).toBe(1);
      expect(cli.stdout).toMatch(/✗ filter config: .*\n {4}fix: git ctx install/);
    } finally {
      ctx(["install", "--local"]);
    }
    expect((await run()).ok).toBe(true);
  });

  it("Stop hook missing → fails and names 'git ctx hook install'", async () => {
    const settings = path.join(m.home, ".claude", "settings.json");
    const keep = JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: "command", command: "other-tool" }] }] } });
    const { readFileSync } = await import("node:fs");
    const before = readFileSync(settings, "utf8");
    writeFileSync(settings, keep);
    try {
      const r = await run();
      expect(check(r, "Stop hook")[0]).toMatchObject({ ok: false, fix: "git ctx hook install" });
      expect(failed(r).map((c) => c.name)).toEqual(["Stop hook"]);
      rmSync(settings);
      expect(check(await run(), "Stop hook")[0]).toMatchObject({ ok: false, fix: "git ctx hook install" });
    } finally {
      writeFileSync(settings, before);
    }
  });

  it("state.json root wrong → fails and names the join command with the transcripts' root", async () => {
    const good = readViewState(gitDir)!;
    writeViewState(gitDir, { ...good, projects: { [ID]: { ...good.projects[ID]!, root: path.join(m.pathHome, "src", "app-old") } } });
    try {
      const r = await run();
      const c = check(r, `project ${ID}: root`)[0]!;
      expect(c.ok).toBe(false);
      expect(c.fix).toBe(`git ctx join --id ${ID} ${root}`);
      expect(c.detail).toContain(root);
    } finally {
      writeViewState(gitDir, good);
    }
  });

  it("roster root wrong → fails and names 'git ctx sync'", async () => {
    const g = (args: string[], input?: string) => git(args, { cwd: m.projects, env: m.env, input, noCtxFilter: true });
    const ref = `refs/ctx/cluster/project/${ID}`;
    const rosterFor = async (r: string) => {
      const roster = upsertParticipant(newRoster(ID), participantFor({ id: "dv", os: m.os, home: m.pathHome }, r, claudeDirKey(r), new Date(0)));
      const blob = await g(["hash-object", "-w", "--stdin"], serializeRoster(roster));
      const tree = await g(["mktree"], `100644 blob ${blob}\troster.json\n`);
      await g(["update-ref", ref, await g(["commit-tree", tree, "-m", "roster"])]);
    };
    await rosterFor(root);
    expect(check(await run(), `project ${ID}`)[0]?.ok).toBe(true);
    await rosterFor("/elsewhere/app");
    try {
      const r = await run();
      const c = check(r, `project ${ID}: roster`)[0]!;
      expect(c).toMatchObject({ ok: false });
      expect(c.fix).toMatch(/^git ctx sync/);
      expect(c.detail).toContain("/elsewhere/app");
    } finally {
      await g(["update-ref", "-d", ref]);
    }
  });

  it("a file over 100 MB → fails naming the file; over 50 MB only warns", async () => {
    const big = path.join(m.projects, key, "big.jsonl");
    writeFileSync(big, "");
    truncateSync(big, 101 * 1024 * 1024); // sparse: no 100 MB written
    try {
      const r = await run();
      const c = check(r, "file sizes").find((x) => !x.ok)!;
      expect(c.detail).toContain(`${key}/big.jsonl (101.0 MB)`);
      expect(c.fix).toContain("rm --cached");
      truncateSync(big, 60 * 1024 * 1024);
      const r2 = await run();
      expect(check(r2, "file sizes")[0]).toMatchObject({ ok: true, warning: true });
      expect(failed(r2)).toEqual([]);
    } finally {
      rmSync(big);
    }
  });

  it("a file held back for secrets and a failed last sync → fail with their fixes", async () => {
    const { writeHeldBack } = await import("../../src/scan/heldback.js");
    const { writeLastSync, syncPaths } = await import("../../src/sync/files.js");
    writeHeldBack(gitDir, [
      { path: `${key}/s1.jsonl`, findings: [{ file: `${key}/s1.jsonl`, line: 1, rule: "aws-access-key", redacted: "AKIA…XYZ", fingerprint: "f1" }], since: "2026-01-01T00:00:00Z" },
    ]);
    writeLastSync(syncPaths(gitDir), { time: "2026-01-01T00:00:00Z", ok: false, summary: "push failed", error: "fetch first", heldBack: [] });
    try {
      const r = await run();
      expect(check(r, "held back")[0]).toMatchObject({ ok: false, fix: expect.stringContaining("git ctx scan") });
      expect(check(r, "last sync")[0]).toMatchObject({ ok: false, fix: expect.stringContaining("git ctx sync") });
      expect(JSON.stringify(r)).not.toContain("AKIA1");
    } finally {
      rmSync(path.join(gitDir, "ctx", "held-back.json"));
      rmSync(path.join(gitDir, "ctx", "last-sync.json"));
    }
  });

  it("attributes or excludes missing → fail with 'git ctx install --local' / 'git ctx join'", async () => {
    const { readFileSync } = await import("node:fs");
    const attrs = path.join(gitDir, "info", "attributes");
    const excl = path.join(gitDir, "info", "exclude");
    const [a0, e0] = [readFileSync(attrs, "utf8"), readFileSync(excl, "utf8")];
    writeFileSync(attrs, "");
    writeFileSync(excl, "");
    try {
      const r = await run();
      expect(check(r, "attributes")[0]).toMatchObject({ ok: false, fix: expect.stringContaining("git ctx install --local") });
      expect(check(r, "filter in this view")[0]).toMatchObject({ ok: false, detail: expect.stringContaining("did not run") });
      const ex = check(r, "excludes")[0]!;
      expect(ex).toMatchObject({ ok: false, fix: expect.stringContaining(`git ctx join --id ${ID} ${root}`) });
      expect(ex.detail).toContain("-not-joined/");
    } finally {
      writeFileSync(attrs, a0);
      writeFileSync(excl, e0);
    }
  });

  it("finds ~/.claude/projects from anywhere, and doctor <folder> on a joined folder uses the state's anchors", async () => {
    const { doctor } = await import("../../src/commands/doctor.js");
    const elsewhere = await doctorView({ env: m.env, codec: await loadCodec(), cwd: m.home });
    expect(elsewhere.view?.workTree).toBe(m.projects);
    let out = "";
    const good = readViewState(gitDir)!;
    writeViewState(gitDir, { ...good, projects: { [ID]: { ...good.projects[ID]!, rewriteHome: false } } });
    try {
      expect(await doctor({ folder: key, cwd: m.projects, env: m.env, json: true, write: (x) => (out += x) })).toBe(0);
      const r = JSON.parse(out).folder;
      expect(r.root).toEqual({ path: root, source: "state" });
      expect(r.anchors).toMatchObject({ home: m.pathHome, rewriteHome: false });
    } finally {
      writeViewState(gitDir, good);
    }
  });
});
