import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { unpairedTools, type CanonicalSession } from "../../src/agents/index.js";
import { readClaudeTranscript } from "../../src/agents/claude/read.js";
import { readCodexRollout } from "../../src/agents/codex/read.js";
import { rolloutRelPath, uuidv7, writeCodexRollout } from "../../src/agents/codex/write.js";
import { readGeminiChatSession } from "../../src/agents/gemini/read.js";
import { CORPUS } from "../helpers/env.js";

/**
 * Issue 13, scope 3 (Codex as the target): the rollout the writer makes keeps Codex's rules
 * (FORMATS.md, "Codex CLI"): a UUIDv7 id in the file name, session_meta then turn_context, a
 * timestamp on every line, a user_message event per user text, each function_call followed by
 * its output with the same call_id before the next assistant item; read back it holds the
 * source's text and calls.
 */

const walk = (dir: string, ok: (f: string) => boolean): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p, ok) : ok(p) ? [p] : [];
  });

type Item = { timestamp?: string; type: string; payload: { type?: string; role?: string; id?: string; call_id?: string; arguments?: unknown } };

function checkRules(bytes: Buffer, id: string): void {
  const items = bytes
    .toString("utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Item);
  expect(items[0]!.type).toBe("session_meta");
  expect(items[0]!.payload.id).toBe(id);
  expect(items[1]!.type).toBe("turn_context");
  for (const i of items) expect(typeof i.timestamp).toBe("string");
  let open: string[] = [];
  for (const i of items) {
    const p = i.payload;
    if (i.type !== "response_item") continue;
    if (p.type === "function_call") {
      expect(typeof p.arguments).toBe("string");
      open.push(p.call_id!);
    } else if (p.type === "function_call_output") {
      expect(open).toContain(p.call_id);
      open = open.filter((x) => x !== p.call_id);
    } else expect(open, "an item before the outputs of the calls before it").toEqual([]);
  }
  expect(open).toEqual([]);
  const users = items.filter((i) => i.type === "response_item" && i.payload.role === "user").length;
  expect(items.filter((i) => i.type === "event_msg" && i.payload.type === "user_message").length).toBe(users);
}

const HAS = existsSync(path.join(CORPUS, "claude")) && existsSync(path.join(CORPUS, "gemini"));

describe("the Codex writer", () => {
  it("makes UUIDv7 ids and Codex's file names", () => {
    const id = uuidv7(Date.UTC(2026, 0, 2, 10));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 2, 10));
    expect(rolloutRelPath(id, new Date(2026, 0, 2, 9, 5, 7))).toBe(`2026/01/02/rollout-2026-01-02T09-05-07-${id}.jsonl`);
  });

  it.skipIf(!HAS)("writes corpus Claude Code and Gemini sessions into rollouts that keep Codex's rules and hold every text and call", () => {
    const sources: CanonicalSession[] = [
      ...walk(path.join(CORPUS, "claude"), (f) => f.endsWith(".jsonl") && !f.includes("subagents")).map((f) => readClaudeTranscript(readFileSync(f), f)),
      ...walk(path.join(CORPUS, "gemini"), (f) => /chats[\\/][^\\/]+\.json$/.test(f)).map((f) => readGeminiChatSession(readFileSync(f), f)!),
    ].filter((s) => s.messages.length);
    expect(sources.length).toBeGreaterThan(30);
    for (const s of sources) {
      const w = writeCodexRollout(s, "/home/b/proj");
      checkRules(w.bytes, w.id);
      const back = readCodexRollout(w.bytes, `/s/${w.rel}`);
      expect(back.id).toBe(w.id);
      expect(back.root).toBe("/home/b/proj");
      expect(back.messages.flatMap((m) => m.toolCalls).length, s.path).toBe(s.messages.flatMap((m) => m.toolCalls).length);
      expect(unpairedTools(back), s.path).toEqual({ calls: [], results: [] });
      const got = back.messages.flatMap((m) => m.text).join("\n");
      for (const t of s.messages.flatMap((m) => m.text).filter((x) => x.trim())) expect(got.includes(t), `${s.path}: text lost`).toBe(true);
    }
  });
});
