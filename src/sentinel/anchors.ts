import type { MachineOs } from "../roster/machine.js";

/**
 * The sentinel tiers, in matching priority (longest anchor first). Names and strings are those of
 * the public context-convergence project, so clusters can interoperate.
 */
export type Tier = "contextDir" | "root" | "key" | "home";
/** All tiers in priority order. */
export const TIERS: readonly Tier[] = ["contextDir", "root", "key", "home"];
/** The sentinel name of each tier: `{{CC_<name>}}`. */
export const SENTINEL_NAME: Readonly<Record<Tier, string>> = {
  contextDir: "PROJECT_CONTEXT_DIR",
  root: "PROJECT_ROOT",
  key: "ENCODED_DIR",
  home: "HOME",
};
/** The plain (default-spelling) sentinel of each tier, e.g. `{{CC_PROJECT_ROOT}}`. */
export const SENTINEL: Readonly<Record<Tier, string>> = {
  contextDir: "{{CC_PROJECT_CONTEXT_DIR}}",
  root: "{{CC_PROJECT_ROOT}}",
  key: "{{CC_ENCODED_DIR}}",
  home: "{{CC_HOME}}",
};
/** Tier of a sentinel name. */
export const TIER_OF_NAME: ReadonlyMap<string, Tier> = new Map(TIERS.map((t) => [SENTINEL_NAME[t], t]));

/**
 * The machine-specific paths of one project on one machine (the codec's input besides the bytes).
 * All strings are in the machine's native spelling, as Claude Code writes them into transcripts.
 */
export interface Anchors {
  /** Decides the spellings that are recognised and produced (posix vs Windows forms). */
  os: MachineOs;
  /** Home as written in transcripts, e.g. `/home/me` or `C:\Users\me`. */
  home: string;
  /** Project root, native spelling, e.g. `/home/me/proj` or `C:\Users\me\proj`. */
  root: string;
  /** Claude Code directory key of `root` (the project folder's name), e.g. `-home-me-proj`. */
  key: string;
  /** Default: `home + sep + ".claude" + sep + "projects" + sep + key` (`sep` = `\` on Windows, else `/`). */
  contextDir?: string;
  /** Roster policy `rewrite_home`: whether `{{CC_HOME}}` is used at all. */
  rewriteHome: boolean;
  /**
   * How the file's text escapes paths; only changes which Windows spelling is the default
   * (plain sentinel): `json` → `C:\\Users` (JSON-escaped backslashes), `text` → `C:\Users`.
   * Default: sniffed from the content ({@link sniffForm}). See docs/cluster-format.md.
   */
  form?: Form;
}

/** How a file escapes paths: JSON text (`.jsonl`, `.json`) or plain text (`.md`, `.txt`). */
export type Form = "json" | "text";

/**
 * Path spellings ("variant codes" in the canonical form, docs/cluster-format.md):
 * posix `p` `/a/b`, `e` `\/a\/b`; Windows `b1` `C:\a\b`, `b2` `C:\\a\\b`, `b4` `C:\\\\a\\\\b`,
 * `f` `C:/a/b`, `e` `C:\/a\/b`, `g` `/c/a/b` (git-bash), `ge` `\/c\/a\/b`.
 */
export type Spelling = "p" | "e" | "b1" | "b2" | "b4" | "f" | "g" | "ge";
/** The separator each spelling uses between path components (latin1 = ASCII here). */
export const SEP: Readonly<Record<Spelling, string>> = {
  p: "/",
  e: "\\/",
  b1: "\\",
  b2: "\\\\",
  b4: "\\\\\\\\",
  f: "/",
  g: "/",
  ge: "\\/",
};
const POSIX_SPELLINGS: readonly Spelling[] = ["p", "e"];
const WINDOWS_SPELLINGS: readonly Spelling[] = ["b1", "b2", "b4", "f", "e", "g", "ge"];

/** The spelling a plain sentinel stands for on `os` in a file of form `form`. */
export function defaultSpelling(os: MachineOs, form: Form): Spelling {
  return os === "windows" ? (form === "json" ? "b2" : "b1") : "p";
}

/**
 * The spelling a variant code becomes on a machine of `os` (cross-OS mapping, docs/cluster-format.md):
 * posix machines have only `p` and `e` (`e`/`ge` → `e`, everything else → `p`); Windows machines keep
 * every Windows code and turn `p` into the default for the form.
 */
