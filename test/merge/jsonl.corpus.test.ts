import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { mergeJsonl } from "../../src/merge/index.js";
import { CORPUS, HAS_CORPUS } from "../helpers/env.js";
import { counts, fromFile, isSubsequence, toFile } from "./arbitraries.js";

function* jsonlFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) yield* jsonlFiles(p);
    else if (e.endsWith(".jsonl")) yield p;
  }
}

/** A synthetic continuation line: a real line's shape with a new uuid and a given timestamp. */
function continuation(template: string, side: string, k: number, ts: string): string {
  const o = JSON.parse(template) as Record<string, unknown>;
  return JSON.stringify({ ...o, uuid: `${side}-${k}`, parentUuid: k === 0 ? (o.uuid ?? null) : `${side}-${k - 1}`, timestamp: ts });
}

describe.skipIf(!HAS_CORPUS)("mergeJsonl on real Claude Code sessions (corpus, read by path)", () => {
  const files = HAS_CORPUS ? [...jsonlFiles(path.join(CORPUS, "claude"))] : [];
  const sessions = files.map((f) => ({ f, lines: fromFile(readFileSync(f)) })).filter((s) => s.lines.length >= 4);

  it("finds sessions", () => {
    expect(sessions.length).toBeGreaterThan(5);
  });

  it("two machines append different continuations to a real session: no line lost, base prefix, symmetric, each once", () => {
    for (const { f, lines } of sessions) {
      const base = lines.slice(0, Math.ceil(lines.length / 2));
      const template = base.find((l) => l.includes('"timestamp"') && l.startsWith("{")) ?? '{"type":"user"}';
      const at = (s: number): string => new Date(Date.parse("2031-01-01T00:00:00Z") + s * 1000).toISOString();
      const ta = Array.from({ length: 7 }, (_x, k) => continuation(template, "a", k, at(2 * k)));
      const tb = Array.from({ length: 5 }, (_x, k) => continuation(template, "b", k, at(3 * k + 1)));
      tb.splice(2, 0, '{"type":"last-prompt","lastPrompt":"untimed, stays after b-1"}');
      const [O, A, B] = [toFile(base), toFile([...base, ...ta]), toFile([...base, ...tb])];
      const ab = mergeJsonl(O, A, B);
      const ba = mergeJsonl(O, B, A);
      expect(ab.merged.equals(ba.merged), f).toBe(true);
      expect(ab.nonAppend, f).toEqual([]);
      const m = fromFile(ab.merged);
      expect(m.slice(0, base.length), f).toEqual(base);
      expect(m.length, f).toBe(base.length + ta.length + tb.length);
      expect(isSubsequence(ta, m.slice(base.length)) && isSubsequence(tb, m.slice(base.length)), f).toBe(true);
      const tail = m.slice(base.length);
      expect(tail.indexOf(tb[2]!), f).toBe(tail.indexOf(tb[1]!) + 1);
      // a later sync of each machine with the merge changes nothing (fast-forward both ways)
      expect(mergeJsonl(A, A, ab.merged).merged.equals(ab.merged)).toBe(true);
      expect(mergeJsonl(B, ab.merged, B).merged.equals(ab.merged)).toBe(true);
    }
  });

  it("a real session's lines dealt to two machines (each keeps the real order) merge back losing nothing", () => {
    for (const { f, lines } of sessions) {
      const base = lines.slice(0, 2);
      const rest = lines.slice(2);
      const a = rest.filter((_l, k) => k % 3 !== 1);
      const b = rest.filter((_l, k) => k % 3 !== 0);
      const r = mergeJsonl(toFile(base), toFile([...base, ...a]), toFile([...base, ...b]));
      expect(r.merged.equals(mergeJsonl(toFile(base), toFile([...base, ...b]), toFile([...base, ...a])).merged), f).toBe(true);
      const m = fromFile(r.merged);
      const [ca, cb, got] = [counts([...base, ...a]), counts([...base, ...b]), counts(m)];
      for (const x of new Set(lines)) {
        const want = Math.max(ca.get(x) ?? 0, cb.get(x) ?? 0);
        expect(want, f).toBeGreaterThan(0); // every real line went to at least one machine
        expect(got.get(x) ?? 0, f).toBe(want);
      }
      // Orders are kept unless a reorder is reported, and that happens only where the real file
      // repeats a line verbatim (then which copy is "the same line" is ambiguous).
      const reordered = r.nonAppend.some((n) => /differently/.test(n));
      if (!reordered) expect(isSubsequence([...base, ...a], m) && isSubsequence([...base, ...b], m), f).toBe(true);
      else expect(new Set(lines).size, f).toBeLessThan(lines.length);
      expect(m.length, f).toBeLessThanOrEqual(base.length + a.length + b.length);
    }
  });
});
