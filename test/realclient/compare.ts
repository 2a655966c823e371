/**
 * Compares the conversations two real-client resumes sent, independently of git-ctx's codec:
 * each side's own machine paths are replaced by neutral tokens (`<CTX>`, `<ROOT>`, `<KEY>`,
 * `<HOME>`) in every spelling FORMATS.md lists (`/a/b`, `\/a\/b`, `C:\a\b`, JSON-escaped
 * `C:\\a\\b`, `C:/a/b`, `/c/a/b`; ASCII case-insensitive for Windows), then every run of
 * backslashes becomes `/` on both sides. Equal normalised text ⇒ same conversation with one
 * machine's paths in place of the other's.
 */
import type { MachineOs } from "../../src/roster/machine.js";

/** The paths of one side: what to replace by which token. */
export interface Side {
  os: MachineOs;
  home: string;
  /** Project roots (the recorded root, and the real cwd the client ran in when it differs). */
  roots: string[];
  /** Directory keys of the project folder (Windows folders exist in both drive-letter cases). */
  keys: string[];
  /** Extra project context dirs, e.g. the runner's own `~/.claude/projects/<key>` (its memory path). */
  ctxDirs?: string[];
}

function esc(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/**
 * A regex source matching `p` in every spelling of `os`. A path that starts with `/` is spelled
 * the POSIX way even on a Windows side (the real client's own cwd on this Linux test machine).
 */
export function spellingsRe(p: string, os: MachineOs): string {
  if (os !== "windows" || p.startsWith("/")) {
    const comps = p.split("/").filter(Boolean).map(esc);
    return `(?:\\\\?/)${comps.join("(?:\\\\?/)")}`;
  }
  const m = /^([A-Za-z]):[\\/]*(.*)$/s.exec(p);
  const comps = (m ? m[2]! : p)
    .split(/[\\/]+/)
    .filter(Boolean)
    .map(esc);
  const sep = "(?:\\\\+|\\\\?/)";
  const body = comps.join(sep);
  if (!m) return body;
  return `(?:${m[1]}:${sep}|${sep}${m[1]}${sep})${body}`;
}

/** Normalises a JSON-able value's strings for `side` and returns one stable JSON text. */
export function normalize(value: unknown, side: Side): string {
  const flags = side.os === "windows" ? "gi" : "g";
  const ctx = (side.ctxDirs ?? [])
    .map((d) => new RegExp(`${spellingsRe(d, side.os)}(?![A-Za-z0-9_-])`, flags))
    .concat(
      side.keys.map((k) => new RegExp(`${spellingsRe(side.home, side.os)}(?:\\\\+|\\\\?/)\\.claude(?:\\\\+|\\\\?/)projects(?:\\\\+|\\\\?/)${esc(k)}(?![A-Za-z0-9_-])`, flags)),
    );
  const roots = [...side.roots].sort((a, b) => b.length - a.length).map((r) => new RegExp(`${spellingsRe(r, side.os)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, flags));
  const keys = side.keys.map((k) => new RegExp(`(?<![A-Za-z0-9-])${esc(k)}(?![A-Za-z0-9-])`, flags));
  const home = new RegExp(`${spellingsRe(side.home, side.os)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, flags);
  const str = (s: string) => {
    for (const r of ctx) s = s.replace(r, "<CTX>");
    for (const r of roots) s = s.replace(r, "<ROOT>");
    for (const r of keys) s = s.replace(r, "<KEY>");
    // The client tells the model today's date: two resumes around midnight differ only there.
    return s
      .replace(home, "<HOME>")
      .replace(/\\+/g, "/")
      .replace(/Today's date is \d{4}-\d{2}-\d{2}/g, "Today's date is <DATE>");
  };
  const walk = (x: unknown): unknown => {
    if (typeof x === "string") return str(x);
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [str(k), walk(v)]));
    return x;
  };
  return JSON.stringify(walk(value), null, 1);
}

/** Occurrences of `p` (any spelling of `os`) in the JSON text of `value`'s strings. */
export function countPath(value: unknown, p: string, os: MachineOs): number {
  const re = new RegExp(`${spellingsRe(p, os)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, os === "windows" ? "gi" : "g");
  let n = 0;
  const walk = (x: unknown): void => {
    if (typeof x === "string") n += (x.match(re) ?? []).length;
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") for (const [k, v] of Object.entries(x)) walk(k), walk(v);
  };
  walk(value);
  return n;
}

/** First line-level difference of two normalised texts, for a readable failure message. */
export function firstDiff(a: string, b: string): string {
  const la = a.split("\n");
  const lb = b.split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  A: ${(la[i] ?? "<end>").slice(0, 400)}\n  B: ${(lb[i] ?? "<end>").slice(0, 400)}`;
  }
  return "(equal)";
}
