import { read } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { CtxError } from "../errors.js";

/**
 * git's pkt-line framing (`git help gitprotocol-common`, "pkt-line Format"): a 4-digit lowercase
 * hex length that counts itself, then the payload. `0000` is a flush packet, `0001` a delimiter
 * packet. `eof` is not on the wire: it is what {@link PktReader.read} returns when the input ends
 * cleanly between packets.
 */
export type Pkt = { type: "data"; bytes: Buffer } | { type: "flush" } | { type: "delim" } | { type: "eof" };

/** Largest payload of one data packet: 65520 − 4 bytes of length header (`LARGE_PACKET_DATA_MAX` in git's pkt-line.h). */
export const MAX_PKT_PAYLOAD = 65516;

/** The input is not valid pkt-line framing (bad header, oversize packet, input cut inside a packet). */
export class PktLineError extends CtxError {
  readonly code = "PktLine" as const;
  constructor(readonly data: { problem: string; header?: string }) {
    super(
      `pkt-line protocol error: ${data.problem}${data.header !== undefined ? ` (header '${data.header}')` : ""} (is git-ctx-filter run by git as filter.ctx.process? check 'git config filter.ctx.process')`,
    );
  }
}

const FLUSH = Buffer.from("0000", "latin1");
const DELIM = Buffer.from("0001", "latin1");

/**
 * Encodes one packet to its wire bytes. `eof` has no wire form and encodes to an empty buffer.
 * @throws PktLineError when a data payload is empty or longer than {@link MAX_PKT_PAYLOAD}
 *   (git never sends an empty data packet: `0004` is reserved).
 */
export function encodePkt(pkt: Pkt): Buffer {
  switch (pkt.type) {
    case "flush":
      return FLUSH;
    case "delim":
      return DELIM;
    case "eof":
      return Buffer.alloc(0);
    case "data": {
      const n = pkt.bytes.length;
      if (n === 0 || n > MAX_PKT_PAYLOAD) throw new PktLineError({ problem: `data payload of ${n} bytes (must be 1..${MAX_PKT_PAYLOAD})` });
      const out = Buffer.allocUnsafe(n + 4);
      out.write((n + 4).toString(16).padStart(4, "0"), 0, "latin1");
      pkt.bytes.copy(out, 4);
      return out;
    }
  }
}

/** Splits `bytes` into data packets of at most {@link MAX_PKT_PAYLOAD} bytes (views, no copies; none for empty input). */
export function dataPkts(bytes: Buffer): Pkt[] {
  const out: Pkt[] = [];
  for (let off = 0; off < bytes.length; off += MAX_PKT_PAYLOAD) out.push({ type: "data", bytes: bytes.subarray(off, Math.min(bytes.length, off + MAX_PKT_PAYLOAD)) });
  return out;
}

/** A text packet: `text` + `\n` as a data packet (pkt-line text lines end with LF). */
export function textPkt(text: string): Pkt {
  return { type: "data", bytes: Buffer.from(text + "\n", "utf8") };
}

/**
 * Reads exact byte counts (or LF-terminated lines) from a byte stream, pulling chunks on demand
 * (so the stream's own backpressure applies: nothing is read ahead beyond one chunk).
 * Shared by {@link PktReader} and the `git cat-file --batch` reader.
 */
export class ByteSource implements ByteInput {
  private readonly it: AsyncIterator<Buffer | string>;
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;
  constructor(stream: AsyncIterable<Buffer | string>) {
    this.it = stream[Symbol.asyncIterator]();
  }

  /** Reads the next chunk of the source into the queue (or marks the end). */
  private async pull(): Promise<void> {
    const r = await this.it.next();
    if (r.done) this.done = true;
    else {
      const b = typeof r.value === "string" ? Buffer.from(r.value, "latin1") : r.value;
      if (b.length) {
        this.chunks.push(b);
        this.length += b.length;
      }
    }
  }

  /**
   * Returns the bytes up to and including the next LF, or what is left when the input ends first
   * (empty at end of input).
   */
  async takeLine(): Promise<Buffer> {
    for (;;) {
      let seen = 0;
      for (const c of this.chunks) {
        const i = c.indexOf(0x0a);
        if (i >= 0) return this.take(seen + i + 1);
        seen += c.length;
      }
      if (this.done) return this.take(this.length);
      await this.pull();
    }
  }

