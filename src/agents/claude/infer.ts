import { open, readdir } from "node:fs/promises";
import * as path from "node:path";
import { claudeDirKey } from "./dirkey.js";

/** Result of {@link inferProjectRoot}. */
export interface InferredRoot {
  /** The project root, spelled exactly as in the transcripts (native separators). */
  root: string;
  /** How many `cwd` fields support `root` (equal to it, or below it when it is an ancestor). */
  evidence: number;
  /** Every distinct `cwd` seen, with its number of occurrences (in the bytes read). */
  candidates: Record<string, number>;
}

/** Bytes read from the start of each transcript: the `cwd` is on every message line. */
export const INFER_BYTES_PER_FILE = 1024 * 1024;
/** At most this many transcript files are read per folder (newest names do not matter: any session names the root). */
export const INFER_MAX_FILES = 200;

/** `"cwd":"<JSON string body>"` as Claude Code writes it (compact `JSON.stringify`, FORMATS.md). */
const CWD_RE = /"cwd":"((?:[^"\\]|\\.)*)"/g;

/**
 * Infers a Claude Code project folder's project root from the `cwd` fields of its transcripts
 * (top-level `*.jsonl` and `<session>/subagents/*.jsonl`), **never** by decoding the folder name
 * (the key is lossy, FORMATS.md).
 *
 * Choice, in order:
 * 1. the most frequent `cwd` whose {@link claudeDirKey} equals the folder's base name (ignoring
 *    case for Windows paths: NTFS folder names are case-insensitive, so sessions started in
 *    `c:\x` land in an existing `C--x` folder; the corpus has both directions);
 * 2. else the most frequent **ancestor** of a recorded `cwd` whose key equals the base name
 *    (sessions often run in a subdirectory of the project: corpus `claude-backups/agents`);
 *    the ancestor is cut from a real `cwd`, so its spelling is real, not decoded;
 * 3. else the most frequent `cwd` (a folder renamed or copied from elsewhere).
 *
 * Reads at most {@link INFER_BYTES_PER_FILE} bytes of at most {@link INFER_MAX_FILES} files, with a
 * regex over the raw text (no JSON parse of whole lines), so big folders stay fast.
 *
 * @param folder path of the project folder (e.g. `~/.claude/projects/-home-me-proj`).
 * @returns `undefined` when no transcript records a `cwd` (empty, or only 0-byte sessions).
 * @throws the fs error when `folder` cannot be read (ENOENT, EACCES).
 */
export async function inferProjectRoot(folder: string): Promise<InferredRoot | undefined> {
  const files = (await transcriptFiles(folder)).slice(0, INFER_MAX_FILES);
  const counts = new Map<string, number>();
  for (const f of files) {
    const text = await readHead(f, INFER_BYTES_PER_FILE);
    for (const m of text.matchAll(CWD_RE)) {
      let cwd: string;
      try {
        cwd = JSON.parse(`"${m[1]}"`) as string;
      } catch {
        continue; // cut mid-escape at the read limit
      }
      if (cwd) counts.set(cwd, (counts.get(cwd) ?? 0) + 1);
    }
  }
  if (counts.size === 0) return undefined;
  const candidates = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])));
  const key = path.basename(folder);
  const best = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))[0];

  const exact = new Map([...counts].filter(([c]) => sameKey(claudeDirKey(c), key, c)));
  if (exact.size) {
    const [root, evidence] = best(exact)!;
    return { root, evidence, candidates };
  }
  const ancestors = new Map<string, number>();
  for (const [c, n] of counts) {
    for (const a of ancestorsOf(c)) if (sameKey(claudeDirKey(a), key, a)) ancestors.set(a, (ancestors.get(a) ?? 0) + n);
  }
  if (ancestors.size) {
    const [root, evidence] = best(ancestors)!;
    return { root, evidence, candidates };
  }
  const [root, evidence] = best(counts)!;
  return { root, evidence, candidates };
}

/**
 * Proper ancestors of an absolute path in its own spelling, nearest first:
 * `/a/b/c` → `/a/b`, `/a`; `C:\a\b` → `C:\a`, `C:\`. Separators `/` and `\` both count.
 */
export function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  let s = p.replace(/[\\/]+$/, "");
  for (;;) {
    const i = Math.max(s.lastIndexOf("/"), s.lastIndexOf("\\"));
    if (i <= 0) break;
    const parent = s.slice(0, i);
    if (/^[A-Za-z]:$/.test(parent)) {
      out.push(parent + s[i]); // drive root keeps its separator
      break;
    }
    out.push(parent);
    s = parent;
  }
  return out;
}

/**
 * The transcript files of a project folder: `*.jsonl` directly in it (sessions; 2.0.x subagents)
 * and `<dir>/subagents/*.jsonl` (2.1.x subagents), sorted by path.
 */
export async function transcriptFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(folder, { withFileTypes: true })) {
    const p = path.join(folder, e.name);
    if (e.isFile() && e.name.endsWith(".jsonl")) out.push(p);
    else if (e.isDirectory()) {
      try {
        for (const s of await readdir(path.join(p, "subagents"), { withFileTypes: true })) {
          if (s.isFile() && s.name.endsWith(".jsonl")) out.push(path.join(p, "subagents", s.name));
        }
      } catch {
        /* no subagents folder */
      }
    }
  }
  return out.sort();
}

async function readHead(file: string, max: number): Promise<string> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(Math.min(max, (await fh.stat()).size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await fh.close();
  }
}

/**
 * True when `k` (the key of `p`) names the folder `folder`: equal, or equal ignoring ASCII case
 * when `p` is a Windows path (`X:` drive or `\\` UNC), whose folders are case-insensitive.
 */
export function sameKey(k: string, folder: string, p: string): boolean {
  if (k === folder) return true;
  return /^([A-Za-z]:|\\\\)/.test(p) && k.toLowerCase() === folder.toLowerCase();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
