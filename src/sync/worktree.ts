import type { Stats } from "node:fs";
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { asWriteError } from "./errors.js";
import { HOT_MS, missingLines, planFileUpdate, splitLines, type FilePlan } from "./plan.js";
import { planStreamedUpdate, type NextSource } from "./streamed.js";

/** One file to bring to a new version (all byte arrays are work-tree, i.e. smudged, content). */
export interface FileUpdate {
  /** Repository path, `<folder>/<file>`. */
  path: string;
  /** Work-tree form of the version the local file derives from (`undefined`: none). */
  expected: Buffer | undefined;
  /**
   * Work-tree form of the new version; or, for a large transcript, a source that streams it
   * (src/sync/streamed.ts): the file is then compared with it chunk by chunk and only the
   * appended tail is held; the whole new version is read only when the file is not a prefix of it.
   */
  next: Buffer | NextSource;
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
  /**
   * The file's identity right after this write, set when git-ctx wrote a file that nobody was
   * writing (created, replaced, or appended to while cold): what src/sync/activity.ts checks before
   * it moves the mtime back to the last record's time.
   */
  written?: FileStamp;
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

/** Outcome of {@link verifiedFolder}. */
export type FolderCheck =
  /** Every component below the work tree is a real directory (`dir`: the absolute folder). */
  | { ok: true; dir: string }
  /**
   * Not usable, nothing was written or removed. `missing`: a folder does not exist (only without
   * `create`); `unsafe`: a component is a symbolic link, a file or another non-folder, or the path
   * itself is not a plain relative path (`..`, `.`, an empty component, `.git`, absolute). `at`
   * is the repository path of the offending component, `why` one human phrase.
   */
  | { ok: false; kind: "missing" | "unsafe"; at: string; why: string };

/**
 * The one component check of every work-tree write (issue 22): walks `relDir` (a repository
 * folder path, `/`-separated, relative to `workTree`; `""` or `"."` = the work tree itself) from
 * the work tree down and lstat()s each component below the root. Each must be a real directory:
 * a symbolic link is never followed (a link planted in the view, e.g. `key/d/e/c -> ../../..`,
 * would otherwise let the next write land anywhere in the home folder), a file is never crossed,
 * and nothing is ever removed. With `create`, a missing folder is made one level at a time
 * (non-recursive `mkdir`, then lstat again: a link that won a race is caught, not followed).
 * The work tree itself is not checked (it may legitimately be reached through a link, e.g. a
 * home folder on another disk). Components `..`, `.`, empty ones and `.git` (any case) are
 * refused: the writer never leaves the work tree nor writes into a git dir.
 *
 * What remains: a local process with the user's rights that swaps a checked folder for a link
 * between this check and the write; such a process can write the target itself. Callers open the
 * last component with `O_NOFOLLOW` / `O_EXCL` and keep temp files inside the checked folder.
 * @returns `{ ok: true, dir }` or why not (never throws for a link or a missing folder).
 * @throws the file system's error (e.g. `EACCES`, `EROFS`, `ENOSPC`) when an lstat or mkdir
 *   fails for another reason; callers wrap it (`asWriteError`, src/sync/errors.ts).
 */
export function verifiedFolder(workTree: string, relDir: string, o: { create: boolean }): FolderCheck {
  const parts = relDir === "" || relDir === "." ? [] : relDir.split("/");
  let dir = workTree;
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    const at = parts.slice(0, i + 1).join("/");
    if (name === "" || name === "." || name === ".." || name.toLowerCase() === ".git") {
      return { ok: false, kind: "unsafe", at, why: `'${name}' is not a plain folder name` };
    }
    dir = path.join(dir, name);
    let st = lstatOrUndefined(dir);
    if (st === undefined) {
      if (!o.create) return { ok: false, kind: "missing", at, why: "a folder on the way does not exist" };
      try {
        mkdirSync(dir); // one level, never recursive: the parent was just checked
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      st = lstatOrUndefined(dir);
      if (st === undefined) return { ok: false, kind: "missing", at, why: "a folder on the way vanished while it was created" };
    }
    if (st.isSymbolicLink()) return { ok: false, kind: "unsafe", at, why: "a folder on the way is a symbolic link" };
    if (!st.isDirectory()) return { ok: false, kind: "unsafe", at, why: "a folder on the way is not a folder" };
  }
  return { ok: true, dir };
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The repository folder of a repository path (`a/b/c.jsonl` → `a/b`, `c.jsonl` → `""`). */
function folderOf(repoPath: string): string {
  const i = repoPath.lastIndexOf("/");
  return i < 0 ? "" : repoPath.slice(0, i);
}

/**
 * Brings each file of `updates` in the work tree to its new version without losing a byte a
 * concurrent writer wrote (see {@link planFileUpdate}): creates missing files without clobbering
 * (temp file + `link`, which fails if the file appeared meanwhile), appends with `O_APPEND`
 * descriptors, replaces only unmodified cold files (temp file + `rename` in the same folder,
 * {@link replaceAtomic}) and holds the rest. Every write first checks the file's folder with
 * {@link verifiedFolder} (issue 22): a path that crosses a symbolic link or a non-folder below the
 * work tree is refused (`plan.action === "refuse"`) and nothing is written, followed or removed;
 * temp files are made only inside the checked folder. Symbolic links and directories in the
 * file's own place are held as "modified" (never followed, never removed; files are opened with
 * `O_NOFOLLOW`). Never deletes a file. Nothing is left half-written on a failed write (e.g. a
 * full disk): a temp copy is removed and an append is truncated back to the old length.
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

/** `{ action: "refuse" }` for a failed {@link verifiedFolder} check. */
function refusal(c: Extract<FolderCheck, { ok: false }>): { plan: FilePlan } {
  return { plan: { action: "refuse", why: c.why, at: c.at } };
}

async function applyOne(file: string, upd: FileUpdate, now: () => number, o: ApplyOptions): Promise<Omit<AppliedUpdate, "path">> {
  const name = path.basename(upd.path);
  if (name === "" || name === "." || name === ".." || name.toLowerCase() === ".git") return { plan: { action: "refuse", why: `'${name}' is not a plain file name`, at: upd.path } };
  if (!Buffer.isBuffer(upd.next) && upd.path.endsWith(".jsonl") && !o.unsafeCheckout) {
    const r = await applyStreamed(file, upd.path, upd.next, now, o);
    if (r) return r;
  }
  const u = { ...upd, next: Buffer.isBuffer(upd.next) ? upd.next : await upd.next.whole() };
  for (let attempt = 0; attempt < 3; attempt++) {
    // The folder first: nothing below is read or written through a link or a non-folder.
    const folder = verifiedFolder(o.workTree, folderOf(u.path), { create: false });
    if (!folder.ok && folder.kind === "unsafe") return refusal(folder);
    let st: Stats | undefined;
    let current: Buffer | undefined;
    if (folder.ok) {
      const r = readNoFollow(file);
      if (r === "not-a-file") return { plan: { action: "hold", reason: "modified" } };
      if (r) ({ st, bytes: current } = r);
    }
    if (attempt === 0) await testPause(o.testPauseDir);
    if (o.unsafeCheckout) {
      const f = verifiedFolder(o.workTree, folderOf(u.path), { create: true });
      if (!f.ok) return refusal(f);
      replaceAtomic(file, u.next, st);
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
      case "refuse":
        return { plan };
      case "create": {
        const f = verifiedFolder(o.workTree, folderOf(u.path), { create: true });
        if (!f.ok) return refusal(f);
        const made = createExclusive(file, u.next);
        if (made) return { plan, written: made };
        continue; // the file appeared meanwhile: plan again against its bytes
      }
      case "append": {
        const r = appendTail(file, plan.bytes, hot);
        if ("hold" in r) return { plan: r.hold };
        const written = r.since ? { written: r.since } : {};
        return jsonl && plan.why === "missing-lines" ? { plan, reorder: { since: r.since }, ...written } : { plan, ...written };
      }
      case "replace": {
        // Re-check just before the rename: still the bytes we planned on, still cold.
        const again = readNoFollow(file);
        if (!again || again === "not-a-file" || !again.bytes.equals(current!) || now() - again.st.mtimeMs < HOT_MS) continue;
        return { plan, written: replaceAtomic(file, u.next, again.st) };
      }
    }
  }
  return { plan: { action: "hold", reason: "hot" } };
}

/**
 * The streaming path of {@link applyOne} for a large transcript (issue 22, point 8): the file is
 * read chunk by chunk against the new version (`planStreamedUpdate`), never whole. Equal → none;
 * a byte prefix → the tail is appended ({@link appendTail}). `undefined` when this path does not
 * decide (no file, a folder on the way missing or unsafe, not a regular file, or the file is
 * not a prefix of the new version): the whole-buffer path then plans as before. The test pause
 * ({@link ApplyOptions.testPauseDir}) comes after the read, as on the whole-buffer path.
 */
async function applyStreamed(file: string, repoPath: string, next: NextSource, now: () => number, o: ApplyOptions): Promise<Omit<AppliedUpdate, "path"> | undefined> {
  if (!verifiedFolder(o.workTree, folderOf(repoPath), { create: false }).ok) return undefined;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  let st: Stats;
  let plan: Awaited<ReturnType<typeof planStreamedUpdate>>;
  try {
    st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    plan = await planStreamedUpdate((buf, pos) => readSync(fd, buf, 0, buf.length, pos), next.chunks());
  } finally {
    closeSync(fd);
  }
  if (plan.action === "differs") return undefined;
  await testPause(o.testPauseDir);
  if (plan.action === "none") return { plan };
  const r = appendTail(file, plan.bytes, now() - st.mtimeMs < HOT_MS);
  if ("hold" in r) return { plan: r.hold };
  return { plan: { action: "append", bytes: plan.bytes, why: "prefix" }, ...(r.since ? { written: r.since } : {}) };
}

/**
 * Appends `bytes` to an existing file with an `O_APPEND` descriptor: lands after whatever a writer
 * added meanwhile. No `O_CREAT`: an append is only right for the file that was read; one deleted
 * meanwhile must not come back holding only the new lines (a transcript starting mid-way): it is
 * held (`vanished`), the next sync decides. `O_NOFOLLOW`: a link put in the file's place meanwhile
 * is not written through (held as `modified`). `since`: the file's identity right after the
 * append when it was cold before (`hot` false).
 * @throws the file system's error for another failure (the caller wraps it).
 */
function appendTail(file: string, bytes: Buffer, hot: boolean): { since?: FileStamp } | { hold: Extract<FilePlan, { action: "hold" }> } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { hold: { action: "hold", reason: "vanished" } };
    if (code === "ELOOP") return { hold: { action: "hold", reason: "modified" } };
    throw e;
  }
  let since: FileStamp | undefined;
  try {
    if (!fstatSync(fd).isFile()) return { hold: { action: "hold", reason: "modified" } };
    appendAll(fd, bytes);
    const a = fstatSync(fd);
    if (!hot) since = { ino: a.ino, size: a.size, mtimeMs: a.mtimeMs };
  } finally {
    closeSync(fd);
  }
  return since ? { since } : {};
}

