import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AGENTS, unpairedTools, type CanonicalSession } from "../../src/agents/index.js";
import { emptyMessage, fromLastCompaction } from "../../src/agents/session.js";
import { readClaudeTranscript } from "../../src/agents/claude/read.js";
import { readCodexRollout } from "../../src/agents/codex/read.js";
import { readGeminiChatSession } from "../../src/agents/gemini/read.js";
import { CORPUS, NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 13, scope 1: each agent's reader turns its sessions into the canonical model. On every
 * corpus session (read by path, skipped without it) the reader finds the session's id, every tool
 * call the file records (counted independently of the reader) with its result after it, and the
 * user's and the model's text; hand-made lines pin the details.
 */

const walk = (dir: string, ok: (f: string) => boolean): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p, ok) : ok(p) ? [p] : [];
  });

const HAS = existsSync(path.join(CORPUS, "claude")) && existsSync(path.join(CORPUS, "codex")) && existsSync(path.join(CORPUS, "gemini"));

/** Results that come before their call (a result whose call is not in the file at all, as in a continued session or Gemini's @file reads, is not one). */
function resultsBeforeCalls(s: CanonicalSession): string[] {
  const called = new Set(s.messages.flatMap((m) => m.toolCalls.map((c) => c.id)));
  return unpairedTools(s).results.filter((r) => called.has(r));
}

/** Occurrences of a JSON key/value text in a file (the independent count). */
const count = (text: string, needle: RegExp) => (text.match(needle) ?? []).length;

describe.skipIf(!HAS)("the readers on the corpus (issue 13, scope 1)", () => {
  it("Claude Code: every transcript's tool_use blocks become tool calls; no result comes before its call", () => {
    const files = walk(path.join(CORPUS, "claude"), (f) => f.endsWith(".jsonl") && !f.includes(`${path.sep}subagents${path.sep}`));
    let calls = 0;
    let withText = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const s = readClaudeTranscript(Buffer.from(text), f);
      // counted on the lines themselves: tool_use blocks of top-level user/assistant messages (progress lines nest others)
      const want = text.split("\n").reduce((n, l) => {
        try {
          const r = JSON.parse(l) as { type?: string; message?: { content?: unknown } };
          const c = r.message?.content;
          return n + (r.type === "assistant" && Array.isArray(c) ? c.filter((b) => (b as { type?: string }).type === "tool_use").length : 0);
        } catch {
          return n;
        }
      }, 0);
      expect(s.messages.flatMap((m) => m.toolCalls).length, f).toBe(want);
      expect(resultsBeforeCalls(s), f).toEqual([]);
      calls += want;
      if (s.messages.some((m) => m.role === "user" && m.text.length) && s.messages.some((m) => m.role === "assistant" && m.text.length)) withText++;
      if (s.messages.length) expect(s.id, f).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(calls).toBeGreaterThan(200);
    expect(withText).toBeGreaterThan(files.length / 3);
  });

  it("Codex: every rollout's function and custom tool calls become tool calls with their outputs; injected context is not user text", () => {
    const files = walk(path.join(CORPUS, "codex"), (f) => /rollout-.*\.jsonl$/.test(f));
    let calls = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const s = readCodexRollout(Buffer.from(text), f);
      const want = count(text, /"type":"(function_call|custom_tool_call)",/g);
      expect(s.messages.flatMap((m) => m.toolCalls).length, f).toBe(want);
      expect(resultsBeforeCalls(s), f).toEqual([]);
      expect(s.id, f).toMatch(/^[0-9a-f-]{36}$/);
      expect(s.root, f).toBeTruthy();
      for (const m of s.messages) for (const t of m.text) expect(t.startsWith("<environment_context>"), f).toBe(false);
      calls += want;
    }
    expect(calls).toBeGreaterThan(500);
  });

  it("Gemini: every chat's messages as Gemini reads them; tool calls answered by the user message after them", () => {
    const files = walk(path.join(CORPUS, "gemini"), (f) => /chats[\\/][^\\/]+\.jsonl?$/.test(f));
    let calls = 0;
    for (const f of files) {
      const s = readGeminiChatSession(readFileSync(f), f) as CanonicalSession;
      const doc = JSON.parse(readFileSync(f, "utf8")) as { sessionId: string; messages: { type: string; toolCalls?: unknown[] }[] };
      expect(s.id).toBe(doc.sessionId);
      const want = doc.messages.filter((m) => m.type === "gemini").reduce((n, m) => n + (m.toolCalls?.length ?? 0), 0);
      expect(s.messages.flatMap((m) => m.toolCalls).length, f).toBe(want);
      expect(resultsBeforeCalls(s), f).toEqual([]);
      const typed = doc.messages.filter((m) => {
        const c = (m as { content?: unknown }).content;
        return (
          m.type === "user" &&
          (typeof c === "string"
            ? c.trim() !== ""
            : Array.isArray(c) && c.some((p) => typeof (p as { text?: unknown }).text === "string" && (p as { text: string }).text.trim() !== ""))
        );
      });
      expect(s.messages.filter((m) => m.role === "user" && m.text.length).length, f).toBe(typed.length);
      calls += want;
    }
    expect(calls).toBeGreaterThan(50);
  });
});

