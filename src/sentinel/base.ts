import { Transform } from "node:stream";
import { compile, type Anchors, type Compiled, type Form } from "./anchors.js";
import { canonicalizeBuf, localizeBuf, sniffForm } from "./codec.js";
import { Chunker } from "./stream.js";

const EMPTY = Buffer.alloc(0);
const NL = Buffer.from("\n");

/**
 * Canonical lines of a base that a fresh canonicalization on this machine would not give back,
 * keyed by their localized text (latin1, without the `\n`): `localize(bl)` → the base lines
 * `bl` (in base order) with `canonicalize(localize(bl)) !== bl`. These are the lines whose
 * repository bytes only a lookup can restore: lines naming another machine's paths literally,
 * Windows variants seen on another OS, case flips (docs/cluster-format.md, "Stability across
 * machines"). Stable lines are left out: canonicalizing their local text gives them back anyway.
 */
export type ReuseMap = Map<string, Buffer[]>;

/** Adds one base line (canonical bytes, without its `\n`) to `m` when it is unstable (see {@link ReuseMap}). */
function addUnstable(m: ReuseMap, bl: Buffer, bs: string, c: Compiled, bForm: Form, wForm: Form): void {
  if (bl.length === 0) return;
  const ll = localizeBuf(bl, bs, c, bForm);
  const ls = ll === bl ? bs : ll.toString("latin1");
  const cc = canonicalizeBuf(ll, ls, c, wForm);
  if (cc === bl || cc.equals(bl)) return;
  const q = m.get(ls);
  if (q) q.push(bl);
  else m.set(ls, [bl]);
}

/**
 * Cleans `work[from..]` line by line: a line whose text (without `\n`) is a key of `reuse` with
 * lines left takes the first of them (then removed: a multiset, so a line the base holds once is
 * reused once); runs of other lines are canonicalized in the file's form `wForm`.
 */
