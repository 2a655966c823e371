import { parseRoster, serializeRoster, type Participant, type Roster } from "../roster/schema.js";
import { mergeText } from "./memory.js";

/** Result of {@link mergeRosterFile}. */
export interface RosterMergeResult {
  merged: Buffer;
  conflict: boolean;
  notes: string[];
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

function timeMs(p: Participant): number {
  const t = p.last_converged == null ? NaN : Date.parse(p.last_converged);
  return Number.isFinite(t) ? t : -Infinity;
}

/**
 * Picks between two values of one field or entry symmetrically: equal → it; one equals the
 * base → the other; else `prefer` decides (>0 first wins, <0 second wins, 0 → the greater JSON).
 */
function pick<T>(x: T, y: T, base: T | undefined, prefer: (x: T, y: T) => number): { v: T; chose: boolean } {
  if (same(x, y)) return { v: x, chose: false };
  if (base !== undefined && same(x, base)) return { v: y, chose: false };
  if (base !== undefined && same(y, base)) return { v: x, chose: false };
  const c = prefer(x, y);
  if (c > 0 || c < 0) return { v: c > 0 ? x : y, chose: true };
  return { v: JSON.stringify(x) > JSON.stringify(y) ? x : y, chose: true };
}

/**
 * Merges two parsed rosters per machine entry (issue 4): participants are keyed by `machine_id`
 * and a machine listed on either side is kept; when both sides changed the same machine's entry, the one with the
 * later `last_converged` wins and the loser's fields the winner lacks are kept (unknown fields
 * survive). Top-level fields (`project_id`, `rewrite_home`, unknown ones): one side's change wins
 * over an unchanged field; two different changes → a symmetric deterministic choice, reported.
 * Symmetric in `ours`/`theirs`. Pure, never throws.
 */
export function mergeRosters(base: Roster | undefined, ours: Roster, theirs: Roster): { roster: Roster; notes: string[] } {
  const notes: string[] = [];
  const byId = (r: Roster | undefined): Map<string, Participant> => new Map((r?.participants ?? []).map((p) => [p.machine_id, p]));
  const bo = byId(base);
  const mo = byId(ours);
  const mt = byId(theirs);
  const participants: Participant[] = [];
  for (const id of new Set([...mo.keys(), ...mt.keys()])) {
    const a = mo.get(id);
    const b = mt.get(id);
    if (!a || !b) {
      participants.push((a ?? b)!);
      continue;
    }
    const r = pick(a, b, bo.get(id), (x, y) => Math.sign(timeMs(x) - timeMs(y)) || 0);
    if (r.chose) notes.push(`roster: machine '${id}' changed on both sides; kept the entry with the later last_converged`);
    const loser = r.v === a ? b : a;
    participants.push(same(a, b) ? a : { ...loser, ...r.v });
  }
  const known = ["project_id", "rewrite_home"];
  const others = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].filter((k) => k !== "participants" && !known.includes(k)).sort();
  const top: Record<string, unknown> = {};
  for (const k of [...known, ...others]) {
    const x = (ours as Record<string, unknown>)[k];
    const y = (theirs as Record<string, unknown>)[k];
    if (x === undefined || y === undefined) {
      if (x !== undefined || y !== undefined) top[k] = x ?? y;
      continue;
    }
    const r = pick(x, y, base ? (base as Record<string, unknown>)[k] : undefined, () => 0);
    if (r.chose) notes.push(`roster: field '${k}' changed differently on both sides; kept ${JSON.stringify(r.v)}`);
    top[k] = r.v;
  }
  return { roster: { ...(top as Omit<Roster, "participants">), participants } as Roster, notes };
}

/**
 * Merges `roster.json` bytes (repository form) for the merge driver: parses the three versions
 * with the roster schema (src/roster/schema.ts), merges with {@link mergeRosters}, writes the
 * canonical serialisation (`serializeRoster`: participants sorted by `machine_id`). An unreadable
 * base is treated as absent; if `ours` or `theirs` is not a valid roster, falls back to a diff3
 * text merge (conflict markers when needed) and says so in `notes`. When one side equals the base,
 * the other side is returned whole (git's own three-way rule). Never throws.
 */
export function mergeRosterFile(path: string, base: Buffer, ours: Buffer, theirs: Buffer, markerSize = 7): RosterMergeResult {
  if (ours.equals(theirs) || theirs.equals(base)) return { merged: ours, conflict: false, notes: [] };
  if (ours.equals(base)) return { merged: theirs, conflict: false, notes: [] };
  let o: Roster;
  let t: Roster;
  try {
    o = parseRoster(ours.toString("utf8"), `ours:${path}`);
    t = parseRoster(theirs.toString("utf8"), `theirs:${path}`);
  } catch (e) {
    const r = mergeText(base, ours, theirs, markerSize);
    return { ...r, notes: [`roster not merged per machine: ${(e as Error).message}`, ...r.notes] };
  }
  let b: Roster | undefined;
  try {
    b = base.length ? parseRoster(base.toString("utf8"), `base:${path}`) : undefined;
  } catch {
    b = undefined;
  }
  const r = mergeRosters(b, o, t);
  return { merged: Buffer.from(serializeRoster(r.roster), "utf8"), conflict: false, notes: r.notes };
}
