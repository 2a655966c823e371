import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyMessage, type CanonicalSession } from "../../src/agents/index.js";
import { appendEntries, buildPrompts, EXTRACTION_PROMPT, formatEntry, knownLearnings, LEARNINGS_HEADER, newTurns, normalizeLearning, parseBullets } from "../../src/learn/index.js";
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
});
