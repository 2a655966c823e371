import { diff3Merge } from "node-diff3";
import { lineKey, splitLines } from "./lines.js";
import { mergeSequences } from "./sequence.js";

/** Result of a memory merge: the bytes, whether conflict markers were written, and notes. */
export interface TextMergeResult {
  merged: Buffer;
  conflict: boolean;
  notes: string[];
}

/** Lines of `buf` as latin1 strings that keep their `"\n"` (the last one may lack it). */
function linesWithEol(buf: Buffer): string[] {
  const l = splitLines(buf);
  const n = l.starts.length;
  const out = new Array<string>(n);
  for (let k = 0; k < n; k++) out[k] = lineKey(l, k) + (k < n - 1 || l.lastTerminated ? "\n" : "");
  return out;
}

function counts(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/**
 * Merges `memory/MEMORY.md` (Claude Code's memory index: one entry per line, FORMATS.md) as a
 * three-way line union:
 * - a line added by either side is kept (once when both added it), in each side's order; the new
 *   lines of the two sides are placed by the symmetric run merge of src/merge/sequence.ts
 *   without times (each side's new lines stay together; blocks ordered by their first line's
 *   bytes), so `merge(o, a, b)` and `merge(o, b, a)` are the same bytes;
 * - a base line that one side removed (or replaced) is removed, the other side's unchanged copy
 *   notwithstanding. Per line content `x` with counts `o, a, b` and changes `da = a - o`,
 *   `db = b - o`, the result holds `o + max(da, db)` copies when both only added, `o + min(da, db)`
 *   when both only removed, and `o + da + db` otherwise;
 * - never writes conflict markers. Never throws.
 * When one side equals the base the other side is returned as is (the usual three-way rule).
 */
export function mergeMemoryIndex(base: Buffer, ours: Buffer, theirs: Buffer): TextMergeResult {
  if (ours.equals(theirs) || theirs.equals(base)) return { merged: ours, conflict: false, notes: [] };
  if (ours.equals(base)) return { merged: theirs, conflict: false, notes: [] };
  const union = mergeSequences(ours, theirs).merged;
  const keyList = (b: Buffer): string[] => {
    const l = splitLines(b);
    return l.starts.map((_s, k) => lineKey(l, k));
  };
  const co = counts(keyList(base));
  const ca = counts(keyList(ours));
  const cb = counts(keyList(theirs));
  const target = (x: string): number => {
    const o = co.get(x) ?? 0;
    const da = (ca.get(x) ?? 0) - o;
    const db = (cb.get(x) ?? 0) - o;
    return o + (da >= 0 && db >= 0 ? Math.max(da, db) : da <= 0 && db <= 0 ? Math.min(da, db) : da + db);
  };
  const u = splitLines(union);
  const kept = new Map<string, number>();
  const parts: string[] = [];
  let dropped = 0;
  let endsWithoutEol = false;
  for (let k = 0; k < u.starts.length; k++) {
    const x = lineKey(u, k);
    const seen = kept.get(x) ?? 0;
    if (seen >= target(x)) {
      dropped++;
      continue;
    }
    kept.set(x, seen + 1);
    parts.push(x);
    endsWithoutEol = k === u.starts.length - 1 && !u.lastTerminated;
  }
  const text = parts.length === 0 ? "" : parts.join("\n") + (endsWithoutEol ? "" : "\n");
  const notes = dropped > 0 ? [`removed ${dropped} index line(s) that one side deleted or replaced`] : [];
  return { merged: Buffer.from(text, "latin1"), conflict: false, notes };
}

/**
 * Three-way text merge with node-diff3 (`diff3Merge`, false conflicts — both sides making the
 * same change — excluded), used for memory topic files and any other text. A real conflict keeps
 * both sides between git's standard markers (`git help gitattributes`, conflict-marker-size):
 * ```
 * <<<<<<< ours
 * …ours…
 * =======
 * …theirs…
 * >>>>>>> theirs
 * ```
 * with `markerSize` characters per marker (the driver's `%L`, default 7), and sets `conflict`.
 * Bytes are handled as latin1, so any encoding survives. Never throws.
 */
export function mergeText(base: Buffer, ours: Buffer, theirs: Buffer, markerSize = 7): TextMergeResult {
  if (ours.equals(theirs) || theirs.equals(base)) return { merged: ours, conflict: false, notes: [] };
  if (ours.equals(base)) return { merged: theirs, conflict: false, notes: [] };
  const regions = diff3Merge(linesWithEol(ours), linesWithEol(base), linesWithEol(theirs), { excludeFalseConflicts: true });
  const out: string[] = [];
  let conflicts = 0;
  const block = (lines: string[]): void => {
    for (const l of lines) out.push(l);
    const lastLine = lines[lines.length - 1];
    if (lastLine !== undefined && !lastLine.endsWith("\n")) out.push("\n");
  };
  for (const r of regions) {
    if (r.ok) {
      for (const l of r.ok) out.push(l);
    } else if (r.conflict) {
      conflicts++;
      const prev = out[out.length - 1];
      if (prev !== undefined && !prev.endsWith("\n")) out.push("\n");
      out.push("<".repeat(markerSize) + " ours\n");
      block(r.conflict.a);
      out.push("=".repeat(markerSize) + "\n");
      block(r.conflict.b);
      out.push(">".repeat(markerSize) + " theirs\n");
    }
  }
  const merged = Buffer.from(out.join(""), "latin1");
  return conflicts > 0
    ? { merged, conflict: true, notes: [`${conflicts} conflict(s) kept between markers; edit the file to resolve them`] }
    : { merged, conflict: false, notes: [] };
}

/**
 * True when `text` holds a complete conflict block as {@link mergeText} (or git) writes it: a
 * line starting with `markerSize` `<` (followed by a space or the end of the line), later a line
 * of exactly `markerSize` `=`, later a line starting with `markerSize` `>`. `"\r"` before the
 * `"\n"` is ignored. Used by the sync to commit conflicted memory files without blocking and by
 * `git ctx status` to list them until edited. Never throws.
 */
export function hasConflictMarkers(text: Buffer, markerSize = 7): boolean {
  const lt = "<".repeat(markerSize);
  const eq = "=".repeat(markerSize);
  const gt = ">".repeat(markerSize);
  const starts = (line: string, m: string): boolean => line.startsWith(m) && (line.length === m.length || line[m.length] === " ");
  let state = 0;
  const l = splitLines(text);
  for (let k = 0; k < l.starts.length; k++) {
    let line = lineKey(l, k);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (state === 0 && starts(line, lt)) state = 1;
    else if (state === 1 && line === eq) state = 2;
    else if (state === 2 && starts(line, gt)) return true;
  }
  return false;
}
