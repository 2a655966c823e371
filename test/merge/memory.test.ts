import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasConflictMarkers, mergeMemoryIndex, mergeText } from "../../src/merge/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { counts, fromFile, poolArb, seqFrom, toFile } from "./arbitraries.js";

const md = (...lines: string[]): Buffer => Buffer.from(lines.map((l) => l + "\n").join(""), "utf8");
const s = (b: Buffer): string => b.toString("latin1");

describe("MEMORY.md: three-way line union", () => {
  const base = md("# Memory", "- [Build](build.md) — how to build");
  const addA = "- [Deploy](deploy.md) — deploy steps";
  const addB = "- [Auth](auth.md) — auth flow";

  it("keeps both sides' new entries, in the same order whichever side is ours", () => {
    const A = md("# Memory", "- [Build](build.md) — how to build", addA);
    const B = md("# Memory", "- [Build](build.md) — how to build", addB);
    const ab = mergeMemoryIndex(base, A, B);
    expect(fromFile(ab.merged)).toEqual(["# Memory", "- [Build](build.md) — how to build", addB, addA].map((l) => s(Buffer.from(l))));
    expect(mergeMemoryIndex(base, B, A).merged.equals(ab.merged)).toBe(true);
    expect(ab.conflict).toBe(false);
  });

  it("keeps a side's new block together", () => {
    const A = md("# Memory", "- [Build](build.md) — how to build", "z1", "a2");
    const B = md("# Memory", "- [Build](build.md) — how to build", "m1", "m2");
    expect(fromFile(mergeMemoryIndex(base, A, B).merged).slice(2)).toEqual(["m1", "m2", "z1", "a2"]);
  });

  it("writes an entry both sides added once", () => {
    const A = md("# Memory", "- [Build](build.md) — how to build", addA);
    expect(mergeMemoryIndex(base, A, md("# Memory", "- [Build](build.md) — how to build", addA)).merged.equals(A)).toBe(true);
    const B = md("# Memory", addA, "- [Build](build.md) — how to build");
    const m = fromFile(mergeMemoryIndex(base, A, B).merged);
    expect(m.filter((l) => l === s(Buffer.from(addA)))).toHaveLength(1);
  });

  it("honours a deletion or an edit on one side while keeping the other side's additions", () => {
    const edited = "- [Build](build.md) — how to build and test";
    const A = md("# Memory", edited);
    const B = md("# Memory", "- [Build](build.md) — how to build", addB);
    const r = mergeMemoryIndex(base, A, B);
    expect(new Set(fromFile(r.merged))).toEqual(new Set(["# Memory", s(Buffer.from(edited)), s(Buffer.from(addB))]));
    expect(fromFile(r.merged)).toHaveLength(3);
    expect(r.notes.join()).toMatch(/removed 1 index line/);
    expect(mergeMemoryIndex(base, B, A).merged.equals(r.merged)).toBe(true);
  });

  it("properties: symmetric, never a conflict, lines added by a side kept, lines removed by a side gone, one side unchanged gives the other", () => {
    const arb = poolArb.chain((pool) => fc.tuple(seqFrom(pool), seqFrom(pool), seqFrom(pool)));
    fc.assert(
      fc.property(arb, ([o, a, b]) => {
        const [O, A, B] = [toFile(o), toFile(a), toFile(b)];
        const r = mergeMemoryIndex(O, A, B);
        expect(r.conflict).toBe(false);
        expect(r.merged.equals(mergeMemoryIndex(O, B, A).merged)).toBe(true);
        expect(mergeMemoryIndex(O, A, A).merged.equals(A)).toBe(true);
        expect(mergeMemoryIndex(O, O, B).merged.equals(B)).toBe(true);
        const m = counts(fromFile(r.merged));
        const [co, ca, cb] = [counts(o), counts(a), counts(b)];
        for (const x of new Set([...o, ...a, ...b])) {
          const [no, na, nb] = [co.get(x) ?? 0, ca.get(x) ?? 0, cb.get(x) ?? 0];
          const got = m.get(x) ?? 0;
          // added by a side, the other kept or added too: the larger count
          if (na > no && nb >= no) expect(got).toBe(Math.max(na, nb));
          if (nb > no && na >= no) expect(got).toBe(Math.max(na, nb));
          // removed by one side, not added by the other: gone
          if (no > 0 && na === 0 && nb <= no) expect(got).toBe(0);
          // kept by both and touched by neither: kept
          if (na === no && nb === no) expect(got).toBe(no);
          expect(got).toBeLessThanOrEqual(Math.max(na, nb));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("memory topic files: diff3", () => {
  const base = md("# Topic", "", "line one", "line two", "line three");

  it("merges edits to different lines cleanly", () => {
    const A = md("# Topic", "", "line ONE", "line two", "line three");
    const B = md("# Topic", "", "line one", "line two", "line THREE");
    const r = mergeText(base, A, B);
    expect(r.conflict).toBe(false);
    expect(s(r.merged)).toBe(s(md("# Topic", "", "line ONE", "line two", "line THREE")));
    expect(hasConflictMarkers(r.merged)).toBe(false);
  });

  it("treats the same change on both sides as no conflict", () => {
    const A = md("# Topic", "", "line 1", "line two", "line three");
    expect(mergeText(base, A, Buffer.from(A)).conflict).toBe(false);
    const B = md("# Topic", "", "line 1", "line two", "line three", "more");
    const r = mergeText(base, A, B);
    expect(r.conflict).toBe(false);
    expect(r.merged.equals(B)).toBe(true);
  });

  it("keeps both sides of a real conflict between standard markers", () => {
    const A = md("# Topic", "", "line one", "ours says this", "line three");
    const B = md("# Topic", "", "line one", "theirs says that", "line three");
    const r = mergeText(base, A, B);
    expect(r.conflict).toBe(true);
    expect(s(r.merged)).toBe(s(md("# Topic", "", "line one", "<<<<<<< ours", "ours says this", "=======", "theirs says that", ">>>>>>> theirs", "line three")));
    expect(hasConflictMarkers(r.merged)).toBe(true);
    expect(hasConflictMarkers(r.merged, 9)).toBe(false);
    expect(r.notes[0]).toMatch(/1 conflict/);
  });

  it("uses the marker size it is given (%L) and terminates a last line without newline", () => {
    const A = Buffer.from("# Topic\n\nline one\nline two\nours");
    const B = Buffer.from("# Topic\n\nline one\nline two\ntheirs");
    const r = mergeText(base, A, B, 9);
    expect(s(r.merged)).toBe("# Topic\n\nline one\nline two\n<<<<<<<<< ours\nours\n=========\ntheirs\n>>>>>>>>> theirs\n");
    expect(hasConflictMarkers(r.merged, 9)).toBe(true);
    expect(hasConflictMarkers(r.merged)).toBe(false);
  });

  it("does not mistake a setext heading or CRLF text for markers, but sees CRLF markers", () => {
    expect(hasConflictMarkers(md("Title", "=======", "text"))).toBe(false);
    expect(hasConflictMarkers(md("<<<<<<<< not a marker", "=======", ">>>>>>> x"))).toBe(false);
    expect(hasConflictMarkers(Buffer.from("<<<<<<< ours\r\na\r\n=======\r\nb\r\n>>>>>>> theirs\r\n"))).toBe(true);
    expect(hasConflictMarkers(Buffer.from("<<<<<<< ours\na\n"))).toBe(false);
  });

  it("property: a conflict keeps every line of both sides; one side unchanged gives the other side", () => {
    const arb = poolArb.chain((pool) => fc.tuple(seqFrom(pool, 8), seqFrom(pool, 8), seqFrom(pool, 8)));
    fc.assert(
      fc.property(arb, ([o, a, b]) => {
        const [O, A, B] = [toFile(o), toFile(a), toFile(b)];
        expect(mergeText(O, O, B).merged.equals(B)).toBe(true);
        expect(mergeText(O, A, O).merged.equals(A)).toBe(true);
        const r = mergeText(O, A, B);
        const m = new Set(fromFile(r.merged));
        if (r.conflict) for (const x of [...a, ...b]) if (!o.includes(x)) expect(m.has(x)).toBe(true);
      }),
      { numRuns: Math.min(NUM_RUNS, 2000) },
    );
  });
});
