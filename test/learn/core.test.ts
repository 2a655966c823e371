import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyMessage, type CanonicalSession } from "../../src/agents/index.js";
import { uuidv7 } from "../../src/agents/codex/write.js";
import { conversionId, conversionRandom, isConversionOf } from "../../src/agents/resume.js";
import {
  appendEntries,
  buildPrompts,
  EXTRACTION_PROMPT,
  formatEntry,
  formatSeen,
  knownLearnings,
  learningKey,
  LEARNINGS_HEADER,
  modelInvocation,
  newTurns,
  normalizeLearning,
  parseBullets,
  parseSeen,
} from "../../src/learn/index.js";
import { NUM_RUNS } from "../helpers/env.js";

/** Issue 14, scope 1: the pure core of `git ctx learn`. */

const session = (texts: ["user" | "assistant", string][]): CanonicalSession => ({
  id: "s-1",
  agent: "codex",
  path: "/x",
  messages: texts.map(([role, t]) => {
    const m = emptyMessage(role);
    if (t) m.text.push(t);
    else m.toolCalls.push({ id: "c", name: "shell", input: {} });
    return m;
  }),
});

describe("learn core", () => {
  it("newTurns: only text after the cursor; tool-only messages move the cursor but give no turn", () => {
    const s = session([
      ["user", "a"],
      ["assistant", ""],
      ["assistant", "b"],
      ["user", "c"],
    ]);
    expect(newTurns(s).turns.map((t) => t.text)).toEqual(["a", "b", "c"]);
    expect(newTurns(s, 2)).toMatchObject({
      key: "codex:s-1",
      cursor: 4,
      turns: [
        { role: "assistant", text: "b" },
        { role: "user", text: "c" },
      ],
    });
    expect(newTurns(s, 4).turns).toEqual([]);
    expect(newTurns(s, 99).turns).toEqual([]);
  });

  it("buildPrompts: every turn once, in order, each chunk within the budget and starting with the prompt (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ minLength: 1, maxLength: 300 }), { maxLength: 6 }), { maxLength: 5 }),
        fc.integer({ min: 1_500, max: 4_000 }),
        (sessions, budget) => {
          const ns = sessions.map((ts, i) => ({
            key: `k${i}`,
            agent: "claude",
            session: `s${i}`,
            cursor: ts.length,
            turns: ts.map((text, j) => ({ role: (j % 2 ? "assistant" : "user") as "user" | "assistant", text: `T${i}.${j}:${text}` })),
          }));
          const chunks = buildPrompts(ns, budget);
          for (const c of chunks) {
            expect(c.startsWith(EXTRACTION_PROMPT)).toBe(true);
            expect(c.length).toBeLessThanOrEqual(Math.max(budget, EXTRACTION_PROMPT.length + 1_000) + 400);
          }
          const all = chunks.join("\n");
          let at = 0;
          for (const s of ns)
            for (const t of s.turns) {
              const i = all.indexOf(t.text, at);
              expect(i).toBeGreaterThanOrEqual(at);
              at = i;
            }
          if (ns.every((s) => s.turns.length === 0)) expect(chunks).toEqual([]);
        },
      ),
      { numRuns: Math.max(200, Math.floor(NUM_RUNS / 20)) },
    );
  });

  it("parseBullets: bullet lines only, markers removed, '(none)' dropped", () => {
    expect(parseBullets("Here you go:\n- Use pnpm, not npm.\n* tests need DOCKER_HOST\n  2. keep   it\n- (none)\n-\ntext")).toEqual([
      "Use pnpm, not npm.",
      "tests need DOCKER_HOST",
      "keep it",
    ]);
    expect(parseBullets("- (none)")).toEqual([]);
  });

  it("entries: provenance without host, dedupe ignoring provenance, case, spacing, final punctuation; the user's bytes kept", () => {
    const e = formatEntry("Use pnpm, not npm.", { date: new Date("2026-12-03T10:00:00Z"), agent: "gemini", session: "0f0501ed-ab2c" });
    expect(e).toBe("- Use pnpm, not npm. _(2026-12-03, gemini session 0f0501ed)_");
    expect(knownLearnings(`# mine\r\n${e}\r\n- Other`)).toEqual(new Set(["use pnpm not npm", "other"]));
    expect(normalizeLearning("  use `PNPM`;   not npm! ")).toBe("use pnpm not npm");
    expect(normalizeLearning("Größe: 3 Ä")).toBe("größe 3 ä");
    expect(appendEntries("", [e])).toBe(`${LEARNINGS_HEADER}${e}\n`);
    expect(appendEntries("# mine\r\n- x", [e])).toBe(`# mine\r\n- x\r\n${e}\r\n`);
    expect(appendEntries("keep\n", [])).toBe("keep\n");
  });

  it("modelInvocation: each agent's no-persistence flag where it has one, once; other programs as they are (issue 23)", () => {
    const c = (x: string) => modelInvocation(x).command;
    expect(c("claude -p")).toBe("claude --no-session-persistence -p");
    expect(c("ANTHROPIC_MODEL=x '/opt/my tools/claude' --print")).toBe("ANTHROPIC_MODEL=x '/opt/my tools/claude' --no-session-persistence --print");
    expect(c("claude -p --no-session-persistence")).toBe("claude -p --no-session-persistence");
    expect(c("claude")).toBe("claude"); // not print mode: the flag would not apply
    expect(c("codex exec")).toBe("codex exec --ephemeral");
    expect(c("/usr/bin/codex e -m o3")).toBe("/usr/bin/codex e --ephemeral -m o3");
    expect(c("codex exec --ephemeral")).toBe("codex exec --ephemeral");
    expect(c("node model.mjs -p")).toBe("node model.mjs -p");
    expect(modelInvocation("gemini -p")).toEqual({ command: "gemini -p", program: "gemini" });
    expect(modelInvocation("/usr/bin/Claude.exe -p").program).toBe("claude");
  });

  it("seen keys: a hash of the normalised text (no text kept), read back whatever the order, comments and duplicates", () => {
    expect(learningKey("Use pnpm, not npm.")).toBe(learningKey("use PNPM not npm"));
    expect(learningKey("Use pnpm, not npm.")).toMatch(/^[0-9a-f]{16}$/);
    expect(learningKey("a")).not.toBe(learningKey("b"));
    const keys = [learningKey("b"), learningKey("a"), learningKey("a")];
    const text = formatSeen(keys);
    expect(text).not.toMatch(/pnpm/);
    expect(parseSeen(text)).toEqual(new Set(keys));
    expect(parseSeen(`${keys[0]}\r\n# x\n\n${keys[1]}\n${keys[0]}\n`)).toEqual(new Set(keys));
    expect(formatSeen(keys)).toBe(formatSeen([...keys].reverse()));
  });

  it("isConversionOf: the ids git ctx resume derives for each target agent, and no other", () => {
    const src = { agent: "codex" as const, id: "019b0000-0000-7000-8000-000000000001" };
    expect(isConversionOf({ agent: "claude", id: conversionId(src, "claude") }, src)).toBe(true);
    expect(isConversionOf({ agent: "gemini", id: conversionId(src, "gemini") }, src)).toBe(true);
    expect(isConversionOf({ agent: "gemini", id: conversionId(src, "claude") }, src)).toBe(false);
    expect(isConversionOf({ agent: "codex", id: src.id }, src)).toBe(false);
    const claude = { agent: "claude" as const, id: "0f0501ed-ab2c-47db-b6f0-b25ba98ff82c" };
    // a Codex conversion's id is a UUIDv7 of the day it was made, its other bits the conversion's
    expect(isConversionOf({ agent: "codex", id: uuidv7(Date.UTC(2026, 11, 6), conversionRandom(claude, "codex")) }, claude)).toBe(true);
    expect(isConversionOf({ agent: "codex", id: uuidv7(Date.UTC(2026, 11, 6)) }, claude)).toBe(false);
    expect(isConversionOf({ agent: "claude", id: "0f0501ed-ab2c-47db-b6f0-b25ba98ff82d" }, claude)).toBe(false);
  });
});