/**
 * Reads a file without following a link in its place (`O_NOFOLLOW`; its folder was checked by
 * {@link verifiedFolder}). `undefined`: absent; `"not-a-file"`: a link, a folder or another
 * non-regular file (held, never followed).
 */
function readNoFollow(file: string): { st: Stats; bytes: Buffer } | "not-a-file" | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP" || code === "EISDIR" || code === "ENXIO") return "not-a-file";
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return "not-a-file";
    return { st, bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

/** Options of {@link reorderInPlace}. */
export interface ReorderOptions {
  /**
   * The work tree `file` lies in: its folders are checked with {@link verifiedFolder} first and a
   * path that crosses a link or a non-folder is not written (`"refused"`). Sync always sets it;
   * without it (unit tests of the reorder itself) only the file is opened with `O_NOFOLLOW`.
   */
  workTree?: string;
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
  /**
   * Give the file back the mtime it had before the rewrite (a reorder adds no activity; sync sets
   * transcripts' mtimes to their last record's time, src/sync/activity.ts). Skipped when the
   * file grew meanwhile (a writer's append: its mtime is the truth).
   */
  keepMtime?: boolean;
}

/** Why {@link reorderInPlace} did or did not rewrite a file. */
export type ReorderResult = "rewritten" | "same" | "hot" | "changed" | "not-a-permutation" | "absent" | "unsaved" | "refused";

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
 * With `o.workTree`, the file's folders are checked first ({@link verifiedFolder}): a path through
 * a link or a non-folder is `refused`, a missing folder is `absent`.
 * @returns what happened (`rewritten` only when bytes were written; `unsaved` when `o.backup`
 *   failed, so lines would have been dropped without a copy).
 * @throws the file system's error when the positional write fails (the original bytes are
 *   written back first, best effort).
 */
