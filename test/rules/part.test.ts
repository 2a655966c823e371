import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BEGIN, END, parsePart, userText, withPart } from "../../src/rules/part.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 14, scope 2: the part of a file `git ctx rules` owns. Properties: the user's bytes outside
 * it never change (CRLF, BOM, no final newline), a rerun changes nothing, a hand edit inside it
 * (or damaged markers) is never overwritten.
 */

const userTextArb = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.string({ maxLength: 30 }).filter((l) => !l.includes("<!-- git-ctx") && !/[\r\n]/.test(l)),
      { maxLength: 6 },
    ),
    fc.constantFrom("\n", "\r\n"),
    fc.boolean(),
  )
  .map(([bom, ls, eol, finalNl]) => (bom ? "\uFEFF" : "") + ls.join(eol) + (finalNl && ls.length ? eol : ""));
const bodyArb = fc
  .array(
    fc.string({ maxLength: 40 }).filter((l) => !l.includes("<!-- git-ctx") && !/[\r\n]/.test(l)),
    { minLength: 1, maxLength: 6 },
  )
  .map((ls) => ls.join("\n"));

describe("git ctx rules: the owned part", () => {
  it("property: the user's bytes are a prefix kept exactly, the part parses back unedited, a rerun is a no-op, a new body replaces only the part", () => {
    fc.assert(
      fc.property(userTextArb, bodyArb, bodyArb, (text, body, body2) => {
        const once = withPart(text, body)!;
        expect(once.startsWith(text)).toBe(true);
        const p = parsePart(once);
        expect(p.kind).toBe("part");
        if (p.kind === "part") expect(p.edited).toBe(false);
        expect(withPart(once, body)).toBe(once);
        const twice = withPart(once, body2)!;
        expect(twice.startsWith(text)).toBe(true);
        expect(userText(twice)).toBe(userText(once));
        // text the user adds after the part stays too
        const after = once + "my own line\n";
        expect(withPart(after, body2)!.endsWith("my own line\n")).toBe(true);
      }),
      { numRuns: Math.min(NUM_RUNS, 20_000) },
    );
  });

  it("keeps CRLF line endings and a BOM, and writes its own lines with the file's ending", () => {
    const text = "\uFEFF# Mine\r\nuse pnpm";
    const out = withPart(text, "from AGENTS.md\nsecond line")!;
    expect(out.startsWith(text + "\r\n\r\n")).toBe(true);
    expect(out.slice(text.length).replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("a hand edit inside the part is never overwritten unless taken over", () => {
    const once = withPart("# Mine\n", "shared text")!;
    const edited = once.replace("shared text", "shared text, and my tweak");
    expect(parsePart(edited)).toMatchObject({ kind: "part", edited: true });
    expect(withPart(edited, "new shared text")).toBeUndefined();
    expect(withPart(edited, "new shared text", { takeOwnership: true })).toContain("new shared text");
  });

  it.each([
    ["two begin markers", (t: string) => t + `${BEGIN} sha256=${"0".repeat(64)} -->\n`],
    ["a missing end marker", (t: string) => t.replace(`${END}\n`, "")],
    ["the end before the begin", (t: string) => `${END}\n` + t.replace(`${END}\n`, "")],
    ["a begin marker without its hash", (t: string) => t.replace(/sha256=[0-9a-f]{64}/, "sha256=oops")],
  ])("damaged markers (%s): never rewritten, even with --take-ownership", (_, damage) => {
    const bad = damage(withPart("# Mine\n", "shared")!);
    expect(parsePart(bad).kind).toBe("damaged");
    expect(withPart(bad, "new", { takeOwnership: true })).toBeUndefined();
  });
});