  /**
   * Returns `n` bytes as views of the input chunks (no copy), fewer when the input ended first.
   * The views stay valid: chunks are never reused.
   */
  async takeParts(n: number): Promise<Buffer[]> {
    const out: Buffer[] = [];
    let need = n;
    while (need > 0) {
      if (this.length === 0) {
        if (this.done) break;
        const r = await this.it.next();
        if (r.done) {
          this.done = true;
          break;
        }
        const b = typeof r.value === "string" ? Buffer.from(r.value, "latin1") : r.value;
        if (b.length) {
          this.chunks.push(b);
          this.length += b.length;
        }
        continue;
      }
      const c = this.chunks[0]!;
      const m = Math.min(c.length, need);
      out.push(m === c.length ? c : c.subarray(0, m));
      if (m === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(m);
      this.length -= m;
      need -= m;
    }
    return out;
  }

  /** Returns exactly `n` bytes, or fewer when the input ended first (0 bytes: at end). */
  async take(n: number): Promise<Buffer> {
    while (this.length < n && !this.done) {
      await this.pull();
    }
    const k = Math.min(n, this.length);
    if (k === 0) return Buffer.alloc(0);
    let out: Buffer;
    if (this.chunks[0]!.length >= k) {
      const first = this.chunks[0]!;
      out = first.subarray(0, k);
      if (first.length === k) this.chunks.shift();
      else this.chunks[0] = first.subarray(k);
    } else {
      out = Buffer.allocUnsafe(k);
      let off = 0;
      while (off < k) {
        const c = this.chunks[0]!;
        const m = Math.min(c.length, k - off);
        c.copy(out, off, 0, m);
        off += m;
        if (m === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(m);
      }
    }
    this.length -= k;
    return out;
  }
}

/** What {@link PktReader} reads from: {@link ByteSource} (a stream) or {@link FdByteSource} (a file descriptor). */
export interface ByteInput {
  /** Exactly `n` bytes (an owned buffer), or fewer at end of input. */
  take(n: number): Promise<Buffer>;
  /** `n` bytes as views, fewer at end of input; the views may be reused by the next call. */
  takeParts(n: number): Promise<Buffer[]>;
}

/**
 * Reads a file descriptor (the filter's stdin) into one reusable buffer, so content passing
 * through allocates nothing: with a stream, every 64 KiB read is a new Buffer that lives until the
 * next GC, and a 200 MB file left ~50 MB of them behind (RSS).
 * Reads are asynchronous (`fs.read`, on libuv's thread pool), never blocking the event loop: with
 * blocking reads Node could not finish queued writes (to git, or to a `git cat-file` child) while
 * waiting, and git and the filter could both end up waiting on a pipe. A non-blocking descriptor
 * (EAGAIN) is retried after 1 ms.
 */
function readAsync(fd: number, buf: Buffer, off: number, len: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, off, len, null, (e, n) => (e ? reject(e) : resolve(n))));
}

export class FdByteSource implements ByteInput {
  private readonly buf: Buffer;
  private start = 0;
  private end = 0;
  private done = false;
  constructor(
    private readonly fd: number,
    size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    if (this.start === this.end) this.start = this.end = 0;
    else if (this.end === this.buf.length) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    let n: number;
    for (;;) {
      try {
        n = await readAsync(this.fd, this.buf, this.end, this.buf.length - this.end);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") {
          await new Promise((r) => setTimeout(r, 1)); // non-blocking descriptor: wait 1 ms, retry
          continue;
        }
        if (code === "EOF") {
          n = 0;
          break;
        }
        throw e;
      }
    }
    if (n === 0) this.done = true;
    this.end += n;
    return n > 0;
  }

  async take(n: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      if (this.start === this.end && !(await this.fill())) break;
      const m = Math.min(n - off, this.end - this.start);
      this.buf.copy(out, off, this.start, this.start + m);
      this.start += m;
      off += m;
    }
    return off === n ? out : out.subarray(0, off);
  }

  async takeParts(n: number): Promise<Buffer[]> {
    // a payload (≤ 65516) always fits the buffer: make it contiguous, return one view
    if (n > this.buf.length) return [await this.take(n)];
    while (this.end - this.start < n) {
      if (this.end === this.buf.length && this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      }
      if (!(await this.fill())) break;
    }
    const m = Math.min(n, this.end - this.start);
    const view = this.buf.subarray(this.start, this.start + m);
    this.start += m;
    return m ? [view] : [];
  }
}

