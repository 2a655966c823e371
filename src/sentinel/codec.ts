import {
  SEG_CLASS,
  SENTINEL,
  SENTINEL_NAME,
  SEP,
  TIER_OF_NAME,
  TOKEN_SRC,
  asciiLower,
  defaultSpelling,
  spellingOn,
  type Compiled,
  type Form,
  type Spelling,
  type Tier,
} from "./anchors.js";

/**
 * The codec core: bytes plus their latin1 decoding (one char per byte) in, bytes out. Everything
 * here is pure and total: any input is accepted, nothing throws. `index.ts` wraps these functions.
 * The canonical form is specified in docs/cluster-format.md ("Canonical form").
 */

/** Per-tier rewrite counts. */
export type TierCounts = Record<Tier, number>;
/** Fresh zero counts. */
export function zeroCounts(): TierCounts {
  return { contextDir: 0, root: 0, key: 0, home: 0 };
}

const SPELLINGS = new Set<string>(["p", "e", "b1", "b2", "b4", "f", "g", "ge"]);
const VARIANT_RE = /^(b1|b2|b4|ge|g|f|e|p)?(r)?(?:c([0-9a-z]+))?$/;

/** A parsed variant (`@...` part of a sentinel); see docs/cluster-format.md. */
export interface Variant {
  spelling: Spelling | undefined;
  raw: boolean;
  mask: bigint;
}

/** Parses a variant code; `undefined` when it is not one this codec produces (then the token is kept as text). */
export function parseVariant(v: string | undefined): Variant | undefined {
  if (v === undefined) return { spelling: undefined, raw: false, mask: 0n };
  const m = VARIANT_RE.exec(v);
  if (!m || v === "") return undefined;
  let mask = 0n;
  if (m[3] !== undefined) {
    if (m[3].startsWith("0")) return undefined; // canonical base36: no leading zeros (and never 0)
    mask = parseBase36(m[3]);
  }
  const spelling = m[1] as Spelling | undefined;
  if (spelling !== undefined && !SPELLINGS.has(spelling)) return undefined;
  return { spelling, raw: m[2] === "r", mask };
}

/** Renders a variant code (inverse of {@link parseVariant}); `""` for the plain sentinel. */
export function formatVariant(spelling: Spelling | undefined, raw: boolean, mask: bigint): string {
  return (spelling ?? "") + (raw ? "r" : "") + (mask ? "c" + mask.toString(36) : "");
}

function parseBase36(s: string): bigint {
  let n = 0n;
  for (const ch of s) n = n * 36n + BigInt(parseInt(ch, 36));
  return n;
}

/** Bit i set ⇔ the i-th ASCII letter of `matched` differs in case from `native` (same length). */
function caseMask(matched: string, native: string): bigint {
  if (matched === native) return 0n;
  let mask = 0n;
  let bit = 0n;
  for (let i = 0; i < native.length; i++) {
    const n = native.charCodeAt(i);
    const isLetter = (n >= 65 && n <= 90) || (n >= 97 && n <= 122);
    if (!isLetter) continue;
    if (matched.charCodeAt(i) !== n) mask |= 1n << bit;
    bit++;
  }
  return mask;
}

/** Flips the case of the letters of `text` selected by `mask` (bits beyond the letter count are ignored). */
function applyMask(text: string, mask: bigint): string {
  if (!mask) return text;
  let out = "";
  let bit = 0n;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const n = ch.charCodeAt(0);
    const isLetter = (n >= 65 && n <= 90) || (n >= 97 && n <= 122);
    if (isLetter) {
      out += (mask >> bit) & 1n ? String.fromCharCode(n ^ 0x20) : ch;
      bit++;
    } else out += ch;
  }
  return out;
}

/** Char codes that continue a path on the left side of an anchor: `[A-Za-z0-9_.-]` and ≥ 0x80. */
const LEFT_PATH = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_.\-]/.test(ch) || c >= 0x80) LEFT_PATH[c] = 1;
}
const ESCAPE_LETTER = new Set([110, 114, 116, 98, 102]); // n r t b f

/**
 * Left boundary at `i`: start of input, or a char that does not continue a path, or the letter of
 * a JSON escape (`\n/home/me`: a letter in `nrtbf` right after a backslash).
 */
export function leftOk(s: string, i: number): boolean {
  if (i === 0) return true;
  const p = s.charCodeAt(i - 1);
  if (p > 255 || !LEFT_PATH[p]) return true;
  return i >= 2 && ESCAPE_LETTER.has(p) && s.charCodeAt(i - 2) === 92;
}

