import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BEGIN, END, demoteHeadings, fencedLines, openFenceAt, parsePart, userText, withPart } from "../../src/rules/part.js";
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

/** Issue 23, rules: a file that quotes the marker lines in a code fence broke the next run; copied headings sat beside git-ctx's own. */
describe("markers inside code fences, and copied headings", () => {
  const quoted = ["# Notes", "", "How git-ctx marks its part:", "", "```markdown", `${BEGIN} sha256=${"0".repeat(64)} -->`, "...", END, "```", ""].join("\n");

  it("marker lines inside a fenced code block are text, not markers", () => {
    expect(parsePart(quoted)).toEqual({ kind: "none" });
    expect(parsePart(quoted.replace(/```/g, "~~~~"))).toEqual({ kind: "none" });
    // a real part after the quote is found, and only it
    const both = withPart(quoted, "shared text\n")!;
    const p = parsePart(both);
    expect(p.kind).toBe("part");
    expect(p.kind === "part" && p.body).toBe("shared text\n");
    expect(userText(both).startsWith(quoted)).toBe(true);
  });

  it("a fence left open by the body or by the user's text never hides git-ctx's markers: the part is found, a rerun is a no-op", () => {
    for (const [text, body] of [
      ["", "~~~\n"],
      ["# Mine\n```sh\nmake", "copied"],
      ["```\n", "```js\nlet a\n"],
    ] as const) {
      const once = withPart(text, body)!;
      expect(once.startsWith(text)).toBe(true);
      expect(parsePart(once).kind, JSON.stringify([text, body])).toBe("part");
      expect(openFenceAt(once)).toBeUndefined();
      expect(withPart(once, body)).toBe(once);
    }
  });

  it("property: fence lines in the user's text and the body never make the part unfindable or a rerun write again", () => {
    const fenceLine = fc.constantFrom("```", "~~~", "````", "```md", "  ~~~~", "text");
    const withFences = fc.array(fenceLine, { minLength: 1, maxLength: 5 }).map((ls) => ls.join("\n"));
    fc.assert(
      fc.property(withFences, withFences, fc.boolean(), (text, body, nl) => {
        const t = nl ? `${text}\n` : text;
        const once = withPart(t, body)!;
        expect(once.startsWith(t)).toBe(true);
        expect(parsePart(once).kind).toBe("part");
        expect(withPart(once, body)).toBe(once);
      }),
      { numRuns: Math.min(NUM_RUNS, 2000) },
    );
  });

  it("an unclosed fence runs to the end; a longer closing fence closes; an indented (4 spaces) fence is not one", () => {
    expect(fencedLines(["a", "```", "b"])).toEqual([false, true, true]);
    expect(fencedLines(["````", "```", "`````", "c"])).toEqual([true, true, true, false]);
    expect(fencedLines(["    ```", "x"])).toEqual([false, false]);
    expect(fencedLines(["~~~", "```", "~~~", "y"])).toEqual([true, true, true, false]);
  });

  it("demoteHeadings moves the shallowest heading below the section's, keeps distances, leaves fences and text alone", () => {
    expect(demoteHeadings("# A\ntext\n## B\n### C")).toBe("### A\ntext\n#### B\n##### C");
    expect(demoteHeadings("Title\n=====\nbody\nSub\n---\nx")).toBe("### Title\nbody\n#### Sub\nx");
    expect(demoteHeadings("```\n# not a heading\n```\n# H")).toBe("```\n# not a heading\n```\n### H");
    expect(demoteHeadings("#### deep\n###### deeper")).toBe("#### deep\n###### deeper"); // already below
    expect(demoteHeadings("# a\n###### f")).toBe("### a\n###### f"); // capped at 6
    expect(demoteHeadings("no headings\n\n---\n")).toBe("no headings\n\n---\n"); // a thematic break stays
    expect(demoteHeadings("#hashtag")).toBe("#hashtag");
  });

  it("demoteHeadings: every heading ends at level 3 or deeper and their order of levels is kept (property)", () => {
    const line = fc.oneof(
      fc.integer({ min: 1, max: 6 }).map((n) => `${"#".repeat(n)} h`),
      fc.constantFrom("text", "", "```", "- item", "    code"),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (ls) => {
        const text = ls.join("\n");
        const out = demoteHeadings(text).split("\n");
        expect(out.length).toBe(text.split("\n").length);
        const fenced = fencedLines(ls);
        const lv = (l: string) => /^(#{1,6}) /.exec(l)?.[1]?.length;
        const pairs = ls.map((l, i) => [fenced[i] ? undefined : lv(l), fenced[i] ? undefined : lv(out[i]!)] as const).filter(([a]) => a !== undefined);
        for (const [, b] of pairs) expect(b!).toBeGreaterThanOrEqual(3);
        for (let i = 1; i < pairs.length; i++)
          if (pairs[i]![1]! < 6 && pairs[i - 1]![1]! < 6) expect(Math.sign(pairs[i]![0]! - pairs[i - 1]![0]!)).toBe(Math.sign(pairs[i]![1]! - pairs[i - 1]![1]!));
        ls.forEach((l, i) => {
          if (fenced[i]) expect(out[i]).toBe(l);
        });
      }),
      { numRuns: Math.min(NUM_RUNS, 20_000) },
    );
  });
});
