import { appendFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bareCluster, node, sessionLines, writeSession } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";
import { cleanEnv, ensureClaudeCode, type ClaudeCode } from "./claude.js";
import { startRecorder } from "./recorder.js";

/**
 * Issue 14, scope 3: `git ctx learn` with the real `claude -p` as its model command, against a
 * scripted local Messages API (FORMATS.md, "driving whole turns"): the request holds turns of a
 * Claude Code and a Codex session of the project; the scripted reply's learning lands once, its
 * secret never; and a second machine's learn after a sync sends no turn twice (the cursors travel
 * with the learnings in the project's `.ctx/`, through the project's own git).
 */

let cc: ClaudeCode = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  cc = await ensureClaudeCode();
}, 20 * 60_000);
afterAll(() => {
  if (!cc.ok) console.warn(`real claude -p learn test skipped: ${cc.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CLAUDE_ID = "0f0501ed-ab2c-47db-b6f0-b25ba98ff82c";
const CODEX_ID = "019b0000-0000-7000-8000-000000000001";
const SECRET = `ghp_${"Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCbA1"}`; // 36 characters after the prefix, as GitHub writes them

describe("git ctx learn with the real claude -p", () => {
  it("sends both agents' turns, keeps the scripted learning once and never its secret", async (t) => {
    if (!cc.ok) t.skip(cc.why);
    if (!cc.ok) return;
    const rec = await startRecorder({ reply: `Here is what I found:\n- Builds need npm run build before the tests.\n- The deploy token is ${SECRET}\n` });
    cleanups.push(() => rec.close());
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "work", "proj");
    mkdirSync(root, { recursive: true });
    await m.git(["init", "-q"], { cwd: root });
    const said = (role: "user" | "assistant", text: string) =>
      JSON.stringify({
        timestamp: "2026-01-02T10:30:00.000Z",
        type: "response_item",
        payload: { type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] },
      });
    const files = [
      writeSession(path.join(m.projects, "-work-proj"), CLAUDE_ID, sessionLines(root, CLAUDE_ID, "claude-turn", 4)),
      writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [
        sessionMeta(CODEX_ID, root),
        said("user", "codex-turn: why does CI fail?"),
        said("assistant", "codex-turn: the build step was missing"),
      ]),
    ];
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const f of files) utimesSync(f, hourAgo, hourAgo);
    const env = cleanEnv({ HOME: m.home, ANTHROPIC_API_KEY: "test-key-not-real", ANTHROPIC_BASE_URL: rec.url });
    const storeBefore = readdirSync(m.projects).sort();
    const r = await m.ctx(["learn", "--command", `'${cc.bin}' -p`, "--json"], { cwd: root, allowFail: true, env: { ...env, PATH: m.env.PATH } });
    expect(r.code, r.stderr.slice(-1500)).toBe(1); // the secret was held back
    const posts = rec.take();
    expect(posts.length).toBeGreaterThan(0);
    const sent = JSON.stringify(posts.map((p) => p.body?.messages));
    expect(sent).toContain("claude-turn: please look at");
    expect(sent).toContain("codex-turn: why does CI fail?");
    expect(sent).toContain("codex-turn: the build step was missing");
    const text = readFileSync(path.join(root, ".ctx", "learnings.md"), "utf8");
    expect(text.match(/Builds need npm run build before the tests\./g)).toHaveLength(1);
    expect(text).not.toContain(SECRET);
    expect(r.stdout).not.toContain(SECRET);
    // claude -p ran with --no-session-persistence: no session of its own in the store (issue 23,
    // scope 6; it used to leave -tmp-git-ctx-learn-*/<id>.jsonl holding the prompt), so the next
    // learn has nothing new
    expect(readdirSync(m.projects).sort()).toEqual(storeBefore);
    expect(readdirSync(path.join(m.projects, "-work-proj"))).toEqual([`${CLAUDE_ID}.jsonl`]);
    const again = await m.ctx(["learn", "--command", `'${cc.bin}' -p`], { cwd: root, env: { ...env, PATH: m.env.PATH } });
    expect(again.stdout).toMatch(/nothing new to read/);
    expect(rec.take()).toEqual([]);
  }, 300_000);

  it("a second machine's learn after a sync sends no turn twice: the cursors come with the project's .ctx/", async (t) => {
    if (!cc.ok) t.skip(cc.why);
    if (!cc.ok) return;
    const rec = await startRecorder({ reply: "- The cache lives in .cache/ and is safe to delete.\n" });
    cleanups.push(() => rec.close());
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await node("A", { filter: true });
    const B = await node("B", { filter: true });
    cleanups.push(A.cleanup, B.cleanup);
    for (const x of [A, B]) mkdirSync(path.join(x.home, ".codex", "sessions"), { recursive: true });
    // the project's own repository, cloned on both machines
    const origin = path.join(A.home, "proj.git");
    await A.git(["init", "-q", "--bare", "--initial-branch=main", origin], { cwd: A.home });
    const rootA = path.join(A.home, "work", "proj");
    const rootB = path.join(B.home, "work", "proj");
    await A.git(["clone", "-q", origin, rootA], { cwd: A.home });
    writeFileSync(path.join(rootA, "README.md"), "p\n");
    await A.git(["add", "README.md"], { cwd: rootA });
    await A.git(["commit", "-qm", "init"], { cwd: rootA });
    await A.git(["push", "-q", "origin", "main"], { cwd: rootA });
    const said = (role: "user" | "assistant", text: string) =>
      JSON.stringify({
        timestamp: "2026-01-02T10:30:00.000Z",
        type: "response_item",
        payload: { type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] },
      });
    writeSession(path.join(A.projects, rootA.replace(/[^A-Za-z0-9]/g, "-")), CLAUDE_ID, sessionLines(rootA, CLAUDE_ID, "claude-turn", 4));
    writeRollout(path.join(A.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [
      sessionMeta(CODEX_ID, rootA),
      said("user", "codex-turn: where is the cache?"),
      said("assistant", "codex-turn: in .cache/"),
    ]);
    await A.ctx(["init", "--remote", cluster.url, "--agents", "claude,codex", "--id", "proj", rootA], { cwd: A.home });
    const hourAgo = new Date(Date.now() - 3_600_000);
    const age = (x: typeof A) => {
      for (const f of [
        path.join(x.projects, (x === A ? rootA : rootB).replace(/[^A-Za-z0-9]/g, "-"), `${CLAUDE_ID}.jsonl`),
        path.join(x.home, ".codex", "sessions", rolloutPath(CODEX_ID)),
      ])
        utimesSync(f, hourAgo, hourAgo);
    };
    age(A);
    const envFor = (x: typeof A) => ({ ...cleanEnv({ HOME: x.home, ANTHROPIC_API_KEY: "test-key-not-real", ANTHROPIC_BASE_URL: rec.url }), PATH: x.env.PATH });
    const onA = await A.ctx(["learn", "--command", `'${cc.bin}' -p`, "--json"], { cwd: rootA, env: envFor(A) });
    expect((JSON.parse(onA.stdout) as { sessions: number }).sessions).toBe(2);
    expect(rec.take().length).toBeGreaterThan(0);
    await A.git(["add", ".ctx"], { cwd: rootA });
    await A.git(["commit", "-qm", "learn"], { cwd: rootA });
    await A.git(["push", "-q", "origin", "main"], { cwd: rootA });
    // B: the sessions through the cluster, the project (with .ctx/) through its own git
    await B.git(["clone", "-q", origin, rootB], { cwd: B.home });
    await B.ctx(["join", "--remote", cluster.url, "--agents", "claude,codex", "--id", "proj", rootB], { cwd: B.home });
    age(B);
    const onB = await B.ctx(["learn", "--command", `'${cc.bin}' -p`], { cwd: rootB, env: envFor(B) });
    expect(onB.stdout).toMatch(/nothing new to read/);
    expect(rec.take()).toEqual([]);
    // a turn added on B afterwards is B's to send, and only it
    appendFileSync(path.join(B.home, ".codex", "sessions", rolloutPath(CODEX_ID)), `${said("user", "codex-turn-on-b: and the logs?")}\n`);
    age(B);
    await B.ctx(["learn", "--command", `'${cc.bin}' -p`], { cwd: rootB, env: envFor(B) });
    const sent = JSON.stringify(rec.take().map((p) => p.body?.messages));
    expect(sent).toContain("codex-turn-on-b: and the logs?");
    expect(sent).not.toContain("codex-turn: where is the cache?");
    expect(sent).not.toContain("claude-turn: please look at");
  }, 300_000);
});