/** Sticky tail regex per separator: `(SEP SEG*)*` (docs/cluster-format.md, "Tails"). */
const TAIL_RE = new Map<string, RegExp>();
function tailRe(sep: string): RegExp {
  let r = TAIL_RE.get(sep);
  if (!r) {
    r = new RegExp(`(?:${sep.replace(/[\\/]/g, (c) => "\\" + c)}[${SEG_CLASS}]*)*`, "y");
    TAIL_RE.set(sep, r);
  }
  return r;
}
function tailEnd(s: string, from: number, sep: string): number {
  if (!s.startsWith(sep, from)) return from;
  const r = tailRe(sep);
  r.lastIndex = from;
  r.exec(s);
  return r.lastIndex;
}

const TOKEN_AT = new RegExp(TOKEN_SRC, "y");

/**
 * Sniffs the form of a file from its first significant char (after an optional UTF-8 BOM and
 * blanks): JSON when it is `[`, `"`, or a `{` that does not start a sentinel token; text
 * otherwise. Gives the same answer on a file's local and canonical bytes (a canonical file
 * starts with a sentinel exactly when the local one starts with a path; docs/cluster-format.md).
 * `undefined` when undecidable yet (`final` false): only blanks so far, or a `{` followed only by
 * chars that may still complete a token.
 */
export function sniffForm(s: string, final: boolean): Form | undefined {
  let i = 0;
  if (s.startsWith("\xef\xbb\xbf")) i = 3;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else break;
  }
  if (i >= s.length) return final ? "text" : undefined;
  const c = s[i];
  if (c === "[" || c === '"') return "json";
  if (c !== "{") return "text";
  TOKEN_AT.lastIndex = i;
  if (TOKEN_AT.test(s)) return "text";
  if (!final && /^[{}A-Za-z0-9_@]*$/.test(s.slice(i))) return undefined;
  return "json";
}

/**
 * Output buffer that grows by doubling; copies ranges of the source bytes and writes latin1
 * strings, so big outputs are built without long string ropes (they cost GC time).
 */
class Out {
  buf: Buffer;
  n = 0;
  constructor(
    private readonly src: Buffer,
    cap: number,
  ) {
    this.buf = Buffer.allocUnsafe(cap);
  }
  private ensure(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(nb, 0, 0, this.n);
    this.buf = nb;
  }
  /** Appends source bytes `[start, end)` (short ranges by hand: Buffer#copy has a high fixed cost). */
  copy(start: number, end: number): void {
    const k = end - start;
    if (k <= 0) return;
    this.ensure(k);
    const buf = this.buf;
    if (k < 64) {
      const src = this.src;
      let n = this.n;
      for (let i = start; i < end; i++) buf[n++] = src[i]!;
    } else buf.set(this.src.subarray(start, end), this.n);
    this.n += k;
  }
  /** Appends a latin1 string. */
  str(t: string): void {
    const k = t.length;
    this.ensure(k);
    const buf = this.buf;
    if (k < 64) {
      let n = this.n;
      for (let i = 0; i < k; i++) buf[n++] = t.charCodeAt(i);
    } else buf.write(t, this.n, "latin1");
    this.n += k;
  }
  done(): Buffer {
    return this.buf.subarray(0, this.n);
  }
}

/**
 * Canonicalizes bytes (`s` is `src` decoded as latin1): anchors → sentinels (with variants),
 * literal sentinel tokens one `_LIT` level up. `counts`, when given, is incremented per tier.
 * Returns `src` itself when nothing changes.
 */
export function canonicalizeBuf(src: Buffer, s: string, c: Compiled, form: Form, counts?: TierCounts): Buffer {
  if (!c.any && s.indexOf("{{CC_") < 0) return src;
  const re = c.re;
  re.lastIndex = 0;
  const def = defaultSpelling(c.os, form);
  const winDefSep = SEP[defaultSpelling("windows", form)];
  let out: Out | undefined;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const i = m.index;
    const t = m[0];
    if (m[1] !== undefined) {
      // literal sentinel text: one _LIT level up
      const cut = m[3] !== undefined ? t.length - 3 - m[3].length : t.length - 2;
      out ??= new Out(src, src.length + 256);
      out.copy(last, i + cut);
      out.str("_LIT");
      last = i + cut;
      continue;
    }
    if (!leftOk(s, i)) {
      re.lastIndex = i + 1;
      continue;
    }
    const alt = c.exact.get(t) ?? (c.ci ? c.byText.get(asciiLower(t)) : undefined);
    if (!alt) {
      re.lastIndex = i + 1; // cannot happen: every regex alternative is in byText
      continue;
    }
    const e = i + t.length;
    const mask = c.ci ? caseMask(t, alt.text) : 0n;
    if (counts) counts[alt.tier]++;
    out ??= new Out(src, src.length + 256);
    out.copy(last, i);
    if (alt.spelling === undefined) {
      out.str(mask ? token(alt.tier, formatVariant(undefined, false, mask)) : SENTINEL[alt.tier]);
      last = e;
      continue;
    }
    const sp = alt.spelling;
    const sep = SEP[sp];
    const te = tailEnd(s, e, sep);
    const isDef = sp === def;
    const raw = s.startsWith("/", te) || (isDef && s.startsWith(winDefSep, te));
    out.str(isDef && !raw && !mask ? SENTINEL[alt.tier] : token(alt.tier, formatVariant(isDef ? undefined : sp, raw, mask)));
    if (!raw && sep !== "/" && te > e) out.str(s.slice(e, te).replaceAll(sep, "/"));
    else out.copy(e, te);
    last = te;
    re.lastIndex = te;
  }
  if (!out) return src;
  out.copy(last, src.length);
  return out.done();
}

