import { localize, type Anchors } from "../sentinel/index.js";

/**
 * Repair of the duplicates issue 9 created (docs/cluster-format.md, "Split duplicates"): before
 * the clean filter reused repository lines by content, a machine re-cleaned another machine's
 * line whose bytes were out of HEAD's order with its own anchors (a path naming its root
 * literally became `{{CC_PROJECT_ROOT}}`, a variant sentinel became the plain one), and the union
 * merge kept both the stored line and the re-cleaned copy. Such a pair is recognisable without
 * knowing who wrote what: the two canonical lines differ, carry the same top-level `uuid`, and
 * read the same on the machine that re-cleaned (their localized bytes under that machine's
 * anchors are equal). The later copy is the re-cleaned one: the stored line was in the base the
 * copy was appended to, and merges keep a base as a prefix.
 *
 * The input is untrusted (issue 22, case 4): anyone who can push to the cluster can add a roster
 * participant (its anchors) and a line in any position. {@link CollapseOptions} let the caller
 * say what this machine knows for itself: the lines it already held are decided before the ones
 * that arrive (a pushed line cannot displace one that was here), and a line its own agent wrote
 * is never dropped unless the kept twin reads exactly the same on this machine.
 */

/** One line {@link collapseSplitDuplicates} dropped. */
export interface CollapsedLine {
  /** The `uuid` both lines carry. */
  uuid: string;
  /** 1-based line number of the kept line in the input (the earlier one, unless `held` decided otherwise). */
  keptLine: number;
  /** 1-based line number of the dropped line in the input. */
  droppedLine: number;
  /** The dropped line's canonical bytes, without `\n`. */
  dropped: Buffer;
  /** Index into `machines` of the machine under whose anchors both lines read the same. */
  machine: number;
}

/** Result of {@link collapseSplitDuplicates}. */
export interface CollapseResult {
  /** The transcript without the dropped lines (`input` itself when nothing was dropped). */
  bytes: Buffer;
  collapsed: CollapsedLine[];
  /**
   * Pairs that look like a re-cleaned copy but whose would-be copy is this machine's own line
   * ({@link CollapseOptions.own}) reading differently here than its twin: both lines were kept.
   * `droppedLine` / `dropped` name the line that was spared. Empty without `own`.
   */
  spared: CollapsedLine[];
}

/**
 * What the calling machine knows for itself (not from the cluster), so that a hostile roster
 * entry and a hostile line cannot make the repair drop this machine's own line (issue 22, case 4;
 * docs/cluster-format.md, "Split duplicates"). All optional; without them the rule is issue 9's
 * (file order decides).
 */
export interface CollapseOptions {
  /**
   * This machine's anchors. A dropped line whose local text here equals its kept twin's loses
   * nothing on this machine (the work-tree file still holds that text); only such a drop may
   * take a line `own` claims.
   */
  self?: Anchors;
  /**
   * Lines (canonical, without `\n`) this machine already held before the bytes being repaired
   * arrived — the lines of the commit its work tree derives from. They are decided first (in file
   * order), then the others, so a line that arrives is the one dropped when it twins a line
   * already here, wherever it was placed in the file.
   */
  held?: (line: Buffer) => boolean;
  /**
   * Lines (canonical, without `\n`) this machine's own agent wrote (committed by this machine's
   * sync from its work tree). Never dropped unless the kept twin has the same local text under
   * `self`; the pair is reported in `spared` instead.
   */
  own?: (line: Buffer) => boolean;
}

const UUID_KEY = '"uuid":"';

/** The top-level `uuid` of a JSON line, or `undefined` (not JSON, not an object, no string uuid). */
function topUuid(line: Buffer): string | undefined {
  try {
    const v = JSON.parse(line.toString("utf8")) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const u = (v as { uuid?: unknown }).uuid;
      return typeof u === "string" && u.length > 0 ? u : undefined;
    }
  } catch {
    /* not JSON */
  }
  return undefined;
}

