import { closeSync, constants, existsSync, fstatSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { asWriteError } from "./errors.js";
import { HOT_MS, planFileUpdate, type FilePlan } from "./plan.js";

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
      out.push({ path: u.path, plan: await applyOne(file, u, now, o) });
    } catch (e) {
      throw asWriteError(e, u.path, file);
    }
  }
  return out;
}

async function applyOne(file: string, u: FileUpdate, now: () => number, o: ApplyOptions): Promise<FilePlan> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let st;
    try {
      st = lstatSync(file);
    } catch {
      st = undefined;
    }
    if (st && !st.isFile()) return { action: "hold", reason: "modified" };
    const current = st ? readFileSync(file) : undefined;
    if (attempt === 0) await testPause(o.testPauseDir);
    if (o.unsafeCheckout) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic.sync(file, u.next);
      return { action: "replace" };
    }
    const plan = planFileUpdate({
      current,
      expected: u.expected,
      next: u.next,
      jsonl: u.path.endsWith(".jsonl"),
      hot: st !== undefined && now() - st.mtimeMs < HOT_MS,
    });
    switch (plan.action) {
      case "none":
      case "hold":
        return plan;
      case "create":
        if (createExclusive(file, u.next)) return plan;
        continue; // the file appeared meanwhile: plan again against its bytes
      case "append": {
        // O_APPEND: lands after whatever a writer added meanwhile. No O_CREAT: an append is only
        // right for the file that was read; one deleted meanwhile must not come back holding only
        // the new lines (a transcript starting mid-way). It is held; the next sync decides.
        let fd: number;
        try {
          fd = openSync(file, constants.O_WRONLY | constants.O_APPEND);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOENT") return { action: "hold", reason: "vanished" };
          throw e;
        }
        try {
          appendAll(fd, plan.bytes);
        } finally {
          closeSync(fd);
        }
        return plan;
      }
      case "replace": {
        // Re-check just before the rename: still the bytes we planned on, still cold.
        const again = readFileSync(file);
        const st2 = lstatSync(file);
        if (!again.equals(current!) || now() - st2.mtimeMs < HOT_MS) continue;
        writeFileAtomic.sync(file, u.next);
        return plan;
      }
    }
  }
  return { action: "hold", reason: "hot" };
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
