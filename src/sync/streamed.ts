import { createHash } from "node:crypto";
import { UuidRepeatScanner } from "../merge/collapse.js";
import { Chunker, type Anchors } from "../sentinel/index.js";

/**
 * The bounded-memory path of a receiving sync for large transcripts (issue 22, point 8): a
 * transcript whose new version only extends what the machine holds (the common append) is
 * streamed — never held whole — through the issue-9 check ({@link scanBlob}), the smudge
 * ({@link localizedChunks}) and the comparison with the work-tree file ({@link planStreamedUpdate}),
 * and only the appended tail is kept. Anything else falls back to the whole-buffer path, whose
 * results these functions reproduce byte for byte. Pure but for the async iteration of the
 * sources given.
 */

/**
 * A transcript blob at least this large (bytes) takes the streaming path; smaller ones are read
 * whole (one `git cat-file` child per streamed blob costs a few ms, too much for the many small
 * files of a usual sync).
 */
export const STREAM_MIN_BYTES = 8 * 1024 * 1024;

/**
 * A new version of a work-tree file that is produced on demand instead of held: `chunks()`
 * yields its work-tree (smudged) bytes in order, each call a fresh pass; `whole()` the same bytes
 * as one buffer (the fallback). Both may throw what their source throws (e.g. `CatFileError`).
 */
export interface NextSource {
  chunks(): AsyncIterable<Buffer>;
  whole(): Promise<Buffer>;
}

/**
 * The smudged form of a stream of canonical bytes: the chunks of `src` localized with `a`
 * (`undefined`: passed through), byte for byte what `localize` gives for the whole input
 * (src/sentinel/stream.ts, {@link Chunker}: cut only at bytes no anchor or token holds, the form
 * sniffed from the first significant bytes as the whole-buffer function does). `chunkBytes`: the
 * size of a processed piece (default `CHUNK_BYTES`; tests use small ones).
 */
export async function* localizedChunks(src: AsyncIterable<Buffer>, a: Anchors | undefined, chunkBytes?: number): AsyncGenerator<Buffer> {
  if (!a) {
    yield* src;
    return;
  }
  const ch = new Chunker(a, "localize", chunkBytes);
  for await (const c of src) {
    const out = ch.push(c);
    if (out.length) yield out;
  }
  const out = ch.end();
  if (out.length) yield out;
}

/** What {@link planStreamedUpdate} found. */
export type StreamedPlan =
  /** The file holds exactly the new bytes. */
  | { action: "none" }
  /** The file is a byte prefix of the new bytes: append `bytes` (the rest of the new version). */
  | { action: "append"; bytes: Buffer }
  /** Neither: the whole-buffer planner decides (src/sync/plan.ts). */
  | { action: "differs" };

/**
 * The first two rules of `planFileUpdate` for a transcript (src/sync/plan.ts: equal → none; a
 * byte prefix of the new version → append the rest), decided while streaming: `read(buf, pos)`
 * reads the current file like `pread` (bytes read into `buf` from offset `pos`, 0 at its end);
 * `next` yields the new version. Holds one chunk and, when the file is a prefix, the tail only.
 * @throws what `read` or `next` throw.
 */
export async function planStreamedUpdate(read: (buf: Buffer, pos: number) => number, next: AsyncIterable<Buffer>): Promise<StreamedPlan> {
  let pos = 0; // bytes of the file matched so far
  let ended = false; // the file's end was reached
  const tail: Buffer[] = [];
  let scratch = Buffer.alloc(0);
  for await (const c of next) {
    let off = 0;
    while (!ended && off < c.length) {
      const want = c.length - off;
      if (scratch.length < want) scratch = Buffer.alloc(Math.max(want, 1 << 16));
      const n = read(scratch.subarray(0, want), pos);
      if (n === 0) {
        ended = true;
        break;
      }
      if (!scratch.subarray(0, n).equals(c.subarray(off, off + n))) return { action: "differs" };
      pos += n;
      off += n;
    }
    if (off < c.length) tail.push(off === 0 ? c : c.subarray(off));
  }
  if (!ended && read(Buffer.alloc(1), pos) > 0) return { action: "differs" }; // the file is longer
  return tail.length === 0 ? { action: "none" } : { action: "append", bytes: Buffer.concat(tail) };
}

/** What {@link scanBlob} found of a blob, from one pass over its bytes. */
export interface BlobScan {
  /** Whether the blob repeats a `uuid` text on two lines (`repeatsUuid`, src/merge/collapse.ts). */
  repeats: boolean;
  /** Whether its first `prefix.size` bytes are the blob `prefix.oid` (false when no `prefix` was given or it is longer). */
  extends: boolean;
}

/**
 * One pass over a blob's bytes for the issue-9 check of a large transcript: whether it repeats a
 * uuid text ({@link UuidRepeatScanner}) and whether it extends the blob `prefix` (its git object
 * id is the `sha1`/`sha256` of `blob <size>\0<first size bytes>`, gitformat-loose(5); a 64-digit
 * id is sha256). Memory: one chunk and the uuid texts.
 * @throws what `src` throws.
 */
export async function scanBlob(src: AsyncIterable<Buffer>, prefix?: { oid: string; size: number }): Promise<BlobScan> {
  const scanner = new UuidRepeatScanner();
  const h = prefix && createHash(prefix.oid.length === 64 ? "sha256" : "sha1");
  h?.update(`blob ${prefix!.size}\0`);
  let seen = 0;
  for await (const c of src) {
    scanner.push(c);
    if (h && seen < prefix!.size) h.update(c.subarray(0, Math.min(c.length, prefix!.size - seen)));
    seen += c.length;
  }
  return { repeats: scanner.end(), extends: !!h && seen >= prefix!.size && h.digest("hex") === prefix!.oid };
}