/**
 * Whether two lines of `input` hold the same `"uuid":"<v>"` text anywhere in them: a necessary
 * condition for two lines with the same top-level `uuid` (a nested uuid may match too; the full
 * check decides). One `indexOf` scan: the common transcript, every uuid once, exits here. Works
 * on local and canonical bytes alike (a uuid holds no path). Pure; never throws.
 */
export function repeatsUuid(input: Buffer): boolean {
  const seen = new Map<string, number>(); // uuid text → offset of the line start it was seen on
  const key = Buffer.from(UUID_KEY);
  let lineStart = 0;
  let nextNl = input.indexOf(10);
  for (let at = input.indexOf(key); at >= 0; at = input.indexOf(key, at + key.length)) {
    while (nextNl >= 0 && nextNl < at) {
      lineStart = nextNl + 1;
      nextNl = input.indexOf(10, lineStart);
    }
    const s = at + key.length;
    const e = input.indexOf(34, s); // closing quote
    if (e < 0 || e - s > 200) continue;
    const v = input.toString("latin1", s, e);
    const prev = seen.get(v);
    if (prev !== undefined && prev !== lineStart) return true;
    seen.set(v, lineStart);
  }
  return false;
}

/**
 * Drops from a canonical JSONL transcript every line that is a re-cleaned copy of an earlier
 * line: same top-level `uuid`, different canonical bytes, equal bytes once localized with the
 * anchors of one of `machines` (the project's participants, from its roster, and this machine).
 * Lines that differ in content on every machine are never dropped, nor are exact repeats (not
 * this defect's signature), lines without a `uuid`, or non-JSON lines. With `o` (see
 * {@link CollapseOptions}): lines `o.held` names are decided before the others, and a line
 * `o.own` names is never dropped unless its kept twin reads the same under `o.self`.
 *
 * Cost: one localize pass per machine over the lines that hold a sentinel (others read the same
 * everywhere) and a JSON parse only of lines that collide; linear in the input otherwise.
 * Pure; never throws. Line ends are kept (a dropped line takes its `\n` with it).
 */
export function collapseSplitDuplicates(input: Buffer, machines: readonly Anchors[], o: CollapseOptions = {}): CollapseResult {
  if (machines.length === 0 || !repeatsUuid(input)) return { bytes: input, collapsed: [], spared: [] };
  // line spans [start, end) without "\n"
  const starts: number[] = [];
  const ends: number[] = [];
  for (let s = 0; s < input.length; ) {
    const nl = input.indexOf(10, s);
    const e = nl < 0 ? input.length : nl;
    starts.push(s);
    ends.push(e);
    s = nl < 0 ? input.length : nl + 1;
  }
  const drop = new Map<number, CollapsedLine>();
  const uuids = new Map<number, string | null>();
  const uuidOf = (i: number): string | undefined => {
    if (!uuids.has(i)) uuids.set(i, topUuid(input.subarray(starts[i]!, ends[i]!)) ?? null);
    return uuids.get(i) ?? undefined;
  };
  // Lines are decided in order against lines already kept, so a dropped line's twin is never
  // dropped later: deciding per machine instead let one machine drop a line in favour of a line
  // that another machine then dropped, losing content no kept line holds (CI seed -533873084).
  const seen = machines.map(() => new Map<string, number>()); // per machine: localized text → first kept line
  const spared: CollapsedLine[] = [];
  // Lines this machine already held go first: a line that arrives never displaces one that was here.
  const order = Array.from(starts, (_, i) => i);
  if (o.held) {
    const held = order.filter((i) => o.held!(input.subarray(starts[i]!, ends[i]!)));
    if (held.length && held.length < order.length) {
      const h = new Set(held);
      order.splice(0, order.length, ...held, ...order.filter((i) => !h.has(i)));
    }
  }
  for (const i of order) {
    const raw = input.subarray(starts[i]!, ends[i]!);
    if (raw.length === 0 || raw.indexOf(UUID_KEY) < 0) continue;
    const keys = machines.map((m) => localize(raw, m).toString("latin1"));
    let twin: CollapsedLine | undefined;
    for (let mi = 0; mi < machines.length && !twin; mi++) {
      const j = seen[mi]!.get(keys[mi]!);
      if (j === undefined) continue;
      if (input.subarray(starts[j]!, ends[j]!).equals(raw)) continue; // an exact repeat: not a re-cleaned copy
      const u = uuidOf(i);
      if (u === undefined || u !== uuidOf(j)) continue;
      twin = { uuid: u, keptLine: j + 1, droppedLine: i + 1, dropped: Buffer.from(raw), machine: mi };
    }
    if (twin && o.own?.(raw)) {
      // this machine's own line: dropped only when its kept twin reads the same here
      const kept = input.subarray(starts[twin.keptLine - 1]!, ends[twin.keptLine - 1]!);
      if (!o.self || !localize(raw, o.self).equals(localize(kept, o.self))) {
        spared.push(twin);
        twin = undefined;
      }
    }
    if (twin) {
      drop.set(i, twin);
      continue;
    }
    keys.forEach((k, mi) => {
      if (!seen[mi]!.has(k)) seen[mi]!.set(k, i);
    });
  }
  if (drop.size === 0) return { bytes: input, collapsed: [], spared };
  const parts: Buffer[] = [];
  let from = 0;
  for (const i of [...drop.keys()].sort((a, b) => a - b)) {
    parts.push(input.subarray(from, starts[i]!));
    const e = ends[i]!;
    from = e < input.length ? e + 1 : e;
  }
  parts.push(input.subarray(from));
  return { bytes: Buffer.concat(parts), collapsed: [...drop.values()].sort((a, b) => a.droppedLine - b.droppedLine), spared };
}