function cleanRest(work: Buffer, ws: string, from: number, c: Compiled, wForm: Form, reuse: ReuseMap): Buffer {
  const out: Buffer[] = [];
  let run = from;
  let p = from;
  while (p < work.length) {
    const nl = work.indexOf(10, p);
    const ce = nl < 0 ? work.length : nl;
    const q = ce > p ? reuse.get(ws.slice(p, ce)) : undefined;
    if (q !== undefined && q.length > 0) {
      if (run < p) out.push(canonicalizeBuf(work.subarray(run, p), ws.slice(run, p), c, wForm));
      out.push(q.shift()!);
      if (nl >= 0) out.push(NL);
      run = nl < 0 ? work.length : nl + 1;
    }
    p = nl < 0 ? work.length : nl + 1;
  }
  if (run < work.length) out.push(canonicalizeBuf(work.subarray(run), ws.slice(run), c, wForm));
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

/**
 * Clean with the index's canonical blob as base (docs/cluster-format.md, "Stability across
 * machines"): a line of `work` that came from the repository keeps the repository's bytes, in
 * any position and order.
 * 1. The leading lines of `work` that equal the localized lines of `base` (same position) are
 *    emitted as base's bytes (the common append-only case: one comparison per line).
 * 2. For the rest, every line whose text equals the localized text of a base line not used in
 *    step 1 takes that base line's bytes, as a multiset (a base line is reused at most once); only
 *    base lines a fresh canonicalization would not give back need the lookup (see
 *    {@link ReuseMap}); all other lines are canonicalized.
 * A line is the bytes up to its `\n` (the `\n` itself is the work line's own: a base last line
 * without `\n` matches a work line that has one, and the other way round).
 *
 * Guarantees (property-tested in test/sentinel/base.test.ts and test/sentinel/reuse.test.ts):
 * - `localize(cleanWithBase(w, a, b), a)` equals `w` (for any `w`, `b`);
 * - if `w` equals `localize(b, a)` then the result equals `b` byte for byte, even when `b` came
 *   from another machine and mentions this machine's paths literally;
 * - if `w`'s lines are a reordering of `localize(b, a)`'s lines plus new lines, the result holds
 *   every line of `b` byte for byte (as a multiset) plus the canonicalized new lines.
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
  if (wp === work.length && bp === base.length) return base;
  const reuse: ReuseMap = new Map();
  // a line's local text depends on the file's form (JSON escapes Windows separators): reuse
  // needs both files in the same form (they are unless the work's first line was replaced)
  for (let s = bForm === wForm ? bp : base.length; s < base.length; ) {
    const nl = base.indexOf(10, s);
    const ce = nl < 0 ? base.length : nl;
    addUnstable(reuse, base.subarray(s, ce), bs.slice(s, ce), c, bForm, wForm);
    s = nl < 0 ? base.length : nl + 1;
  }
  const rest = reuse.size ? cleanRest(work, ws, wp, c, wForm, reuse) : canonicalizeBuf(work.subarray(wp), ws.slice(wp), c, wForm);
  return bp === 0 ? rest : Buffer.concat([base.subarray(0, bp), rest]);
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

/** A base line without its `\n`. */
function content(l: Buffer): Buffer {
  return l.length && l[l.length - 1] === 10 ? l.subarray(0, l.length - 1) : l;
}

/**
 * Streaming {@link cleanWithBaseBuf}: output byte for byte that of the whole-buffer function.
 * Feed the work-tree bytes with {@link push}, finish with {@link end}; the base (the index's
 * canonical blob) is read lazily from an async or sync iterable of chunks (e.g. the stdout of
 * `git cat-file blob <oid>`).
 * Memory: the longest line while the work follows the base line by line (the append-only case);
 * after the first differing line the rest of the base is read once to collect its unstable lines
 * ({@link ReuseMap}, usually none), then the work is processed in chunks (no unstable line) or
 * line by line (some).
 */
export class Cleaner {
  private readonly base: LineReader | undefined;
  /** Unprocessed work bytes: `work` then `pending` (pieces without a newline). */
  private work: Buffer = EMPTY;
  private pending: Buffer[] = [];
  private mode: "prefix" | "chunks" | "lines";
  private bForm: Form | undefined;
  private readonly chunker: Chunker;
  private wFormKnown: boolean;
  private readonly c: Compiled;
  /** Base lines read while matching but not used (they go into the reuse map). */
  private unused: Buffer[] = [];
  private reuse: ReuseMap = new Map();

  constructor(a: Anchors, base: AsyncIterable<Buffer> | Iterable<Buffer> | Buffer | undefined) {
    this.base = base === undefined ? undefined : new LineReader(Buffer.isBuffer(base) ? [base] : base);
    this.mode = this.base !== undefined ? "prefix" : "chunks";
    this.bForm = a.form;
    this.wFormKnown = a.form !== undefined;
    this.chunker = new Chunker(a, "canonicalize");
    this.c = compile(a);
  }

  /** Feeds work-tree bytes; resolves to the canonical output that is final so far. */
  async push(chunk: Buffer): Promise<Buffer> {
    if (this.mode === "chunks") return this.chunker.push(chunk);
    if (chunk.indexOf(10) < 0) {
      // no line ends here: keep the piece (joined once a newline arrives, so long lines cost O(n))
      this.pending.push(chunk);
      return EMPTY;
    }
    this.work = this.joinWork(chunk);
    const out: Buffer[] = [];
    let nl: number;
    while (this.mode === "prefix" && (nl = this.work.indexOf(10)) >= 0) {
      const wl = this.work.subarray(0, nl + 1);
      if (!(await this.matchLine(wl, out))) {
        await this.leavePrefix();
        break;
      }
      this.work = this.work.subarray(nl + 1);
    }
    if (this.mode === "prefix") return Buffer.concat(out);
    out.push(this.mode === "lines" ? this.lines(false) : this.toChunks());
    return Buffer.concat(out);
  }

  /** Ends the work input; resolves to the remaining output. */
  async end(): Promise<Buffer> {
    const parts: Buffer[] = [];
    if (this.mode === "prefix") {
      const out: Buffer[] = [];
      this.work = this.joinWork(EMPTY);
      if (this.work.length === 0 && this.unused.length === 0) {
        // the base may still have lines: they were not in the work (nothing to emit)
        await this.base?.close();
        return EMPTY;
      }
      if (this.work.length > 0 && (await this.matchLine(this.work, out, true))) {
        this.work = EMPTY;
        await this.base?.close();
        this.mode = "chunks";
        return Buffer.concat(out);
      }
      parts.push(...out);
      await this.leavePrefix();
    }
    if (this.mode === "lines") {
      parts.push(this.lines(true));
      return Buffer.concat(parts);
    }
    parts.push(this.toChunks(), this.chunker.end());
    return Buffer.concat(parts);
  }

  /** Compares one work line with the next base line; on a match appends the base line to `out`. */
  private async matchLine(wl: Buffer, out: Buffer[], last = false): Promise<boolean> {
    const bl = await this.base!.line();
    if (bl === undefined) return false;
    this.unused.push(bl);
    const bs = bl.toString("latin1");
    if (this.bForm === undefined) this.bForm = sniffForm(bs, false); // blank lines: decided by a later line
    if (!this.wFormKnown) this.fixWorkForm(wl);
    const ll = localizeBuf(bl, bs, this.c, this.bForm ?? "json");
    if (!ll.equals(wl)) return false;
    if (last) {
      const more = await this.base!.line();
      if (more !== undefined) {
        this.unused.push(more);
        return false;
      }
    }
    this.unused = [];
    out.push(bl);
    return true;
  }

  /**
   * The prefix ended: read the rest of the base once for its unstable lines (the line that
   * differed included), then go on line by line when there are some, in chunks otherwise.
   */
  private async leavePrefix(): Promise<void> {
    const lines = this.unused;
    this.unused = [];
    if (this.wFormKnown && this.bForm !== undefined && this.chunker.currentForm !== this.bForm) {
      // different forms (see cleanWithBaseBuf): no reuse
      await this.base?.close();
      this.mode = "chunks";
      return;
    }
    // The work's form may still be unknown (only blank lines so far): assume the base's; lines()
    // drops the map if the work turns out to be in the other form before it reuses anything.
    const add = (bl: Buffer) => {
      const bs = bl.toString("latin1");
      if (this.bForm === undefined) this.bForm = sniffForm(bs, false);
      const cl = content(bl);
      const f = this.bForm ?? "json";
      addUnstable(this.reuse, cl, cl === bl ? bs : bs.slice(0, cl.length), this.c, f, this.wFormKnown ? this.chunker.currentForm! : f);
    };
    for (const bl of lines) add(bl);
    if (this.base) {
      for (let bl = await this.base.line(); bl !== undefined; bl = await this.base.line()) add(bl);
      await this.base.close();
    }
    if (this.wFormKnown && this.bForm !== undefined && this.chunker.currentForm !== this.bForm) this.reuse.clear();
    this.mode = this.reuse.size ? "lines" : "chunks";
  }

  /** Line mode: reused lines as the base's bytes, the others through the chunker (flushed in between). */
  private lines(final: boolean): Buffer {
    const w = this.joinWork(EMPTY);
    if (!this.wFormKnown) {
      const f = sniffForm(w.toString("latin1"), final);
      if (f === undefined) {
        this.work = w; // blanks so far: wait for the first significant bytes
        return EMPTY;
      }
      this.chunker.setForm(f);
      this.wFormKnown = true;
      if (f !== (this.bForm ?? "json")) this.reuse.clear();
    }
    const out: Buffer[] = [];
    let run = 0;
    let p = 0;
    for (;;) {
      const nl = w.indexOf(10, p);
      if (nl < 0 && !final) break;
      const ce = nl < 0 ? w.length : nl;
      if (ce === p && nl < 0) break;
      const q = ce > p ? this.reuse.get(w.toString("latin1", p, ce)) : undefined;
      if (q !== undefined && q.length > 0) {
        if (run < p) out.push(this.chunker.push(w.subarray(run, p)));
        out.push(this.chunker.flush(), q.shift()!);
        if (nl >= 0) out.push(NL);
        run = nl < 0 ? w.length : nl + 1;
      }
      p = nl < 0 ? w.length : nl + 1;
    }
    if (run < p) out.push(this.chunker.push(w.subarray(run, p)));
    this.work = w.subarray(p);
    if (final) out.push(this.chunker.push(this.work), this.chunker.end());
    return Buffer.concat(out);
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
    return parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Chunk mode: everything left goes through the chunker. */
  private toChunks(): Buffer {
    const w = this.joinWork(EMPTY);
    this.work = EMPTY;
    return w.length ? this.chunker.push(w) : EMPTY;
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