function token(tier: Tier, variant: string): string {
  return `{{CC_${SENTINEL_NAME[tier]}${variant ? "@" + variant : ""}}}`;
}

const TOKEN_RE = new RegExp(TOKEN_SRC, "g");
const CANON_TAIL = /(?:\/[A-Za-z0-9._~+@!#$%=\x80-\xff-]*)*/y;

/**
 * Localizes bytes (`s` is `src` decoded as latin1): sentinels → this machine's spellings (tails
 * get the spelling's separators back), literal tokens one `_LIT` level down; unknown variants
 * stay as text. Returns `src` itself when nothing changes.
 */
export function localizeBuf(src: Buffer, s: string, c: Compiled, form: Form): Buffer {
  if (s.indexOf("{{CC_") < 0) return src;
  const re = TOKEN_RE;
  re.lastIndex = 0;
  let out: Out | undefined;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const i = m.index;
    const t = m[0];
    const lit = m[2]!;
    if (lit.length) {
      out ??= new Out(src, src.length + 256);
      out.copy(last, i + 5 + m[1]!.length);
      last = i + 9 + m[1]!.length; // drop one "_LIT"
      continue;
    }
    const tier = TIER_OF_NAME.get(m[1]!)!;
    const v = m[3] === undefined ? PLAIN : parseVariant(m[3]);
    if (!v || (tier === "key" && (v.spelling !== undefined || v.raw))) continue;
    let text: string | undefined;
    let sep = "/";
    if (tier === "key") text = c.text.key.k;
    else {
      let sp = spellingOn(c.os, v.spelling, form);
      text = c.text[tier][sp];
      if (text === undefined && (sp === "g" || sp === "ge")) {
        sp = defaultSpelling(c.os, form); // this machine's anchor has no drive letter
        text = c.text[tier][sp];
      }
      sep = SEP[sp];
    }
    if (text === undefined) continue; // tier disabled on this machine: keep the sentinel
    if (c.ci && v.mask) text = applyMask(text, v.mask);
    out ??= new Out(src, src.length + 256);
    out.copy(last, i);
    out.str(text);
    last = i + t.length;
    if (tier !== "key" && !v.raw && sep !== "/" && s.charCodeAt(last) === 47) {
      CANON_TAIL.lastIndex = last;
      CANON_TAIL.exec(s);
      const te = CANON_TAIL.lastIndex;
      out.str(s.slice(last, te).replaceAll("/", sep));
      last = te;
      re.lastIndex = te;
    }
  }
  if (!out) return src;
  out.copy(last, src.length);
  return out.done();
}

const PLAIN: Variant = { spelling: undefined, raw: false, mask: 0n };

/** A machine path found in canonical text (see {@link residueStr}). */
export interface Residue {
  tier: Tier;
  /** Byte offset in the canonical bytes. */
  offset: number;
  /** The path text found (latin1; decode as UTF-8 for display). */
  text: string;
}

/**
 * Machine paths of `c` still present in canonical text: every anchor spelling followed by a right
 * boundary, whatever precedes it (so `/mnt/home/me/proj` is reported too); sentinel tokens are skipped.
 */
export function residueStr(s: string, c: Compiled): Residue[] {
  const out: Residue[] = [];
  if (!c.any) return out;
  const re = c.re;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m[1] !== undefined) continue;
    const t = m[0];
    const alt = c.byText.get(c.ci ? asciiLower(t) : t);
    if (alt) out.push({ tier: alt.tier, offset: m.index, text: t });
    re.lastIndex = m.index + 1;
  }
  return out;
}
