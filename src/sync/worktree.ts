import type { Stats } from "node:fs";
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { asWriteError } from "./errors.js";
import { HOT_MS, missingLines, planFileUpdate, splitLines, type FilePlan } from "./plan.js";

/** One file to bring to a new version (all byte arrays are work-tree, i.e. smudged, content). */
export interface FileUpdate {
  /** Repository path, `<folder>/<file>`. */
  path: string;
  /** Work-tree form of the version the local file derives from (`undefined`: none). */
  expected: Buffer | undefined;
  /** Work-tree form of the new version. */
  next: Buffer;
}

/** Outcome for one file of {@link applyUpdates}. */
export interface AppliedUpdate {
  path: string;
  plan: FilePlan;
  /**
   * Set for a transcript that now holds the new version's lines in another order (lines were
   * appended, or it already held them all): a candidate for {@link reorderInPlace}. `since` is
   * the file's identity right after our own append when the file was cold before it (our write
   * alone does not make it hot); `undefined` when nothing was written by us.
   */
  reorder?: { since?: FileStamp };
}

/** Identity of a file's state (from `fstat`): same inode, length and mtime = nobody wrote since. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Options of {@link applyUpdates}. */
export interface ApplyOptions {
  /** Absolute work tree. */
  workTree: string;
  /** Current time in ms (for the hot window); default `Date.now()`. */
  now?: () => number;
  /**
   * TEST ONLY (`GIT_CTX_UNSAFE_CHECKOUT=1`): replace every file wholesale like `git checkout`
   * does (atomic rename = new inode), ignoring concurrent writers. Exists so that a test can
   * prove that the safe update is what keeps a running writer's lines.
   */
  unsafeCheckout?: boolean;
  /**
   * TEST ONLY (`GIT_CTX_TEST_PAUSE_DIR=<dir>`): after reading a file and before writing it,
   * create `<dir>/paused` and wait until `<dir>/resume` exists (both removed afterwards), so a
   * test can append a line exactly inside the read-modify-write window.
   */
  testPauseDir?: string;
}

/**
 * Brings each file of `updates` in the work tree to its new version without losing a byte a
 * concurrent writer wrote (see {@link planFileUpdate}): creates missing files without clobbering
 * (temp file + `link`, which fails if the file appeared meanwhile), appends with `O_APPEND`
 * descriptors, replaces only unmodified cold files (write-file-atomic) and holds the rest.
 * Symbolic links and directories in the way are held as "modified" (never followed, never
 * removed). Never deletes a file. Nothing is left half-written on a failed write (e.g. a full
 * disk): a new file's temp copy is removed and an append is truncated back to the old length.
 * @throws SyncWriteError (src/sync/errors.ts) naming the file and the fix when a write fails.
 */
export async function applyUpdates(updates: readonly FileUpdate[], o: ApplyOptions): Promise<AppliedUpdate[]> {
  const now = o.now ?? Date.now;
  const out: AppliedUpdate[] = [];
  for (const u of updates) {
    const file = path.join(o.workTree, u.path);
    try {
      out.push({ path: u.path, ...(await applyOne(file, u, now, o)) });
    } catch (e) {
      throw asWriteError(e, u.path, file);
    }
  }
  return out;
}

async function applyOne(file: string, u: FileUpdate, now: () => number, o: ApplyOptions): Promise<Omit<AppliedUpdate, "path">> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let st: Stats | undefined;
    try {
      st = lstatSync(file);
    } catch {
      st = undefined;
    }
    if (st && !st.isFile()) return { plan: { action: "hold", reason: "modified" } };
    const current = st ? readFileSync(file) : undefined;
    if (attempt === 0) await testPause(o.testPauseDir);
    if (o.unsafeCheckout) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic.sync(file, u.next);
      return { plan: { action: "replace" } };
    }
    const jsonl = u.path.endsWith(".jsonl");
    const hot = st !== undefined && now() - st.mtimeMs < HOT_MS;
    const plan = planFileUpdate({ current, expected: u.expected, next: u.next, jsonl, hot });
    switch (plan.action) {
      case "none":
        // same lines as the new version in another order (a transcript): may be reordered later
        return jsonl && current && !current.equals(u.next) ? { plan, reorder: {} } : { plan };
      case "hold":
        return { plan };
      case "create":
        if (createExclusive(file, u.next)) return { plan };
        continue; // the file appeared meanwhile: plan again against its bytes
      case "append": {
        // O_APPEND: lands after whatever a writer added meanwhile. No O_CREAT: an append is only
        // right for the file that was read; one deleted meanwhile must not come back holding only
        // the new lines (a transcript starting mid-way). It is held; the next sync decides.
        let fd: number;
        try {
          fd = openSync(file, constants.O_WRONLY | constants.O_APPEND);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOENT") return { plan: { action: "hold", reason: "vanished" } };
          throw e;
        }
        let since: FileStamp | undefined;
        try {
          appendAll(fd, plan.bytes);
          const a = fstatSync(fd);
          if (!hot) since = { ino: a.ino, size: a.size, mtimeMs: a.mtimeMs };
        } finally {
          closeSync(fd);
        }
        return jsonl && plan.why === "missing-lines" ? { plan, reorder: { since } } : { plan };
      }
      case "replace": {
        // Re-check just before the rename: still the bytes we planned on, still cold.
        const again = readFileSync(file);
        const st2 = lstatSync(file);
        if (!again.equals(current!) || now() - st2.mtimeMs < HOT_MS) continue;
        writeFileAtomic.sync(file, u.next);
        return { plan };
      }
    }
  }
  return { plan: { action: "hold", reason: "hot" } };
}

