import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { node, sessionLines, writeSession, type Node } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";

/**
 * Issue 23, scope 6: `git ctx learn` leaves no copy of what it sends and keeps what the user
 * deleted — through the built bin, with scripted model commands: an agent used as the model runs
 * without saving a session, learn refuses outside a repository, a deleted learning is not written
 * again (also after it travelled through the project's git), a secret is reported once a run, and
 * a session `git ctx resume` wrote is not sent again.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const SECRET = `ghp_${"a1B2c3D4e5F6g7H8i9J0".repeat(2).slice(0, 36)}`;
const CODEX_ID = "019b0000-0000-7000-8000-0000000000c1";

const old = (f: string) => {
  const t = new Date(Date.now() - 3_600_000);
  utimesSync(f, t, t);
};
const said = (role: "user" | "assistant", text: string) =>
  JSON.stringify({
    timestamp: "2026-01-02T10:30:00.000Z",
    type: "response_item",
    payload: { type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] },
  });

/** A repository with one old Claude Code session of `n` lines tagged `tag`. */
async function project(m: Node, name: string, id: string, tag: string, n = 2): Promise<string> {
  const root = path.join(m.home, name);
  mkdirSync(root, { recursive: true });
  await m.git(["init", "-q"], { cwd: root });
  old(writeSession(path.join(m.projects, root.replace(/[^A-Za-z0-9]/g, "-")), id, sessionLines(root, id, tag, n)));
  return root;
}

/** A model script that logs its prompts to `log` and prints `bullets`. */
function model(m: Node, name: string, bullets: string[]): { command: string; log: string } {
  const log = path.join(m.home, `${name}.log`);
  const file = path.join(m.home, `${name}.mjs`);
  writeFileSync(
    file,
    `import { appendFileSync, readFileSync } from "node:fs";
appendFileSync(${JSON.stringify(log)}, readFileSync(0, "utf8") + "\\n=====\\n");
console.log(${JSON.stringify(bullets.map((b) => `- ${b}`).join("\n"))});
`,
  );
  return { command: `node ${file}`, log };
}
const calls = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").split("=====\n").filter(Boolean) : []);

