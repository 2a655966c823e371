import { Transform } from "node:stream";
import { compile, type Anchors, type Form } from "./anchors.js";
import { canonicalizeBuf, localizeBuf, sniffForm } from "./codec.js";
import { Chunker } from "./stream.js";

const EMPTY = Buffer.alloc(0);

/**
 * Clean with the index's canonical blob as base (docs/cluster-format.md, "Stability across
 * machines"): the leading lines of `work` that equal the localized lines of `base` (same position,
 * from the start, while equal) are emitted as base's canonical bytes; the rest is canonicalized.
 * A line is the bytes up to and including `\n` (the last one may lack it; it then only equals a
 * base line that also lacks it).
 *
 * Guarantees (property-tested in test/sentinel/base.test.ts):
 * - `localize(cleanWithBase(w, a, b), a)` equals `w` (for any `w`, `b`);
 * - if `w` equals `localize(b, a)` then the result equals `b` byte for byte, even when `b` came
 *   from another machine and mentions this machine's paths literally.
 * Pure, never throws. Without a base it is {@link canonicalize}.
 */
export function cleanWithBaseBuf(work: Buffer, a: Anchors, base: Buffer | undefined): Buffer {
  const c = compile(a);
  const ws = work.toString("latin1");
  const wForm = a.form ?? sniffForm(ws, true)!;
  if (base === undefined || base.length === 0) return canonicalizeBuf(work, ws, c, wForm);
  const bs = base.toString("latin1");
  const bForm = a.form ?? sniffForm(bs, true)!;
  let wp = 0;
  let bp = 0;
  while (wp < work.length && bp < base.length) {
    let be = base.indexOf(10, bp);
    be = be < 0 ? base.length : be + 1;
    const ll = localizeBuf(base.subarray(bp, be), bs.slice(bp, be), c, bForm);
    if (wp + ll.length > work.length || !ll.equals(work.subarray(wp, wp + ll.length))) break;
    // a line of work must end where ll ends: at "\n", or at the end of work
    if (ll[ll.length - 1] !== 10 && wp + ll.length !== work.length) break;
    wp += ll.length;
    bp = be;
  }
  if (wp === 0) return canonicalizeBuf(work, ws, c, wForm);
  if (wp === work.length && bp === base.length) return base;
  return Buffer.concat([base.subarray(0, bp), canonicalizeBuf(work.subarray(wp), ws.slice(wp), c, wForm)]);
}

/** Reads lines (with their `\n`) from an async or sync source of byte chunks. */
class LineReader {
  private buf: Buffer = EMPTY;
  /** `buf` holds no newline before this index. */
  private scanFrom = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer> | Iterator<Buffer>;

  constructor(src: AsyncIterable<Buffer> | Iterable<Buffer>) {
    this.it = Symbol.asyncIterator in src ? (src as AsyncIterable<Buffer>)[Symbol.asyncIterator]() : (src as Iterable<Buffer>)[Symbol.iterator]();
  }

  /** Next line, or `undefined` at the end. */
  async line(): Promise<Buffer | undefined> {
    for (;;) {
      const nl = this.buf.indexOf(10, this.scanFrom);
      if (nl >= 0) {
        const l = this.buf.subarray(0, nl + 1);
        this.buf = this.buf.subarray(nl + 1);
        this.scanFrom = 0;
        return l;
      }
      this.scanFrom = this.buf.length;
      if (this.done) {
        if (!this.buf.length) return undefined;
        const l = this.buf;
        this.buf = EMPTY;
        this.scanFrom = 0;
        return l;
      }
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length) this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : Buffer.from(r.value);
    }
  }

  /** Stops reading (closes the source). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}

/**
 * Streaming {@link cleanWithBase} with memory bounded by the longest line (prefix phase) and by
 * the chunk size afterwards. Feed the work-tree bytes with {@link push}, finish with {@link end};
 * the base (the index's canonical blob) is read lazily from an async or sync iterable of chunks
 * (e.g. the stdout of `git cat-file blob <oid>`) and closed as soon as a line differs.
 * Output is byte for byte that of the whole-buffer function.
 */
