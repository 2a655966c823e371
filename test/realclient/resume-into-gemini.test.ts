import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { node, sessionLines, writeSession } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";
import { ensureGemini, geminiRun, offlineSettings, startGeminiRecorder, type Gemini } from "./gemini.js";

/**
 * Issue 13, scope 4, for the pairs into Gemini (Claude Code → Gemini, Codex → Gemini):
 * `git ctx resume <id> --in gemini` writes a new chat in the root's slug folder and registers the
 * slug, and the real `gemini --resume <id>` (0.61.0, offline, against the Gemini recorder) sends
 * every user and assistant text of the source in order and each tool call as a `functionCall`
 * followed by its `functionResponse` (same id).
 */

let gm: Gemini = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  gm = await ensureGemini();
}, 20 * 60_000);
afterAll(() => {
  if (!gm.ok) console.warn(`real gemini resume test skipped: ${gm.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CLAUDE_ID = "0f0501ed-ab2c-47db-b6f0-b25ba98ff8d1";
const CODEX_ID = "019b0000-0000-7000-8000-0000000000d1";

describe("git ctx resume --in gemini, resumed by the real Gemini CLI", () => {
  it("a Claude Code transcript and a Codex rollout each continue in gemini with every text and tool pair sent", async (t) => {
    if (!gm.ok) t.skip(gm.why);
    if (!gm.ok) return;
    const entry = gm.entry;
    const m = await node("B");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "work", "proj");
    mkdirSync(root, { recursive: true });
    mkdirSync(path.join(m.home, ".gemini"), { recursive: true });
    offlineSettings(m.home);
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
    const item = (type: string, payload: object, s: number) => JSON.stringify({ timestamp: `2026-01-02T10:00:${String(s).padStart(2, "0")}.000Z`, type, payload });
    writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [
      sessionMeta(CODEX_ID, root),
      item("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: "codex-u1: list the sources" }] }, 1),
      item("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: "codex-a1: listing them" }] }, 2),
      item("response_item", { type: "function_call", name: "shell", arguments: JSON.stringify({ command: ["ls"] }), call_id: "call_c1" }, 3),
      item("response_item", { type: "function_call_output", call_id: "call_c1", output: "a.ts" }, 4),
      item("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: "codex-a2: one file" }] }, 5),
    ]);
    const rec = await startGeminiRecorder();
    cleanups.push(() => rec.close());
    for (const [id, texts, calls] of [
      [CLAUDE_ID, ["cl: please look at", "cl-final: done reading"], ["toolu_cl1"]],
      [CODEX_ID, ["codex-u1: list the sources", "codex-a1: listing them", "codex-a2: one file"], ["call_c1"]],
    ] as const) {
      const r = JSON.parse((await m.ctx(["resume", id, "--in", "gemini", "--json"], { cwd: root })).stdout) as { id: string; path: string; run: string };
      expect(r.run).toBe(`cd ${JSON.stringify(root)} && gemini --resume ${r.id}`);
      expect(JSON.parse(readFileSync(path.join(m.home, ".gemini", "projects.json"), "utf8")).projects[root]).toBe("proj");
      rec.streams.length = 0;
      const run = await geminiRun({ entry, home: m.home, cwd: root, baseUrl: rec.baseUrl, args: ["--resume", r.id, "-p", "continue"] });
      expect(run.code, run.stderr.slice(-1500)).toBe(0);
      const contents = rec.streams[rec.streams.length - 1]!.body?.contents ?? [];
      const flat = JSON.stringify(contents);
      let at = 0;
      for (const x of texts) {
        const i = flat.indexOf(x, at);
        expect(i, `${id}: '${x}' not sent in order`).toBeGreaterThanOrEqual(at);
        at = i;
      }
      for (const c of calls) {
        const i = contents.findIndex((e) => e.parts.some((p) => (p.functionCall as { id?: string } | undefined)?.id === c));
        expect(i, `${id}: ${c} not sent as functionCall`).toBeGreaterThanOrEqual(0);
        const next = contents[i + 1]!;
        expect(
          next.parts.some((p) => (p.functionResponse as { id?: string } | undefined)?.id === c),
          `${id}: response of ${c}`,
        ).toBe(true);
      }
    }
  }, 300_000);
});
