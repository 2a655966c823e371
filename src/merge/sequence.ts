import { commonPrefixLength, lineKey, splitLines, type Lines } from "./lines.js";

/**
 * The symmetric two-sequence line merge behind the JSONL driver and the `MEMORY.md` union
 * (docs/cluster-format.md, "Merges").
 *
 * Input: two versions of a file, `a` and `b` (bytes, lines as in `./lines.ts`). Output: one
 * sequence that
 * - starts with their longest common prefix (whole lines), so a base both sides only appended to
 *   stays a prefix;
 * - holds every line content `x` exactly `max(count_a(x), count_b(x))` times: no line is lost and
 *   lines both sides share appear once;
 * - contains each side as a subsequence (each side's own order is kept) — except when the two
 *   sides order shared lines differently (a "crossing": `a` has x…y, `b` has y…x). No sequence
 *   then keeps both orders with one copy of each; the merge keeps one copy (a duplicated
 *   transcript line is worse than a moved one: Claude Code chains lines by `parentUuid`, and a
 *   re-merge must not grow the file) and counts the crossing in `reordered`;
 * - is the same bytes for `(a, b)` and `(b, a)` (every decision below depends only on the
 *   unordered pair of states), so all machines converge to one blob;
 * - equals `b` when `a` is a byte prefix of `b` (fast-forward, including a completed last line),
 *   and more generally equals `m` when the other side is a subsequence of `m` ("absorption": a
 *   re-merge with something already merged changes nothing).
 *
 * How the tails after the common prefix are interleaved: a merge of two runs. At each step the
 * two heads are compared: equal heads are emitted once; a head whose content is still pending on
 * the other side with at least as many copies must wait (it will pair with that copy); otherwise
 * a line without its own time that directly follows the last emitted line of its side goes next
 * ("sticky": untimed lines stay after their predecessor), then the earlier time, then the smaller
 * bytes. In a crossing (both heads must wait for each other) the head that this same rule puts
 * first is written once and its pending copy on the other side is skipped. Times come from `timeOf` (JSONL: the `timestamp` field); without `timeOf` every line is
 * untimed, so each side's new lines stay in one block and blocks are ordered by their first line.
 *
 * Cost: O(n) steps over the tails with two hash maps of line contents; the common prefix costs a
 * memcmp. No O(n²) alignment is ever computed.
 */

/** Options of {@link mergeSequences}. */
export interface SequenceMergeOptions {
  /**
   * Ordering time of a line (given as its latin1 string), or `null` when the line has none.
   * Times are compared as strings (ISO-8601 UTC sorts correctly). Omit for untimed merges.
   */
  timeOf?: (line: string) => string | null;
}

/** Result of {@link mergeSequences}. */
export interface SequenceMergeResult {
  merged: Buffer;
  /** Crossings resolved: shared lines written once where the two sides' orders disagree (0 for appends). */
  reordered: number;
  /** Bytes of the shared prefix copied as is (whole lines). */
  prefixBytes: number;
}

const A = 1;
const B = 2;
const BOTH = 3;

interface Tail {
  lines: Lines;
  keys: string[];
  /** Own time of each line (null: untimed). */
  own: (string | null)[];
  /** Own time, or the nearest earlier own time on the same side (the shared prefix included). */
  eff: string[];
}

function tail(buf: Buffer, cut: number, timeOf: SequenceMergeOptions["timeOf"], inherited: string): Tail {
  const lines = splitLines(buf, cut);
  const n = lines.starts.length;
  const keys = new Array<string>(n);
  const own = new Array<string | null>(n);
  const eff = new Array<string>(n);
  let t = inherited;
  for (let k = 0; k < n; k++) {
    const key = lineKey(lines, k);
    keys[k] = key;
    const ts = timeOf ? timeOf(key) : null;
    own[k] = ts;
    if (ts !== null) t = ts;
    eff[k] = t;
  }
  return { lines, keys, own, eff };
}

/** Time of the last timed line in `buf[0, cut)` (cut just after a `"\n"`), or `""`. */
function inheritedTime(buf: Buffer, cut: number, timeOf: SequenceMergeOptions["timeOf"]): string {
  if (!timeOf) return "";
  let end = cut - 1; // the "\n" ending the last prefix line
  while (end >= 0) {
    const start = end === 0 ? 0 : buf.lastIndexOf(10, end - 1) + 1;
    const ts = timeOf(buf.toString("latin1", start, end));
    if (ts !== null) return ts;
    end = start - 1;
  }
  return "";
}

