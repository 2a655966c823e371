import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { ErrorDocumentSchema, JSON_SCHEMAS } from "../../src/json/schemas.js";
import { bareCluster, node, sessionLines, writeSession, type Node } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, turnLines, writeRollout } from "../codex/rollouts.js";
import { chatHead, chatMessages, chatName, geminiProject, writeLines } from "../gemini/chats.js";

/**
 * Issue 24, point 5: every view command's `--json` is one object of one documented schema
 * (src/json/schemas.ts, docs/json.md) — `schemaVersion`, `command`, `ok`, `views` — whether the
 * machine has one agent's view or three (Claude Code, Codex, Gemini), and an error under `--json`
 * is a JSON document on stdout with the usual non-zero exit. The real bin, real git, a local
 * bare cluster.
 */

type Machine = Node & { agents: string[]; root: string; url: string };
const cleanups: (() => Promise<void>)[] = [];
const machines: Machine[] = [];

/** A machine with the named agents installed, one project `app` with a session of each, inited on a new cluster. */
async function machine(name: string, agents: ("claude" | "codex" | "gemini")[]): Promise<Machine> {
  const cluster = await bareCluster();
  cleanups.push(cluster.cleanup);
  const n = await node(name, { filter: true });
  cleanups.push(n.cleanup);
  const root = `${n.pathHome}/src/app`;
  writeSession(n.at(claudeDirKey(root)), "s1", sessionLines(root, "s1", "c", 2));
  if (agents.includes("codex")) {
    const sessions = path.join(n.home, ".codex", "sessions");
    mkdirSync(sessions, { recursive: true });
    const id = "019b0000-0000-7000-8000-000000000001";
    writeRollout(sessions, rolloutPath(id), [sessionMeta(id, root), ...turnLines(root, "x", 2)]);
  }
  if (agents.includes("gemini")) {
    const gemini = path.join(n.home, ".gemini");
    mkdirSync(path.join(gemini, "tmp"), { recursive: true });
    const id = "0f0501ed-ab2c-47db-b6f0-b25ba98ff82c";
    writeLines(path.join(geminiProject(gemini, root, "app"), "chats", chatName(id)), [chatHead(id, root), ...chatMessages(root, "g", 2)]);
  }
  await n.ctx(["init", "--remote", cluster.url, "--id", "app", "--agents", agents.join(","), root], { cwd: n.home });
  return Object.assign(n, { agents, root, url: cluster.url });
}

beforeAll(async () => {
  machines.push(await machine("one", ["claude"]), await machine("three", ["claude", "codex", "gemini"]));
}, 120_000);
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Runs `git ctx <args>` (from the home folder: no view around) and parses stdout with the command's schema. */
async function json(m: Machine, command: keyof typeof JSON_SCHEMAS, args: string[], cwd = m.home) {
  const r = await m.ctx([command, ...args, "--json"], { cwd, allowFail: true });
  const doc: unknown = JSON.parse(r.stdout);
  const parsed = JSON_SCHEMAS[command].safeParse(doc);
  expect(parsed.success, `${command} ${args.join(" ")}: ${JSON.stringify(parsed.error?.issues)}\n${r.stdout}`).toBe(true);
  expect(doc).toMatchObject({ schemaVersion: 1, command, ok: r.code === 0 });
  return { code: r.code, doc: doc as { ok: boolean; views: { agent: string | null; dir: string | null }[] } & Record<string, unknown> };
}

