import { Transform } from "node:stream";
import { compile, type Anchors, type Compiled, type Form } from "./anchors.js";
import { canonicalizeBuf, localizeBuf, sniffForm, zeroCounts, type TierCounts } from "./codec.js";

/** Target size of one processed piece (latin1 chars = bytes). */
export const CHUNK_BYTES = 1 << 18;

/**
 * Incremental codec with bounded memory. Input is cut only right after a "cut byte" (newline,
 * quote, blank, `,;<>|*?()[]^&` and a few more, minus any byte that occurs in an anchor):
 * no anchor, tail or sentinel token can contain such a byte, and each of them is a boundary on
 * both sides, so processing the pieces separately gives exactly the bytes of processing the whole
 * input (docs/cluster-format.md, "Streaming"). Memory: about {@link CHUNK_BYTES} plus the longest
 * run without a cut byte (a 10 MB JSON line has quotes every few bytes).
 */
export class Chunker {
  private pieces: Buffer[] = [];
  private size = 0;
  /** Bytes at the start of the pending input already known to hold no cut byte. */
  private scanned = 0;
  private form: Form | undefined;
  /** Rewrites per tier so far (canonicalize mode). */
  readonly counts: TierCounts = zeroCounts();
  private readonly c: Compiled;

  constructor(
    a: Anchors,
    private readonly mode: "canonicalize" | "localize",
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.c = compile(a);
    this.form = a.form;
  }

  /** Feeds bytes; returns the output that is final so far (possibly empty). */
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    this.pieces.push(chunk);
    this.size += chunk.length;
    if (this.size < this.chunkBytes) return EMPTY;
    const s = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size);
    let cut = -1;
    const cutTable = this.c.cut;
    for (let i = s.length - 1; i >= this.scanned; i--) {
      if (cutTable[s[i]!]) {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) {
      this.pieces = [s];
      this.scanned = s.length;
      return EMPTY;
    }
    const head = s.subarray(0, cut);
    const rest = s.subarray(cut);
    this.pieces = rest.length ? [rest] : [];
    this.size = rest.length;
    this.scanned = 0;
    return this.run(head, false);
  }

  /**
   * Processes everything fed so far; returns its output. Only right after a cut byte (e.g. at a
   * line end, as {@link Cleaner} calls it), so no anchor or token is split. The input may go on.
   */
  flush(): Buffer {
    if (this.size === 0) return EMPTY;
    const s = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    this.scanned = 0;
    return this.run(s, false);
  }

  /** Ends the input; returns the remaining output. */
  end(): Buffer {
    const s = Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    this.scanned = 0;
    return s.length ? this.run(s, true) : EMPTY;
  }

  private run(b: Buffer, final: boolean): Buffer {
    const s = b.toString("latin1");
    let form = this.form;
    if (form === undefined) {
      form = sniffForm(s, final);
      // Undecided only when the piece is blanks (a piece ends with a cut byte, which cannot be in a
      // token): no anchor or token is in it, and the next piece's sniff is the file's.
      if (form !== undefined) this.form = form;
      else form = "json";
    }
    return this.mode === "canonicalize" ? canonicalizeBuf(b, s, this.c, form, this.counts) : localizeBuf(b, s, this.c, form);
  }

  /** Fixes the form (the file's form is decided by its first significant bytes, which a caller may have seen). */
  setForm(f: Form): void {
    this.form = f;
  }

  /** The form in use (after the first significant bytes), or the one given in the anchors. */
  get currentForm(): Form | undefined {
    return this.form;
  }
}

const EMPTY = Buffer.alloc(0);

function chunkerTransform(ch: Chunker): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        const out = ch.push(chunk);
        cb(null, out.length ? out : undefined);
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        const out = ch.end();
        cb(null, out.length ? out : undefined);
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/**
 * Streaming {@link canonicalize}: a Transform from work-tree bytes to canonical bytes, byte for
 * byte the same output as the whole-buffer function, in bounded memory (see {@link Chunker}).
 */
export function createCanonicalizeStream(a: Anchors): Transform {
  return chunkerTransform(new Chunker(a, "canonicalize"));
}

/** Streaming {@link localize}: canonical bytes to this machine's bytes, bounded memory. */
export function createLocalizeStream(a: Anchors): Transform {
  return chunkerTransform(new Chunker(a, "localize"));
}
