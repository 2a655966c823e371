import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { node, sessionLines, writeSession } from "../cluster/harness.js";
import { chatHead, chatMessages, chatName, geminiProject, writeLines } from "../gemini/chats.js";
import { codexExec, ensureCodex, type Codex } from "./codex.js";
import { startResponsesRecorder } from "./responses.js";

/**
 * Issue 13, scope 4, for the pairs into Codex (Claude Code → Codex, Gemini → Codex):
 * `git ctx resume <id> --in codex` writes a new rollout, and the real `codex exec resume <id>`
 * (offline, against the Responses recorder) sends every user and assistant text of the source in
 * order and each tool call as a `function_call` whose `function_call_output` (same `call_id`)
 * follows it.
 */

let cx: Codex = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  cx = await ensureCodex();
}, 20 * 60_000);
afterAll(() => {
  if (!cx.ok) console.warn(`real codex resume test skipped: ${cx.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CLAUDE_ID = "0f0501ed-ab2c-47db-b6f0-b25ba98ff8c1";
const GEMINI_ID = "7d2c4b1e-0000-4000-8000-0000000000b1";

describe("git ctx resume --in codex, resumed by the real Codex CLI", () => {
  it("a Claude Code transcript and a Gemini chat each continue in codex with every text and tool pair sent", async (t) => {
    if (!cx.ok) t.skip(cx.why);
    if (!cx.ok) return;
    const bin = cx.bin;
    const m = await node("B");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "work", "proj");
    mkdirSync(root, { recursive: true });
    mkdirSync(path.join(m.home, ".codex", "sessions"), { recursive: true });
    // a Claude Code transcript with text and a tool pair
    const lines = sessionLines(root, CLAUDE_ID, "cl", 2);
    lines.push(
      JSON.stringify({
        type: "user",
        uuid: "r1",
        sessionId: CLAUDE_ID,
        timestamp: "2026-01-01T00:00:03.000Z",
        cwd: root,
        message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_cl1", content: "file contents" }] },
      }),
      JSON.stringify({
        type: "assistant",
        uuid: "a2",
        sessionId: CLAUDE_ID,
        timestamp: "2026-01-01T00:00:04.000Z",
        cwd: root,
        message: { id: "msg_2", role: "assistant", content: [{ type: "text", text: "cl-final: done reading" }] },
      }),
    );
    writeSession(path.join(m.projects, root.replace(/[^A-Za-z0-9]/g, "-")), CLAUDE_ID, lines);
    mkdirSync(path.join(m.home, ".gemini"), { recursive: true });
    const folder = geminiProject(path.join(m.home, ".gemini"), root, "proj");
    writeLines(path.join(folder, "chats", chatName(GEMINI_ID)), [chatHead(GEMINI_ID, root), ...chatMessages(root, "gem", 4)]);
    const rec = await startResponsesRecorder();
    cleanups.push(() => rec.close());

    for (const [id, texts, calls] of [
      [CLAUDE_ID, ["cl: please look at", "cl-final: done reading"], ["toolu_cl1"]],
      [GEMINI_ID, ["gem 0: look at", "gem 1: read it", "gem 2: look at", "gem 3: read it"], ["read_file-gem1", "read_file-gem3"]],
    ] as const) {
      const r = JSON.parse((await m.ctx(["resume", id, "--in", "codex", "--json"], { cwd: root })).stdout) as { id: string; path: string; run: string };
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(path.basename(r.path)).toContain(r.id);
      expect(r.run).toBe(`cd ${JSON.stringify(root)} && codex resume ${r.id}`);
      rec.posts.length = 0;
      const run = await codexExec({ bin, home: m.home, cwd: root, baseUrl: rec.baseUrl, args: ["resume", r.id, "continue"] });
      expect(run.code, run.stderr.slice(-1200)).toBe(0);
      const input = (rec.posts[rec.posts.length - 1]!.body?.input ?? []) as { type: string; call_id?: string; content?: unknown }[];
      const flat = JSON.stringify(input);
      let at = 0;
      for (const x of texts) {
        const i = flat.indexOf(x, at);
        expect(i, `${id}: '${x}' not sent in order`).toBeGreaterThanOrEqual(at);
        at = i;
      }
      for (const c of calls) {
        const i = input.findIndex((x) => x.type === "function_call" && x.call_id === c);
        expect(i, `${id}: ${c} not sent as function_call`).toBeGreaterThanOrEqual(0);
        const j = input.findIndex((x) => x.type === "function_call_output" && x.call_id === c);
        expect(j, `${id}: output of ${c}`).toBeGreaterThan(i);
      }
    }
  }, 300_000);
});
