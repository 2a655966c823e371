/**
 * Pure decisions of the safe work-tree update (docs/architecture.md, "Sync never loses a running
 * session's line"). git's own checkout replaces a file (unlink + create, a new inode), so a
 * running agent that appends to its transcript during a pull loses its line (GIT.md, observed).
 * `git ctx sync` therefore never replaces a transcript: it appends what is missing.
 *
 * Everything here works on bytes (`Buffer`), never decodes text, and never throws.
 */

const NL = 0x0a;

/** What to do with one work-tree file so that it shows the new commit's content. */
export type FilePlan =
  /** The file already has the new bytes. */
  | { action: "none" }
  /** The file does not exist: create it with the new bytes (atomic write). */
  | { action: "create" }
  /**
   * Append `bytes` with an `O_APPEND` descriptor: never truncates, never renames, so a concurrent
   * writer's lines stay. `why` says whether the file was a byte prefix of the new content or a
   * JSONL file that lacked some of the new lines.
   */
  | { action: "append"; bytes: Buffer; why: "prefix" | "missing-lines" }
  /** Replace the whole file atomically (write-file-atomic): only for an unmodified, cold file. */
  | { action: "replace" }
  /**
   * Leave the file as it is this time; the next sync commits the local bytes and merges them
   * with the new content in canonical space (the merge driver / diff3), then retries.
   * - `modified`: the file differs from the version it was last synced at (a local edit);
   * - `hot`: written in the last seconds (an agent may be rewriting it);
   * - `partial-line`: a JSONL file whose last line has no newline yet (a writer is mid-line);
   * - `vanished`: the file was deleted between planning and writing (set by the effects in
   *   `worktree.ts`, never by {@link planFileUpdate}): an append never recreates it as a fragment.
   */
  | { action: "hold"; reason: "modified" | "hot" | "partial-line" | "vanished" }
  /**
   * Never written (set by the effects in `worktree.ts`, never by {@link planFileUpdate}; issue
   * 22): the path crosses a symbolic link or a non-folder below the work tree (`at`, a repository
   * path), or is not a plain name. Nothing was followed, written or removed; sync reports it
   * like an incoming symbolic link (`SyncReport.refused`) and does not carry it.
   */
  | { action: "refuse"; why: string; at: string };

/** Inputs of {@link planFileUpdate}; all byte arrays are work-tree (smudged) content. */
export interface PlanInput {
  /** Current work-tree bytes, or `undefined` when the file does not exist. */
  current: Buffer | undefined;
  /** Work-tree form of the version the file was last synced at, or `undefined` if it had none. */
  expected: Buffer | undefined;
  /** Work-tree form of the new commit's version. */
  next: Buffer;
  /** Whether the path is a JSONL transcript (`*.jsonl`): append-only, merged as a line union. */
  jsonl: boolean;
  /** Whether the file was modified within the hot window (see {@link HOT_MS}). */
  hot: boolean;
}

/** A file modified less than this many milliseconds ago is "hot" and is not replaced. */
export const HOT_MS = 2000;

/**
 * Decides how to bring one work-tree file to the new content without losing a byte a local
 * writer wrote (scope 3 of issue 4):
 * 1. missing file → create; equal bytes → none;
 * 2. the current bytes are a prefix of the new bytes and end at a line boundary (or the file is
 *    JSONL: its unfinished last line then came from the cluster, and the suffix completes it;
 *    found by issue 11's test of a rollout committed while Codex was writing it) → append the
 *    suffix only;
 * 3. JSONL → append the lines of `next` the file lacks (multiset difference by line bytes, in
 *    `next`'s order); a JSONL file whose last line has no `\n` is held (a writer is mid-line);
 * 4. other files → replace only if `current` equals `expected` (unmodified) and not hot;
 *    otherwise hold.
 * A JSONL file is never replaced, so every line in it before, during or after the sync stays.
 */
export function planFileUpdate(i: PlanInput): FilePlan {
  const { current, next } = i;
  if (current === undefined) return { action: "create" };
  if (current.equals(next)) return { action: "none" };
  const endsAtLine = current.length === 0 || current[current.length - 1] === NL;
  if (i.jsonl) {
    // the new version extends this file byte for byte: appending completes even an unfinished
    // last line (one that came from the cluster: another machine committed it cold, or an
    // earlier release staged it); a local writer's unfinished line is never in the new version
    if (isPrefix(current, next)) return { action: "append", bytes: next.subarray(current.length), why: "prefix" };
    if (!endsAtLine) return { action: "hold", reason: "partial-line" };
    const missing = missingLines(current, next);
    return missing.length === 0 ? { action: "none" } : { action: "append", bytes: missing, why: "missing-lines" };
  }
  if (current.length > 0 && endsAtLine && isPrefix(current, next)) {
    return { action: "append", bytes: next.subarray(current.length), why: "prefix" };
  }
  if (i.expected === undefined || !current.equals(i.expected)) return { action: "hold", reason: "modified" };
  if (i.hot) return { action: "hold", reason: "hot" };
  return { action: "replace" };
}

/** True when `a` is a byte prefix of `b` (`a` may equal `b`). */
export function isPrefix(a: Buffer, b: Buffer): boolean {
  return a.length <= b.length && b.subarray(0, a.length).equals(a);
}

/**
 * Splits bytes into lines, each WITHOUT its `\n`; a final line without `\n` is returned too
 * (empty input → no lines; `"a\n"` → `["a"]`; `"a\nb"` → `["a", "b"]`).
 */
export function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(NL, start);
    if (nl < 0) break;
    out.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}

/**
 * The lines of `next` that `current` lacks, as a multiset difference by line bytes (a line that
 * occurs twice in `next` and once in `current` is missing once), in `next`'s order, each
 * terminated by `\n`. Empty lines are ignored (they carry nothing in JSONL). Appending the result
 * to `current` yields a file that holds every line of both.
 */
export function missingLines(current: Buffer, next: Buffer): Buffer {
  const have = new Map<string, number>();
  for (const l of splitLines(current)) {
    if (l.length === 0) continue;
    const k = l.toString("latin1");
    have.set(k, (have.get(k) ?? 0) + 1);
  }
  const out: Buffer[] = [];
  for (const l of splitLines(next)) {
    if (l.length === 0) continue;
    const k = l.toString("latin1");
    const n = have.get(k) ?? 0;
    if (n > 0) have.set(k, n - 1);
    else out.push(l, Buffer.from([NL]));
  }
  return Buffer.concat(out);
}