/**
 * Reads pkt-lines from a byte stream (git's stdout side of the filter process: our stdin).
 * One packet at a time. Data packets from {@link read} own their bytes; pieces handed to the
 * {@link readContent} sink are views that are only valid until the sink's promise resolves.
 */
export class PktReader {
  private readonly src: ByteInput;
  constructor(input: Readable | AsyncIterable<Buffer | string> | ByteInput) {
    this.src = "takeParts" in input ? (input as ByteInput) : new ByteSource(input as AsyncIterable<Buffer | string>);
  }

  /**
   * Reads the next packet. Returns `{type:"eof"}` when the input ends between packets.
   * @throws PktLineError on a malformed header, a length of 2/3 or above 65520, or input that ends
   *   inside a packet.
   */
  async read(): Promise<Pkt> {
    const len = await this.header();
    if (len === -1) return { type: "eof" };
    if (len === 0) return { type: "flush" };
    if (len === 1) return { type: "delim" };
    const bytes = await this.src.take(len - 4);
    if (bytes.length < len - 4) throw new PktLineError({ problem: `input ended inside a packet (${bytes.length} of ${len - 4} payload bytes)` });
    return { type: "data", bytes };
  }

  /**
   * Reads data packets up to the next flush and hands their payloads to `sink` as views of the
   * input (a payload may arrive in several pieces; no copies: this is the hot path for content).
   * A piece is only valid until the sink's promise resolves (copy what you keep).
   * @returns the total payload size in bytes.
   * @throws PktLineError on a malformed header, a delimiter, or end of input before the flush.
   */
  async readContent(sink: (piece: Buffer) => void | Promise<void>): Promise<number> {
    let total = 0;
    for (;;) {
      const len = await this.header();
      if (len === 0) return total;
      if (len === 1) throw new PktLineError({ problem: "expected content or flush, got a delim packet" });
      if (len === -1) throw new PktLineError({ problem: "input ended before the flush packet closing the content" });
      const parts = await this.src.takeParts(len - 4);
      let got = 0;
      for (const p of parts) {
        got += p.length;
        await sink(p);
      }
      if (got < len - 4) throw new PktLineError({ problem: `input ended inside a packet (${got} of ${len - 4} payload bytes)` });
      total += got;
    }
  }

  /** Reads and checks a packet header: -1 at end of input, 0 flush, 1 delim, else the length (5..65520). */
  private async header(): Promise<number> {
    const head = await this.src.take(4);
    if (head.length === 0) return -1;
    const hs = head.toString("latin1");
    if (head.length < 4) throw new PktLineError({ problem: "input ended inside a packet header", header: hs });
    if (!/^[0-9a-f]{4}$/.test(hs)) throw new PktLineError({ problem: "packet header is not 4 lowercase hex digits", header: hs });
    const len = parseInt(hs, 16);
    if (len === 2 || len === 3 || len === 4) throw new PktLineError({ problem: `reserved packet length ${len}`, header: hs });
    if (len > MAX_PKT_PAYLOAD + 4) throw new PktLineError({ problem: `packet of ${len} bytes exceeds ${MAX_PKT_PAYLOAD + 4}`, header: hs });
    return len;
  }

  /**
   * Reads a text data packet and returns it without its trailing LF.
   * @throws PktLineError when the next packet is not a data packet (names `expected`).
   */
  async readText(expected: string): Promise<string> {
    const p = await this.read();
    if (p.type !== "data") throw new PktLineError({ problem: `expected ${expected}, got a ${p.type} packet` });
    return pktText(p.bytes);
  }

  /**
   * Reads text packets up to the next flush and returns them (without trailing LFs).
   * Returns `undefined` when the input ends cleanly before the first packet (git closed the pipe).
   * @throws PktLineError on a delimiter, or end of input after the first packet.
   */
  async readTextList(): Promise<string[] | undefined> {
    const out: string[] = [];
    for (;;) {
      const p = await this.read();
      if (p.type === "flush") return out;
      if (p.type === "eof") {
        if (out.length === 0) return undefined;
        throw new PktLineError({ problem: "input ended before the flush packet closing a list" });
      }
      if (p.type === "delim") throw new PktLineError({ problem: "unexpected delimiter packet in a list" });
      out.push(pktText(p.bytes));
    }
  }
}