/**
 * {@link repeatsUuid} over input that arrives in pieces, in bounded memory: feed every piece to
 * {@link push} in order, then {@link end} answers exactly what `repeatsUuid` answers for the
 * concatenation (for any cut, even inside a key, a value or a multi-byte character). Holds the
 * distinct uuid texts seen (one short string per line of a transcript) and at most a key plus
 * 201 bytes of the input. Used to decide that a large transcript needs no repair without holding
 * it (issue 22, point 8). Pure; never throws.
 */
export class UuidRepeatScanner {
  private buf: Buffer = Buffer.alloc(0);
  /** Offset in the whole input of `buf[0]`. */
  private base = 0;
  /** Offset in the whole input of the line start after the last `\n` dropped from `buf`. */
  private lineStart = 0;
  private readonly seen = new Map<string, number>();
  private found = false;
  private static readonly KEY = Buffer.from(UUID_KEY);

  /** Feeds the next piece of the input. */
  push(chunk: Buffer): void {
    if (this.found || chunk.length === 0) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.scan(false);
  }

  /** Ends the input: whether two lines hold the same `"uuid":"<v>"` text (as {@link repeatsUuid}). */
  end(): boolean {
    if (!this.found) this.scan(true);
    this.buf = Buffer.alloc(0);
    return this.found;
  }

  private scan(final: boolean): void {
    const key = UuidRepeatScanner.KEY;
    const b = this.buf;
    let keep = final ? b.length : Math.max(0, b.length - (key.length - 1)); // a key may be cut
    for (let at = b.indexOf(key); at >= 0; at = b.indexOf(key, at + key.length)) {
      const s = at + key.length;
      const e = b.indexOf(34, s);
      // undecided: no closing quote yet, and it may still come within 200 bytes
      if (e < 0 && !final && b.length - s <= 200) {
        keep = at;
        break;
      }
      const nl = at > 0 ? b.lastIndexOf(10, at - 1) : -1;
      const lineStart = nl >= 0 ? this.base + nl + 1 : this.lineStart;
      if (e < 0 || e - s > 200) continue;
      const v = b.toString("latin1", s, e);
      const prev = this.seen.get(v);
      if (prev !== undefined && prev !== lineStart) {
        this.found = true;
        this.buf = Buffer.alloc(0);
        return;
      }
      this.seen.set(v, lineStart);
    }
    const nl = keep > 0 ? b.lastIndexOf(10, keep - 1) : -1;
    if (nl >= 0) this.lineStart = this.base + nl + 1;
    this.buf = keep < b.length ? Buffer.from(b.subarray(keep)) : Buffer.alloc(0);
    this.base += keep;
  }
}
