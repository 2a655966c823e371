import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeJsonl } from "../../src/merge/index.js";
import { cleanWithBase, localize, type Anchors } from "../../src/sentinel/index.js";
import { planFileUpdate } from "../../src/sync/plan.js";
import { appendNormalized } from "../../src/sync/run.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 9, scope 3 (the property): random interleavings of appends, syncs and in-place reorders
 * on three machines of three OSes whose lines name each other's roots in every spelling. The
 * pipeline is the one `git ctx sync` runs, with the same pure functions, in memory: clean with
 * the index blob as base (`cleanWithBase`), staging normalization (`appendNormalized`), the union
 * merge (`mergeJsonl`) with the cluster, the append-only work-tree update (`planFileUpdate`) and
 * the reorder to HEAD's order. The real-git version of one interleaving is
 * test/e2e/foreign-paths.test.ts. Before the fix the clean step re-canonicalized other machines'
 * lines that were out of HEAD's order, and this property found duplicated uuids within a few runs.
 */

const MACHINES: Anchors[] = [
  { os: "linux", home: "/home/al", root: "/home/al/proj", key: "-home-al-proj", rewriteHome: true },
  { os: "darwin", home: "/Users/bob", root: "/Users/bob/proj", key: "-Users-bob-proj", rewriteHome: true },
  { os: "windows", home: "C:\\Users\\carol", root: "C:\\Users\\carol\\proj", key: "C--Users-carol-proj", rewriteHome: true },
];

/** Ways a user or a tool writes machine `k`'s root into a message (before JSON encoding). */
function spellings(k: number): string[] {
  const r = MACHINES[k]!.root;
  const common = [`${r}${k === 2 ? "\\src\\x.ts" : "/src/x.ts"}`, JSON.stringify({ file_path: r }), `see ${MACHINES[k]!.home}`];
  if (k !== 2) return common;
  return [...common, "C:/Users/carol/proj/src", "/c/Users/carol/proj", "c:\\users\\carol\\proj", JSON.stringify(JSON.stringify({ p: "C:\\Users\\carol\\proj" }))];
}

type Op = { kind: "append"; who: number; names: number; spelling: number } | { kind: "sync"; who: number } | { kind: "reorder"; who: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("append" as const), who: fc.nat(2), names: fc.nat(2), spelling: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("sync" as const), who: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reorder" as const), who: fc.nat(2) }) },
);

interface Machine {
  work: Buffer;
  /** HEAD = index: canonical. */
  head: Buffer;
}

const NL = Buffer.from("\n");

function lines(b: Buffer): string[] {
  return b.toString("latin1").split("\n").filter(Boolean);
}

function isPermutation(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && JSON.stringify(lines(a).sort()) === JSON.stringify(lines(b).sort());
}

function sync(m: Machine, a: Anchors, cluster: { blob: Buffer }): void {
  // 2. commit: the clean filter with the index blob as base, then the staging normalization
  let staged = cleanWithBase(m.work, a, m.head);
  staged = appendNormalized(m.head, staged) ?? staged;
  // 3. merge with the cluster (push = the cluster takes the merge), 4. work-tree update
  const merged = mergeJsonl(m.head, staged, cluster.blob).merged;
  cluster.blob = merged;
  const plan = planFileUpdate({ current: m.work, expected: localize(m.head, a), next: localize(merged, a), jsonl: true, hot: false });
  if (plan.action === "append") m.work = Buffer.concat([m.work, plan.bytes]);
  else if (plan.action !== "none") throw new Error(`unexpected plan ${plan.action}`);
  m.head = merged;
}

describe("three machines, random interleavings, lines naming each other's roots (issue 9)", () => {
  it("every uuid once everywhere, one canonical blob, every line as its author wrote it on the author's machine (property)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 24 }), (ops) => {
        const ms: Machine[] = MACHINES.map(() => ({ work: Buffer.alloc(0), head: Buffer.alloc(0) }));
        const cluster = { blob: Buffer.alloc(0) };
        const authored = new Map<string, { who: number; text: string }>();
        let n = 0;
        for (const op of ops) {
          const m = ms[op.who]!;
          const a = MACHINES[op.who]!;
          if (op.kind === "append") {
            const sp = spellings(op.names);
            const uuid = `u${n}`;
            const text = JSON.stringify({
              type: "user",
              uuid,
              timestamp: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
              cwd: a.root,
              message: { content: `note ${sp[op.spelling % sp.length]}` },
            });
            n++;
            authored.set(uuid, { who: op.who, text });
            m.work = Buffer.concat([m.work, Buffer.from(text), NL]);
          } else if (op.kind === "sync") sync(m, a, cluster);
          else {
            const target = localize(m.head, a);
            const staged = cleanWithBase(m.work, a, m.head);
            if (isPermutation(staged, m.head) && m.work.length === target.length) m.work = target;
          }
        }
        // everyone syncs twice around, then the reorder runs (each file is cold by then)
        for (let r = 0; r < 2; r++) for (let i = 0; i < 3; i++) sync(ms[i]!, MACHINES[i]!, cluster);
        const ids = [...authored.keys()].sort();
        for (let i = 0; i < 3; i++) {
          const m = ms[i]!;
          expect(m.head.equals(cluster.blob), `machine ${i} HEAD is the cluster's blob`).toBe(true);
          const us = lines(m.work).map((l) => (JSON.parse(l) as { uuid: string }).uuid);
          expect(us.slice().sort(), `machine ${i}: each uuid once`).toEqual(ids);
          for (const l of lines(m.work)) {
            const { who, text } = authored.get((JSON.parse(l) as { uuid: string }).uuid)!;
            if (who === i) expect(l).toBe(text);
          }
        }
        expect(lines(cluster.blob)).toHaveLength(ids.length);
      }),
      { numRuns: Math.max(300, Math.floor(NUM_RUNS / 20)) },
    );
  });
});