/** Options of {@link reorderInPlace}. */
export interface ReorderOptions {
  /** Current time in ms (for the hot window); default `Date.now()`. */
  now?: () => number;
  /** The file as our own append left it: when it still matches, it counts as cold (see {@link AppliedUpdate}). */
  since?: FileStamp;
  /**
   * TEST ONLY (`GIT_CTX_TEST_PAUSE_DIR=<dir>` and a file `<dir>/reorder-pause-at` holding `read`
   * or `write`): pause after reading the file (`read`, before the re-check) or after the re-check
   * (`write`, right before the in-place write): create `<dir>/paused-reorder`, wait for
   * `<dir>/resume-reorder`. Opt-in, so tests of the other pause see only that one.
   */
  testPauseDir?: string;
  /**
   * Lines (work-tree bytes, without `\n`) the file may hold beyond `target`'s lines, to be
   * dropped: the local text of re-cleaned duplicates that sync removed from HEAD (issue 9,
   * src/merge/collapse.ts). Each may be dropped as often as it is listed. With none, the file
   * must be a permutation of `target` (same length).
   */
  droppable?: readonly Buffer[];
  /**
   * Called with the file's whole bytes right before a rewrite that drops lines (`droppable`), to
   * keep them where the user can restore them (issue 22: nothing sync removes from a work-tree
   * file is lost). When it throws, the file is left as it was (`"unsaved"`).
   */
  backup?: (before: Buffer) => void;
}

/** Why {@link reorderInPlace} did or did not rewrite a file. */
export type ReorderResult = "rewritten" | "same" | "hot" | "changed" | "not-a-permutation" | "absent" | "unsaved";

/**
 * Rewrites a transcript that holds exactly `target`'s lines in another order (plus, with
 * `o.droppable`, re-cleaned duplicates to drop) to `target`'s bytes, IN PLACE (docs/architecture.md, "Sync never loses a running session's line"): same
 * inode, same length, written from offset 0 with positional writes and never past the old
 * length. A writer appending with `O_APPEND` at any moment writes at the end of the file, at or
 * past the old length, so its bytes are never overwritten; a descriptor it holds stays valid.
 * Only a cold file is rewritten (not written for {@link HOT_MS}, or untouched since our own
 * append `o.since`); its length and mtime are checked again right before the write, and any
 * change (a writer appended) skips it: the next sync tries again. Needed so that plain `git
 * status` shows a synced view clean: each machine's appends leave its own order while HEAD holds
 * the merged order.
 * @returns what happened (`rewritten` only when bytes were written; `unsaved` when `o.backup`
 *   failed, so lines would have been dropped without a copy).
 * @throws the file system's error when the positional write fails (the original bytes are
 *   written back first, best effort).
 */
export async function reorderInPlace(file: string, target: Buffer, o: ReorderOptions = {}): Promise<ReorderResult> {
  const now = o.now ?? Date.now;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NOFOLLOW); // no O_CREAT, no O_APPEND (pwrite would append)
  } catch {
    return "absent";
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return "absent";
    const same = (a: FileStamp | undefined) => a !== undefined && a.ino === st.ino && a.size === st.size && a.mtimeMs === st.mtimeMs;
    if (!same(o.since) && now() - st.mtimeMs < HOT_MS) return "hot";
    const shrink = (o.droppable?.length ?? 0) > 0;
    if (shrink ? st.size < target.length : st.size !== target.length) return "not-a-permutation";
    const cur = Buffer.alloc(st.size);
    let got = 0;
    while (got < cur.length) {
      const n = readSync(fd, cur, got, cur.length - got, got);
      if (n === 0) return "changed";
      got += n;
    }
    if (cur.equals(target)) return "same";
    if (!(shrink ? isPermutationPlus(cur, target, o.droppable!) : isPermutation(cur, target))) return "not-a-permutation";
    await reorderPause(o.testPauseDir, "read");
    // Re-check just before writing: still our inode at that path, same length, same mtime.
    const st2 = fstatSync(fd);
    let atPath: Stats;
    try {
      atPath = lstatSync(file);
    } catch {
      return "absent";
    }
    if (st2.size !== st.size || st2.mtimeMs !== st.mtimeMs || atPath.ino !== st.ino || atPath.dev !== st.dev) return "changed";
    if (cur.length > target.length && o.backup) {
      try {
        o.backup(cur);
      } catch {
        return "unsaved";
      }
    }
    await reorderPause(o.testPauseDir, "write");
    let done = 0;
    try {
      while (done < target.length) done += writeSync(fd, target, done, target.length - done, done);
      if (cur.length > target.length) shrinkTo(fd, target.length, cur.length);
    } catch (e) {
      try {
        let back = 0;
        while (back < done) back += writeSync(fd, cur, back, done - back, back);
      } catch {
        /* report the first error */
      }
      throw e;
    }
    return "rewritten";
  } finally {
    closeSync(fd);
  }
}