export async function reorderInPlace(file: string, target: Buffer, o: ReorderOptions = {}): Promise<ReorderResult> {
  const now = o.now ?? Date.now;
  if (o.workTree !== undefined) {
    const rel = path.relative(o.workTree, file).split(path.sep).join("/");
    if (rel.startsWith("../") || rel === ".." || path.isAbsolute(rel)) return "refused";
    const f = verifiedFolder(o.workTree, folderOf(rel), { create: false });
    if (!f.ok) return f.kind === "missing" ? "absent" : "refused";
  }
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK); // no O_CREAT, no O_APPEND (pwrite would append)
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
      // a reorder is no new activity: the file keeps the mtime it had (its last record's time,
      // src/sync/activity.ts) unless a writer appended meanwhile
      if (o.keepMtime && fstatSync(fd).size === target.length) futimesSync(fd, st.atime, st.mtime);
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
 * Writes a new file atomically and only if it does not exist (temp file + hard link). The caller
 * checked the file's folder ({@link verifiedFolder}); the temp file sits in that folder (a hard
 * link cannot cross file systems), is created with `O_EXCL` (never through a link) and is removed
 * whatever happens (a full disk, a failed link); `link` never follows or replaces a link at the
 * target. Its name matches the view's exclude `*.git-ctx-*.tmp` (src/git/config.ts), so even one
 * left by a killed process is never committed.
 */