export function spellingOn(os: MachineOs, code: Spelling | undefined, form: Form): Spelling {
  if (code === undefined) return defaultSpelling(os, form);
  if (os !== "windows") return code === "e" || code === "ge" ? "e" : "p";
  return code === "p" ? defaultSpelling(os, form) : code;
}

/** One recognised spelling of one tier's anchor. */
export interface Alt {
  tier: Tier;
  /** `undefined` for the key tier (a bare folder name has no separators). */
  spelling: Spelling | undefined;
  /** The native text of this spelling, latin1 (UTF-8 bytes as chars). */
  text: string;
}

/** An {@link Anchors} compiled for the codec; cached per distinct anchors. */
export interface Compiled {
  os: MachineOs;
  /** ASCII case-insensitive matching (Windows). */
  ci: boolean;
  /** `[Tier][Spelling|"k"]` → native text (latin1); missing when that tier/spelling is disabled. */
  text: Record<Tier, Partial<Record<Spelling | "k", string>>>;
  /** Global regex: a sentinel-like token, or any enabled anchor spelling followed by a right boundary. */
  re: RegExp;
  /** Matched text (ASCII-lowercased when `ci`) → the alternative. */
  byText: Map<string, Alt>;
  /** Native text → the alternative (the common, exact-case lookup). */
  exact: Map<string, Alt>;
  /** Whether any anchor is enabled (otherwise only tokens are looked for). */
  any: boolean;
  /** Bytes that end a safe streaming cut (docs/cluster-format.md, "Streaming"), as a lookup table. */
  cut: Uint8Array;
}

/** `[A-Za-z0-9_-]` or a byte ≥ 0x80: characters that continue a path component. */
export const PATH_CLASS = "A-Za-z0-9_\\x80-\\xff\\-";
/** Right boundary: not followed by a path char, nor by `.` + path char (`proj.bak`). */
export const RIGHT_BOUNDARY = `(?![${PATH_CLASS}]|\\.[${PATH_CLASS}])`;
/** Characters of a path segment inside a tail (docs/cluster-format.md, "Tails"). */
export const SEG_CLASS = "A-Za-z0-9._~+@!#$%=\\x80-\\xff\\-";
/** A token that looks like a sentinel: name, `_LIT` levels, optional variant. */
export const TOKEN_SRC = "\\{\\{CC_(PROJECT_CONTEXT_DIR|PROJECT_ROOT|ENCODED_DIR|HOME)((?:_LIT)*)(?:@([a-z0-9]+))?\\}\\}";
/** Candidate cut bytes for streaming (before removing those that occur in an anchor). */
const CUT_CANDIDATES = "\n\r\t\0 \"',;<>|*?()[]^&`";

/** UTF-8 bytes of `s` as a latin1 string (one char per byte), the codec's working alphabet. */
export function toLatin1(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}

/** ASCII-only lowercase (latin1 letters ≥ 0x80 stay as they are: they are UTF-8 bytes). */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function usable(p: string): boolean {
  // eslint-disable-next-line no-control-regex
  return p.length > 0 && !/[\x00-\x1f{}]/.test(p) && /[^\\/]/.test(p);
}

/** Spelled forms of an absolute path on `os`; `{}` when the path is not usable as an anchor. */
export function spellPath(os: MachineOs, p: string): Partial<Record<Spelling, string>> {
  const out: Partial<Record<Spelling, string>> = {};
  if (!usable(p)) return out;
  if (os !== "windows") {
    const q = p.length > 1 ? p.replace(/\/+$/, "") : p;
    for (const s of POSIX_SPELLINGS) out[s] = q.split("/").join(SEP[s]);
    return out;
  }
  const m = /^([A-Za-z]):[\\/]*(.*)$/s.exec(p);
  if (m) {
    const drive = m[1]!;
    const comps = m[2]!.split(/[\\/]+/).filter((c) => c.length > 0);
    for (const s of WINDOWS_SPELLINGS) {
      if (s === "g" || s === "ge") {
        if (comps.length === 0) continue;
        out[s] = SEP[s] + drive.toLowerCase() + SEP[s] + comps.join(SEP[s]);
      } else out[s] = `${drive}:${SEP[s]}${comps.join(SEP[s])}`;
    }
    return out;
  }
  const q = p.replace(/[\\/]+$/, "");
  for (const s of WINDOWS_SPELLINGS) if (s !== "g" && s !== "ge") out[s] = q.replace(/[\\/]+/g, (r) => SEP[s].repeat(r.length));
  return out;
}

