import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { dirSync } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { mergeJsonl, transcriptTime } from "../../src/merge/index.js";

const L = (ts: string, id: string): string => `{"type":"user","message":{"content":"${id}"},"uuid":"${id}","timestamp":"${ts}"}`;
const file = (...lines: string[]): Buffer => Buffer.from(lines.map((l) => l + "\n").join(""), "latin1");
const lines = (b: Buffer): string[] => b.toString("latin1").split("\n").slice(0, -1);

describe("mergeJsonl examples", () => {
  const b1 = L("2025-01-01T00:00:01.000Z", "b1");
  const b2 = L("2025-01-01T00:00:02.000Z", "b2");
  const a3 = L("2025-01-01T00:00:03.000Z", "a3");
  const b3 = L("2025-01-01T00:00:04.000Z", "b3");
  const base = file(b1, b2);

  it("orders the two tails by timestamp whichever side is ours (merge=union gives A3,B3 vs B3,A3)", () => {
    const A = file(b1, b2, a3);
    const B = file(b1, b2, b3);
    const ab = mergeJsonl(base, A, B);
    const ba = mergeJsonl(base, B, A);
    expect(lines(ab.merged)).toEqual([b1, b2, a3, b3]);
    expect(ba.merged.equals(ab.merged)).toBe(true);
    expect(ab.nonAppend).toEqual([]);
  });

  it("git's merge=union (git merge-file --union) really has these failure modes; mergeJsonl does not", () => {
    const d = dirSync({ unsafeCleanup: true, prefix: "gitctx-union-" });
    try {
      const union = (o: Buffer, a: Buffer, b: Buffer): string[] => {
        const [fo, fa, fb] = ["o", "a", "b"].map((n) => path.join(d.name, n)) as [string, string, string];
        writeFileSync(fo, o);
        writeFileSync(fa, a);
        writeFileSync(fb, b);
        const r = spawnSync("git", ["merge-file", "-p", "--union", fa, fo, fb]);
        return lines(r.stdout);
      };
      const A = file(b1, b2, a3);
      const B = file(b1, b2, b3);
      expect(union(base, A, B)).toEqual([b1, b2, a3, b3]);
      expect(union(base, B, A)).toEqual([b1, b2, b3, a3]); // order depends on the side: no convergence
      expect(lines(mergeJsonl(base, B, A).merged)).toEqual([b1, b2, a3, b3]);
      // both already had a3 (an earlier sync), then each appended: union writes a3 twice
      const c1 = L("2025-01-01T00:00:05.000Z", "c1");
      const A2 = file(b1, b2, a3, c1);
      const B2 = file(b1, b2, b3, a3);
      expect(union(base, A2, B2).filter((l) => l === a3).length).toBe(2);
      expect(lines(mergeJsonl(base, A2, B2).merged).filter((l) => l === a3).length).toBe(1);
    } finally {
      d.removeCallback();
    }
  });

  it("does not duplicate lines both sides already had (merge=union duplicates them)", () => {
    // Both sides already merged a3 earlier; then each appended one more line.
    const c1 = L("2025-01-01T00:00:05.000Z", "c1");
    const d1 = L("2025-01-01T00:00:06.000Z", "d1");
    const A = file(b1, b2, a3, b3, c1);
    const B = file(b1, b2, a3, b3, d1);
    expect(lines(mergeJsonl(base, A, B).merged)).toEqual([b1, b2, a3, b3, c1, d1]);
    // Shared lines not in the common prefix (other side has them later) still appear once.
    const A2 = file(b1, b2, a3, c1);
    const B2 = file(b1, b2, d1, a3);
    const m = lines(mergeJsonl(base, A2, B2).merged);
    expect(m.filter((l) => l === a3)).toHaveLength(1);
    expect(m).toHaveLength(5);
  });

  it("fast-forwards and is idempotent", () => {
    const A = file(b1, b2, a3);
    expect(mergeJsonl(base, base, A).merged.equals(A)).toBe(true);
    expect(mergeJsonl(base, A, base).merged.equals(A)).toBe(true);
    expect(mergeJsonl(base, A, A).merged.equals(A)).toBe(true);
  });

  it("keeps untimed lines right after their predecessor", () => {
    const summary = `{"type":"summary","summary":"x","leafUuid":"a3"}`;
    const A = file(b1, b2, a3, summary);
    const early = L("2025-01-01T00:00:03.500Z", "early");
    const B = file(b1, b2, early);
    const m = lines(mergeJsonl(base, A, B).merged);
    expect(m).toEqual([b1, b2, a3, summary, early]);
    expect(lines(mergeJsonl(base, B, A).merged)).toEqual(m);
  });

  it("keeps each side's order even when its timestamps go backwards", () => {
    const late = L("2025-01-01T00:00:09.000Z", "late");
    const back = L("2025-01-01T00:00:01.500Z", "back");
    const A = file(b1, b2, late, back);
    const B = file(b1, b2, b3);
    const m = lines(mergeJsonl(base, A, B).merged);
    expect(m.indexOf(late)).toBeLessThan(m.indexOf(back));
    expect(m).toHaveLength(5);
  });

  it("reports an edited base line and keeps both versions", () => {
    const edited = L("2025-01-01T00:00:02.000Z", "b2-edited");
    const A = file(b1, edited, a3);
    const B = file(b1, b2, b3);
    const r = mergeJsonl(base, A, B);
    const m = lines(r.merged);
    for (const l of [b1, b2, edited, a3, b3]) expect(m).toContain(l);
    expect(r.nonAppend).toHaveLength(1);
    expect(r.nonAppend[0]).toMatch(/^ours edited or removed base line 2/);
  });

  it("reports a truncation and keeps the removed lines from the other side", () => {
    const A = file(b1);
    const B = file(b1, b2, b3);
    const r = mergeJsonl(base, A, B);
    expect(lines(r.merged)).toEqual([b1, b2, b3]);
    expect(r.nonAppend[0]).toMatch(/^ours removed/);
  });

  it("keeps a line repeated inside one transcript as many times as that side has it", () => {
    const prompt = `{"type":"last-prompt","lastPrompt":"go"}`;
    const A = file(b1, b2, prompt, a3, prompt);
    const B = file(b1, b2, prompt, b3);
    const m = lines(mergeJsonl(base, A, B).merged);
    expect(m.filter((l) => l === prompt)).toHaveLength(2);
    expect(m).toHaveLength(6);
  });

  it("a crossing (sides order shared lines differently) writes each line once, in time order, and says so", () => {
    // e.g. a hot transcript got the other side's line appended locally (a3 then b3) while the
    // pushed merge holds b3 before a3: re-merging must converge, not grow
    const A = file(b1, b2, b3, a3);
    const B = file(b1, b2, a3, b3);
    const r = mergeJsonl(base, A, B);
    expect(lines(r.merged)).toEqual([b1, b2, a3, b3]);
    expect(r.nonAppend.join("\n")).toMatch(/order 1 shared line\(s\) differently/);
    expect(mergeJsonl(base, B, A).merged.equals(r.merged)).toBe(true);
    expect(mergeJsonl(base, r.merged, A).merged.equals(r.merged)).toBe(true);
  });

  it("handles missing final newlines and CRLF bytes", () => {
    const A = Buffer.from("x\r\ny\r\na", "latin1");
    const B = Buffer.from("x\r\ny\r\nb", "latin1");
    const m = mergeJsonl(Buffer.from("x\r\ny\r\n"), A, B).merged.toString("latin1");
    expect(m).toBe("x\r\ny\r\na\nb");
    expect(mergeJsonl(Buffer.alloc(0), B, A).merged.toString("latin1")).toBe(m);
    // a partial last line completed on the other side is a fast-forward
    const partial = Buffer.from('{"a":1}\n{"b":', "latin1");
    const full = Buffer.from('{"a":1}\n{"b":2}\n', "latin1");
    expect(mergeJsonl(Buffer.alloc(0), partial, full).merged.equals(full)).toBe(true);
  });

  it("reads the top-level timestamp, not a nested one", () => {
    expect(transcriptTime(`{"message":{"timestamp":"2020-01-01"},"uuid":"u","timestamp":"2025-05-05T00:00:00Z"}`)).toBe("2025-05-05T00:00:00Z");
    expect(transcriptTime(`{"timestamp":"2025-05-05T00:00:00Z","type":"response_item","payload":{"timestamp":"1999"}}`)).toBe("2025-05-05T00:00:00Z");
    expect(transcriptTime(`{"type":"summary"}`)).toBeNull();
    expect(transcriptTime(`not json`)).toBeNull();
  });
});
