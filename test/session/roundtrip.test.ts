import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalSession } from "../../src/agents/index.js";
import { readClaudeTranscript } from "../../src/agents/claude/read.js";
import { writeClaudeTranscript } from "../../src/agents/claude/write.js";
import { isInjectedContext, readCodexRollout } from "../../src/agents/codex/read.js";
import { writeCodexRollout } from "../../src/agents/codex/write.js";
import { readGeminiChatSession } from "../../src/agents/gemini/read.js";
import { writeGeminiChat } from "../../src/agents/gemini/write.js";
import { CORPUS } from "../helpers/env.js";

/**
 * Issue 13, scope 4: the round-trip matrix over the corpus. Every corpus session of each agent is
 * read, written by each agent's writer (the same agent included) and read back with that agent's
 * reader. What comes back must be what went in, except for the losses each writer declares below
 * (the same list as docs/architecture.md, "What each writer cannot carry"): the test applies the
 * declared losses to the source and then demands equality, so an undeclared loss fails it.
 *
 * Compared: the conversation as a stream of text turns (role and text, adjacent texts of one role
 * joined by a blank line, so how a writer splits a turn into messages is not compared), the tool
 * calls in order (name and input), and for each call its result (output and error flag).
 */

type Target = "claude" | "codex" | "gemini";

/** What a reader gives back, reduced to what a conversion promises to keep. */
interface Stream {
  turns: { role: "user" | "assistant"; text: string }[];
  calls: { name: string; input: unknown }[];
  results: ({ output: string; isError: boolean } | null)[];
}

const NO_RESULT = "(no result was recorded for this call)";

/**
 * The losses each writer declares, as a change to the source's stream. `unanswered` and `orphan`
 * are common to all three targets: every API needs a result after each call (a call the source
 * never answered gets an error result saying so) and a result whose call is not in the session
 * cannot be a tool result (it becomes user text).
 */
const DECLARED: Record<
  Target,
  { losses: string[]; input: (x: unknown) => unknown; isError: (r: { output: string; isError: boolean }) => boolean; dropText: (role: string, t: string) => boolean }
> = {
  claude: {
    losses: [
      "a tool input that is not a JSON object is wrapped as {input: <value>} (the API takes objects only)",
      "tool call ids outside [A-Za-z0-9_-] are renamed (consistently)",
      "the model, when it is not a Claude model, and the title (Claude Code's summary lines)",
    ],
    input: (x) => (x && typeof x === "object" && !Array.isArray(x) ? x : { input: x }),
    isError: (r) => r.isError,
    dropText: () => false,
  },
  codex: {
    losses: [
      "the error flag of a tool result (function_call_output has none; Codex's reader sees an error only in a non-zero exit_code in the output's metadata)",
      "a tool input that is a string holding JSON reads back parsed (arguments is a JSON string)",
      "user text that starts like the context Codex injects (<environment_context>, # AGENTS.md instructions, <user_instructions>, <INSTRUCTIONS>) reads back as injected context",
      "the model, when it is not an OpenAI model",
    ],
    input: (x) => {
      if (typeof x !== "string") return x ?? {};
      try {
        return JSON.parse(x) as unknown;
      } catch {
        return x;
      }
    },
    isError: (r) => {
      try {
        const o = JSON.parse(r.output) as { metadata?: { exit_code?: unknown } };
        return typeof o?.metadata?.exit_code === "number" && o.metadata.exit_code !== 0;
      } catch {
        return false;
      }
    },
    dropText: (role, t) => role === "user" && isInjectedContext(t),
  },
  gemini: {
    losses: ["a tool input that is not a JSON object is wrapped as {input: <value>}", "the model, when it is not a Gemini model"],
    input: (x) => (x && typeof x === "object" && !Array.isArray(x) ? x : { input: x }),
    isError: (r) => r.isError,
    dropText: () => false,
  },
};

/** Adds a text turn, joining it to the last one of the same role. */
function addTurn(turns: Stream["turns"], role: "user" | "assistant", text: string): void {
  const last = turns[turns.length - 1];
  if (last && last.role === role) last.text += `\n\n${text}`;
  else turns.push({ role, text });
}

/** What a reader's session holds (the read-back side). */
function streamOf(s: CanonicalSession): Stream {
  const turns: Stream["turns"] = [];
  const calls: Stream["calls"] = [];
  const ids: string[] = [];
  const byId = new Map<string, { output: string; isError: boolean }>();
  for (const m of s.messages) {
    for (const r of m.toolResults) if (!byId.has(r.callId)) byId.set(r.callId, { output: r.output, isError: r.isError });
    for (const t of m.text) addTurn(turns, m.role, t);
    for (const c of m.toolCalls) {
      calls.push({ name: c.name, input: c.input });
      ids.push(c.id);
    }
  }
  return { turns, calls, results: ids.map((id) => byId.get(id) ?? null) };
}

