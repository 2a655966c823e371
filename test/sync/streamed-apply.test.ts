import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { NextSource } from "../../src/sync/streamed.js";
import { applyUpdates } from "../../src/sync/worktree.js";

/**
 * `applyUpdates` with a streamed new version (src/sync/streamed.ts `NextSource`, a large
 * transcript's path, issue 22 point 8) does to the work-tree file what it does with the whole new
 * version as a Buffer: the same plan and the same bytes, for a file that is absent, equal, a prefix
 * (cut anywhere), or holding a local line (the whole-buffer fallback). The streamed source is read
 * whole only on the fallback.
 */

const root = mkdtempSync(path.join(tmpdir(), "gitctx-streamed-apply-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function source(next: Buffer, cuts: number[]): NextSource & { wholeReads: number } {
  const s = {
    wholeReads: 0,
    async *chunks() {
      let o = 0;
      for (const c of cuts) {
        if (o >= next.length) break;
        yield next.subarray(o, o + c + 1);
        o += c + 1;
      }
      if (o < next.length) yield next.subarray(o);
    },
    async whole() {
      s.wholeReads++;
      return next;
    },
  };
  return s;
}

const lineArb = fc.record({ id: fc.nat(20), text: fc.constantFrom("é", "日本", "x", "a b", "😀") }).map(({ id, text }) => `${JSON.stringify({ uuid: `u${id}`, text })}\n`);

describe("applyUpdates with a streamed transcript (property)", () => {
  it("gives the plan and the bytes of the whole-buffer path", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("absent", "prefix", "equal", "local-line", "partial-local"),
        fc.nat(),
        fc.array(fc.nat(20), { maxLength: 10 }),
        async (lines, kind, r, cuts) => {
          const next = Buffer.from(lines.join(""), "utf8");
          const current =
            kind === "absent"
              ? undefined
              : kind === "equal"
                ? next
                : kind === "prefix"
                  ? next.subarray(0, r % (next.length + 1))
                  : kind === "local-line"
                    ? Buffer.concat([next.subarray(0, next.indexOf(10) + 1), Buffer.from('{"uuid":"local"}\n')])
                    : Buffer.concat([next, Buffer.from('{"uuid":"mid')]);
          const outcome = async (streamed: boolean) => {
            const wt = path.join(root, `t${n++}`);
            mkdirSync(path.join(wt, "key"), { recursive: true });
            const file = path.join(wt, "key", "s.jsonl");
            if (current) {
              writeFileSync(file, current);
              const old = new Date(Date.now() - 60_000);
              utimesSync(file, old, old);
            }
            const src = source(next, cuts);
            const [a] = await applyUpdates([{ path: "key/s.jsonl", expected: undefined, next: streamed ? src : next }], { workTree: wt });
            let bytes: string | undefined;
            try {
              bytes = readFileSync(file, "latin1");
            } catch {
              bytes = undefined;
            }
            return { plan: a!.plan, reorder: a!.reorder !== undefined, written: a!.written !== undefined, bytes, wholeReads: src.wholeReads };
          };
          const whole = await outcome(false);
          const streamed = await outcome(true);
          expect({ ...streamed, wholeReads: 0 }).toEqual({ ...whole, wholeReads: 0 });
          // the whole new version is read only when the file is not a prefix of it
          const prefix = current !== undefined && next.subarray(0, current.length).equals(current);
          expect(streamed.wholeReads).toBe(prefix ? 0 : 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("never writes through a link in the file's place (held as modified, as the whole-buffer path does)", async () => {
    const wt = path.join(root, "link");
    mkdirSync(path.join(wt, "key"), { recursive: true });
    writeFileSync(path.join(root, "outside.jsonl"), "a\n");
    symlinkSync(path.join(root, "outside.jsonl"), path.join(wt, "key", "s.jsonl"));
    const [a] = await applyUpdates([{ path: "key/s.jsonl", expected: undefined, next: source(Buffer.from("a\nb\n"), []) }], { workTree: wt });
    expect(a!.plan).toEqual({ action: "hold", reason: "modified" });
    expect(readFileSync(path.join(root, "outside.jsonl"), "latin1")).toBe("a\n");
  });
});