/** The context dir of `a`: given, or `<home>/.claude/projects/<key>` in native separators. */
export function contextDirOf(a: Anchors): string {
  if (a.contextDir) return a.contextDir;
  const sep = a.os === "windows" ? "\\" : "/";
  const home = a.home.length > 1 ? a.home.replace(/[\\/]+$/, "") : a.home;
  return [home, ".claude", "projects", a.key].join(sep);
}

const cache = new Map<string, Compiled>();
const CACHE_MAX = 64;

/** Compiles (or fetches from a small cache) the matcher for `a`. Never throws. */
export function compile(a: Anchors): Compiled {
  const id = [a.os, a.home, a.root, a.key, a.contextDir ?? "", a.rewriteHome ? 1 : 0].join("\0");
  let c = cache.get(id);
  if (c) return c;
  c = build(a);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(id, c);
  return c;
}

function build(a: Anchors): Compiled {
  const os = a.os;
  const ci = os === "windows";
  const text: Compiled["text"] = { contextDir: {}, root: {}, key: {}, home: {} };
  const paths: Record<Exclude<Tier, "key">, string | undefined> = {
    contextDir: a.key || a.contextDir ? contextDirOf(a) : undefined,
    root: a.root,
    home: a.rewriteHome ? a.home : undefined,
  };
  const byText = new Map<string, Alt>();
  const exact = new Map<string, Alt>();
  const alts: Alt[] = [];
  const add = (alt: Alt) => {
    const k = ci ? asciiLower(alt.text) : alt.text;
    if (byText.has(k)) return; // same text in a higher-priority tier (e.g. root == home): it wins
    byText.set(k, alt);
    if (!exact.has(alt.text)) exact.set(alt.text, alt);
    alts.push(alt);
  };
  for (const tier of TIERS) {
    if (tier === "key") {
      if (usable(a.key) && !/[\\/]/.test(a.key)) {
        const t = toLatin1(a.key);
        text.key.k = t;
        add({ tier, spelling: undefined, text: t });
      }
      continue;
    }
    const p = paths[tier];
    if (p === undefined) continue;
    const sp = spellPath(os, p);
    for (const [s, raw] of Object.entries(sp) as [Spelling, string][]) {
      const t = toLatin1(raw);
      text[tier][s] = t;
      add({ tier, spelling: s, text: t });
    }
  }
  const trie = new TrieNode();
  for (const alt of alts) trie.insert(alt.text, ci);
  const anchorSrc = alts.length ? trie.toRegex() : "";
  const re = new RegExp(anchorSrc ? `${TOKEN_SRC}|${anchorSrc}` : TOKEN_SRC, "g");
  const cut = new Uint8Array(256);
  const used = new Set(alts.map((x) => x.text).join(""));
  for (const ch of CUT_CANDIDATES) if (!used.has(ch)) cut[ch.charCodeAt(0)] = 1;
  return { os, ci, text, re, byText, exact, any: alts.length > 0, cut };
}

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code >= 0x80) return `\\x${code.toString(16)}`;
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** A character trie of anchor texts, rendered as a regex that tries longer anchors first. */
class TrieNode {
  children = new Map<string, { atom: string; node: TrieNode }>();
  terminal = false;

  insert(text: string, ci: boolean): void {
    let n: TrieNode = this;
    for (const ch of text) {
      const lower = ch >= "A" && ch <= "Z" ? ch.toLowerCase() : ch;
      const isLetter = lower >= "a" && lower <= "z";
      const k = ci ? lower : ch;
      let next = n.children.get(k);
      if (!next) {
        const atom = ci && isLetter ? `[${lower.toUpperCase()}${lower}]` : escapeChar(ch);
        next = { atom, node: new TrieNode() };
        n.children.set(k, next);
      }
      n = next.node;
    }
    n.terminal = true;
  }

  toRegex(): string {
    const parts: string[] = [];
    for (const { atom, node } of this.children.values()) parts.push(atom + node.toRegex());
    if (this.terminal) parts.push(RIGHT_BOUNDARY);
    if (parts.length === 1) return parts[0]!;
    return `(?:${parts.join("|")})`;
  }
}
