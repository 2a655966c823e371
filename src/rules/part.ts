import { createHash } from "node:crypto";

/**
 * The part of an instruction file that `git ctx rules` owns (issue 14, scope 2): one region
 * between a begin marker that carries the sha256 of the region's body and an end marker,
 *
 *     <!-- git-ctx:begin rules sha256=<64 hex> … -->
 *     <body>
 *     <!-- git-ctx:end rules -->
 *
 * Every byte outside the region is the user's and never changes (CRLF, a BOM and a missing final
 * newline included): the region is inserted after the user's text, or replaced in place. A body
 * whose hash no longer matches was edited by hand and is never overwritten (CROSS-AGENT.md,
 * "Rules files": the top complaint against rules generators). Pure: strings in, strings out.
 */

/** The start of a begin-marker line. */
export const BEGIN = "<!-- git-ctx:begin rules";
/** The end-marker line. */
export const END = "<!-- git-ctx:end rules -->";
const BEGIN_LINE = /^<!-- git-ctx:begin rules sha256=([0-9a-f]{64})\b.*-->\r?$/;

/** sha256 of a body, hex. */
export function bodyHash(body: string): string {
  return createHash("sha256").update(body, "utf8").digest("hex");
}

/** What a file's text holds of git-ctx's part. */
export type PartState =
  | { kind: "none" }
  /** `start`/`end`: the region's offsets in the text (markers included, with the end marker's line ending). */
  | { kind: "part"; start: number; end: number; body: string; edited: boolean }
  /** Markers that are duplicated, unbalanced, out of order or unreadable: the file is left alone. */
  | { kind: "damaged"; why: string };

/** Every line of `text` with its offset (line endings `\n` or `\r\n`). */
/** One line of a text: where it starts, its text without the line ending, where the next starts. */
type Line = { at: number; line: string; next: number };

function lines(text: string): Line[] {
  const out: { at: number; line: string; next: number }[] = [];
  let at = text.startsWith("\uFEFF") ? 1 : 0; // a BOM is the user's, before any line
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    const next = nl < 0 ? text.length : nl + 1;
    out.push({ at, line: text.slice(at, nl < 0 ? text.length : nl).replace(/\r$/, ""), next });
    at = next;
  }
  return out;
}

/** An opening code fence (CommonMark 4.5: up to three spaces, then three or more backticks or tildes). */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Which lines are inside a fenced code block (CommonMark 4.5): a fence opens with three or more
 * backticks or tildes (indented at most three spaces) and closes with a line of at least as many
 * of the same character and nothing else; an unclosed fence runs to the end. Pure.
 * @returns one flag per line of `ls`: true for the fence lines and everything between them.
 */
export function fencedLines(ls: readonly string[]): boolean[] {
  const out: boolean[] = [];
  let open: string | undefined;
  for (const l of ls) {
    const next = fenceAfter(open, l);
    out.push(open !== undefined || next !== undefined);
    open = next;
  }
  return out;
}

/** The code fence still open at the end of `text` (its opening run, e.g. "```"), or undefined. Pure. */
export function openFenceAt(text: string): string | undefined {
  let open: string | undefined;
  for (const l of text.split(/\r?\n/)) open = fenceAfter(open, l);
  return open;
}

/**
 * The fence open after line `l`, given the one open before it (`undefined`: none): an opening
 * fence line opens one, a closing line of at least as many of the same character closes it.
 * Pure (CommonMark 4.5).
 */
function fenceAfter(open: string | undefined, l: string): string | undefined {
  if (open === undefined) {
    const m = FENCE.exec(l);
    // a backtick fence's info string may not hold a backtick
    return m && !(m[1]![0] === "`" && l.slice(m[0].length).includes("`")) ? m[1]! : undefined;
  }
  const close = new RegExp(`^ {0,3}${open[0] === "`" ? "`" : "~"}{${open.length},}\\s*$`);
  return close.test(l) ? undefined : open;
}

/**
 * Finds git-ctx's part in `text`. Marker lines inside a fenced code block are text, not markers
 * (issue 23: a file that quotes them broke the next run). git-ctx never leaves a fence open
 * around or inside its part ({@link renderPart}, {@link withPart}), so its own markers are found.
 */
export function parsePart(text: string): PartState {
  const all = lines(text);
  const fenced = fencedLines(all.map((l) => l.line));
  const ls = all.filter((_, i) => !fenced[i]);
  const begins = ls.filter((l) => l.line.startsWith(BEGIN));
  const ends = ls.filter((l) => l.line.trim() === END);
  if (begins.length === 0 && ends.length === 0) return { kind: "none" };
  if (begins.length !== 1 || ends.length !== 1)
    return { kind: "damaged", why: `${begins.length} begin and ${ends.length} end marker line(s) of git-ctx's part (one of each expected)` };
  const b = begins[0]!;
  const e = ends[0]!;
  if (e.at < b.at) return { kind: "damaged", why: "the end marker of git-ctx's part comes before its begin marker" };
  const m = BEGIN_LINE.exec(text.slice(b.at, b.next).replace(/\n$/, ""));
  if (!m) return { kind: "damaged", why: "the begin marker of git-ctx's part lost its sha256" };
  const body = text.slice(b.next, e.at);
  return { kind: "part", start: b.at, end: e.next, body, edited: bodyHash(body) !== m[1] };
}

