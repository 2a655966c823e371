import { mkdirSync, readFileSync, utimesSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { node, sessionLines, writeSession } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";
import { cleanEnv, ensureClaudeCode, type ClaudeCode } from "./claude.js";
import { startRecorder } from "./recorder.js";

/**
 * Issue 14, scope 3: `git ctx learn` with the real `claude -p` as its model command, against a
 * scripted local Messages API (FORMATS.md, "driving whole turns"): the request holds turns of a
 * Claude Code and a Codex session of the project; the scripted reply's learning lands once, its
 * secret never. (The second machine's part of scope 3 needs cursors that travel with the
 * cluster, which this release keeps in the project's `.ctx/` folder: not tested here.)
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
    // claude -p recorded its own session outside the project: the next learn has nothing new
    const again = await m.ctx(["learn", "--command", `'${cc.bin}' -p`], { cwd: root, env: { ...env, PATH: m.env.PATH } });
    expect(again.stdout).toMatch(/nothing new to read/);
    expect(rec.take()).toEqual([]);
  }, 300_000);
});
