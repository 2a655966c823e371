import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { missingLines, planFileUpdate, splitLines } from "../../src/sync/plan.js";
import { appendNormalized } from "../../src/sync/run.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Properties of the safe work-tree update decisions (src/sync/plan.ts): a transcript is never
 * replaced or truncated, and applying the plan yields a file that holds every line of both the
 * current file and the new version.
 */

const lineArb = fc.oneof(
  fc.constantFrom("a", "b", "c", '{"x":1}', "é", ""),
  fc.string({ maxLength: 6 }).map((s) => s.replace(/\n/g, "")),
);
const linesArb = fc.array(lineArb, { maxLength: 12 });
const fileOf = (ls: string[]) => Buffer.from(ls.map((l) => l + "\n").join(""));
const nonEmpty = (b: Buffer) =>
  splitLines(b)
    .filter((l) => l.length > 0)
    .map((l) => l.toString("latin1"));

function multisetIncludes(big: string[], small: string[]): boolean {
  const m = new Map<string, number>();
  for (const l of big) m.set(l, (m.get(l) ?? 0) + 1);
  for (const l of small) {
    const n = m.get(l) ?? 0;
    if (n === 0) return false;
    m.set(l, n - 1);
  }
  return true;
}

describe("planFileUpdate for transcripts", () => {
  it("never replaces or creates over an existing transcript; the result keeps every current and every new line", () => {
    fc.assert(
      fc.property(linesArb, linesArb, linesArb, fc.boolean(), (cur, exp, next, hot) => {
        const current = fileOf(cur);
        const nextB = fileOf(next);
        const p = planFileUpdate({ current, expected: fileOf(exp), next: nextB, jsonl: true, hot });
        expect(["none", "append"]).toContain(p.action);
        const after = p.action === "append" ? Buffer.concat([current, p.bytes]) : current;
        expect(after.subarray(0, current.length).equals(current)).toBe(true); // only appended
        expect(multisetIncludes(nonEmpty(after), nonEmpty(nextB))).toBe(true);
        expect(multisetIncludes(nonEmpty(after), nonEmpty(current))).toBe(true);
        // nothing appended that the new version does not have
        expect(nonEmpty(after).length).toBeLessThanOrEqual(Math.max(nonEmpty(current).length, 0) + nonEmpty(nextB).length);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("an extension of the current file is applied as exactly the suffix", () => {
    fc.assert(
      fc.property(linesArb, linesArb, (cur, more) => {
        const current = fileOf(cur);
        const next = fileOf([...cur, ...more]);
        const p = planFileUpdate({ current, expected: current, next, jsonl: true, hot: true });
        if (more.length === 0) expect(p.action).toBe("none");
        else expect(p).toEqual({ action: "append", bytes: next.subarray(current.length), why: "prefix" });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("completes an unfinished last line that the new version continues byte for byte (it came from the cluster), never holding it forever", () => {
    const p = planFileUpdate({ current: Buffer.from('{"a":1}\n{"b"'), expected: undefined, next: Buffer.from('{"a":1}\n{"b":2}\n{"c":3}\n'), jsonl: true, hot: true });
    expect(p).toEqual({ action: "append", bytes: Buffer.from(':2}\n{"c":3}\n'), why: "prefix" });
  });

  it("holds a transcript whose last line is unfinished (a writer is mid-line)", () => {
    const p = planFileUpdate({ current: Buffer.from('{"a":1}\n{"b"'), expected: undefined, next: Buffer.from('{"a":1}\n{"c":3}\n'), jsonl: true, hot: false });
    expect(p).toEqual({ action: "hold", reason: "partial-line" });
  });

  it("missingLines is a multiset difference in the new version's order", () => {
    expect(missingLines(Buffer.from("a\nb\n"), Buffer.from("b\nc\na\nc\n")).toString()).toBe("c\nc\n");
    expect(missingLines(Buffer.from("a\n"), Buffer.from("a\na\n")).toString()).toBe("a\n");
  });
});

describe("planFileUpdate for other files (memory, tool results)", () => {
  const A = Buffer.from("# mem\nold\n");
  const B = Buffer.from("# mem\nnew\n");
  it("replaces an unmodified cold file, holds a hot or locally modified one, creates a missing one", () => {
    expect(planFileUpdate({ current: A, expected: A, next: B, jsonl: false, hot: false })).toEqual({ action: "replace" });
    expect(planFileUpdate({ current: A, expected: A, next: B, jsonl: false, hot: true })).toEqual({ action: "hold", reason: "hot" });
    expect(planFileUpdate({ current: Buffer.from("# mem\nmine\n"), expected: A, next: B, jsonl: false, hot: false })).toEqual({ action: "hold", reason: "modified" });
    expect(planFileUpdate({ current: undefined, expected: A, next: B, jsonl: false, hot: false })).toEqual({ action: "create" });
    expect(planFileUpdate({ current: A, expected: undefined, next: Buffer.from("# mem\nold\nmore\n"), jsonl: false, hot: true })).toMatchObject({
      action: "append",
      why: "prefix",
    });
  });
});

describe("appendNormalized (staging a reordered transcript as an append)", () => {
  it("keeps HEAD's bytes as a prefix and every staged line, when the staged file holds all of HEAD's lines", () => {
    fc.assert(
      fc.property(linesArb, linesArb, fc.integer({ min: 0, max: 1000 }), (head, extra, seed) => {
        const all = [...head, ...extra];
        // a permutation of HEAD's lines plus the extra ones
        const staged = [...all].sort((x, y) => ((x.length * 31 + seed) % 7) - ((y.length * 31 + seed) % 7));
        const before = fileOf(head);
        const st = fileOf(staged);
        const out = appendNormalized(before, st);
        const result = out ?? st;
        expect(result.subarray(0, before.length).equals(before)).toBe(true);
        expect(nonEmpty(result).sort()).toEqual(nonEmpty(st).sort());
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("leaves a staged blob alone when it lost some of HEAD's lines", () => {
    expect(appendNormalized(Buffer.from("a\nb\n"), Buffer.from("b\nc\n"))).toBeUndefined();
  });
});