describe.each([
  ["one agent's view", 0],
  ["three agents' views", 1],
])("--json with %s", (_label, i) => {
  const m = () => machines[i]!;
  const dirsOf = (mm: Machine) => mm.agents.map((a) => ({ claude: mm.projects, codex: path.join(mm.home, ".codex", "sessions"), gemini: path.join(mm.home, ".gemini", "tmp") })[a]);

  it("status: an object with every view, no prose summary", async () => {
    const { code, doc } = await json(m(), "status", []);
    expect(code).toBe(0);
    expect(doc.ok).toBe(true);
    expect(doc.views.map((v) => v.agent)).toEqual(m().agents);
    expect(doc.views.map((v) => v.dir)).toEqual(dirsOf(m()));
    expect(JSON.stringify(doc)).not.toContain("summary");
    for (const v of doc.views as unknown as { projects: { id: string; root: string }[] }[]) expect(v.projects.map((p) => [p.id, p.root])).toEqual([["app", m().root]]);
  });

  it("sync and sync --dry-run: one schema, a flag tells them apart", async () => {
    const fresh = "019b0000-0000-7000-8000-000000000002";
    if (m().agents.includes("codex")) writeRollout(path.join(m().home, ".codex", "sessions"), rolloutPath(fresh), [sessionMeta(fresh, m().root), ...turnLines(m().root, "y", 2)]);
    const dry = await json(m(), "sync", ["--dry-run"]);
    expect(dry.doc.dryRun).toBe(true);
    // a Codex view's new rollout is named (its project is its first line's; the view has no project folder)
    const codex = (dry.doc.views as { agent: string; wouldCommit?: string[] }[]).find((v) => v.agent === "codex");
    if (codex) expect(codex.wouldCommit).toEqual([rolloutPath(fresh)]);
    expect(dry.doc.views.map((v) => v.agent)).toEqual(m().agents);
    for (const v of dry.doc.views) expect(v, JSON.stringify(v)).toHaveProperty("wouldCommit");
    const real = await json(m(), "sync", []);
    expect(real.code).toBe(0);
    expect(real.doc).toMatchObject({ ok: true, dryRun: false });
    expect(real.doc.views.map((v) => v.agent)).toEqual(m().agents);
    for (const v of real.doc.views) expect(v).toMatchObject({ ok: true, refused: [], notPushed: [] });
  });

  it("doctor: the checks of every view", async () => {
    const { doc } = await json(m(), "doctor", []);
    expect(doc.views.map((v) => v.agent)).toEqual(m().agents);
    expect(doc.views.map((v) => v.dir)).toEqual(dirsOf(m()));
  });

  it("scan: a report per view", async () => {
    const { code, doc } = await json(m(), "scan", ["--all"]);
    expect(code).toBe(0);
    expect(doc.views.map((v) => v.agent)).toEqual(m().agents);
  });

  it("init and join (re-runs, --dry-run and for real): each agent's view", async () => {
    const agents = ["--agents", m().agents.join(",")];
    for (const dry of [["--dry-run"], []]) {
      const init = await json(m(), "init", [...dry, ...agents, "--remote", m().url, "--id", "app", m().root]);
      expect(init.doc.dryRun).toBe(dry.length > 0);
      expect(init.doc.views.map((v) => [v.agent, v.dir])).toEqual(m().agents.map((a, k) => [a, dirsOf(m())[k]]));
      const join = await json(m(), "join", [...dry, ...agents, "--id", "app", m().root]);
      expect(join.doc.views.map((v) => [v.agent, v.dir])).toEqual(m().agents.map((a, k) => [a, dirsOf(m())[k]]));
      expect(join.doc.views).toEqual(m().agents.map(() => expect.objectContaining({ id: "app", root: m().root, alreadyJoined: true })));
    }
  });

  it("projects: the cluster's projects, the roster's time as lastSync", async () => {
    const { doc } = await json(m(), "projects", []);
    const projects = doc.projects as { id: string; agents: string[]; machines: { lastSync: string | null }[] }[];
    expect(projects.map((p) => p.id)).toEqual(["app"]);
    expect(projects[0]!.agents).toEqual(m().agents);
    expect(projects[0]!.machines[0]!.lastSync).toMatch(/^\d{4}-/);
  });

  it("sessions, agents, show: every agent's sessions, an object each time", async () => {
    const sessions = (await json(m(), "sessions", [])).doc.sessions as { agent: string; id: string }[];
    expect(sessions.map((s) => s.agent)).toContain("claude");
    for (const s of sessions) expect(m().agents).toContain(s.agent);
    const agents = (await json(m(), "agents", [])).doc.agents as { id: string; installed: boolean }[];
    expect(agents.filter((a) => a.installed).map((a) => a.id)).toEqual(m().agents);
    for (const s of sessions) {
      const shown = await json(m(), "show", [s.id]);
      expect(shown.doc).toMatchObject({ id: s.id, agent: s.agent });
    }
  });

  it("resume, install, hook, redact, rules, learn: the same envelope", async () => {
    mkdirSync(m().root, { recursive: true });
    // s1 is a Claude Code session: into the other agents it converts; into Claude Code itself it is refused, as an error document
    for (const into of m().agents.filter((x) => x !== "claude"))
      expect((await json(m(), "resume", ["s1", "--in", into, "--dry-run"], m().root)).doc).toMatchObject({ dryRun: true, agent: into });
    const own = await m().ctx(["resume", "s1", "--in", "claude", "--dry-run", "--json"], { cwd: m().root, allowFail: true });
    expect(own.code).toBe(1);
    expect(JSON.parse(own.stdout)).toMatchObject({ schemaVersion: 1, command: "resume", ok: false, error: { code: "SameAgentResume" } });
    expect((await json(m(), "install", ["--dry-run"])).doc.ok).toBe(true);
    for (const agent of m().agents) {
      for (const action of ["status", "install"]) expect((await json(m(), "hook", [action, "--agent", agent, "--dry-run"])).doc).toMatchObject({ agent, action });
    }
    const file = path.join(m().projects, claudeDirKey(m().root), "s1.jsonl");
    expect((await json(m(), "redact", ["--dry-run", file])).doc).toMatchObject({ ok: true, dryRun: true, files: [{ file, replaced: [] }] });
    expect((await json(m(), "rules", ["--dry-run"], m().root)).doc).toMatchObject({ project: m().root });
    expect((await json(m(), "learn", ["--dry-run", "--command", "false", "--project", m().root], m().root)).doc).toMatchObject({ dryRun: true });
  });

  it("leave --dry-run and leave: each view that joined the project", async () => {
    const dry = await json(m(), "leave", ["app", "--dry-run"]);
    expect(dry.doc).toMatchObject({ ok: true, dryRun: true });
    expect(dry.doc.views.map((v) => v.agent)).toEqual(m().agents);
    const real = await json(m(), "leave", ["app"]);
    expect(real.doc.views.map((v) => [v.agent, v.dir])).toEqual(m().agents.map((a, k) => [a, dirsOf(m())[k]]));
  });
});

describe("errors under --json", () => {
  it("a failed command prints the error document on stdout and exits 1", async () => {
    const m = machines[0]!;
    const nowhere = path.join(m.home, "not-a-view");
    mkdirSync(nowhere, { recursive: true });
    writeFileSync(path.join(nowhere, "x"), "");
    for (const [command, args] of [
      ["status", ["--dir", nowhere]],
      ["sync", ["--dir", nowhere]],
      ["leave", ["nope"]],
      ["join", ["--id", "nope", "--agents", "claude", m.root]],
    ] as const) {
      const r = await m.ctx([command, ...args, "--json"], { cwd: m.home, allowFail: true });
      expect(r.code, r.stderr).toBe(1);
      if (command === "sync") {
        // sync reports a view that failed in its own document (the other views still ran)
        const doc = JSON_SCHEMAS.sync.parse(JSON.parse(r.stdout));
        expect(doc.ok).toBe(false);
        expect(doc.views[0]!.error?.code).toBe("NotAView");
        continue;
      }
      const doc = ErrorDocumentSchema.parse(JSON.parse(r.stdout));
      expect(doc).toMatchObject({ schemaVersion: 1, command, ok: false });
      expect(doc.error.code).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(r.stderr).toContain(doc.error.message);
    }
  });
});