describe.skipIf(!HAS)("compaction points on the corpus (issue 13, scope 2)", () => {
  it("Claude Code: a compacted transcript's compaction point is its last compact summary, and the session from there starts with it", () => {
    const files = walk(path.join(CORPUS, "claude"), (f) => f.endsWith(".jsonl") && !f.includes(`${path.sep}subagents${path.sep}`));
    let compacted = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const summaries = count(text, /"isCompactSummary":true/g);
      const s = readClaudeTranscript(Buffer.from(text), f);
      expect(s.compaction === undefined, f).toBe(summaries === 0);
      if (!s.compaction) continue;
      compacted++;
      const at = s.messages[s.compaction.at]!;
      expect(at.role).toBe("user");
      expect((at.raw as { isCompactSummary?: boolean }[]).some((r) => r.isCompactSummary)).toBe(true);
      // the last one: no compact summary after it
      expect(s.messages.slice(s.compaction.at + 1).some((m) => (m.raw as { isCompactSummary?: boolean }[]).some((r) => r.isCompactSummary))).toBe(false);
      const from = fromLastCompaction(s);
      expect(from.compaction).toBeUndefined();
      expect(from.messages[0]).toBe(at);
      expect(from.messages.length).toBe(s.messages.length - s.compaction.at);
      // the title is the first prompt, not the summary
      expect(s.title ?? "").not.toMatch(/^This session is being continued/);
    }
    expect(compacted).toBeGreaterThan(0);
  });
});

