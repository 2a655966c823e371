import fc from "fast-check";
import { spellPath, type Anchors } from "../../src/sentinel/index.js";

/** Test machines. Keys follow Claude Code's rule (FORMATS.md), written out by hand. */
export const LINUX: Anchors = { os: "linux", home: "/home/me", root: "/home/me/src/proj", key: "-home-me-src-proj", rewriteHome: true };
export const LINUX_NOHOME: Anchors = { ...LINUX, rewriteHome: false };
export const LINUX_SRV: Anchors = { os: "linux", home: "/home/me", root: "/srv/proj", key: "-srv-proj", rewriteHome: true };
export const MAC: Anchors = { os: "darwin", home: "/Users/me", root: "/Users/me/Code/My Proj", key: "-Users-me-Code-My-Proj", rewriteHome: true };
export const MAC_UNICODE: Anchors = { os: "darwin", home: "/Users/zoë", root: "/Users/zoë/projé ü", key: "-Users-zo--proj----", rewriteHome: true };
export const WIN: Anchors = { os: "windows", home: "C:\\Users\\me", root: "C:\\Users\\me\\dev\\proj", key: "C--Users-me-dev-proj", rewriteHome: true };
export const WIN_TEXT: Anchors = { ...WIN, form: "text" };
export const WIN_D: Anchors = { os: "windows", home: "C:\\Users\\me", root: "D:\\work\\proj", key: "D--work-proj", rewriteHome: true };
export const WIN_UNICODE: Anchors = { os: "windows", home: "C:\\Users\\Zoë", root: "C:\\Users\\Zoë\\projé", key: "C--Users-Zo--proj-", rewriteHome: true };
/** Second machines (other user, other paths). */
export const LINUX_B: Anchors = { os: "linux", home: "/home/b", root: "/home/b/proj", key: "-home-b-proj", rewriteHome: true };
export const MAC_B: Anchors = { os: "darwin", home: "/Users/bob", root: "/Users/bob/w/proj", key: "-Users-bob-w-proj", rewriteHome: true };
export const WIN_B: Anchors = { os: "windows", home: "C:\\Users\\b", root: "C:\\Users\\b\\work\\proj", key: "C--Users-b-work-proj", rewriteHome: true };

export const ALL_MACHINES: Record<string, Anchors> = {
  LINUX,
  LINUX_NOHOME,
  LINUX_SRV,
  MAC,
  MAC_UNICODE,
  WIN,
  WIN_TEXT,
  WIN_D,
  WIN_UNICODE,
  LINUX_B,
  MAC_B,
  WIN_B,
};

/** `<home>/.claude/projects/<key>` of a machine, native separators. */
export function ctxDir(a: Anchors): string {
  const sep = a.os === "windows" ? "\\" : "/";
  return [a.home, ".claude", "projects", a.key].join(sep);
}

/** Every spelling of every anchor of `a` (UTF-8 strings). */
export function spellings(a: Anchors): string[] {
  const out: string[] = [a.key];
  for (const p of [a.home, a.root, ctxDir(a)]) out.push(...Object.values(spellPath(a.os, p)));
  return out;
}

