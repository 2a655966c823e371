import { closeSync, lstatSync, openSync, rmSync, statSync, utimesSync, type BigIntStats } from "node:fs";
import * as path from "node:path";
import { gitRaw, type GitOpts } from "./exec.js";

/**
 * git's racy-git rule after a checkout, and how git-ctx lets later commands trust a checkout
 * without cleaning every file again (issue 15).
 *
 * git records each checked-out file's stat data in the index. An entry whose file's mtime is not
 * older than the index file itself is "racily clean": a same-size change in that second would be
 * invisible to a stat compare, so every later command that reads the index checks its content —
 * for a view, through the clean filter (git's Documentation/technical/racy-git.txt; git 2.39 as
 * Debian builds it, without USE_NSEC, compares whole seconds). After a join's checkout that is
 * every file of the project, on every command until one writes the index a second later.
 *
 * {@link trustCheckout} does what a git built with USE_NSEC does: once the second of the index
 * write has passed, each racily clean entry is compared with its file at nanosecond precision
 * (mtime, ctime, size, inode, as git truncates them); when every one matches, no file changed
 * since git recorded it, and the index file's mtime is moved to now, so those entries are no
 * longer racy. When any differs, `git update-index --refresh` checks the contents instead.
 */

/** One index entry's stat data as git stores it (`git ls-files --debug`): 32-bit fields, seconds and nanoseconds. */
export interface IndexStat {
  path: string;
  ctime: [number, number];
  mtime: [number, number];
  ino: number;
  size: number;
}

const DEBUG_RECORD = /([^\0]*)\0 {2}ctime: (\d+):(\d+)\n {2}mtime: (\d+):(\d+)\n {2}dev: \d+\tino: (\d+)\n {2}uid: \d+\tgid: \d+\n {2}size: (\d+)\tflags: [0-9a-f]+\n/g;

/**
 * Parses `git ls-files -z --debug` output (git's builtin/ls-files.c `print_debug`: the path, NUL,
 * then `  ctime: <s>:<ns>`, `  mtime: <s>:<ns>`, `  dev: <d>\tino: <i>`, `  uid: <u>\tgid: <g>`,
 * `  size: <n>\tflags: <hex>`, each ending in a newline). Pure; records it cannot read are skipped.
 */
export function parseLsFilesDebug(text: string): IndexStat[] {
  const out: IndexStat[] = [];
  for (const m of text.matchAll(DEBUG_RECORD))
    out.push({ path: m[1]!, ctime: [Number(m[2]), Number(m[3])], mtime: [Number(m[4]), Number(m[5])], ino: Number(m[6]), size: Number(m[7]) });
  return out;
}

/** A file's lstat as git records it (seconds, nanoseconds, inode and size truncated to 32 bits), or undefined when it is missing. */
export function fileStat(file: string): Omit<IndexStat, "path"> | undefined {
  let b: BigIntStats | undefined;
  try {
    b = lstatSync(file, { bigint: true });
  } catch {
    return undefined;
  }
  if (!b) return undefined;
  const split = (ns: bigint): [number, number] => [Number(BigInt.asUintN(32, ns / 1_000_000_000n)), Number(ns % 1_000_000_000n)];
  return { ctime: split(b.ctimeNs), mtime: split(b.mtimeNs), ino: Number(BigInt.asUintN(32, b.ino)), size: Number(BigInt.asUintN(32, b.size)) };
}

/**
 * The racily clean entries (mtime second not before `indexSecond`) whose file no longer has the
 * recorded stat data at nanosecond precision. Pure but for `stat`.
 */
export function changedRacyEntries(entries: readonly IndexStat[], indexSecond: number, stat: (p: string) => Omit<IndexStat, "path"> | undefined): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (e.mtime[0] < indexSecond) continue;
    const s = stat(e.path);
    if (!s || s.size !== e.size || s.ino !== e.ino || s.mtime[0] !== e.mtime[0] || s.mtime[1] !== e.mtime[1] || s.ctime[0] !== e.ctime[0] || s.ctime[1] !== e.ctime[1])
      out.push(e.path);
  }
  return out;
}

/**
 * Lets later commands trust what a checkout just wrote in `workTree` (see the module comment):
 * waits until the second of the index write has passed, then either moves the index file's mtime
 * to now (every racily clean entry unchanged at nanosecond precision) or runs `git update-index
 * -q --refresh` (a content check through the filters). `o` is passed to git (its env).
 * @returns `"trusted"`, `"refreshed"`, or `"none"` when no entry was racily clean.
 * @throws GitCommandError when git fails.
 */
export async function trustCheckout(workTree: string, gitDir: string, o: GitOpts = {}): Promise<"trusted" | "refreshed" | "none"> {
  const index = path.join(gitDir, "index");
  const second = () => Math.floor(statSync(index).mtimeMs / 1000);
  const wait = (second() + 1) * 1000 - Date.now() + 5;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const written = second();
  const r = await gitRaw(["ls-files", "-z", "--debug"], { ...o, cwd: workTree });
  const entries = parseLsFilesDebug(r.stdout.toString("utf8"));
  if (!entries.some((e) => e.mtime[0] >= written)) return "none";
  const changed = changedRacyEntries(entries, written, (p) => fileStat(path.join(workTree, p)));
  if (changed.length === 0) {
    // under git's own lock (index.lock, created exclusively), so no git writes the index meanwhile
    const lock = `${index}.lock`;
    let fd: number | undefined;
    try {
      fd = openSync(lock, "wx");
    } catch {
      return "none"; // another git holds the index: it is writing it anyway
    }
    try {
      if (second() === written) {
        const now = new Date();
        utimesSync(index, now, now);
        return "trusted";
      }
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
  await gitRaw(["update-index", "-q", "--refresh"], { ...o, cwd: workTree, okCodes: [0, 1] });
  return "refreshed";
}