function countKeys(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function dec(m: Map<string, number>, k: string): void {
  m.set(k, m.get(k)! - 1);
}

/**
 * Merges two versions of a line-oriented file symmetrically and without losing a line (see the
 * module comment for the exact guarantees). Pure, never throws.
 * @param a one side (e.g. ours), bytes.
 * @param b the other side (e.g. theirs), bytes.
 * @returns the merged bytes (which may be `a` or `b` itself), the number of crossings resolved
 *   against one side's order, and the length of the shared prefix.
 */
export function mergeSequences(a: Buffer, b: Buffer, opts: SequenceMergeOptions = {}): SequenceMergeResult {
  const p = commonPrefixLength(a, b);
  if (p === b.length) return { merged: a, reordered: 0, prefixBytes: b.length };
  if (p === a.length) return { merged: b, reordered: 0, prefixBytes: a.length };
  const cut = p === 0 ? 0 : a.lastIndexOf(10, p - 1) + 1;
  const inherited = inheritedTime(a, cut, opts.timeOf);
  const ta = tail(a, cut, opts.timeOf, inherited);
  const tb = tail(b, cut, opts.timeOf, inherited);
  const na = ta.keys.length;
  const nb = tb.keys.length;
  const remA = countKeys(ta.keys);
  const remB = countKeys(tb.keys);

  // Output plan: for each emitted line, its side (A or B) and index, and whether it is terminated.
  const outSide: number[] = [];
  const outIdx: number[] = [];
  const outTerm: boolean[] = [];
  const termA = (k: number): boolean => k < na - 1 || ta.lines.lastTerminated;
  const termB = (k: number): boolean => k < nb - 1 || tb.lines.lastTerminated;

  let i = 0;
  let j = 0;
  let last = BOTH; // the shared prefix (possibly empty) precedes both heads
  let reordered = 0;
  // Copies already written during a crossing: skipped when that side's cursor reaches them.
  const skipA = new Map<string, number>();
  const skipB = new Map<string, number>();

  const emitA = (): void => {
    outSide.push(A);
    outIdx.push(i);
    outTerm.push(termA(i));
    dec(remA, ta.keys[i]!);
    i++;
    last = A;
  };
  const emitB = (): void => {
    outSide.push(B);
    outIdx.push(j);
    outTerm.push(termB(j));
    dec(remB, tb.keys[j]!);
    j++;
    last = B;
  };
  /** Symmetric choice between two different heads: sticky first, then time, then bytes. */
  const pickA = (): boolean => {
    const sA = ta.own[i] === null && (last === A || last === BOTH);
    const sB = tb.own[j] === null && (last === B || last === BOTH);
    if (sA !== sB) return sA;
    if (!sA) {
      const ea = ta.eff[i]!;
      const eb = tb.eff[j]!;
      if (ea !== eb) return ea < eb;
    }
    return ta.keys[i]! < tb.keys[j]!;
  };

  while (i < na || j < nb) {
    if (i < na && (skipA.get(ta.keys[i]!) ?? 0) > 0) {
      dec(skipA, ta.keys[i]!);
      i++;
      continue;
    }
    if (j < nb && (skipB.get(tb.keys[j]!) ?? 0) > 0) {
      dec(skipB, tb.keys[j]!);
      j++;
      continue;
    }
    if (j >= nb) {
      emitA();
      continue;
    }
    if (i >= na) {
      emitB();
      continue;
    }
    const x = ta.keys[i]!;
    const y = tb.keys[j]!;
    if (x === y) {
      outSide.push(A);
      outIdx.push(i);
      outTerm.push(termA(i) || termB(j));
      dec(remA, x);
      dec(remB, y);
      i++;
      j++;
      last = BOTH;
      continue;
    }
    // A head may go alone when its side has more copies of it left than the other side: it
    // then cannot be needed to pair with one of the other side's copies.
    const freeA = remA.get(x)! > (remB.get(x) ?? 0);
    const freeB = remB.get(y)! > (remA.get(y) ?? 0);
    if (freeA && !freeB) emitA();
    else if (freeB && !freeA) emitB();
    else if (freeA) {
      if (pickA()) emitA();
      else emitB();
    } else {
      // Crossing: each head waits for the other. Write the one the rule puts first, once, and
      // skip its pending copy on the other side (the other side's order gives way).
      reordered++;
      if (pickA()) {
        dec(remB, x);
        skipB.set(x, (skipB.get(x) ?? 0) + 1);
        emitA();
      } else {
        dec(remA, y);
        skipA.set(y, (skipA.get(y) ?? 0) + 1);
        emitB();
      }
    }
  }

  // Assemble: prefix bytes, then each line and its "\n" (the last line keeps a missing "\n").
  const n = outSide.length;
  let total = cut;
  for (let k = 0; k < n; k++) {
    const t = outSide[k] === A ? ta : tb;
    const idx = outIdx[k]!;
    total += t.lines.ends[idx]! - t.lines.starts[idx]! + (k < n - 1 || outTerm[k] ? 1 : 0);
  }
  const out = Buffer.allocUnsafe(total);
  let w = a.copy(out, 0, 0, cut);
  for (let k = 0; k < n; k++) {
    const t = outSide[k] === A ? ta : tb;
    const idx = outIdx[k]!;
    w += t.lines.buf.copy(out, w, t.lines.starts[idx]!, t.lines.ends[idx]!);
    if (k < n - 1 || outTerm[k]) out[w++] = 10;
  }
  return { merged: out, reordered, prefixBytes: cut };
}