/** Random ASCII case flips (Windows paths are matched case-insensitively). */
function caseFlip(s: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((flips) => [...s].map((ch, i) => (flips[i] && /[A-Za-z]/.test(ch) ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join(""));
}

const SENTINEL_TEXT = [
  "{{CC_HOME}}",
  "{{CC_PROJECT_ROOT}}",
  "{{CC_PROJECT_CONTEXT_DIR}}",
  "{{CC_ENCODED_DIR}}",
  "{{CC_PROJECT_ROOT_LIT}}",
  "{{CC_HOME_LIT_LIT}}",
  "{{CC_PROJECT_ROOT@b1}}",
  "{{CC_PROJECT_ROOT@fc3}}",
  "{{CC_PROJECT_ROOT_LIT@e}}",
  "{{CC_HOME@zz}}",
  "{{CC_HOME@r}}",
  "{{CC_ENCODED_DIR@b1}}",
  "{{CC_ENCODED_DIR@c1}}",
  "{{CC_HOME@c0}}",
  "{{CC_",
  "}}",
  "{{",
  "_LIT",
  "@",
];
const ESCAPES = ["\\n", "\\t", "\\r", "\\\\", '\\"', "\\/", "\\u2028", "\\ud800", "\\b", "\\f"];
const NEAR = [
  "2",
  "-old",
  "_x",
  ".bak",
  ".",
  ". ",
  "..",
  "/",
  "\\",
  "\\\\",
  "\\/",
  "/src/a.ts",
  "\\src\\a.ts",
  "\\\\src\\\\a.ts",
  "/x/",
  "//",
  '"',
  " ",
  ":",
  ",",
  ")",
  "~",
  "!",
  "é",
  "é",
  "\u2028",
  "-",
  "_",
  "a",
  "Z",
];
const SEPS = ["/", "\\", "\\\\", "\\\\\\\\", "\\/"];

/**
 * Text biased to the codec's hard cases for machine `a` (and optionally another machine's paths):
 * anchors in every spelling (Windows: random case), near misses, JSON escapes, separators,
 * sentinel-like text, CR/LF, non-ASCII; returned as bytes, with random raw bytes mixed in.
 */
export function biasedBytes(a: Anchors, others: Anchors[] = []): fc.Arbitrary<Buffer> {
  const anchorTexts = [...spellings(a), ...others.flatMap(spellings)];
  const anchor = fc.constantFrom(...anchorTexts).chain((s) => (a.os === "windows" ? fc.oneof(fc.constant(s), caseFlip(s)) : fc.constant(s)));
  const piece: fc.Arbitrary<Buffer> = fc.oneof(
    { weight: 6, arbitrary: anchor.map((s) => Buffer.from(s)) },
    { weight: 3, arbitrary: fc.constantFrom(...NEAR).map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.constantFrom(...ESCAPES).map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.constantFrom(...SEPS).map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.constantFrom(...SENTINEL_TEXT).map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.constantFrom("\n", "\r\n", '"', '":"', ",", " ", '{"cwd":"', "\0").map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,6}$/).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }).map((u) => Buffer.from(u)) },
  );
  return fc.array(piece, { maxLength: 24 }).map((ps) => Buffer.concat(ps));
}

/** Bytes as a latin1 string (for readable failure output). */
export function str(b: Buffer): string {
  return b.toString("latin1");
}

/**
 * Independent oracle for project-root residue: plain string search (no regex, no codec code) for
 * every spelling of the root, ASCII case-insensitive for Windows, counting an occurrence when
 * it is not continued by a path char (so `proj2` is another path), whatever precedes it.
 */
export function rootOccurrences(text: string, a: Anchors): string[] {
  const needles: string[] = [];
  const utf8AsLatin1 = (s: string) => Buffer.from(s, "utf8").toString("latin1");
  if (a.os === "windows") {
    const drive = a.root[0]!;
    const comps = a.root.slice(3).split("\\");
    for (const sep of ["\\", "\\\\", "\\\\\\\\", "/", "\\/"]) needles.push(`${drive}:${sep}${comps.join(sep)}`);
    needles.push(`/${drive}/${comps.join("/")}`, `\\/${drive}\\/${comps.join("\\/")}`);
  } else needles.push(a.root, a.root.split("/").join("\\/"));
  const lower = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
  const hay = a.os === "windows" ? lower(text) : text;
  const out: string[] = [];
  for (const n0 of needles) {
    const n = a.os === "windows" ? lower(utf8AsLatin1(n0)) : utf8AsLatin1(n0);
    for (let i = hay.indexOf(n); i >= 0; i = hay.indexOf(n, i + 1)) {
      const next = hay.charCodeAt(i + n.length);
      const after = hay.charCodeAt(i + n.length + 1);
      const isPath = (ch: number) => (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95 || ch === 45 || ch >= 0x80;
      if (isPath(next) || (next === 46 && isPath(after))) continue;
      out.push(text.slice(Math.max(0, i - 20), i + n.length + 20));
    }
  }
  return out;
}

/** `x` cut into pieces of the given sizes (+1 each), the rest as the last piece: chunk boundaries for stream tests. */
export function cut(x: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let o = 0;
  for (const s of sizes) {
    if (o >= x.length) break;
    out.push(x.subarray(o, o + s + 1));
    o += s + 1;
  }
  if (o < x.length) out.push(x.subarray(o));
  return out;
}