/** The line ending a file uses (`\r\n` when it has any), for the lines git-ctx writes into it. */
export function eolOf(text: string): "\n" | "\r\n" {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** The region text for `body` (its lines re-ended with `eol`, ending with one). */
export function renderPart(body: string, eol: "\n" | "\r\n"): { region: string; body: string } {
  let norm = body.replace(/\r?\n/g, eol).replace(new RegExp(`(${eol})*$`), "") + eol;
  // a body that opens a code fence it does not close (copied from another file) would hide the
  // end marker: the fence is closed inside the part
  const open = openFenceAt(norm);
  if (open) norm += open + eol;
  return { region: `${BEGIN} sha256=${bodyHash(norm)} (written by 'git ctx rules'; an edit inside this part stops its updates) -->${eol}${norm}${END}${eol}`, body: norm };
}

/**
 * The user's own text of a file: everything outside git-ctx's part (unchanged when there is
 * none or it is damaged).
 */
export function userText(text: string): string {
  const p = parsePart(text);
  return p.kind === "part" ? text.slice(0, p.start) + text.slice(p.end) : text;
}

/**
 * `text` with git-ctx's part holding `body`: the region replaced in place, or added after the
 * user's text (after a line ending, and a blank line when the file has text). The user's bytes
 * before and after the region are kept exactly.
 * @returns the new text, or `undefined` when the part is damaged or was edited by hand (and
 *   `takeOwnership` is not set; a damaged part is never taken over: its lines are the user's to sort out).
 */
export function withPart(text: string, body: string, o: { takeOwnership?: boolean } = {}): string | undefined {
  const p = parsePart(text);
  const eol = eolOf(text);
  const { region } = renderPart(body, eol);
  if (p.kind === "damaged") return undefined;
  if (p.kind === "part") {
    if (p.edited && !o.takeOwnership) return undefined;
    return text.slice(0, p.start) + region + text.slice(p.end);
  }
  const visible = text.replace(/^\uFEFF/, "");
  if (visible.length === 0) return text + region;
  // the user's text ends inside a code fence: it is closed first, else the part would be text
  const open = openFenceAt(text);
  const close = open ? (text.endsWith("\n") ? "" : eol) + open + eol : "";
  const sep = close || text.endsWith("\n") ? eol : eol + eol;
  return text + close + sep + region;
}

/**
 * `text` (Markdown) with its headings moved below a section heading of level `under`: the
 * shallowest heading becomes level `under + 1` and the others keep their distance to it, at most
 * level 6 (HTML's and CommonMark's deepest). ATX headings (`# H`) and setext headings (`H` over
 * `===` or `---`) outside fenced code blocks are rewritten as ATX; everything else is unchanged.
 * Pure (issue 23: a copied `# H1` landed beside git-ctx's `## From CLAUDE.md`).
 */
export function demoteHeadings(text: string, under = 2): string {
  const ls = text.split("\n");
  const fenced = fencedLines(ls);
  const atx = /^ {0,3}(#{1,6})(?=[ \t]|$)/;
  const levels: { i: number; level: number; setext: boolean }[] = [];
  for (let i = 0; i < ls.length; i++) {
    if (fenced[i]) continue;
    const m = atx.exec(ls[i]!);
    if (m) levels.push({ i, level: m[1]!.length, setext: false });
    else if (
      i > 0 &&
      !fenced[i - 1] &&
      ls[i - 1]!.trim() !== "" &&
      !atx.test(ls[i - 1]!) &&
      /^ {0,3}(=+|-+)[ \t]*\r?$/.test(ls[i]!) &&
      !/^ {0,3}([-*+]|\d+[.)])[ \t]/.test(ls[i - 1]!)
    )
      levels.push({ i, level: ls[i]!.trim().startsWith("=") ? 1 : 2, setext: true });
  }
  if (levels.length === 0) return text;
  const shift = under + 1 - Math.min(...levels.map((l) => l.level));
  if (shift <= 0) return text;
  const out = [...ls];
  for (const h of levels) {
    const to = "#".repeat(Math.min(6, h.level + shift));
    if (h.setext) {
      out[h.i - 1] = `${to} ${ls[h.i - 1]!.trim()}`;
      out[h.i] = "\u0000";
    } else out[h.i] = ls[h.i]!.replace(atx, to);
  }
  return out.filter((l) => l !== "\u0000").join("\n");
}
