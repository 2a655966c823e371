/**
 * Byte-level line handling shared by the merges in this folder.
 *
 * A "line" is the bytes between two `"\n"` (the `"\n"` itself is not part of the line; a `"\r"`
 * before it is). The last line of a buffer may lack its `"\n"` ("unterminated"); an empty buffer
 * has no lines, and a buffer ending in `"\n"` has no empty last line. Contents are compared as
 * latin1 strings, which map bytes 1:1 to code units, so string equality is byte equality and
 * string order (`<`) is byte order — invalid UTF-8 and NUL bytes are safe.
 */

/** The lines of one buffer: `[starts[k], ends[k])` are line k's bytes, without the `"\n"`. */
export interface Lines {
  buf: Buffer;
  starts: number[];
  ends: number[];
  /** False when the buffer's last line has no `"\n"` (only the last line can lack one). */
  lastTerminated: boolean;
}

/**
 * Splits `buf[from, buf.length)` into lines (see the module comment). O(n) with native
 * `indexOf`. `from` must be 0 or just after a `"\n"`.
 */
export function splitLines(buf: Buffer, from = 0): Lines {
  const starts: number[] = [];
  const ends: number[] = [];
  let pos = from;
  let lastTerminated = true;
  while (pos < buf.length) {
    const nl = buf.indexOf(10, pos);
    starts.push(pos);
    if (nl < 0) {
      ends.push(buf.length);
      lastTerminated = false;
      break;
    }
    ends.push(nl);
    pos = nl + 1;
  }
  return { buf, starts, ends, lastTerminated };
}

/** Line k of `l` as a latin1 string (a byte-exact key for maps and comparisons). */
export function lineKey(l: Lines, k: number): string {
  return l.buf.toString("latin1", l.starts[k]!, l.ends[k]!);
}

/** All lines of `buf` as latin1 strings (convenience for small inputs and tests). */
export function lineStrings(buf: Buffer): string[] {
  const l = splitLines(buf);
  return l.starts.map((_s, k) => lineKey(l, k));
}

const CHUNK = 1 << 16;

/**
 * Length of the longest common byte prefix of `a` and `b`. Compares 64 KiB chunks natively and
 * only walks bytes inside the first differing chunk, so a 50 MB shared prefix costs a memcmp.
 */
export function commonPrefixLength(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n) {
    const e = Math.min(p + CHUNK, n);
    if (a.compare(b, p, e, p, e) === 0) {
      p = e;
      continue;
    }
    while (p < e && a[p] === b[p]) p++;
    return p;
  }
  return n;
}

/** Number of `"\n"` in `buf[0, end)`, i.e. the 0-based index of the line holding byte `end`. */
export function lineIndexAt(buf: Buffer, end: number): number {
  let count = 0;
  let pos = buf.indexOf(10, 0);
  while (pos >= 0 && pos < end) {
    count++;
    pos = buf.indexOf(10, pos + 1);
  }
  return count;
}