/** Payload of a text packet as UTF-8 without one trailing LF. */
export function pktText(bytes: Buffer): string {
  const n = bytes.length && bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
  return bytes.toString("utf8", 0, n);
}

/**
 * Writes pkt-lines to a byte stream (our stdout, read by git), respecting backpressure: every
 * write waits for `drain` when the stream's buffer is full, so memory stays bounded by one packet
 * plus the stream's high-water mark.
 */
export class PktWriter {
  private failure: Error | undefined;
  constructor(private readonly out: Writable) {
    out.on("error", (e: Error) => {
      this.failure = e;
    });
  }

  private async raw(b: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (b.length === 0) return;
    if (!this.out.write(b)) await this.drained();
    if (this.failure) throw this.failure;
  }

  private drained(): Promise<void> {
    const out = this.out;
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        out.off("drain", onDrain);
        out.off("close", onClose);
        out.off("error", onError);
        if (e) reject(e);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(this.failure ?? new PktLineError({ problem: "output closed (git went away)" }));
      const onError = (e: Error) => done(e);
      out.on("drain", onDrain);
      out.on("close", onClose);
      out.on("error", onError);
    });
  }

  /**
   * Writes one packet. A data payload is written as a view, not copied (header and payload go out
   * together through `cork`), so the caller must not modify it afterwards.
   * @throws the stream's error (e.g. EPIPE when git exits); PktLineError for an invalid payload size.
   */
  async write(pkt: Pkt): Promise<void> {
    if (pkt.type !== "data") return this.raw(encodePkt(pkt));
    const n = pkt.bytes.length;
    if (n === 0 || n > MAX_PKT_PAYLOAD) throw new PktLineError({ problem: `data payload of ${n} bytes (must be 1..${MAX_PKT_PAYLOAD})` });
    if (n < 4096) return this.raw(encodePkt(pkt));
    if (this.failure) throw this.failure;
    this.out.cork();
    this.out.write(Buffer.from((n + 4).toString(16).padStart(4, "0"), "latin1"));
    const ok = this.out.write(pkt.bytes);
    this.out.uncork();
    if (!ok) await this.drained();
    if (this.failure) throw this.failure;
  }

  /**
   * Writes several packets as one batch (one `writev` for small answers instead of a syscall per
   * packet), then waits until all of it has been handed to the OS. Data payloads are written as
   * views (not copied).
   * @throws as {@link write}.
   */
  async batch(pkts: readonly Pkt[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.out.cork();
    try {
      for (const p of pkts) {
        if (p.type === "data" && p.bytes.length >= 4096) {
          const n = p.bytes.length;
          if (n > MAX_PKT_PAYLOAD) throw new PktLineError({ problem: `data payload of ${n} bytes (must be 1..${MAX_PKT_PAYLOAD})` });
          this.out.write(Buffer.from((n + 4).toString(16).padStart(4, "0"), "latin1"));
          this.out.write(p.bytes);
        } else this.out.write(encodePkt(p));
      }
    } finally {
      this.out.uncork();
    }
    await this.end();
    if (this.failure) throw this.failure;
  }

  /** Writes `text` + LF as a data packet. */
  async text(text: string): Promise<void> {
    await this.write(textPkt(text));
  }

  /** Writes a flush packet. */
  async flush(): Promise<void> {
    await this.raw(FLUSH);
  }

  /** Writes each line as a text packet, then a flush packet. */
  async textList(lines: readonly string[]): Promise<void> {
    for (const l of lines) await this.text(l);
    await this.flush();
  }

  /**
   * Writes bytes as data packets of at most {@link MAX_PKT_PAYLOAD} bytes (no flush). Empty input
   * writes nothing (git reads an empty content as "no packets before the flush").
   */
  async content(bytes: Buffer): Promise<void> {
    for (let off = 0; off < bytes.length; off += MAX_PKT_PAYLOAD) {
      await this.write({ type: "data", bytes: bytes.subarray(off, Math.min(bytes.length, off + MAX_PKT_PAYLOAD)) });
    }
  }

  /**
   * Resolves when everything written so far has been handed to the OS. Call it before exiting and
   * before a blocking read ({@link FdByteSource}): a write that the OS did not take at once is
   * finished by the event loop, which a blocking read stops.
   */
  async end(): Promise<void> {
    if (this.failure) return;
    await new Promise<void>((resolve) => this.out.write(Buffer.alloc(0), () => resolve()));
  }
}
