import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanBytes } from "../../src/scan/index.js";
import { seeds } from "../../bench/scan.seeds.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Properties of the scanner over generated surroundings: a seeded credential placed in any
 * realistic text (words, JSON, escapes, newlines) is found at its line, in plain and JSON-escaped
 * form, and the findings never contain it.
 */
const SEEDS = seeds(1234);
const TOKEN_SEEDS = SEEDS.filter((s) => s.bare);

/** Filler text: words, punctuation, JSON fragments, real and escaped newlines. Never glues a token char to the secret (separators below). */
const filler = fc
  .array(fc.constantFrom("ls", "-la", "src/", "README.md", "{", "}", '"k":', "1234", "ok", " ", " ", "\n", "\t", "error:", "✓", "é", "=", "→", "\\n", "[", "]"), { maxLength: 40 })
  .map((a) => a.join(""));
const sep = fc.constantFrom(" ", "\n", '"', "'", "=", ": ", "(", "\t", "<");
const sepAfter = fc.constantFrom(" ", "\n", '"', "'", ";", ")", "\t", ">", ",");

describe("scanner properties", () => {
  it("finds a token-shaped secret anywhere, at the right line, plain and escaped, never showing it", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOKEN_SEEDS), filler, sep, sepAfter, filler, fc.boolean(), (s, pre, a, b, post, escaped) => {
        const plain = `${pre}${a}${s.secret}${b}${post}`;
        const text = escaped ? JSON.stringify({ type: "tool_result", content: plain }) : plain;
        const line = escaped ? 1 : pre.split("\n").length + (a === "\n" ? 1 : 0);
        const found = scanBytes(Buffer.from(text), "f");
        expect(
          found.some((f) => f.rule === s.rule && f.line === line),
          `${s.rule} in ${JSON.stringify(text.slice(0, 200))}`,
        ).toBe(true);
        expect(JSON.stringify(found).includes(s.secret)).toBe(false);
      }),
      { numRuns: Math.min(NUM_RUNS, 20_000) },
    );
  });

  it("is total on arbitrary bytes and never reports a position past the end", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (u) => {
        const b = Buffer.from(u);
        const lines = b.toString("latin1").split("\n").length;
        for (const f of scanBytes(b, "x")) expect(f.line).toBeLessThanOrEqual(lines);
      }),
      { numRuns: Math.min(NUM_RUNS, 20_000) },
    );
  });
});
