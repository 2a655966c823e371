import { commonPrefixLength, lineIndexAt } from "./lines.js";
import { mergeSequences } from "./sequence.js";

/** Result of {@link mergeJsonl}. */
export interface JsonlMergeResult {
  /** The merged transcript (canonical bytes). */
  merged: Buffer;
  /**
   * One human-readable report per side that did not only append to the base (a base line edited
   * or removed, or shared lines reordered). Empty when both sides only appended. Every distinct
   * line of both sides is in `merged` either way.
   */
  nonAppend: string[];
}

const TS = '"timestamp":"';
const TS_FIRST = '{"timestamp":"';

/**
 * The ordering time of one transcript line: the value of its `timestamp` field, read without
 * parsing the JSON. Claude Code writes the top-level `timestamp` near the end of a line, after
 * `message` and `toolUseResult`, which may hold nested `timestamp`s (FORMATS.md; checked on the
 * corpus: the last occurrence was the top-level one in 3,953/3,953 timed lines, the first one was
 * wrong in 13); Codex writes `{"timestamp":...` first. So: the first key when the line starts
 * with it, else the last occurrence. Lines without one (e.g. `summary`, `last-prompt`) and
 * non-JSON lines give `null`.
 */
export function transcriptTime(line: string): string | null {
  const at = line.startsWith(TS_FIRST) ? 1 : line.lastIndexOf(TS);
  if (at < 0) return null;
  const s = at + TS.length;
  const e = line.indexOf('"', s);
  return e < 0 ? null : line.slice(s, e);
}

/** Describes how `side` departs from append-only relative to `base`, or returns null. */
function nonAppendNote(name: string, base: Buffer, side: Buffer): string | null {
  const p = commonPrefixLength(base, side);
  if (p === base.length) return null;
  const line = lineIndexAt(base, p) + 1;
  return p === side.length
    ? `${name} removed the base's lines from line ${line} on; they are kept from the other side`
    : `${name} edited or removed base line ${line}; every line of both sides is kept (the edited and the original line both appear)`;
}

/**
 * Merges two versions of a JSONL transcript (Claude Code `<session>.jsonl`, subagent
 * transcripts, Codex rollouts) for the merge driver (`git-ctx-filter merge %O %A %B`). Inputs are
 * the repository (canonical) form, as the driver receives them (GIT.md, "Merge drivers").
 *
 * Guarantees (property-tested in test/merge/jsonl.property.test.ts; rules from issue 4 and
 * docs/cluster-format.md, "Merges"):
 * - every line of `ours` and of `theirs` is in the result; a line content occurs
 *   `max(count in ours, count in theirs)` times, so lines both sides share appear once;
 * - each side's own order is kept, unless the sides order shared lines differently (then one
 *   order gives way and it is reported); the base stays a prefix when both sides appended to it;
 * - symmetric: `mergeJsonl(o, a, b)` and `mergeJsonl(o, b, a)` are the same bytes;
 * - `mergeJsonl(o, a, a)` is `a`; `mergeJsonl(o, o, a)` is `a` when `a` extends `o`;
 * - never writes conflict markers. A non-append change (base line edited or removed on a side)
 *   keeps every distinct line of both sides and is reported in `nonAppend`.
 * The new lines of the two sides are interleaved by {@link transcriptTime}, ties broken by bytes,
 * untimed lines kept right after their predecessor (see src/merge/sequence.ts). The base only
 * serves the reports: the result depends on `ours` and `theirs` alone.
 * Final newline: every line in the result ends with `"\n"` except a last line that lacks it in
 * the side(s) it came from. Never throws.
 */
export function mergeJsonl(base: Buffer, ours: Buffer, theirs: Buffer): JsonlMergeResult {
  const r = mergeSequences(ours, theirs, { timeOf: transcriptTime });
  const nonAppend: string[] = [];
  for (const [name, side] of [
    ["ours", ours],
    ["theirs", theirs],
  ] as const) {
    const note = nonAppendNote(name, base, side);
    if (note) nonAppend.push(note);
  }
  if (r.reordered > 0) {
    nonAppend.push(`ours and theirs order ${r.reordered} shared line(s) differently; each is written once, at the place the timestamp order gives it`);
  }
  return { merged: r.merged, nonAppend };
}
