import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { node } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";
import { chatHead, chatMessages, chatName, geminiProject, writeLines } from "../gemini/chats.js";
import { ensureClaudeCode, resume as claudeResume, type ClaudeCode } from "./claude.js";
import { startRecorder } from "./recorder.js";

/**
 * Issue 13, scope 4, for the pairs into Claude Code (Codex → Claude Code, Gemini → Claude Code):
 * `git ctx resume <id> --in claude` writes a new transcript, and the real `claude -p --resume`
 * (offline, against the Messages recorder) sends every user and assistant text of the source in
 * order and each of its tool calls as a `tool_use` followed by its `tool_result`.
 */

let cc: ClaudeCode = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  cc = await ensureClaudeCode();
}, 20 * 60_000);
afterAll(() => {
  if (!cc.ok) console.warn(`real claude resume test skipped: ${cc.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CODEX_ID = "019b0000-0000-7000-8000-0000000000c1";
const GEMINI_ID = "7d2c4b1e-0000-4000-8000-0000000000g1".replace("g1", "a1");

describe("git ctx resume --in claude, resumed by the real Claude Code", () => {
  it("a Codex rollout and a Gemini chat each continue in claude with every text and tool pair sent", async (t) => {
    if (!cc.ok) t.skip(cc.why);
    if (!cc.ok) return;
    const m = await node("B");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "work", "proj");
    mkdirSync(root, { recursive: true });
    mkdirSync(path.join(m.home, ".claude"), { recursive: true });
    const item = (type: string, payload: object, s: number) => JSON.stringify({ timestamp: `2026-01-02T10:00:${String(s).padStart(2, "0")}.000Z`, type, payload });
    writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [
      sessionMeta(CODEX_ID, root),
      item("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: "codex-u1: list the sources" }] }, 1),
      item("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: "codex-a1: listing them" }] }, 2),
      item("response_item", { type: "function_call", name: "shell", arguments: JSON.stringify({ command: ["ls", `${root}/src`] }), call_id: "call_c1" }, 3),
      item("response_item", { type: "function_call_output", call_id: "call_c1", output: "a.ts\nb.ts" }, 4),
      item("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: "codex-a2: two files" }] }, 5),
      item("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: "codex-u2: thanks" }] }, 6),
    ]);
    mkdirSync(path.join(m.home, ".gemini"), { recursive: true });
    const folder = geminiProject(path.join(m.home, ".gemini"), root, "proj");
    writeLines(path.join(folder, "chats", chatName(GEMINI_ID)), [chatHead(GEMINI_ID, root), ...chatMessages(root, "gem", 4)]);
    const rec = await startRecorder();
    cleanups.push(() => rec.close());

    for (const [id, texts, calls] of [
      [CODEX_ID, ["codex-u1: list the sources", "codex-a1: listing them", "codex-a2: two files", "codex-u2: thanks"], ["call_c1"]],
      [GEMINI_ID, ["gem 0: look at", "gem 1: read it", "gem 2: look at", "gem 3: read it"], ["read_file-gem1", "read_file-gem3"]],
    ] as const) {
      const r = JSON.parse((await m.ctx(["resume", id, "--in", "claude", "--json"], { cwd: root })).stdout) as {
        id: string;
        path: string;
        cwd: string;
        run: string;
        source: { id: string };
      };
      expect(r.source.id).toBe(id);
      expect(r.cwd).toBe(root);
      expect(r.run).toBe(`cd ${JSON.stringify(root)} && claude --resume ${r.id}`);
      expect(readFileSync(r.path, "utf8").endsWith("\n")).toBe(true);
      const run = await claudeResume({ bin: cc.bin, home: m.home, cwd: root, sessionId: r.id, baseUrl: rec.url });
      expect(run.code, run.stderr.slice(-1000) + run.stdout.slice(-500)).toBe(0);
      const posts = rec.take();
      expect(posts.length).toBeGreaterThan(0);
      const msgs = (posts[posts.length - 1]!.body?.messages ?? []) as { role: string; content: unknown }[];
      const flat = JSON.stringify(msgs);
      // every text, in the source's order
      let at = 0;
      for (const x of texts) {
        const i = flat.indexOf(x, at);
        expect(i, `${id}: '${x}' not sent in order`).toBeGreaterThanOrEqual(at);
        at = i;
      }
      // each call as a tool_use, its result as a tool_result in the next message
      for (const c of calls) {
        const i = msgs.findIndex((mm) => Array.isArray(mm.content) && (mm.content as { type: string; id?: string }[]).some((b) => b.type === "tool_use" && b.id === c));
        expect(i, `${id}: ${c} not sent as tool_use`).toBeGreaterThanOrEqual(0);
        const next = msgs[i + 1]!;
        expect(next.role).toBe("user");
        expect(
          (next.content as { type: string; tool_use_id?: string }[]).some((b) => b.type === "tool_result" && b.tool_use_id === c),
          `${id}: result of ${c}`,
        ).toBe(true);
      }
    }
  }, 300_000);
});