export class Cleaner {
  private readonly base: LineReader | undefined;
  /** Unprocessed work bytes: `work` then `pending` (pieces without a newline). */
  private work: Buffer = EMPTY;
  private pending: Buffer[] = [];
  private prefix = true;
  private bForm: Form | undefined;
  private readonly chunker: Chunker;
  private wFormKnown: boolean;

  constructor(
    private readonly a: Anchors,
    base: AsyncIterable<Buffer> | Iterable<Buffer> | Buffer | undefined,
  ) {
    this.base = base === undefined ? undefined : new LineReader(Buffer.isBuffer(base) ? [base] : base);
    this.prefix = this.base !== undefined;
    this.bForm = a.form;
    this.wFormKnown = a.form !== undefined;
    this.chunker = new Chunker(a, "canonicalize");
  }

  /** Feeds work-tree bytes; resolves to the canonical output that is final so far. */
  async push(chunk: Buffer): Promise<Buffer> {
    if (!this.prefix) return this.chunker.push(chunk);
    if (chunk.indexOf(10) < 0) {
      // no line ends here: keep the piece (joined once a newline arrives, so long lines cost O(n))
      this.pending.push(chunk);
      return EMPTY;
    }
    this.work = this.joinWork(chunk);
    const out: Buffer[] = [];
    let nl: number;
    while (this.prefix && (nl = this.work.indexOf(10)) >= 0) {
      const wl = this.work.subarray(0, nl + 1);
      if (!(await this.matchLine(wl, out))) {
        this.prefix = false; // reuse ends at the first differing line (prefix only)
        break;
      }
      this.work = this.work.subarray(nl + 1);
    }
    const head = Buffer.concat(out);
    if (this.prefix) return head;
    const rest = this.switchToRest();
    return rest.length ? Buffer.concat([head, rest]) : head;
  }

  /** Ends the work input; resolves to the remaining output. */
  async end(): Promise<Buffer> {
    const parts: Buffer[] = [];
    if (this.prefix) {
      const out: Buffer[] = [];
      this.work = this.joinWork(EMPTY);
      if (this.work.length === 0 || (await this.matchLine(this.work, out, true))) {
        this.work = EMPTY;
        await this.base?.close();
        this.prefix = false;
        return Buffer.concat(out);
      }
      parts.push(this.switchToRest());
    }
    parts.push(this.chunker.end());
    return Buffer.concat(parts);
  }

  /** Compares one work line with the next base line; on a match appends the base line to `out`. */
  private async matchLine(wl: Buffer, out: Buffer[], last = false): Promise<boolean> {
    const bl = await this.base!.line();
    if (bl === undefined) return false;
    const bs = bl.toString("latin1");
    if (this.bForm === undefined) this.bForm = sniffForm(bs, false); // blank lines: decided by a later line
    if (!this.wFormKnown) this.fixWorkForm(wl);
    const ll = localizeBuf(bl, bs, compile(this.a), this.bForm ?? "json");
    if (!ll.equals(wl)) return false;
    if (last && (await this.base!.line()) !== undefined) return false;
    out.push(bl);
    return true;
  }

  /** The work form must come from the file's first line, even when the rest is canonicalized later. */
  private fixWorkForm(firstLine: Buffer): void {
    const f = sniffForm(firstLine.toString("latin1"), false);
    if (f !== undefined) {
      this.chunker.setForm(f);
      this.wFormKnown = true;
    }
  }

  private joinWork(more: Buffer): Buffer {
    const parts = [this.work, ...this.pending, more].filter((b) => b.length);
    this.pending = [];
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private switchToRest(): Buffer {
    this.prefix = false;
    void this.base?.close();
    const w = this.joinWork(EMPTY);
    this.work = EMPTY;
    if (!w.length) return EMPTY;
    return this.chunker.push(w);
  }
}


/** Streaming clean with a base as a Transform (see {@link Cleaner}). */
export function createCleanWithBaseStream(a: Anchors, base: AsyncIterable<Buffer> | Iterable<Buffer> | Buffer | undefined): Transform {
  const cl = new Cleaner(a, base);
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      cl.push(chunk).then((o) => cb(null, o.length ? o : undefined), cb);
    },
    flush(cb) {
      cl.end().then((o) => cb(null, o.length ? o : undefined), cb);
    },
  });
}
