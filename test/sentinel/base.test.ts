import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cleaner, canonicalize, cleanWithBase, createCleanWithBaseStream, localize, sniffForm, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { ALL_MACHINES, LINUX, LINUX_B, MAC_B, WIN, WIN_B, biasedBytes } from "./fixtures.js";

const machines = Object.values(ALL_MACHINES);
const machine = fc.constantFrom(...machines);

/** Random cut points → chunks. */
function chunks(x: Buffer, cuts: number[]): Buffer[] {
  const ps = [...new Set(cuts.map((c) => c % (x.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of ps) {
    out.push(x.subarray(last, p));
    last = p;
  }
  out.push(x.subarray(last));
  return out;
}

async function cleanStreamed(work: Buffer[], a: Anchors, base: Buffer[] | undefined): Promise<Buffer> {
  const cl = new Cleaner(a, base);
  const out: Buffer[] = [];
  for (const w of work) out.push(await cl.push(w));
  out.push(await cl.end());
  return Buffer.concat(out);
}

describe("cleanWithBase: stability across machines", () => {
  it("a canonical file from machine A, smudged on machine B and cleaned there, gives A's bytes back (property, any machines)", () => {
    fc.assert(
      fc.property(machine, machine, fc.array(biasedBytes(LINUX, [WIN, WIN_B, LINUX_B]), { maxLength: 4 }), (A, B, lines) => {
        // canonical text from A, lines joined with \n, mentioning B's paths literally
        const C = canonicalize(Buffer.concat(lines.flatMap((x) => [x, Buffer.from("\n")])), A);
        expect(cleanWithBase(localize(C, B), B, C).equals(C)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("localize(cleanWithBase(w, a, b), a) == w for any work and base (property)", () => {
    fc.assert(
      fc.property(machine, biasedBytes(WIN, [LINUX]), biasedBytes(LINUX, [WIN_B]), (a, w, b) => {
        expect(localize(cleanWithBase(w, a, b), a).equals(w)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("appended lines: the base's lines are kept byte for byte and only the new lines are canonicalized", () => {
    fc.assert(
      fc.property(machine, machine, biasedBytes(WIN), biasedBytes(WIN_B), (A, B, old, added) => {
        const C = canonicalize(Buffer.concat([old, Buffer.from("\n")]), A);
        const work = Buffer.concat([localize(C, B), added]);
        const out = cleanWithBase(work, B, C);
        expect(out.subarray(0, C.length).equals(C)).toBe(true);
        // the new lines are canonicalized in the form of the whole file
        const form = sniffForm(work.toString("latin1"), true);
        expect(out.subarray(C.length).equals(canonicalize(added, { ...B, form }))).toBe(true);
        expect(localize(out, B).equals(work)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("example: Windows-only spellings survive a trip through Linux when the line is unchanged", () => {
    const C = Buffer.from('{"cwd":"{{CC_PROJECT_ROOT@c1}}","cmd":"cat {{CC_HOME@f}}/x /home/b/proj/y"}\n');
    const onLinux = localize(C, LINUX_B);
    expect(onLinux.toString()).toBe('{"cwd":"/home/b/proj","cmd":"cat /home/b/x /home/b/proj/y"}\n');
    // the plain codec cannot know the variants back, and rewrites B's literal path:
    expect(canonicalize(onLinux, LINUX_B).toString()).toBe('{"cwd":"{{CC_PROJECT_ROOT}}","cmd":"cat {{CC_HOME}}/x {{CC_PROJECT_ROOT}}/y"}\n');
    // with the index blob as base it is exact; a new line is canonicalized normally
    expect(cleanWithBase(onLinux, LINUX_B, C).equals(C)).toBe(true);
    const grown = Buffer.concat([onLinux, Buffer.from('{"cwd":"/home/b/proj"}\n')]);
    expect(cleanWithBase(grown, LINUX_B, C).toString()).toBe(C.toString() + '{"cwd":"{{CC_PROJECT_ROOT}}"}\n');
  });

  it("example: a changed first line does not end the reuse: a later line from the base keeps its bytes; a partial last line too", () => {
    const C = Buffer.from("{{CC_HOME@f}}\n{{CC_HOME@f}}\n");
    const w = Buffer.from("/home/b!\n/home/b\n");
    // the first line is new (canonicalized); the second is one of the base's lines (kept as stored)
    expect(cleanWithBase(w, LINUX_B, C).toString()).toBe("{{CC_HOME}}!\n{{CC_HOME@f}}\n");
    const partial = Buffer.from("/home/b\n/home/b");
    expect(cleanWithBase(partial, LINUX_B, C).toString()).toBe("{{CC_HOME@f}}\n{{CC_HOME@f}}");
    // a base line is reused once (a multiset): a third copy is new
    expect(cleanWithBase(Buffer.from("/home/b\n/home/b\n/home/b\n"), LINUX_B, C).toString()).toBe("{{CC_HOME@f}}\n{{CC_HOME@f}}\n{{CC_HOME}}\n");
    expect(cleanWithBase(Buffer.alloc(0), LINUX_B, C).length).toBe(0);
    expect(cleanWithBase(w, LINUX_B, undefined).toString()).toBe("{{CC_HOME}}!\n{{CC_HOME}}\n");
  });
});

describe("Cleaner (streaming cleanWithBase)", () => {
  it("gives the bytes of cleanWithBase for any chunking of work and base (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        machine,
        machine,
        biasedBytes(LINUX, [WIN_B]),
        biasedBytes(WIN, [MAC_B]),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.boolean(),
        async (A, B, x, extra, wc, bc, withBase) => {
          const C = canonicalize(x, A);
          const work = Buffer.concat([localize(C, B), extra]);
          const base = withBase ? C : undefined;
          const want = cleanWithBase(work, B, base);
          const got = await cleanStreamed(chunks(work, wc), B, base ? chunks(base, bc) : undefined);
          expect(got.toString("latin1")).toBe(want.toString("latin1"));
        },
      ),
      { numRuns: Math.max(200, Math.floor(NUM_RUNS / 5)) },
    );
  });

  it("gives the bytes of cleanWithBase on files made of few distinct lines (repeated lines, property)", async () => {
    const canonLines = ["{{CC_HOME}}\n", "{{CC_HOME@f}}\n", "{{CC_PROJECT_ROOT}}/x\n", "{{CC_PROJECT_ROOT@r}}/x\n", "x\n", "{{CC_HOME}}"];
    const localLines = ["/home/b\n", "/home/b/proj/x\n", "x\n", "/home/b", "y\n"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...canonLines), { maxLength: 8 }),
        fc.array(fc.constantFrom(...localLines), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (bl, wl, wc, bc) => {
          const base = Buffer.from(bl.join(""));
          const work = Buffer.from(wl.join(""));
          const want = cleanWithBase(work, LINUX_B, base);
          expect(localize(want, LINUX_B).equals(work)).toBe(true);
          const got = await cleanStreamed(chunks(work, wc), LINUX_B, chunks(base, bc));
          expect(got.toString("latin1")).toBe(want.toString("latin1"));
        },
      ),
      { numRuns: Math.max(500, Math.floor(NUM_RUNS / 5)) },
    );
  });

  it("reuses base lines after a differing line, in any order (same bytes as cleanWithBase)", async () => {
    const C = Buffer.from("{{CC_HOME}}\n{{CC_HOME}}/b\n{{CC_HOME@f}}\n");
    const w = Buffer.from("/home/b\n/home/b\n");
    expect(cleanWithBase(w, LINUX_B, C).toString()).toBe("{{CC_HOME}}\n{{CC_HOME@f}}\n");
    for (const parts of [[w], [w.subarray(0, 9), w.subarray(9)], [w.subarray(0, 3), w.subarray(3, 12), w.subarray(12)]]) {
      expect((await cleanStreamed(parts, LINUX_B, [C])).toString()).toBe("{{CC_HOME}}\n{{CC_HOME@f}}\n");
    }
  });

  it("reads the base lazily while the work follows it line by line (the append-only case)", async () => {
    const line = "{{CC_PROJECT_ROOT}}/x\n";
    let pulled = 0;
    function* base() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.from(line);
      }
    }
    const cl = new Cleaner(LINUX_B, base());
    const out = Buffer.concat([await cl.push(Buffer.from("/home/b/proj/x\n/home/b/proj/x\n")), await cl.end()]);
    expect(out.toString()).toBe("{{CC_PROJECT_ROOT}}/x\n{{CC_PROJECT_ROOT}}/x\n");
    expect(pulled).toBeLessThan(5);
  });

  it("works as a Transform over an async base", async () => {
    const C = Buffer.from("{{CC_HOME@f}}\n".repeat(1000));
    async function* base() {
      for (let o = 0; o < C.length; o += 100) yield C.subarray(o, o + 100);
    }
    const t = createCleanWithBaseStream(WIN_B, base());
    const done = (async () => {
      const parts: Buffer[] = [];
      for await (const p of t) parts.push(p as Buffer);
      return Buffer.concat(parts);
    })();
    const local = localize(C, WIN_B);
    expect(local.toString().startsWith("C:/Users/b\n")).toBe(true);
    for (let o = 0; o < local.length; o += 77) t.write(local.subarray(o, o + 77));
    t.end();
    expect((await done).equals(C)).toBe(true);
  });
});
