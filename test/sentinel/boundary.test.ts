import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { LINUX_NOHOME, WIN } from "./fixtures.js";

/**
 * Boundary rules as properties (docs/cluster-format.md, "Path boundaries"), on a machine without
 * the home tier so that only the root can match.
 */
const A: Anchors = LINUX_NOHOME; // root /home/me/src/proj
const W: Anchors = { ...WIN, rewriteHome: false }; // root C:\Users\me\dev\proj

const pathChar = fc.oneof(
  fc.constantFrom(..."abcxyzABCXYZ0189_-"),
  fc.integer({ min: 0x80, max: 0xff }).map((n) => String.fromCharCode(n)),
);
const nonPath = fc.constantFrom(..."/\\\"' \t\n\r,:;)]}!?#~*`<>|&=+@%$^({[".split(""));
const tailText = fc.stringMatching(/^[^A-Za-z0-9_.\-\x80-\xff]?[ -~]{0,12}$/);
const lat = (s: string) => Buffer.from(s, "latin1");

describe("boundary rules (properties)", () => {
  it("a path char after the root means another path: no root sentinel", () => {
    fc.assert(
      fc.property(pathChar, fc.string({ maxLength: 8 }), (p, rest) => {
        const out = canonicalize(lat(`"/home/me/src/proj${p}${rest}`), A).toString("latin1");
        expect(out.startsWith('"{{CC_PROJECT_ROOT')).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  it("`.` + path char after the root (proj.bak) is another path; `.` + anything else is a boundary", () => {
    fc.assert(
      fc.property(pathChar, nonPath, (p, q) => {
        expect(
          canonicalize(lat(`"/home/me/src/proj.${p}`), A)
            .toString("latin1")
            .startsWith('"{{CC_PROJECT_ROOT'),
        ).toBe(false);
        expect(
          canonicalize(lat(`"/home/me/src/proj.${q}`), A)
            .toString("latin1")
            .startsWith('"{{CC_PROJECT_ROOT'),
        ).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  it("a non-path char or the end after the root is a boundary, and the rest survives", () => {
    fc.assert(
      fc.property(nonPath, tailText, (q, rest) => {
        const x = lat(`"/home/me/src/proj${q}${rest}`);
        const out = canonicalize(x, A);
        expect(out.toString("latin1").startsWith('"{{CC_PROJECT_ROOT')).toBe(true);
        expect(localize(out, A).equals(x)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  it("a path char before the root blocks it, unless it is the letter of a JSON escape", () => {
    fc.assert(
      fc.property(pathChar, fc.constantFrom("n", "r", "t", "b", "f"), fc.integer({ min: 1, max: 4 }), (p, e, k) => {
        const blocked = canonicalize(lat(`${p}/home/me/src/proj/x`), A).toString("latin1");
        expect(blocked).not.toContain("{{CC_");
        const escaped = canonicalize(lat(`"a${"\\".repeat(k)}${e}/home/me/src/proj/x"`), A).toString("latin1");
        expect(escaped).toBe(`"a${"\\".repeat(k)}${e}{{CC_PROJECT_ROOT}}/x"`);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  it("Windows: any ASCII case of any spelling matches, never inside longer names", () => {
    const spell = fc.constantFrom(
      "C:\\Users\\me\\dev\\proj",
      "C:\\\\Users\\\\me\\\\dev\\\\proj",
      "C:/Users/me/dev/proj",
      "/c/Users/me/dev/proj",
      "C:\\\\\\\\Users\\\\\\\\me\\\\\\\\dev\\\\\\\\proj",
    );
    fc.assert(
      fc.property(spell, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), pathChar, nonPath, (s, flips, p, q) => {
        const cased = [...s].map((ch, i) => (flips[i] ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join("");
        const hit = lat(`{"x":"${cased}${q}"}`);
        const out = canonicalize(hit, W);
        expect(out.toString("latin1")).toMatch(/^\{"x":"\{\{CC_PROJECT_ROOT(@[a-z0-9]+)?\}\}/);
        expect(localize(out, W).equals(hit)).toBe(true);
        expect(canonicalize(lat(`{"x":"${cased}${p}"}`), W).toString("latin1")).not.toContain("PROJECT_ROOT");
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
