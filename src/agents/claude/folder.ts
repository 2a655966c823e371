import { readdirSync, realpathSync } from "node:fs";
import * as path from "node:path";
import type { MachineOs } from "../../roster/machine.js";
import { claudeDirKey } from "./dirkey.js";
import { shellQuote } from "../../git/shell.js";

/** A folder of the view that could hold a project's sessions, with what is in it. */
export interface FolderCandidate {
  /** Folder name (a Claude Code directory key). */
  key: string;
  /** Number of `*.jsonl` files at the folder's top level (sessions). */
  sessions: number;
  /** Number of entries of any kind at the folder's top level. */
  entries: number;
}

/** Which folder a project root uses on this machine, and the other spellings found next to it. */
export interface FolderChoice {
  /** The folder to join (becomes `state.projects[id].key` and the roster's `encoded_dir`). */
  key: string;
  /** {@link claudeDirKey} of the root as given. */
  exact: string;
  /** Other non-empty folders whose name equals `key` ignoring ASCII case (Windows only); left untouched. */
  others: FolderCandidate[];
}

/**
 * True when two folder names are the same folder on a participant of `os`: ASCII case-insensitive
 * on Windows (its paths ignore case, so `c--x` and `C--x` are one folder), exact elsewhere.
 */
export function sameFolder(a: string, b: string, os: MachineOs): boolean {
  return os === "windows" ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * Picks the folder of a project root among the view's folders (pure).
 *
 * Claude Code names the folder after the cwd spelling of the launch that created it, and a
 * Windows launch may spell the drive letter (or any letter) in either case (FORMATS.md: the corpus
 * has `c--Users-…` folders whose transcripts mostly say `C:\Users\…`). Windows paths are
 * case-insensitive, so on a Windows participant every folder whose name equals the exact key
 * ignoring ASCII case is the same project. The choice, first match wins:
 * 1. the folder already recorded for this project (`stateKey`), when it is non-empty or no
 *    candidate is;
 * 2. among candidates with content, the exact key, else the one with the most sessions, then the
 *    most entries, then the smallest name (deterministic);
 * 3. the exact key (nothing exists yet: the folder Claude Code will create for this spelling).
 * On a posix participant only the exact key counts (posix paths are case-sensitive).
 * Keys longer than 200 characters end in a hash of the case-sensitive path (FORMATS.md), so a
 * differently-cased long path cannot be recognised from its key and is not matched.
 *
 * @param candidates the view's folders (any; those that do not match are ignored).
 * @returns the folder to join and the other non-empty spellings (never deleted or moved).
 */
export function pickProjectFolder(root: string, os: MachineOs, candidates: readonly FolderCandidate[], stateKey?: string): FolderChoice {
  const exact = claudeDirKey(root);
  const same = (k: string) => sameFolder(k, exact, os);
  const matching = candidates.filter((c) => same(c.key));
  const full = matching.filter((c) => c.entries > 0);
  const byKey = (k: string | undefined) => full.find((c) => c.key === k);
  let key: string;
  if (stateKey !== undefined && same(stateKey) && (byKey(stateKey) || full.length === 0)) key = stateKey;
  else if (byKey(exact)) key = exact;
  else if (full.length) {
    key = [...full].sort((a, b) => b.sessions - a.sessions || b.entries - a.entries || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))[0]!.key;
  } else key = exact;
  return { key, exact, others: full.filter((c) => c.key !== key) };
}

/**
 * The view's top-level folders as {@link FolderCandidate}s (`.git` and other dot-names skipped).
 * Reads only; a missing `dir` gives `[]`.
 */
export function listFolders(dir: string): FolderCandidate[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name);
  } catch {
    return [];
  }
  return names.map((key) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(path.join(dir, key));
    } catch {
      /* unreadable: counts as empty */
    }
    return { key, sessions: entries.filter((n) => n.endsWith(".jsonl")).length, entries: entries.length };
  });
}

/**
 * {@link pickProjectFolder} over the folders of the view `dir` (reads the file system only).
 */
export function chooseProjectFolder(dir: string, root: string, os: MachineOs, stateKey?: string): FolderChoice {
  return pickProjectFolder(root, os, listFolders(dir), stateKey);
}

/**
 * The note shown when other spellings of a project's folder hold files that are not synced:
 * names both folders and a command that copies the sessions across without overwriting anything
 * (`cp -Rn`), after which `git ctx sync` pushes them. Files present in both folders (e.g.
 * `memory/MEMORY.md`) are left for the user to merge: the note says so.
 */
export function otherFoldersNote(dir: string, id: string, choice: FolderChoice): string | undefined {
  if (choice.others.length === 0) return undefined;
  const to = path.join(dir, choice.key);
  const lines = [
    `note: project ${id} uses the folder ${choice.key}/; these folders hold sessions of the same root in another letter case (Windows paths ignore case) and are NOT synced:`,
  ];
  for (const o of choice.others) {
    const from = path.join(dir, o.key);
    lines.push(
      `  ${o.key}/ (${o.sessions} session${o.sessions === 1 ? "" : "s"}): to sync them, run  cp -Rn -- ${shellQuote(`${from}/.`)} ${shellQuote(`${to}/`)} && git ctx sync`,
    );
  }
  lines.push("  (cp -n never overwrites: a file present in both folders, e.g. memory/MEMORY.md, stays in the old folder for you to merge by hand)");
  return lines.join("\n");
}

/**
 * A note when `root` is (or passes through) a symbolic link on this machine (issue 10, defect
 * 13): Claude Code keys a session by the directory it was started in as spelled (its `cwd`,
 * FORMATS.md), so the link and its target are two different project folders. Says which path
 * counts for the joined folder and how to use the other. `undefined` when the root does not
 * exist here or is no link.
 */
export function symlinkRootNote(root: string, key: string, realpath: (p: string) => string = realpathSync.native): string | undefined {
  let real: string;
  try {
    real = realpath(root);
  } catch {
    return undefined;
  }
  const norm = (p: string) => p.replace(/[\\/]+$/, "");
  if (norm(real) === norm(root)) return undefined;
  return `note: ${root} is a symbolic link to ${real}. Claude Code keys sessions by the directory you start it in, as spelled: this project's folder is ${key}, so start claude from ${root}; sessions started from ${real} go to another folder (join that spelling too, with another --id, or always start from one path)`;
}
