import { existsSync, readFileSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { PktLineError } from "../../src/filter/pktline.js";
import { FilterHandshakeError, runFilterProcess, type FilterInput, type FilterRequest, type FilterTransform } from "../../src/filter/process.js";
import { chunks, data, ERROR, FLUSH, GIT_HELLO, request, SERVER_HELLO, success, text, wire } from "./pkt.js";

/** Runs the filter process on a byte transcript; returns what it wrote and what it logged. */
async function serve(input: Buffer, transform: FilterTransform, o: { spillThreshold?: number; chunk?: number } = {}) {
  const out = new PassThrough();
  const got: Buffer[] = [];
  out.on("data", (b: Buffer) => got.push(Buffer.from(b))); // copy: the process reuses its input memory
  const logs: string[] = [];
  await runFilterProcess(Readable.from([...chunks(input, o.chunk ?? 4096)]), out, { transform, log: (l) => logs.push(l), spillThreshold: o.spillThreshold });
  return { out: Buffer.concat(got), logs };
}

const upper: FilterTransform = async (req, input) =>
  req.command === "clean" ? Buffer.from(input.buffer!.toString("latin1").toUpperCase(), "latin1") : Buffer.from(input.buffer!.toString("latin1").toLowerCase(), "latin1");

describe("filter process protocol v2 (byte-exact transcripts)", () => {
  it("answers the handshake with version 2 and only the capabilities it supports", async () => {
    const { out } = await serve(GIT_HELLO, upper);
    expect(out.toString("latin1")).toBe(SERVER_HELLO.toString("latin1"));
    expect(out.toString("latin1")).toBe("0016git-filter-server\n000eversion=2\n0000" + "0015capability=clean\n0016capability=smudge\n0000");
  });

  it("answers status=success, the content, a flush and an empty status list for clean and smudge", async () => {
    const input = wire(GIT_HELLO, request("clean", "-k/a.jsonl", "abc\n"), request("smudge", "-k/b.jsonl", "XYZ", 65516, ["ref=refs/heads/main", "treeish=0123", "blob=4567"]));
    const { out } = await serve(input, upper);
    expect(out.equals(wire(SERVER_HELLO, success("ABC\n"), success("xyz")))).toBe(true);
    expect(out.subarray(SERVER_HELLO.length).toString("latin1")).toBe(
      "0013status=success\n0000" + "0008ABC\n" + "0000" + "0000" + "0013status=success\n0000" + "0007xyz" + "0000" + "0000",
    );
  });

  it("passes command, pathname and every other key to the transform", async () => {
    const seen: FilterRequest[] = [];
    const t: FilterTransform = async (req, input) => {
      seen.push(req);
      return input.buffer!;
    };
    await serve(wire(GIT_HELLO, request("smudge", "-home-me-p/x y.jsonl", "z", 65516, ["ref=refs/heads/main", "blob=abcd"])), t);
    expect(seen).toEqual([
      { command: "smudge", pathname: "-home-me-p/x y.jsonl", meta: { command: "smudge", pathname: "-home-me-p/x y.jsonl", ref: "refs/heads/main", blob: "abcd" } },
    ]);
  });

  it("handles empty content (no content packets) and content over several packets", async () => {
    const big = Buffer.alloc(200_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const id: FilterTransform = async (_r, input) => input.buffer!;
    const { out } = await serve(wire(GIT_HELLO, request("clean", "-k/empty", ""), request("clean", "-k/big", big, 1000)), id, { chunk: 333 });
    expect(out.equals(wire(SERVER_HELLO, wire(text("status=success"), FLUSH, FLUSH, FLUSH), success(big)))).toBe(true);
  });

  it("answers status=error (never the raw content) when the transform fails, logs the path, and keeps serving", async () => {
    const t: FilterTransform = async (req, input) => {
      if (req.pathname.endsWith("bad.jsonl")) throw new Error("codec exploded");
      return input.buffer!;
    };
    const { out, logs } = await serve(wire(GIT_HELLO, request("clean", "-k/bad.jsonl", "/home/me/secret-path\n"), request("clean", "-k/ok.jsonl", "fine")), t);
    expect(out.equals(wire(SERVER_HELLO, ERROR, success("fine")))).toBe(true);
    expect(out.includes(Buffer.from("/home/me/secret-path"))).toBe(false);
    expect(logs.join("\n")).toMatch(/clean '-k\/bad\.jsonl' failed: codec exploded/);
  });

  it("streams an output and, when the stream fails midway, ends the content and answers status=error after it", async () => {
    const t: FilterTransform = async () =>
      (async function* () {
        yield Buffer.from("partial ");
        yield Buffer.from("output");
        throw new Error("stream broke");
      })();
    const { out, logs } = await serve(wire(GIT_HELLO, request("smudge", "-k/s.jsonl", "in")), t);
    expect(out.subarray(SERVER_HELLO.length).toString("latin1")).toBe("0013status=success\n0000" + "000cpartial " + "000aoutput" + "0000" + "0011status=error\n0000");
    expect(logs.join("\n")).toMatch(/stream broke/);
  });

  it("answers a clean status=error when a streamed output fails before its first chunk", async () => {
    const t: FilterTransform = async () =>
      // biome-ignore lint/correctness/useYield: a source that fails before its first chunk
      (async function* () {
        throw new Error("no first chunk");
      })();
    const { out } = await serve(wire(GIT_HELLO, request("smudge", "-k/s.jsonl", "in")), t);
    expect(out.equals(wire(SERVER_HELLO, ERROR))).toBe(true);
  });

  it("answers status=error for a command it did not announce", async () => {
    const { out } = await serve(wire(GIT_HELLO, request("list_available_blobs", "", "")), upper);
    expect(out.equals(wire(SERVER_HELLO, ERROR))).toBe(true);
  });

  it("spills content above the threshold to a temp file, streams it to the transform, and deletes it afterwards", async () => {
    const content = Buffer.from("0123456789".repeat(20_000));
    let seen: FilterInput | undefined;
    let spillPath: string | undefined;
    const t: FilterTransform = async (_r, input) => {
      seen = input;
      spillPath = input.file;
      expect(readFileSync(input.file!).equals(content)).toBe(true);
      return input.stream() as AsyncIterable<Buffer>;
    };
    const { out } = await serve(wire(GIT_HELLO, request("clean", "-k/big.jsonl", content, 5000)), t, { spillThreshold: 10_000 });
    expect(seen!.buffer).toBeUndefined();
    expect(seen!.size).toBe(content.length);
    expect(existsSync(spillPath!)).toBe(false);
    const body = out.subarray(SERVER_HELLO.length);
    expect(body.subarray(0, 23).toString("latin1")).toBe("0013status=success\n0000");
    // reassemble the data packets and compare
    const parts: Buffer[] = [];
    let o = 23;
    for (;;) {
      const len = parseInt(body.subarray(o, o + 4).toString("latin1"), 16);
      if (len === 0) break;
      expect(len).toBeLessThanOrEqual(65520);
      parts.push(body.subarray(o + 4, o + len));
      o += len;
    }
    expect(Buffer.concat(parts).equals(content)).toBe(true);
    expect(body.subarray(o).toString("latin1")).toBe("00000000");
  });

  it("keeps content at the threshold in memory", async () => {
    let seen: FilterInput | undefined;
    await serve(wire(GIT_HELLO, request("clean", "-k/x", Buffer.alloc(100, 1), 30)), async (_r, i) => ((seen = i), i.buffer!), { spillThreshold: 100 });
    expect(seen!.buffer!.length).toBe(100);
    expect(seen!.file).toBeUndefined();
  });

  it("fails the handshake when git does not speak version 2 or the welcome is wrong", async () => {
    await expect(serve(wire(text("git-filter-client"), text("version=3"), FLUSH), upper)).rejects.toBeInstanceOf(FilterHandshakeError);
    await expect(serve(wire(text("hello"), FLUSH), upper)).rejects.toBeInstanceOf(FilterHandshakeError);
  });

  it("fails loudly when git's input ends inside a request", async () => {
    await expect(serve(wire(GIT_HELLO, text("command=clean"), text("pathname=-k/a"), FLUSH, data("half")), upper)).rejects.toBeInstanceOf(PktLineError);
  });
});

describe("filter process reading a file descriptor (FdByteSource, as main does with stdin)", () => {
  it("gives the same answers as the stream reader, also with a read buffer smaller than a packet", async () => {
    const { FdByteSource } = await import("../../src/filter/pktline.js");
    const { openSync, closeSync, writeFileSync } = await import("node:fs");
    const { file: tmpFile } = await import("tmp-promise");
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 256;
    const input = wire(GIT_HELLO, request("clean", "-k/a", big), request("smudge", "-k/b", "ABC"), request("clean", "-k/e", ""));
    const id: FilterTransform = async (req, i) => {
      const data = i.buffer ?? readFileSync(i.file!);
      return req.command === "smudge" ? Buffer.from(data.toString().toLowerCase()) : data;
    };
    const expected = wire(SERVER_HELLO, success(big), success("abc"), wire(text("status=success"), FLUSH, FLUSH, FLUSH));
    const t = await tmpFile();
    const file = t.path;
    writeFileSync(file, input);
    for (const bufSize of [1 << 20, 70_000, 1000]) {
      for (const spill of [undefined, 50_000]) {
        const fd = openSync(file, "r");
        const out = new PassThrough();
        const got: Buffer[] = [];
        out.on("data", (b: Buffer) => got.push(Buffer.from(b))); // copy: the process reuses its input memory
        try {
          await runFilterProcess(new FdByteSource(fd, bufSize), out, { transform: id, log: () => {}, spillThreshold: spill });
        } finally {
          closeSync(fd);
        }
        expect(Buffer.concat(got).equals(expected), `buffer ${bufSize}, spill ${spill}`).toBe(true);
      }
    }
    await t.cleanup();
  });
});