/** What the source should read back as in `target`, the declared losses applied. */
function expectedIn(s: CanonicalSession, target: Target): Stream {
  const d = DECLARED[target];
  const turns: Stream["turns"] = [];
  const calls: Stream["calls"] = [];
  const ids: string[] = [];
  const called = new Set(s.messages.flatMap((m) => m.toolCalls.map((c) => c.id)));
  const byId = new Map<string, { output: string; isError: boolean }>();
  for (const m of s.messages) for (const r of m.toolResults) if (called.has(r.callId) && !byId.has(r.callId)) byId.set(r.callId, r);
  for (const m of s.messages) {
    // a result whose call is not in the session, or a call's second result: user text (every target)
    const orphans = m.toolResults.filter((r) => byId.get(r.callId) !== r).map((r) => `[tool result${r.isError ? " (error)" : ""}]\n${r.output}`);
    for (const t of [...orphans, ...m.text]) if (!d.dropText(m.role, t)) addTurn(turns, m.role, t);
    for (const c of m.toolCalls) {
      calls.push({ name: c.name || "tool", input: d.input(c.input) });
      ids.push(c.id);
    }
  }
  const results = ids.map((id) => {
    const r = byId.get(id);
    // a call the source never answered: an error result saying so (every target)
    if (!r) return { output: NO_RESULT, isError: target !== "codex" };
    return { output: r.output, isError: d.isError(r) };
  });
  return { turns, calls, results };
}

/** Writes `s` with `target`'s writer and reads it back with `target`'s reader. */
function roundTrip(s: CanonicalSession, target: Target): CanonicalSession {
  const root = "/home/u/proj";
  if (target === "claude") return readClaudeTranscript(writeClaudeTranscript(s, root).bytes, "/x/s.jsonl");
  if (target === "codex") return readCodexRollout(writeCodexRollout(s, root).bytes, "/x/r.jsonl");
  const back = readGeminiChatSession(writeGeminiChat(s, root).bytes, "/x/c.jsonl");
  if (!back) throw new Error("Gemini cannot read the chat written");
  return back;
}

const walk = (dir: string, ok: (f: string) => boolean): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p, ok) : ok(p) ? [p] : [];
  });

const HAS = ["claude", "codex", "gemini"].every((a) => existsSync(path.join(CORPUS, a)));

/** Every corpus session of each agent (main sessions; Claude Code's subagent transcripts are not sessions a user resumes). */
function corpus(): CanonicalSession[] {
  return [
    ...walk(path.join(CORPUS, "claude"), (f) => f.endsWith(".jsonl") && !f.includes(`${path.sep}subagents${path.sep}`)).map((f) => readClaudeTranscript(readFileSync(f), f)),
    ...walk(path.join(CORPUS, "codex"), (f) => /rollout-.*\.jsonl$/.test(f)).map((f) => readCodexRollout(readFileSync(f), f)),
    ...walk(path.join(CORPUS, "gemini"), (f) => /chats[\\/][^\\/]+\.jsonl?$/.test(f)).flatMap((f) => readGeminiChatSession(readFileSync(f), f) ?? []),
  ].filter((s) => s.messages.length);
}

describe.skipIf(!HAS)("the round-trip matrix over the corpus (issue 13, scope 4)", () => {
  const sessions = HAS ? corpus() : [];
  for (const target of ["claude", "codex", "gemini"] as const) {
    it(`every corpus session → ${target} → read back: all turns, calls and results, but for ${target}'s declared losses`, () => {
      const bySource: Record<string, number> = {};
      for (const s of sessions) {
        const back = streamOf(roundTrip(s, target));
        const want = expectedIn(s, target);
        expect(back.turns, `${s.path} → ${target}: turns`).toEqual(want.turns);
        expect(back.calls, `${s.path} → ${target}: calls`).toEqual(want.calls);
        expect(back.results, `${s.path} → ${target}: results`).toEqual(want.results);
        bySource[s.agent] = (bySource[s.agent] ?? 0) + 1;
      }
      // the matrix is not empty on any side
      expect(Object.keys(bySource).sort()).toEqual(["claude", "codex", "gemini"]);
      expect(DECLARED[target].losses.length).toBeGreaterThan(0);
    });
  }
});