describe("git ctx learn leaves nothing behind (issue 23, scope 6)", () => {
  it("claude -p runs with --no-session-persistence, codex exec with --ephemeral, gemini with a throw-away home; nothing lands in the stores", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = await project(m, "proj", "0f0501ed-ab2c-47db-b6f0-b25ba98ff8a1", "c");
    // stand-ins named like the agents: they record their arguments and GEMINI_CLI_HOME, and
    // (gemini) record a chat where Gemini CLI would, to show where it lands
    const bin = path.join(m.home, "bin");
    mkdirSync(bin);
    const argsLog = path.join(m.home, "args.log");
    const realGemini = path.join(m.home, ".gemini");
    mkdirSync(path.join(realGemini, "tmp"), { recursive: true });
    writeFileSync(path.join(realGemini, "settings.json"), '{"security":{}}\n');
    for (const agent of ["claude", "codex", "gemini"]) {
      const f = path.join(bin, agent);
      writeFileSync(
        f,
        `#!/usr/bin/env node
const fs = require("node:fs"), path = require("node:path");
fs.readFileSync(0);
if (${JSON.stringify(agent)} === "claude") {
  // as Claude Code 2.1.330 does even with --no-session-persistence: its project folder of the cwd
  const store = path.join(process.env.CLAUDE_CONFIG_DIR || path.join(process.env.HOME, ".claude"), "projects");
  fs.mkdirSync(path.join(store, process.cwd().replace(/[^a-zA-Z0-9]/g, "-"), "memory"), { recursive: true });
}
const home = process.env.GEMINI_CLI_HOME ?? "";
let settings = "";
if (${JSON.stringify(agent)} === "gemini") {
  const g = path.join(home || process.env.HOME, ".gemini");
  settings = fs.readFileSync(path.join(g, "settings.json"), "utf8").trim();
  fs.mkdirSync(path.join(g, "tmp", "cwd", "chats"), { recursive: true });
  fs.writeFileSync(path.join(g, "tmp", "cwd", "chats", "session-x.jsonl"), "the prompt\\n");
}
fs.appendFileSync(${JSON.stringify(argsLog)}, JSON.stringify({ agent: ${JSON.stringify(agent)}, args: process.argv.slice(2), home, settings, tmp: process.env.TMPDIR ?? "" }) + "\\n");
console.log("- A fact from ${agent}.");
`,
      );
      chmodSync(f, 0o755);
    }
    const env = { PATH: `${bin}:${m.env.PATH}` };
    for (const command of ["claude -p", "codex exec", "gemini -p", `'${bin}/claude' --print --model x`, "codex exec --ephemeral"]) {
      await m.ctx(["learn", "--command", command], { cwd: root, env });
      writeFileSync(path.join(root, ".ctx", "learn-cursors.json"), "{}\n"); // the same turns again
    }
    const runs = readFileSync(argsLog, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { agent: string; args: string[]; home: string; settings: string; tmp: string });
    expect(runs.map((r) => [r.agent, r.args])).toEqual([
      ["claude", ["--no-session-persistence", "-p"]],
      ["codex", ["exec", "--ephemeral"]],
      ["gemini", ["-p"]],
      ["claude", ["--no-session-persistence", "--print", "--model", "x"]],
      ["codex", ["exec", "--ephemeral"]],
    ]);
    // gemini: another home, which still reads the user's settings, and is gone afterwards
    const g = runs[2]!;
    expect(g.home).not.toBe("");
    expect(path.resolve(g.home)).not.toBe(m.home);
    expect(g.settings).toBe('{"security":{}}');
    expect(existsSync(g.home)).toBe(false);
    // and a $TMPDIR of its own (Gemini CLI writes a failed request there), gone too
    expect(path.dirname(g.tmp)).toBe(path.dirname(g.home));
    expect(existsSync(g.tmp)).toBe(false);
    expect(readdirSync(path.join(realGemini, "tmp"))).toEqual([]);
    expect(existsSync(path.join(realGemini, "projects.json"))).toBe(false);
    expect(readFileSync(path.join(realGemini, "settings.json"), "utf8")).toBe('{"security":{}}\n');
    // only the project's own session folder is in Claude Code's store (learn removed the one of its temp folder)
    expect(readdirSync(m.projects)).toEqual([root.replace(/[^A-Za-z0-9]/g, "-")]);
  });

  it("outside a git repository learn refuses and names --project, calling nothing; --project there works", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "loose");
    mkdirSync(root);
    old(
      writeSession(
        path.join(m.projects, root.replace(/[^A-Za-z0-9]/g, "-")),
        "0f0501ed-ab2c-47db-b6f0-b25ba98ff8a2",
        sessionLines(root, "0f0501ed-ab2c-47db-b6f0-b25ba98ff8a2", "c", 2),
      ),
    );
    const { command, log } = model(m, "m", ["Something."]);
    const r = await m.ctx(["learn", "--command", command], { cwd: root, allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is not inside a git repository.*--project <root>/);
    expect(calls(log)).toEqual([]);
    expect(existsSync(path.join(root, ".ctx"))).toBe(false);
    await m.ctx(["learn", "--command", command, "--project", root], { cwd: m.home });
    expect(calls(log)).toHaveLength(1);
    expect(readFileSync(path.join(root, ".ctx", "learnings.md"), "utf8")).toContain("- Something.");
  });

  it("in a subfolder of a repository the project is the repository's root", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = await project(m, "repo", "0f0501ed-ab2c-47db-b6f0-b25ba98ff8a3", "c");
    mkdirSync(path.join(root, "src", "deep"), { recursive: true });
    const { command, log } = model(m, "m", ["Root fact."]);
    const r = JSON.parse((await m.ctx(["learn", "--command", command, "--json"], { cwd: path.join(root, "src", "deep") })).stdout) as { project: string; sessions: number };
    expect(r).toMatchObject({ project: root, sessions: 1 });
    expect(calls(log)[0]).toContain("c: please look at");
  });

  it("a learning the user deleted is not written again: on this machine, and on another after the project's git brought the deletion", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const origin = path.join(m.home, "origin.git");
    await m.git(["init", "-q", "--bare", "--initial-branch=main", origin], { cwd: m.home });
    const a = path.join(m.home, "a");
    await m.git(["clone", "-q", origin, a], { cwd: m.home });
    const learnIn = async (dir: string, id: string, bullets: string[]) => {
      const f = writeSession(path.join(m.projects, dir.replace(/[^A-Za-z0-9]/g, "-")), id, sessionLines(dir, id, `t${id.slice(0, 4)}`, 2));
      old(f);
      const { command } = model(m, `m-${id}`, bullets);
      return JSON.parse((await m.ctx(["learn", "--command", command, "--json"], { cwd: dir })).stdout) as { added: string[]; deleted: number; duplicates: number };
    };
    const commit = async (dir: string, msg: string) => {
      await m.git(["add", "-A"], { cwd: dir });
      await m.git(["commit", "-qm", msg], { cwd: dir });
      await m.git(["push", "-q", "origin", "HEAD:main"], { cwd: dir });
    };
    expect((await learnIn(a, "aaaaaaaa-0000-4000-8000-000000000001", ["Wrong fact about ports.", "Builds need node 20."])).added).toHaveLength(2);
    await commit(a, "learn");
    // the user deletes the wrong one on this machine
    const file = path.join(a, ".ctx", "learnings.md");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^- Wrong fact about ports\..*\n/m, ""));
    const again = await learnIn(a, "aaaaaaaa-0000-4000-8000-000000000002", ["wrong fact about PORTS", "Builds need node 20.", "Tests need docker."]);
    expect(again).toMatchObject({ added: ["Tests need docker."], deleted: 1, duplicates: 1 });
    expect(readFileSync(file, "utf8")).not.toMatch(/wrong fact/i);
    expect(readFileSync(path.join(a, ".ctx", "learnings-seen"), "utf8")).not.toMatch(/wrong|port/i); // hashes, no text
    await commit(a, "delete a learning");
    // another clone (another machine): the deletion came with the project's .ctx/
    const b = path.join(m.home, "b");
    await m.git(["clone", "-q", origin, b], { cwd: m.home });
    const onB = await learnIn(b, "bbbbbbbb-0000-4000-8000-000000000003", ["Wrong fact about ports!", "Caches live in .cache/."]);
    expect(onB).toMatchObject({ added: ["Caches live in .cache/."], deleted: 1 });
    expect(readFileSync(path.join(b, ".ctx", "learnings.md"), "utf8")).not.toMatch(/wrong fact/i);
  });

  it("a secret the model repeats in every chunk is reported once", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "big");
    mkdirSync(root);
    await m.git(["init", "-q"], { cwd: root });
    // 20 turns of 7,000 characters: more than one 60,000-character chunk
    const lines = [sessionMeta(CODEX_ID, root)];
    for (let i = 0; i < 20; i++) lines.push(said(i % 2 ? "assistant" : "user", `turn ${i} ${"x".repeat(7_000)}`));
    old(writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(CODEX_ID), lines));
    const { command, log } = model(m, "m", [`The token is ${SECRET}`, "A safe fact."]);
    const r = await m.ctx(["learn", "--command", command, "--json"], { cwd: root, allowFail: true });
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as { calls: number; heldBack: { rule: string }[] };
    expect(rep.calls).toBeGreaterThan(1);
    expect(calls(log)).toHaveLength(rep.calls);
    expect(rep.heldBack.map((h) => h.rule)).toEqual(["github-pat"]);
    appendFileSync(path.join(m.home, ".codex", "sessions", rolloutPath(CODEX_ID)), "");
    writeFileSync(path.join(root, ".ctx", "learn-cursors.json"), "{}\n");
    const text = await m.ctx(["learn", "--command", command], { cwd: root, allowFail: true });
    expect(text.stdout.match(/held back/g)).toHaveLength(1);
    expect(text.stdout).not.toContain(SECRET);
  });

  it("a session git ctx resume wrote is not sent again; turns added to it afterwards are", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "conv");
    mkdirSync(root);
    await m.git(["init", "-q"], { cwd: root });
    old(
      writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [
        sessionMeta(CODEX_ID, root),
        said("user", "source: where is the config?"),
        said("assistant", "source: in config/app.toml"),
      ]),
    );
    const { command, log } = model(m, "m", ["Config lives in config/app.toml."]);
    await m.ctx(["learn", "--command", command], { cwd: root });
    expect(calls(log)).toHaveLength(1);
    const conv = JSON.parse((await m.ctx(["resume", CODEX_ID, "--in", "claude", "--json"], { cwd: root })).stdout) as { id: string; path: string };
    old(conv.path);
    const r = JSON.parse((await m.ctx(["learn", "--command", command, "--json"], { cwd: root })).stdout) as { conversions: number; calls: number };
    expect(r).toMatchObject({ conversions: 1, calls: 0 });
    expect(calls(log)).toHaveLength(1);
    // continued in Claude Code: only the new turn goes
    appendFileSync(conv.path, `${sessionLines(root, conv.id, "continued", 1, Date.UTC(2026, 0, 5))[0]}\n`);
    old(conv.path);
    await m.ctx(["learn", "--command", command], { cwd: root });
    expect(calls(log)).toHaveLength(2);
    const last = calls(log).pop()!;
    expect(last).toContain(`## claude session ${conv.id}`);
    expect(last).toContain("continued: please look at");
    expect(last).not.toContain("source: where is the config?");
  });
});
