import { lstatSync, openSync, closeSync, readdirSync } from "node:fs";
import * as path from "node:path";

/**
 * Odd entries of an agent's store (issue 23, point 3): a file that cannot be read (a transcript
 * written by `sudo claude` is root's, mode 0600) or an entry named like a session file that is no
 * file (a folder `x.jsonl`). Each is skipped with a named warning by `sync`, `init`, `join`,
 * `sessions`, `show`, `learn`, and listed by `doctor`; it never stops the other files, and a
 * folder named like a session file never travels (git add leaves it out; src/gate refuses a path
 * through it both ways).
 */

/** One entry left out. `path`: a view path (`<folder>/<file>`) or, outside a view, an absolute path. */
export interface SkippedEntry {
  path: string;
  /** `unreadable`: opening it failed (EACCES, EPERM); `not-a-file`: a folder (or other non-file) named like a session file. */
  why: "unreadable" | "not-a-file";
}

/**
 * A path that goes through a folder named like a session file (`…/x.jsonl/…`): Claude Code,
 * Codex CLI and Gemini CLI only ever make `.jsonl` files, never such folders.
 */
export const THROUGH_SESSION_NAMED_FOLDER = /(^|\/)[^/]+\.jsonl\//;

/** The folder named like a session file that `p` (a `/`-separated path) goes through: its first such folder, e.g. `k/x.jsonl` of `k/x.jsonl/a/b`. */
export function sessionNamedFolderOf(p: string): string | undefined {
  const m = THROUGH_SESSION_NAMED_FOLDER.exec(p);
  return m ? p.slice(0, m.index + m[0].length - 1) : undefined;
}

function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The one-line warning for a skipped entry, naming it and the fix. `abs`: its absolute path (for
 * the fix's command; default `e.path`). Pure.
 */
export function skippedMessage(e: SkippedEntry, abs: string = e.path): string {
  if (e.why === "unreadable") return `skipped ${e.path}: permission denied — fix: sudo chown $USER ${shq(abs)} (then it syncs with the next 'git ctx sync')`;
  return `skipped ${e.path}: not a file (a folder named like a session file; it never syncs) — fix: move it out of the agent's store, e.g. mv ${shq(abs)} ${shq(`${abs}.d`)}`;
}

/**
 * Reads what `git add --ignore-errors` said about entries it could not read: `error: open("<p>"):
 * Permission denied` (with the `unable to index file '<p>'` line after it) and `warning: could not
 * open directory '<p>/': Permission denied` (git 2.39's texts, builtin/add.c, dir.c). Paths are as
 * git printed them (relative to its working directory). Pure.
 * @returns the unreadable entries and the lines that are something else (another error: the
 *   caller fails as before).
 */
export function parseAddErrors(stderr: string): { unreadable: string[]; other: string[] } {
  const unreadable: string[] = [];
  const other: string[] = [];
  const known = new Set<string>();
  for (const line of stderr.split("\n")) {
    if (!line.trim()) continue;
    let m = /^error: open\("(.*)"\): (Permission denied|Operation not permitted)$/.exec(line);
    if (m) {
      unreadable.push(m[1]!);
      known.add(m[1]!);
      continue;
    }
    m = /^warning: could not open directory '(.*)': (Permission denied|Operation not permitted)$/.exec(line);
    if (m) {
      unreadable.push(m[1]!.replace(/\/$/, ""));
      continue;
    }
    m = /^error: unable to index file '(.*)'$/.exec(line);
    if (m && known.has(m[1]!)) continue;
    other.push(line);
  }
  return { unreadable: [...new Set(unreadable)], other };
}

/**
 * Why the file `file` cannot be read as a session: `not-a-file` (a folder or other non-file),
 * `unreadable` (EACCES, EPERM on open), or undefined (a readable regular file, or gone).
 * One `lstat` and one `open`.
 */
export function oddFile(file: string): SkippedEntry["why"] | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return st.isSymbolicLink() ? undefined : "not-a-file";
  try {
    closeSync(openSync(file, "r"));
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "EACCES" || code === "EPERM" ? "unreadable" : undefined;
  }
}

/**
 * The odd entries under `dir` (doctor's check): folders named like a session file (not
 * descended into), files that cannot be opened for reading, folders that cannot be listed.
 * Paths relative to `dir`, `/`-separated; `.git` folders are not visited. At most `limit` entries.
 */
export function oddEntriesUnder(dir: string, limit = 100): SkippedEntry[] {
  const out: SkippedEntry[] = [];
  const walk = (rel: string) => {
    if (out.length >= limit) return;
    let names: import("node:fs").Dirent[];
    try {
      names = readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (rel && (code === "EACCES" || code === "EPERM")) out.push({ path: rel, why: "unreadable" });
      return;
    }
    for (const d of names) {
      if (out.length >= limit) return;
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (d.name === ".git") continue;
        if (d.name.endsWith(".jsonl")) out.push({ path: p, why: "not-a-file" });
        else walk(p);
      } else if (d.isFile()) {
        const why = oddFile(path.join(dir, p));
        if (why) out.push({ path: p, why });
      }
    }
  };
  walk("");
  return out;
}