/**
 * Cuts the file (positional writes just made `[0, end)` the wanted bytes) to `end`, keeping any
 * bytes a writer appended past `oldSize` meanwhile: they are moved to `end` first. The fstat that
 * decides and the ftruncate are adjacent calls; a line appended in between (microseconds, on a
 * file that was cold for {@link HOT_MS}) is the one window this repair has, documented in
 * docs/architecture.md. Only the issue-9 repair shrinks a transcript.
 */
function shrinkTo(fd: number, end: number, oldSize: number): void {
  let from = oldSize;
  let to = end;
  for (let round = 0; round < 10; round++) {
    const size = fstatSync(fd).size;
    if (size === from) {
      ftruncateSync(fd, to);
      return;
    }
    const more = Buffer.alloc(size - from);
    let got = 0;
    while (got < more.length) {
      const n = readSync(fd, more, got, more.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    let w = 0;
    while (w < got) w += writeSync(fd, more, w, got - w, to + w);
    from += got;
    to += got;
  }
  // still growing after 10 rounds: leave the file longer rather than cut a writer's bytes
}

/** Both end with `\n`, and `a`'s non-empty lines are `b`'s plus some of `extra` (multisets). */
function isPermutationPlus(a: Buffer, b: Buffer, extra: readonly Buffer[]): boolean {
  if (a.length < b.length || a[a.length - 1] !== 0x0a || b[b.length - 1] !== 0x0a) return false;
  const left = new Map<string, number>();
  for (const l of splitLines(a)) if (l.length) left.set(l.toString("latin1"), (left.get(l.toString("latin1")) ?? 0) + 1);
  for (const l of splitLines(b)) {
    if (!l.length) continue;
    const k = l.toString("latin1");
    const n = left.get(k) ?? 0;
    if (n === 0) return false;
    left.set(k, n - 1);
  }
  const allowed = new Map<string, number>();
  for (const l of extra) allowed.set(l.toString("latin1"), (allowed.get(l.toString("latin1")) ?? 0) + 1);
  for (const [k, n] of left) if (n > (allowed.get(k) ?? 0)) return false;
  return true;
}

/** Same length, both end with `\n`, and the same multiset of non-empty lines. */
function isPermutation(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length || a[a.length - 1] !== 0x0a || b[b.length - 1] !== 0x0a) return false;
  return missingLines(a, b).length === 0 && missingLines(b, a).length === 0;
}

async function reorderPause(dir: string | undefined, at: "read" | "write"): Promise<void> {
  if (!dir) return;
  let want: string;
  try {
    want = readFileSync(path.join(dir, "reorder-pause-at"), "utf8").trim();
  } catch {
    return;
  }
  if (want !== at) return;
  const paused = path.join(dir, "paused-reorder");
  const resume = path.join(dir, "resume-reorder");
  writeFileAtomic.sync(paused, String(process.pid));
  const deadline = Date.now() + 20_000;
  while (!existsSync(resume) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  rmSync(resume, { force: true });
  rmSync(paused, { force: true });
}

/**
 * Writes a new file atomically and only if it does not exist (temp file + hard link). The temp
 * file sits next to the target (a hard link cannot cross file systems) and is removed whatever
 * happens (a full disk, a failed link); its name matches the view's exclude `*.git-ctx-*.tmp`
 * (src/git/config.ts), so even one left by a killed process is never committed.
 */
function createExclusive(file: string, bytes: Buffer): boolean {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.git-ctx-${process.pid}-${Date.now()}.tmp`;
  try {
    const fd = openSync(tmp, "wx");
    try {
      writeAll(fd, bytes);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Appends `bytes` through an `O_APPEND` descriptor, all or nothing: when a write fails (e.g.
 * `ENOSPC` after a short write) the file is truncated back to its length before the append, so
 * no partial line stays at the end of a transcript. The truncation happens only when the file
 * grew by exactly the bytes written here; if another writer appended meanwhile its bytes are
 * never cut (our partial bytes then stay, and the error still says which file).
 */
function appendAll(fd: number, bytes: Buffer): void {
  const before = fstatSync(fd).size;
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (e) {
    try {
      if (written > 0 && fstatSync(fd).size === before + written) ftruncateSync(fd, before);
    } catch {
      /* report the write error, not this one */
    }
    throw e;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

async function testPause(dir: string | undefined): Promise<void> {
  if (!dir) return;
  const paused = path.join(dir, "paused");
  const resume = path.join(dir, "resume");
  mkdirSync(dir, { recursive: true });
  writeFileAtomic.sync(paused, String(process.pid));
  const deadline = Date.now() + 20_000;
  while (!existsSync(resume) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  rmSync(resume, { force: true });
  rmSync(paused, { force: true });
}