describe("fromLastCompaction", () => {
  it("is the compaction's history then the messages from its point, for any point; a session never compacted is itself", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 12 }), fc.array(fc.string(), { maxLength: 4 }), fc.nat(), (texts, hist, n) => {
        const msg = (t: string) => ({ ...emptyMessage("user"), text: [t] });
        const messages = texts.map(msg);
        const history = hist.map(msg);
        const at = messages.length ? n % (messages.length + 1) : 0;
        const s: CanonicalSession = { id: "x", agent: "codex", path: "/x", messages };
        expect(fromLastCompaction(s)).toBe(s);
        const from = fromLastCompaction({ ...s, compaction: { at, history } });
        expect(from.compaction).toBeUndefined();
        expect(from.messages).toEqual([...history, ...messages.slice(at)]);
        for (const m of messages.slice(0, at)) expect(from.messages.includes(m)).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("the readers on hand-made lines", () => {
  it("Claude Code: lines of one API message join; isMeta text and thinking are no text; a summary is the title", () => {
    const l = (o: object) => JSON.stringify(o);
    const bytes = Buffer.from(
      [
        l({ type: "summary", summary: "Fix the build" }),
        l({ type: "user", isMeta: true, sessionId: "s-1", cwd: "/r", timestamp: "2026-01-01T00:00:00Z", message: { role: "user", content: "<caveat>" } }),
        l({ type: "user", sessionId: "s-1", cwd: "/r", gitBranch: "main", timestamp: "2026-01-01T00:00:01Z", message: { role: "user", content: "build it" } }),
        l({
          type: "assistant",
          timestamp: "2026-01-01T00:00:02Z",
          message: { id: "msg_1", role: "assistant", model: "claude-x", content: [{ type: "thinking", thinking: "hm" }] },
        }),
        l({ type: "assistant", timestamp: "2026-01-01T00:00:02Z", message: { id: "msg_1", role: "assistant", content: [{ type: "text", text: "running" }] } }),
        l({
          type: "assistant",
          timestamp: "2026-01-01T00:00:03Z",
          message: { id: "msg_1", role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "make" } }] },
        }),
        l({
          type: "user",
          timestamp: "2026-01-01T00:00:04Z",
          message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "ok" }], is_error: true }] },
        }),
        "not json",
      ].join("\n"),
    );
    const s = readClaudeTranscript(bytes, "/x/s-1.jsonl");
    expect(s).toMatchObject({
      id: "s-1",
      agent: "claude",
      root: "/r",
      title: "Fix the build",
      gitBranch: "main",
      model: "claude-x",
      started: "2026-01-01T00:00:01Z",
      updated: "2026-01-01T00:00:04Z",
    });
    expect(s.messages.map((m) => [m.role, m.text, m.toolCalls.map((c) => c.id), m.toolResults])).toEqual([
      ["user", ["build it"], [], []],
      ["assistant", ["running"], ["t1"], []],
      ["user", [], [], [{ callId: "t1", output: "ok", isError: true }]],
    ]);
    expect(s.messages[1]!.toolCalls[0]!.input).toEqual({ command: "make" });
  });

  it("Codex: arguments become an object, calls join the assistant message, outputs the user message after it", () => {
    const l = (o: object) => JSON.stringify(o);
    const id = "019b0000-0000-7000-8000-000000000001";
    const bytes = Buffer.from(
      [
        l({ timestamp: "t0", type: "session_meta", payload: { id, cwd: "/r", git: { branch: "dev" } } }),
        l({ timestamp: "t1", type: "turn_context", payload: { model: "gpt-5" } }),
        l({
          timestamp: "t1",
          type: "response_item",
          payload: { type: "message", role: "user", content: [{ type: "input_text", text: "<environment_context><cwd>/r</cwd></environment_context>" }] },
        }),
        l({ timestamp: "t2", type: "response_item", payload: { type: "message", role: "user", content: [{ type: "input_text", text: "list files" }] } }),
        l({ timestamp: "t2", type: "event_msg", payload: { type: "user_message", message: "list files" } }),
        l({ timestamp: "t3", type: "response_item", payload: { type: "message", role: "assistant", content: [{ type: "output_text", text: "sure" }] } }),
        l({ timestamp: "t4", type: "response_item", payload: { type: "function_call", name: "shell", arguments: '{"command":["ls"]}', call_id: "c1" } }),
        l({ timestamp: "t5", type: "response_item", payload: { type: "function_call_output", call_id: "c1", output: '{"output":"a","metadata":{"exit_code":2}}' } }),
      ].join("\n"),
    );
    const s = readCodexRollout(bytes, `/s/rollout-x-${id}.jsonl`);
    expect(s).toMatchObject({ id, agent: "codex", root: "/r", title: "list files", model: "gpt-5", gitBranch: "dev" });
    expect(s.messages.map((m) => [m.role, m.text, m.toolCalls, m.toolResults.map((r) => [r.callId, r.isError])])).toEqual([
      ["user", ["list files"], [], []],
      ["assistant", ["sure"], [{ id: "c1", name: "shell", input: { command: ["ls"] } }], []],
      ["user", [], [], [["c1", true]]],
    ]);
  });

  it("Gemini: a rewind removes messages, info messages are not read, results follow their calls; a chat Gemini cannot read is undefined", () => {
    const l = (o: object) => JSON.stringify(o);
    const bytes = Buffer.from(
      [
        l({ sessionId: "g-1", projectHash: "h", startTime: "t0", lastUpdated: "t0" }),
        l({ id: "a", timestamp: "t1", type: "user", content: [{ text: "first" }] }),
        l({ id: "b", timestamp: "t2", type: "user", content: [{ text: "gone" }] }),
        l({ $rewindTo: "b" }),
        l({ id: "c", timestamp: "t3", type: "info", content: "note" }),
        l({
          id: "d",
          timestamp: "t4",
          type: "gemini",
          content: "reading",
          model: "gemini-x",
          toolCalls: [
            {
              id: "r1",
              name: "read_file",
              args: { file_path: "/r/a" },
              result: [{ functionResponse: { id: "r1", name: "read_file", response: { error: "nope" } } }],
              status: "error",
            },
          ],
        }),
        l({ $set: { lastUpdated: "t9", summary: "Reading a" } }),
      ].join("\n"),
    );
    const s = readGeminiChatSession(bytes, "/t/p/chats/session-x-g1.jsonl")!;
    expect(s).toMatchObject({ id: "g-1", agent: "gemini", title: "Reading a", started: "t0", updated: "t9", model: "gemini-x" });
    expect(s.messages.map((m) => [m.role, m.text, m.toolCalls.map((c) => c.id), m.toolResults])).toEqual([
      ["user", ["first"], [], []],
      ["assistant", ["reading"], ["r1"], []],
      ["user", [], [], [{ callId: "r1", output: "nope", isError: true }]],
    ]);
    expect(readGeminiChatSession(Buffer.from("{not json"), "/t/p/chats/session-x.json")).toBeUndefined();
  });

  it("every agent lists its store's sessions and names an id from a path", () => {
    expect(
      AGENTS.map((a) =>
        a.idOfPath(
          a.id === "claude"
            ? "/p/k/0f0501ed-ab2c-47db-b6f0-b25ba98ff82c.jsonl"
            : a.id === "codex"
              ? "/s/2026/01/02/rollout-2026-01-02T10-00-00-019b0000-0000-7000-8000-000000000001.jsonl"
              : "/g/tmp/p/chats/session-2026-01-02T10-00-0f0501ed.jsonl",
        ),
      ),
    ).toEqual(["0f0501ed-ab2c-47db-b6f0-b25ba98ff82c", "019b0000-0000-7000-8000-000000000001", "0f0501ed"]);
    for (const a of AGENTS) expect(a.sessionPaths({ HOME: "/nonexistent-git-ctx-home" })).toEqual([]);
  });
});
