import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readGeminiChat, unpairedTools, type CanonicalSession } from "../../src/agents/index.js";
import { readClaudeTranscript } from "../../src/agents/claude/read.js";
import { readCodexRollout } from "../../src/agents/codex/read.js";
import { readGeminiChatSession } from "../../src/agents/gemini/read.js";
import { chatFileName, writeGeminiChat } from "../../src/agents/gemini/write.js";
import { CORPUS } from "../helpers/env.js";

/**
 * Issue 13, scope 3 (Gemini as the target): the chat the writer makes is one Gemini reads and
 * keeps (metadata with `sessionId` and `projectHash`, `type: "gemini"` messages, each tool call
 * with its result), and read back it holds the source's text and calls.
 */

const walk = (dir: string, ok: (f: string) => boolean): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p, ok) : ok(p) ? [p] : [];
  });

const HAS = existsSync(path.join(CORPUS, "claude")) && existsSync(path.join(CORPUS, "codex"));

describe("the Gemini writer", () => {
  it("names the file as Gemini does", () => {
    expect(chatFileName("0f0501ed-ab2c-47db-b6f0-b25ba98ff82c", new Date(2026, 0, 2, 9, 5))).toBe("session-2026-01-02T09-05-0f0501ed.jsonl");
  });

  it.skipIf(!HAS)("writes corpus Claude Code and Codex sessions into chats Gemini reads with every text and call, each call with its result", () => {
    const sources: CanonicalSession[] = [
      ...walk(path.join(CORPUS, "claude"), (f) => f.endsWith(".jsonl") && !f.includes("subagents")).map((f) => readClaudeTranscript(readFileSync(f), f)),
      ...walk(path.join(CORPUS, "codex"), (f) => /rollout-.*\.jsonl$/.test(f)).map((f) => readCodexRollout(readFileSync(f), f)),
    ].filter((s) => s.messages.length);
    expect(sources.length).toBeGreaterThan(30);
    for (const s of sources) {
      const w = writeGeminiChat(s, "/home/b/proj");
      const chat = readGeminiChat(w.bytes, true)!;
      expect(chat.meta).toMatchObject({ sessionId: w.id, projectHash: createHash("sha256").update("/home/b/proj").digest("hex"), kind: "main" });
      for (const m of chat.messages) expect(["user", "gemini"]).toContain(m.record.type);
      const back = readGeminiChatSession(w.bytes, `/t/p/chats/${w.name}`)!;
      expect(back.messages.flatMap((m) => m.toolCalls).length, s.path).toBe(s.messages.flatMap((m) => m.toolCalls).length);
      expect(unpairedTools(back).calls, s.path).toEqual([]);
      const got = back.messages.flatMap((m) => m.text).join("\n");
      for (const t of s.messages.flatMap((m) => m.text).filter((x) => x.trim())) expect(got.includes(t.trim()), `${s.path}: text lost`).toBe(true);
    }
  });
});
