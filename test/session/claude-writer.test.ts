import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { emptyMessage, unpairedTools, type CanonicalSession } from "../../src/agents/index.js";
import { readClaudeTranscript } from "../../src/agents/claude/read.js";
import { writeClaudeTranscript } from "../../src/agents/claude/write.js";
import { readCodexRollout } from "../../src/agents/codex/read.js";
import { readGeminiChatSession } from "../../src/agents/gemini/read.js";
import { CORPUS } from "../helpers/env.js";

/**
 * Issue 13, scope 3 (Claude Code as the target): the transcript the writer makes from any agent's
 * session keeps the rules Claude Code and the Messages API enforce (CROSS-AGENT.md): whole
 * assistant envelopes, object inputs, each call answered in the next user line, a parentUuid
 * chain, the real git branch or none, a final newline; read back, it holds the source's text and
 * calls.
 */

const walk = (dir: string, ok: (f: string) => boolean): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p, ok) : ok(p) ? [p] : [];
  });

type Line = {
  type: string;
  uuid: string;
  parentUuid: string | null;
  gitBranch?: string;
  message: { role: string; content: unknown; id?: string; type?: string; model?: string; stop_reason?: string; usage?: unknown };
};

/** The rules every written transcript keeps. */
function checkRules(bytes: Buffer, s: CanonicalSession): void {
  const text = bytes.toString("utf8");
  expect(text.endsWith("\n")).toBe(true);
  const lines = text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Line);
  let parent: string | null = null;
  let open: string[] = [];
  for (const l of lines) {
    expect(l.parentUuid).toBe(parent);
    parent = l.uuid;
    if (s.gitBranch) expect(l.gitBranch).toBe(s.gitBranch);
    else expect(l.gitBranch).toBeUndefined();
    const blocks = Array.isArray(l.message.content) ? (l.message.content as { type: string; id?: string; tool_use_id?: string; input?: unknown }[]) : [];
    if (l.type === "assistant") {
      expect(open).toEqual([]); // the previous calls were all answered
      expect(l.message).toMatchObject({ type: "message", role: "assistant" });
      expect(typeof l.message.id).toBe("string");
      expect(typeof l.message.model).toBe("string");
      expect(l.message.stop_reason).toMatch(/^(tool_use|end_turn)$/);
      expect(l.message.usage).toBeTruthy();
      for (const b of blocks) if (b.type === "tool_use") expect(typeof b.input === "object" && b.input !== null && !Array.isArray(b.input)).toBe(true);
      open = blocks.filter((b) => b.type === "tool_use").map((b) => b.id!);
    } else {
      const answered = blocks.filter((b) => b.type === "tool_result").map((b) => b.tool_use_id!);
      expect(answered.sort()).toEqual([...open].sort());
      open = [];
    }
  }
  expect(open).toEqual([]);
}

const HAS = existsSync(path.join(CORPUS, "codex")) && existsSync(path.join(CORPUS, "gemini"));

describe("the Claude Code writer", () => {
  it.skipIf(!HAS)("writes every corpus Codex and Gemini session (and Claude Code's own) into a transcript that keeps the API's rules and holds every text and call", () => {
    const sources: CanonicalSession[] = [
      ...walk(path.join(CORPUS, "codex"), (f) => /rollout-.*\.jsonl$/.test(f)).map((f) => readCodexRollout(readFileSync(f), f)),
      ...walk(path.join(CORPUS, "gemini"), (f) => /chats[\\/][^\\/]+\.json$/.test(f)).map((f) => readGeminiChatSession(readFileSync(f), f)!),
      ...walk(path.join(CORPUS, "claude"), (f) => f.endsWith(".jsonl") && !f.includes("subagents"))
        .slice(0, 15)
        .map((f) => readClaudeTranscript(readFileSync(f), f)),
    ].filter((s) => s.messages.length);
    expect(sources.length).toBeGreaterThan(30);
    for (const s of sources) {
      const w = writeClaudeTranscript(s, "/home/b/proj");
      checkRules(w.bytes, s);
      const back = readClaudeTranscript(w.bytes, `/x/${w.sessionId}.jsonl`);
      expect(back.id).toBe(w.sessionId);
      expect(back.messages.flatMap((m) => m.toolCalls).length, s.path).toBe(s.messages.flatMap((m) => m.toolCalls).length);
      expect(unpairedTools(back), s.path).toEqual({ calls: [], results: [] });
      const want = s.messages.flatMap((m) => m.text).filter((t) => t.trim());
      const got = back.messages.flatMap((m) => m.text).join("\n");
      for (const t of want) expect(got.includes(t), `${s.path}: text lost`).toBe(true);
    }
  });

  it("answers a call the source never answered with an error result, turns a result without a call into user text, and says so", () => {
    const a = emptyMessage("assistant", "2026-01-01T00:00:01Z");
    a.toolCalls.push({ id: "read_file-1.2", name: "read_file", input: "not an object" });
    const u = emptyMessage("user", "2026-01-01T00:00:02Z");
    u.text.push("go on");
    u.toolResults.push({ callId: "elsewhere", output: "attached file", isError: false });
    const s: CanonicalSession = { id: "g", agent: "gemini", path: "/p", messages: [a, u], gitBranch: "dev" };
    const w = writeClaudeTranscript(s, "/r");
    checkRules(w.bytes, s);
    expect(w.warnings.join("\n")).toMatch(/1 tool call\(s\) had no recorded result.*\n.*1 tool result\(s\) answered no call/);
    const lines = w.bytes
      .toString()
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    expect(lines.map((l) => l.type)).toEqual(["assistant", "user"]);
    expect(JSON.stringify(lines[0]!.message.content)).toContain('"input":{"input":"not an object"}');
    expect(JSON.stringify(lines[1]!.message.content)).toContain("attached file");
    expect(JSON.stringify(lines[1]!.message.content)).toContain("no result was recorded");
  });
});
