import { PassThrough, Readable, Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodePkt, MAX_PKT_PAYLOAD, PktLineError, PktReader, PktWriter, type Pkt } from "../../src/filter/pktline.js";
import { NUM_RUNS } from "../helpers/env.js";
import { chunks, data, DELIM, FLUSH, text, wire } from "./pkt.js";

async function readAll(input: Buffer, chunkSize = 7): Promise<Pkt[]> {
  const r = new PktReader(Readable.from([...chunks(input, chunkSize)]));
  const out: Pkt[] = [];
  for (;;) {
    const p = await r.read();
    out.push(p);
    if (p.type === "eof") return out;
  }
}

describe("pkt-line framing", () => {
  it("encodes data, flush and delim byte-exactly", () => {
    expect(encodePkt({ type: "data", bytes: Buffer.from("hello\n") }).toString("latin1")).toBe("000ahello\n");
    expect(encodePkt({ type: "flush" }).toString("latin1")).toBe("0000");
    expect(encodePkt({ type: "delim" }).toString("latin1")).toBe("0001");
  });

  it("accepts the maximum payload of 65516 bytes (header fff0) and refuses one byte more or an empty packet", () => {
    const max = encodePkt({ type: "data", bytes: Buffer.alloc(MAX_PKT_PAYLOAD, 0x61) });
    expect(max.subarray(0, 4).toString("latin1")).toBe("fff0");
    expect(max.length).toBe(65520);
    expect(() => encodePkt({ type: "data", bytes: Buffer.alloc(MAX_PKT_PAYLOAD + 1) })).toThrow(PktLineError);
    expect(() => encodePkt({ type: "data", bytes: Buffer.alloc(0) })).toThrow(PktLineError);
  });

  it("reads a transcript fed in odd-sized chunks, ending with eof", async () => {
    const input = wire(text("git-filter-client"), DELIM, FLUSH, data(Buffer.from([0, 255, 10])));
    const pkts = await readAll(input, 3);
    expect(pkts).toEqual([
      { type: "data", bytes: Buffer.from("git-filter-client\n") },
      { type: "delim" },
      { type: "flush" },
      { type: "data", bytes: Buffer.from([0, 255, 10]) },
      { type: "eof" },
    ]);
  });

  it.each([
    ["non-hex header", "00zz"],
    ["uppercase hex header", "000A123456"],
    ["reserved length 2", "0002"],
    ["reserved length 3", "0003"],
    ["oversize packet", "fff1" + "x".repeat(65517)],
    ["truncated header", "00"],
    ["truncated payload", "000ahel"],
  ])("rejects %s", async (_name, raw) => {
    await expect(readAll(Buffer.from(raw, "latin1"))).rejects.toBeInstanceOf(PktLineError);
  });

  it("round-trips any packet sequence through writer and reader (property)", async () => {
    const pktArb: fc.Arbitrary<Pkt> = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((u) => ({ type: "data" as const, bytes: Buffer.from(u) })),
      fc.constant({ type: "flush" as const }),
      fc.constant({ type: "delim" as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(pktArb, { maxLength: 20 }), fc.integer({ min: 1, max: 50 }), async (pkts, chunk) => {
        const sink = new PassThrough();
        const got: Buffer[] = [];
        sink.on("data", (b: Buffer) => got.push(b));
        const w = new PktWriter(sink);
        for (const p of pkts) await w.write(p);
        await w.end();
        const back = await readAll(Buffer.concat(got), chunk);
        expect(back).toEqual([...pkts, { type: "eof" }]);
      }),
      { numRuns: Math.min(NUM_RUNS, 2000) },
    );
  });

  it("splits content into packets of at most 65516 bytes", async () => {
    const sink = new PassThrough();
    const got: Buffer[] = [];
    sink.on("data", (b: Buffer) => got.push(b));
    const content = Buffer.alloc(2 * MAX_PKT_PAYLOAD + 5, 0x41);
    const w = new PktWriter(sink);
    await w.content(content);
    await w.flush();
    await w.end();
    const expected = wire(
      data(content.subarray(0, MAX_PKT_PAYLOAD)),
      data(content.subarray(MAX_PKT_PAYLOAD, 2 * MAX_PKT_PAYLOAD)),
      data(content.subarray(2 * MAX_PKT_PAYLOAD)),
      FLUSH,
    );
    expect(Buffer.concat(got).equals(expected)).toBe(true);
  });

  it("waits for drain: never queues more than one packet beyond the high-water mark of a slow reader", async () => {
    let maxQueued = 0;
    const received: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        received.push(chunk);
        setTimeout(cb, 1);
      },
    });
    const w = new PktWriter(slow);
    const content = Buffer.alloc(40 * 1000, 0x62);
    for (const piece of chunks(content, 1000)) {
      await w.write({ type: "data", bytes: piece });
      maxQueued = Math.max(maxQueued, slow.writableLength);
    }
    await w.end();
    expect(maxQueued).toBeLessThanOrEqual(1024 + 1004);
    expect(Buffer.concat(received).length).toBe(40 * 1004);
  });

  it("rejects a write once the output has failed (git went away)", async () => {
    const broken = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const w = new PktWriter(broken);
    await w.write({ type: "flush" }).catch(() => {});
    await new Promise((r) => setImmediate(r));
    await expect(w.write({ type: "flush" })).rejects.toThrow(/EPIPE/);
  });
});
