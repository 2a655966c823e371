import type { TextMergeResult } from "./memory.js";

/**
 * Merges of the two files `git ctx learn` keeps in a project (issue 14: "two machines learning
 * at once merge into one file without duplicates"): `.ctx/learnings.md` by entry and
 * `.ctx/learn-cursors.json` by session. The project's `.ctx/.gitattributes` (written by learn)
 * names git-ctx's merge driver for both, so a plain `git pull` in the project merges them.
 */

/** The provenance `git ctx learn` appends to an entry: ` _(<date>, <agent> session <id>)_`. */
const PROVENANCE = /\s+_\(\d{4}-\d{2}-\d{2}, [a-z]+ session [^)]*\)_\s*$/;

/** A learning's text for deduplication: provenance removed; case, punctuation, markup and spacing ignored (letters and digits of any script kept). */
export function normalizeLearning(text: string): string {
  return text
    .replace(PROVENANCE, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The dedup key of a line: its normalised bullet text, or the line itself when it is not a bullet. */
function keyOf(line: string): string {
  const m = /^\s*[-*]\s+(.*\S)\s*$/.exec(line);
  return m ? `•${normalizeLearning(m[1]!)}` : `=${line}`;
}

/**
 * `.ctx/learnings.md`: `ours` as it is, then the lines `theirs` added since `base` whose entry
 * `ours` does not hold (bullets compared by {@link normalizeLearning}, other lines exactly), in
 * their order. An entry one side deleted stays deleted (the other side only kept it from the
 * base). Line ends follow `ours` (CRLF when it has one). Never conflict markers; never throws.
 */
export function mergeLearnings(base: Buffer, ours: Buffer, theirs: Buffer): TextMergeResult {
  const split = (b: Buffer) => b.toString("utf8").split(/\r?\n/);
  const o = ours.toString("utf8");
  const eol = o.includes("\r\n") ? "\r\n" : "\n";
  const baseKeys = new Set(
    split(base)
      .filter((l) => l.trim())
      .map(keyOf),
  );
  const have = new Set(
    split(ours)
      .filter((l) => l.trim())
      .map(keyOf),
  );
  const added: string[] = [];
  for (const l of split(theirs)) {
    if (!l.trim()) continue;
    const k = keyOf(l);
    if (baseKeys.has(k) || have.has(k)) continue;
    have.add(k);
    added.push(l);
  }
  if (!added.length) return { merged: ours, conflict: false, notes: [] };
  const head = o === "" || /\r?\n$/.test(o) ? o : o + eol;
  return {
    merged: Buffer.from(head + added.map((l) => l + eol).join("")),
    conflict: false,
    notes: [`learnings: ${added.length} entr${added.length === 1 ? "y" : "ies"} from theirs`],
  };
}

/**
 * `.ctx/learn-cursors.json` (`{"<agent>:<session id>": <messages read>}`): every session of either
 * side, with the larger cursor (each machine read at least that far). Sorted keys, 2-space JSON
 * and a final newline, as `git ctx learn` writes it. A side that is not such an object counts as
 * empty (reported). Symmetric; never throws.
 */
export function mergeLearnCursors(_base: Buffer, ours: Buffer, theirs: Buffer): TextMergeResult {
  const notes: string[] = [];
  const parse = (b: Buffer, name: string): Record<string, number> => {
    try {
      const v = JSON.parse(b.toString("utf8")) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).filter((e): e is [string, number] => typeof e[1] === "number"));
    } catch {
      /* below */
    }
    if (b.length) notes.push(`learn cursors: ${name} is not an object of numbers; its cursors are dropped (the sessions are read again, learnings are not duplicated)`);
    return {};
  };
  const a = parse(ours, "ours");
  const b = parse(theirs, "theirs");
  const out: Record<string, number> = {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) out[k] = Math.max(a[k] ?? 0, b[k] ?? 0);
  return { merged: Buffer.from(`${JSON.stringify(out, null, 2)}\n`), conflict: false, notes };
}
