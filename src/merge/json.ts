import { mergeText } from "./memory.js";

/** Result of a whole-file JSON merge. */
export interface JsonMergeResult {
  merged: Buffer;
  conflict: false;
  notes: string[];
}

/** Top-level fields read, in this order, as "when was this written" hints. */
export const TIME_HINT_FIELDS = ["lastUpdated", "updatedAt", "updated_at", "last_converged", "lastModified", "mtime", "timestamp"] as const;

/** Milliseconds since the epoch from the first usable {@link TIME_HINT_FIELDS} field, or null. */
export function jsonTimeHint(bytes: Buffer): { field: string; ms: number } | null {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  for (const f of TIME_HINT_FIELDS) {
    const x = o[f];
    const ms = typeof x === "number" && Number.isFinite(x) ? x : typeof x === "string" ? Date.parse(x) : NaN;
    if (Number.isFinite(ms)) return { field: f, ms };
  }
  return null;
}

function isJson(b: Buffer): boolean {
  try {
    JSON.parse(b.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Merges a JSON file other than `roster.json` (e.g. subagent `agent-<id>.meta.json`,
 * `sessions-index.json`): files rewritten whole, where a line merge means little.
 * 1. One side unchanged (or both equal): the other side (the usual three-way rule).
 * 2. A clean diff3 line merge that is still valid JSON: that (both sides' edits kept).
 * 3. Otherwise the newer side wins: the later top-level time hint ({@link TIME_HINT_FIELDS});
 *    without hints, or on a tie, the longer file, then the greater bytes — a symmetric rule, so
 *    both machines pick the same side. "Theirs wins" was rejected: it depends on which machine
 *    merges, and the two machines would never converge.
 * The losing side stays in the history (the merge's parent commit); the choice is reported in
 * `notes`. Never writes conflict markers, never throws.
 */
export function mergeJsonNewer(base: Buffer, ours: Buffer, theirs: Buffer): JsonMergeResult {
  if (ours.equals(theirs) || theirs.equals(base)) return { merged: ours, conflict: false, notes: [] };
  if (ours.equals(base)) return { merged: theirs, conflict: false, notes: [] };
  const d3 = mergeText(base, ours, theirs);
  if (!d3.conflict && isJson(d3.merged)) {
    return { merged: d3.merged, conflict: false, notes: ["both sides changed this JSON file; their edits merged line by line"] };
  }
  const ho = jsonTimeHint(ours);
  const ht = jsonTimeHint(theirs);
  let oursWins: boolean;
  let why: string;
  if (ho && ht && ho.ms !== ht.ms) {
    oursWins = ho.ms > ht.ms;
    const w = oursWins ? ho : ht;
    why = `newer by ${w.field} ${new Date(w.ms).toISOString()}`;
  } else if (ours.length !== theirs.length) {
    oursWins = ours.length > theirs.length;
    why = "no newer time hint; the longer file";
  } else {
    oursWins = Buffer.compare(ours, theirs) > 0;
    why = "no newer time hint, same size; the greater bytes";
  }
  return {
    merged: oursWins ? ours : theirs,
    conflict: false,
    notes: [`both sides changed this JSON file; kept ${oursWins ? "ours" : "theirs"} (${why}); the other version stays in the merge's parent commit`],
  };
}