function createExclusive(file: string, bytes: Buffer): FileStamp | false {
  const tmp = tempBeside(file);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    let st: Stats;
    try {
      writeAll(fd, bytes);
      st = fstatSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, file);
    return stampOf(st);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A fresh temp name in `file`'s folder, matching the view's exclude `*.git-ctx-*.tmp`. */
function tempBeside(file: string): string {
  return `${file}.git-ctx-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/**
 * Replaces `file` atomically: a temp file in the same, checked folder ({@link verifiedFolder}),
 * created with `O_EXCL`, written, given the old file's mode (`old`, when there was one), fsynced,
 * then `rename`d over the file (a link in the file's place is replaced, never followed). Readers
 * see the old or the new bytes, never a mix; on any failure the temp file is removed and the old
 * file is untouched. Written here instead of with write-file-atomic, which resolves the target
 * with `realpath` (following any link on the way) and names its temp file `<file>.<hash>`,
 * outside the view's `*.git-ctx-*.tmp` exclude (issue 22).
 * @throws the file system's error (e.g. `ENOSPC`, `EROFS`).
 */
function replaceAtomic(file: string, bytes: Buffer, old: Stats | undefined): FileStamp {
  const tmp = tempBeside(file);
  let renamed = false;
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    let st: Stats;
    try {
      writeAll(fd, bytes);
      if (old) fchmodSync(fd, old.mode & 0o7777);
      fsyncSync(fd);
      st = fstatSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    renamed = true;
    return stampOf(st);
  } finally {
    if (!renamed) rmSync(tmp, { force: true });
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

/** A file's identity from its stat. */
function stampOf(st: Stats): FileStamp {
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
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
