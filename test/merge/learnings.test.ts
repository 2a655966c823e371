import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeFile, mergeLearnCursors, mergeLearnings, mergeStrategy, normalizeLearning } from "../../src/merge/index.js";
import { NUM_RUNS } from "../helpers/env.js";

/** Issue 14: two machines' learnings and cursors merge by entry, never with conflict markers. */

const params = { numRuns: Math.max(300, Math.floor(NUM_RUNS / 10)) };
const entry = fc.constantFrom("Use pnpm.", "use PNPM", "Tests need Docker.", "Build first", "build first!", "Config is in app.toml", "# Notes", "plain text line");
const file = (ls: string[]) => Buffer.from(ls.map((l) => (l.startsWith("#") || l.startsWith("plain") ? l : `- ${l}`)).join("\n") + (ls.length ? "\n" : ""));
const keys = (b: Buffer) =>
  b
    .toString()
    .split("\n")
    .filter(Boolean)
    .map((l) => (l.startsWith("- ") ? `•${normalizeLearning(l.slice(2))}` : `=${l}`));

describe("mergeLearnings", () => {
  it("keeps ours as it is, adds every entry theirs added that ours lacks, once; an entry ours deleted stays deleted (property)", () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 5 }),
        fc.array(entry, { maxLength: 5 }),
        fc.array(entry, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (b, x, y, drops) => {
          const base = file(b);
          const oursLines = [...b.filter((_, i) => !drops.includes(i)), ...x];
          const ours = file(oursLines);
          const theirs = file([...b, ...y]);
          const r = mergeLearnings(base, ours, theirs);
          expect(r.conflict).toBe(false);
          expect(r.merged.subarray(0, ours.length).equals(ours)).toBe(true);
          const got = new Set(keys(r.merged));
          const baseKeys = new Set(keys(base));
          for (const k of keys(theirs)) if (!baseKeys.has(k)) expect(got.has(k)).toBe(true);
          // what was added came from theirs, each key once
          const added = keys(r.merged.subarray(ours.length));
          expect(new Set(added).size).toBe(added.length);
          for (const k of added) expect(keys(ours)).not.toContain(k);
          // a base entry ours deleted does not come back
          for (const k of baseKeys)
            if (
              !keys(ours).includes(k) &&
              !keys(theirs)
                .filter((t) => !baseKeys.has(t))
                .includes(k)
            )
              expect(added).not.toContain(k);
        },
      ),
      params,
    );
  });

  it("example: CRLF follows ours; a missing final newline is added before theirs' entries", () => {
    const r = mergeLearnings(Buffer.from("- a\r\n"), Buffer.from("- a\r\n- b"), Buffer.from("- a\r\n- c\r\n- B.\r\n"));
    expect(r.merged.toString()).toBe("- a\r\n- b\r\n- c\r\n");
  });
});

describe("mergeLearnCursors", () => {
  it("every session of either side with the larger cursor, sorted, symmetric (property)", () => {
    const cursors = fc.dictionary(fc.constantFrom("claude:a", "codex:b", "gemini:c", "claude:d"), fc.nat({ max: 50 }));
    fc.assert(
      fc.property(cursors, cursors, (a, b) => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o));
        const r = mergeLearnCursors(Buffer.alloc(0), enc(a), enc(b));
        const got = JSON.parse(r.merged.toString()) as Record<string, number>;
        for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) expect(got[k]).toBe(Math.max(a[k] ?? 0, b[k] ?? 0));
        expect(Object.keys(got)).toEqual(Object.keys(got).sort());
        expect(mergeLearnCursors(Buffer.alloc(0), enc(b), enc(a)).merged.equals(r.merged)).toBe(true);
      }),
      params,
    );
    const bad = mergeLearnCursors(Buffer.alloc(0), Buffer.from("{oops"), Buffer.from('{"claude:a":3}'));
    expect(JSON.parse(bad.merged.toString())).toEqual({ "claude:a": 3 });
    expect(bad.notes.join()).toMatch(/not an object of numbers/);
  });

  it("is chosen by path for a project's .ctx files only", () => {
    expect(mergeStrategy(".ctx/learnings.md")).toBe("learnings");
    expect(mergeStrategy("sub/.ctx/learn-cursors.json")).toBe("learn-cursors");
    expect(mergeStrategy("learnings.md")).toBe("text");
    expect(mergeFile(".ctx/learnings.md", Buffer.from(""), Buffer.from("- a\n"), Buffer.from("- b\n")).merged.toString()).toBe("- a\n- b\n");
  });
});
