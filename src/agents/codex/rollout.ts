import { closeSync, openSync, readSync, readdirSync } from "node:fs";
import * as path from "node:path";

/**
 * Reading Codex rollouts (FORMATS.md, "Codex CLI"): their view paths, their first line
 * (`session_meta`), and which joined project root holds a rollout's cwd.
 */

/** A view path of a rollout: `YYYY/MM/DD/rollout-….jsonl` (FORMATS.md). */
export const ROLLOUT_PATH = /^\d{4}\/\d{2}\/\d{2}\/rollout-[^/]*\.jsonl$/;

/** What git-ctx reads of a rollout's first line (`{timestamp, type: "session_meta", payload}`). */
export interface SessionMeta {
  /** The session (thread) id, a UUID (v7 since 0.50-ish; older rollouts have v4). */
  id: string;
  /** The directory Codex ran in, this machine's spelling. */
  cwd: string;
  /** The session's start time (ISO-8601 UTC), when recorded. */
  timestamp?: string;
  /** The whole `payload` object, for registering the session (threads row). */
  payload: Record<string, unknown>;
}

/**
 * Parses a rollout's first line (without its newline).
 * @returns the session meta, or `undefined` when the line is not JSON, not a `session_meta`
 *   line, or lacks a string `payload.id` / `payload.cwd` (such a rollout is never synced).
 */
export function sessionMetaOf(first: string): SessionMeta | undefined {
  let j: unknown;
  try {
    j = JSON.parse(first);
  } catch {
    return undefined;
  }
  if (!j || typeof j !== "object") return undefined;
  const o = j as { type?: unknown; payload?: unknown };
  if (o.type !== "session_meta" || !o.payload || typeof o.payload !== "object") return undefined;
  const p = o.payload as Record<string, unknown>;
  if (typeof p.id !== "string" || typeof p.cwd !== "string" || p.cwd.length === 0 || p.id.length === 0) return undefined;
  return { id: p.id, cwd: p.cwd, ...(typeof p.timestamp === "string" ? { timestamp: p.timestamp } : {}), payload: p };
}

/** True for a Windows absolute path (`C:\…`, `c:/…`, `\\server\…`). */
function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:([\\/]|$)/.test(p) || p.startsWith("\\\\");
}

/** A path in a comparable form: Windows paths lowercased (ASCII) with `/` separators; no trailing separator. */
function comparable(p: string): string {
  let q = p;
  if (isWindowsPath(q)) q = q.replace(/\\/g, "/").replace(/[A-Z]/g, (c) => c.toLowerCase());
  return q.length > 1 ? q.replace(/\/+$/, "") : q;
}

/**
 * Whether `root` holds `cwd`: equal, or `cwd` is below it (component-wise, so `/a/b` does not
 * hold `/a/bc`). Windows paths compare case-insensitively (ASCII) with either separator (issue 11,
 * scope 2); posix paths compare exactly.
 */
export function rootHolds(root: string, cwd: string): boolean {
  if (isWindowsPath(root) !== isWindowsPath(cwd)) return false;
  const r = comparable(root);
  const c = comparable(cwd);
  if (r === c) return true;
  return c.startsWith(r.endsWith("/") ? r : r + "/");
}

/**
 * The joined project whose root holds `cwd`; with nested project roots the longest root wins.
 * @param projects joined projects by id (only `root` is read).
 * @returns the project id, or `undefined` when no joined root holds `cwd`.
 */
export function projectForCwd(cwd: string, projects: Readonly<Record<string, { root: string }>>): string | undefined {
  let best: { id: string; len: number } | undefined;
  for (const [id, p] of Object.entries(projects)) {
    if (!rootHolds(p.root, cwd)) continue;
    const len = comparable(p.root).length;
    if (!best || len > best.len || (len === best.len && id < best.id)) best = { id, len };
  }
  return best?.id;
}

/** Most bytes read to find a rollout's first line (its `session_meta` holds the instructions: tens of KB). */
export const FIRST_LINE_MAX = 8 << 20;

/**
 * Reads the first line of a file (without the `\n`), synchronously, in 64 KiB steps.
 * @returns the line, or `undefined` when the file has no complete first line within
 *   {@link FIRST_LINE_MAX} bytes (empty, still being written, or not a rollout).
 * @throws the fs error when the file cannot be opened (ENOENT, EACCES).
 */
export function readFirstLine(file: string): string | undefined {
  const fd = openSync(file, "r");
  try {
    const parts: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(64 << 10);
    while (total < FIRST_LINE_MAX) {
      const n = readSync(fd, buf, 0, buf.length, total);
      if (n === 0) return undefined;
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl >= 0) {
        parts.push(Buffer.from(buf.subarray(0, nl)));
        return Buffer.concat(parts).toString("utf8");
      }
      parts.push(Buffer.from(buf.subarray(0, n)));
      total += n;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The rollouts of a sessions folder, as view paths (`YYYY/MM/DD/rollout-….jsonl`), sorted.
 * Other files and folders are ignored. A missing folder gives `[]`.
 */
export function listRollouts(sessionsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(sessionsDir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return names
    .map((n) => n.split(path.sep).join("/"))
    .filter((n) => ROLLOUT_PATH.test(n))
    .sort();
}
