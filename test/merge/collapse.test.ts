import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapseSplitDuplicates } from "../../src/merge/collapse.js";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 9, scope 4: a duplicate pair created by the re-clean defect (same `uuid`, same content
 * once the anchors of the machine that re-cleaned are applied) collapses to the stored line;
 * a line that differs in content is never dropped (src/merge/collapse.ts).
 */

const A: Anchors = { os: "linux", home: "/home/al", root: "/home/al/proj", key: "-home-al-proj", rewriteHome: true };
const B: Anchors = { os: "darwin", home: "/Users/bob", root: "/Users/bob/proj", key: "-Users-bob-proj", rewriteHome: true };
const C: Anchors = { os: "windows", home: "C:\\Users\\carol", root: "C:\\Users\\carol\\proj", key: "C--Users-carol-proj", rewriteHome: true };
const MACHINES = [A, B, C];

/** Path texts in every spelling a transcript may hold (JSON-escaped, git-bash, JSON-in-JSON). */
const PATHS = [
  "/home/al/proj/src/x.ts",
  "/home/al/proj",
  "/home/al/.bashrc",
  "/Users/bob/proj/README.md",
  "/Users/bob",
  "C:\\\\Users\\\\carol\\\\proj\\\\src",
  "C:/Users/carol/proj/src",
  "/c/Users/carol/proj",
  "C:\\\\\\\\Users\\\\\\\\carol\\\\\\\\proj",
  "c:\\\\users\\\\carol\\\\proj",
  "plain words",
  "{{CC_PROJECT_ROOT}} literal",
];

const lineArb = (uuid: string) =>
  fc.record({ who: fc.constantFrom(0, 1, 2), text: fc.array(fc.constantFrom(...PATHS), { minLength: 1, maxLength: 3 }) }).map(({ who, text }) => {
    const m = MACHINES[who]!;
    const local = Buffer.from(JSON.stringify({ type: "user", uuid, cwd: "CWD", message: { content: text.join(" ") } }).replace('"CWD"', JSON.stringify(m.root)));
    return canonicalize(local, m); // canonical bytes as the author's clean wrote them
  });

const transcript = fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => lineArb(`u${i}`))));

const join = (ls: Buffer[]) => Buffer.concat(ls.flatMap((l) => [l, Buffer.from("\n")]));

describe("collapseSplitDuplicates", () => {
  it("removes exactly the re-cleaned copies the defect appended, in any order after their original (property)", () => {
    fc.assert(
      fc.property(transcript, fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2)), { maxLength: 6 }), (ls, picks) => {
        const original = join(ls);
        const extra: Buffer[] = [];
        for (const [p, mi] of picks) {
          const l = ls[p % ls.length]!;
          const m = MACHINES[mi]!;
          const copy = canonicalize(localize(l, m), m); // what the defect made of it on machine m
          if (!copy.equals(l) && !extra.some((e) => e.equals(copy))) extra.push(copy);
        }
        const damaged = Buffer.concat([original, join(extra)]);
        const r = collapseSplitDuplicates(damaged, MACHINES);
        expect(r.bytes.toString()).toBe(original.toString());
        expect(r.collapsed).toHaveLength(extra.length);
      }),
      { numRuns: Math.max(300, Math.floor(NUM_RUNS / 10)) },
    );
  });

  it("never drops a line unless a kept line has its uuid and reads the same on some machine; idempotent (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("u1", "u2", "u3"), fc.nat()), { maxLength: 10 }), fc.array(lineArb("x"), { minLength: 1, maxLength: 10 }), (ids, bodies) => {
        const ls = ids.map(([u, k]) => Buffer.from(bodies[k % bodies.length]!.toString("latin1").replace('"uuid":"x"', `"uuid":"${u}"`), "latin1"));
        const input = join(ls);
        const r = collapseSplitDuplicates(input, MACHINES);
        const kept = r.bytes.toString("latin1").split("\n").filter(Boolean);
        for (const d of r.collapsed) {
          const u = d.uuid;
          const twin = kept.some((k) => k.includes(`"uuid":"${u}"`) && MACHINES.some((m) => localize(Buffer.from(k, "latin1"), m).equals(localize(d.dropped, m))));
          expect(twin).toBe(true);
        }
        // every distinct line that reads differently on every machine from every kept line stays
        expect(kept.length + r.collapsed.length).toBe(ls.length);
        expect(collapseSplitDuplicates(r.bytes, MACHINES).bytes.equals(r.bytes)).toBe(true);
      }),
      { numRuns: Math.max(300, Math.floor(NUM_RUNS / 10)) },
    );
  });

  it("example: never drops a line in favour of a line that is itself dropped (CI seed -533873084)", () => {
    // Windows reads lines 1 and 2 the same (git-bash spelling); Linux reads 2 and 3 the same.
    // Line 3 reads differently from line 1 on every machine, so it must stay once 2 goes.
    const line = (c: string) => Buffer.from(`{"type":"user","uuid":"u1","cwd":"{{CC_PROJECT_ROOT}}","message":{"content":"${c}"}}`);
    const ls = [line("/c/Users/carol/proj"), line("{{CC_PROJECT_ROOT@g}}"), line("{{CC_PROJECT_ROOT}}")];
    const r = collapseSplitDuplicates(join(ls), MACHINES);
    expect(r.collapsed.map((c) => [c.keptLine, c.droppedLine, c.machine])).toEqual([[1, 2, 2]]);
    expect(r.bytes.toString()).toBe(join([ls[0]!, ls[2]!]).toString());
  });

  it("example: keeps lines that differ in content, exact repeats, lines without uuid and non-JSON lines", () => {
    const l1 = Buffer.from('{"uuid":"u1","message":{"content":"on my linux box the file is /home/al/proj/src/x.ts"}}');
    const copy = canonicalize(localize(l1, A), A);
    expect(copy.toString()).toContain("{{CC_PROJECT_ROOT}}/src/x.ts");
    const differs = Buffer.from('{"uuid":"u1","message":{"content":"on my linux box the file is /home/al/proj/src/y.ts"}}');
    const other = Buffer.from('{"uuid":"u2","message":{"content":"{{CC_PROJECT_ROOT}}/src/x.ts"}}');
    const noUuid = Buffer.from('{"type":"summary","message":{"content":"{{CC_PROJECT_ROOT}}/src/x.ts"}}');
    const input = join([l1, differs, other, l1, noUuid, Buffer.from("not json {{CC_HOME}}"), copy]);
    const r = collapseSplitDuplicates(input, MACHINES);
    expect(r.collapsed.map((c) => [c.uuid, c.keptLine, c.droppedLine, c.machine])).toEqual([["u1", 1, 7, 0]]);
    expect(r.bytes.toString()).toBe(join([l1, differs, other, l1, noUuid, Buffer.from("not json {{CC_HOME}}")]).toString());
    // without the machine that re-cleaned, nothing is recognised
    expect(collapseSplitDuplicates(input, [B, C]).collapsed).toEqual([]);
    expect(collapseSplitDuplicates(input, []).bytes).toBe(input);
  });
});
