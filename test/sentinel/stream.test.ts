import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Chunker, canonicalize, createCanonicalizeStream, createLocalizeStream, localize, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { ALL_MACHINES, LINUX, LINUX_B, MAC, WIN, WIN_B, biasedBytes, cut } from "./fixtures.js";

const machine = fc.constantFrom(...Object.values(ALL_MACHINES));

function runChunker(a: Anchors, mode: "canonicalize" | "localize", parts: Buffer[], chunkBytes: number): Buffer {
  const ch = new Chunker(a, mode, chunkBytes);
  return Buffer.concat([...parts.map((p) => ch.push(p)), ch.end()]);
}

async function runStream(t: NodeJS.ReadWriteStream, parts: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  // biome-ignore lint/correctness/useYield: a sink (collects, yields nothing)
  await pipeline(Readable.from(parts), t, async function* (src) {
    for await (const b of src) out.push(b as Buffer);
  });
  return Buffer.concat(out);
}

describe("streaming codec", () => {
  it("equals the whole-buffer codec for any input, chunking and piece size (property)", () => {
    fc.assert(
      fc.property(
        machine,
        fc.array(biasedBytes(WIN, [LINUX, MAC]), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat({ max: 40 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 64 }),
        (a, xs, sizes, chunkBytes) => {
          const x = Buffer.concat(xs);
          const c = canonicalize(x, a);
          expect(runChunker(a, "canonicalize", cut(x, sizes), chunkBytes).toString("latin1")).toBe(c.toString("latin1"));
          expect(runChunker(a, "localize", cut(c, sizes), chunkBytes).toString("latin1")).toBe(x.toString("latin1"));
          const b = a.os === "windows" ? LINUX_B : WIN_B;
          expect(runChunker(b, "localize", cut(c, sizes), chunkBytes).equals(localize(c, b))).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("emits output before the end of a large input (bounded memory), and the same bytes", () => {
    const line = '{"cwd":"C:\\\\Users\\\\me\\\\dev\\\\proj","t":"C:\\\\Users\\\\me\\\\x \\u2028 {{CC_HOME}}"}\n';
    const ch = new Chunker(WIN, "canonicalize", 4096);
    let early = 0;
    const outs: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const o = ch.push(Buffer.from(line));
      early += o.length;
      outs.push(o);
    }
    outs.push(ch.end());
    const all = Buffer.from(line.repeat(2000));
    expect(Buffer.concat(outs).equals(canonicalize(all, WIN))).toBe(true);
    expect(early).toBeGreaterThan(0.9 * Buffer.concat(outs).length);
  });

  it("cuts a long single line at quotes (a 3 MB JSON line streams in pieces)", () => {
    const x = Buffer.from("[" + '"/home/me/src/proj/a",'.repeat(150_000) + "0]");
    const ch = new Chunker(LINUX, "canonicalize", 65536);
    const sizes: number[] = [];
    for (let o = 0; o < x.length; o += 65536) sizes.push(ch.push(x.subarray(o, o + 65536)).length);
    sizes.push(ch.end().length);
    expect(sizes.filter((s) => s > 0).length).toBeGreaterThan(20);
    expect(Math.max(...sizes)).toBeLessThan(200_000);
  });

  it("never cuts at a byte that occurs in an anchor (a root with a space)", () => {
    const x = Buffer.from(" /Users/me/Code/My Proj/a /Users/me/Code/My Proj".repeat(50));
    for (const n of [1, 2, 3, 7, 16]) {
      expect(runChunker(MAC, "canonicalize", cut(x, Array(500).fill(n)), 8).equals(canonicalize(x, MAC))).toBe(true);
    }
  });

  it("Transforms round-trip through a pipeline", async () => {
    const x = Buffer.from('{"cwd":"/home/me/src/proj"}\n'.repeat(5000) + "\\/home\\/me\\/x {{CC_HOME}}");
    const parts = cut(x, Array(3000).fill(97));
    const c = await runStream(createCanonicalizeStream(LINUX), parts);
    expect(c.equals(canonicalize(x, LINUX))).toBe(true);
    const back = await runStream(createLocalizeStream(LINUX), cut(c, Array(3000).fill(61)));
    expect(back.equals(x)).toBe(true);
  });
});
