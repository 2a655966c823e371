import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cleaner, canonicalize, cleanWithBase, localize, sniffForm, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { ALL_MACHINES, LINUX, MAC, WIN, biasedBytes } from "./fixtures.js";

/**
 * Issue 9, scope 1: a line that came from the repository keeps the repository's bytes when
 * cleaned again, in any position and order (src/sentinel/base.ts, `cleanWithBase`). Before, only
 * the leading run of lines that matched the base line by line was reused, so a transcript whose
 * lines a sync had appended out of HEAD's order re-canonicalized another machine's lines with this
 * machine's anchors (a line naming A's root literally became `{{CC_PROJECT_ROOT}}` on A).
 */

const machines = Object.values(ALL_MACHINES);
const machine = fc.constantFrom(...machines);

/** Lines of a buffer, each with its `\n` (the last may lack it). */
function lines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let s = 0;
  while (s < b.length) {
    const nl = b.indexOf(10, s);
    const e = nl < 0 ? b.length : nl + 1;
    out.push(b.subarray(s, e));
    s = e;
  }
  return out;
}

/** Multiset of line contents (without `\n`, empty lines left out). */
function counts(ls: Buffer[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of ls) {
    const k = l.toString("latin1").replace(/\n$/, "");
    if (k) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** `sub` ⊆ `sup` as multisets. */
function included(sub: Map<string, number>, sup: Map<string, number>): boolean {
  for (const [k, n] of sub) if ((sup.get(k) ?? 0) < n) return false;
  return true;
}

function sameForm(work: Buffer, base: Buffer): boolean {
  return sniffForm(work.toString("latin1"), true) === sniffForm(base.toString("latin1"), true);
}

async function streamed(work: Buffer, a: Anchors, base: Buffer, cut: number): Promise<Buffer> {
  const cl = new Cleaner(a, [base.subarray(0, cut % (base.length + 1)), base.subarray(cut % (base.length + 1))]);
  const out: Buffer[] = [];
  const w = cut % (work.length + 1);
  out.push(await cl.push(work.subarray(0, w)), await cl.push(work.subarray(w)), await cl.end());
  return Buffer.concat(out);
}

/**
 * A canonical file written by `A` (its lines mention `B`'s and a third machine's paths in every
 * spelling), smudged on `B`, its lines shuffled and new local lines inserted: the shape of a live
 * transcript after a sync appended remote lines out of HEAD's order.
 */
const scenario = fc
  .record({
    A: machine,
    B: machine,
    authored: fc.array(biasedBytes(LINUX, [WIN, MAC]), { minLength: 1, maxLength: 6 }),
    added: fc.array(biasedBytes(WIN, [LINUX, MAC]), { maxLength: 3 }),
    order: fc.array(fc.nat(), { maxLength: 12 }),
    cut: fc.nat(),
  })
  .map((x) => {
    const C = canonicalize(Buffer.concat(x.authored.map((l) => Buffer.concat([l.subarray(0, l.indexOf(10) < 0 ? l.length : l.indexOf(10)), Buffer.from("\n")]))), x.A);
    const local = lines(localize(C, x.B)).map((l) => (l[l.length - 1] === 10 ? l : Buffer.concat([l, Buffer.from("\n")])));
    const added = x.added.map((l) => Buffer.concat([Buffer.from(l.toString("latin1").replaceAll("\n", " "), "latin1"), Buffer.from("\n")]));
    const all = [...local, ...added];
    // a deterministic shuffle driven by `order`
    for (let i = 0; i < x.order.length && all.length > 1; i++) {
      const j = x.order[i]! % all.length;
      const k = (i * 7 + 3) % all.length;
      [all[j], all[k]] = [all[k]!, all[j]!];
    }
    return { ...x, C, work: Buffer.concat(all) };
  });

describe("cleanWithBase: lines from the repository keep its bytes in any order (issue 9)", () => {
  it("every base line is in the output byte for byte, the work is restored by localize, and streaming agrees (property)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ B, C, work, cut }) => {
        const out = cleanWithBase(work, B, C);
        expect(localize(out, B).equals(work)).toBe(true);
        expect((await streamed(work, B, C, cut)).toString("latin1")).toBe(out.toString("latin1"));
        // A file's form (JSON or text) is decided by its first bytes (docs/cluster-format.md); a
        // line's local text depends on it, so reuse needs both in one form: a transcript always is.
        fc.pre(sameForm(work, C));
        expect(included(counts(lines(C)), counts(lines(out)))).toBe(true);
      }),
      { numRuns: Math.max(500, Math.floor(NUM_RUNS / 5)) },
    );
  });

  it("a reordered file of exactly the base's lines cleans to a reordering of the base's bytes (property)", () => {
    fc.assert(
      fc.property(machine, machine, fc.array(biasedBytes(MAC, [LINUX, WIN]), { minLength: 2, maxLength: 6 }), fc.nat(), (A, B, authored, rot) => {
        const C = canonicalize(Buffer.concat(authored.map((l) => Buffer.from(l.toString("latin1").replaceAll("\n", " ") + "\n", "latin1"))), A);
        const local = lines(localize(C, B));
        const r = rot % local.length;
        const work = Buffer.concat([...local.slice(r), ...local.slice(0, r)]);
        fc.pre(sameForm(work, C));
        const out = cleanWithBase(work, B, C);
        expect(counts(lines(out))).toEqual(counts(lines(C)));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("example (the reported case): B's line naming A's root and C's git-bash line keep their bytes on A after a reorder", () => {
    const A: Anchors = { os: "linux", home: "/home/al", root: "/home/al/proj", key: "-home-al-proj", rewriteHome: true };
    const Bm: Anchors = { os: "darwin", home: "/Users/bob", root: "/Users/bob/proj", key: "-Users-bob-proj", rewriteHome: true };
    const Cm: Anchors = { os: "windows", home: "C:\\Users\\carol", root: "C:\\Users\\carol\\proj", key: "C--Users-carol-proj", rewriteHome: true };
    const own = (n: number) => JSON.stringify({ uuid: `a${n}`, cwd: "/home/al/proj", message: { content: `A ${n}` } }) + "\n";
    const bLine = canonicalize(
      Buffer.from(JSON.stringify({ uuid: "b1", cwd: "/Users/bob/proj", message: { content: "on my linux box the file is /home/al/proj/src/x.ts" } }) + "\n"),
      Bm,
    );
    const cLine = canonicalize(Buffer.from(JSON.stringify({ uuid: "c1", cwd: "C:\\Users\\carol\\proj", message: { content: "ls C:/Users/carol/proj/src" } }) + "\n"), Cm);
    expect(bLine.toString()).toContain("/home/al/proj/src/x.ts"); // literal: not B's root
    expect(cLine.toString()).toMatch(/\{\{CC_PROJECT_ROOT@[a-z0-9]+\}\}\/src/); // a variant
    const head = Buffer.concat([canonicalize(Buffer.from(own(0)), A), bLine, cLine, canonicalize(Buffer.from(own(1)), A)]);
    // A's work tree: its own line 1 before the appended remote lines, then its next line 2
    const work = Buffer.concat([Buffer.from(own(0)), Buffer.from(own(1)), localize(bLine, A), localize(cLine, A), Buffer.from(own(2))]);
    const out = cleanWithBase(work, A, head).toString();
    expect(out).toContain(bLine.toString());
    expect(out).toContain(cLine.toString());
    expect(out).not.toContain('"content":"on my linux box the file is {{CC_PROJECT_ROOT}}');
    expect(localize(Buffer.from(out), A).equals(work)).toBe(true);
  });
});
