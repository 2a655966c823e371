/**
 * Reading JSON-lines session files, shared by the agents' readers: a record is a JSON object on
 * one line; blank lines, lines that are not JSON and JSON that is not an object are skipped (every
 * agent skips them too: a line being written, a crash's torn line).
 */

/** A parsed JSON object. */
export type JsonRecord = Record<string, unknown>;

/** Whether `v` is a JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is JsonRecord => v !== null && typeof v === "object" && !Array.isArray(v);

/** `v` when it is a string, else undefined. */
export const stringOf = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The records of JSON-lines bytes, in order (see the module comment). Pure; never throws. */
export function* jsonRecords(bytes: Buffer): Generator<JsonRecord> {
  for (const line of bytes.toString("utf8").split("\n")) {
    if (!line.trim()) continue;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      continue;
    }
    if (isRecord(r)) yield r;
  }
}

/**
 * The first line of JSON-lines bytes that is not whole JSON (a torn or truncated line), with its
 * 1-based number and its first 80 characters; undefined when every non-blank line parses. Pure.
 */
export function firstTornLine(bytes: Buffer): { line: number; text: string } | undefined {
  const lines = bytes.toString("utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    try {
      JSON.parse(l);
    } catch {
      return { line: i + 1, text: l.length > 80 ? `${l.slice(0, 80)}…` : l };
    }
  }
  return undefined;
}

/**
 * The latest time (ms since the epoch) among the whole records of JSON-lines bytes: `time` picks
 * a record's time string (ISO 8601, as `Date.parse` reads it). The latest, not the last line's:
 * a sync appends another machine's lines after this machine's, so the last line of a transcript
 * need not be its newest. With `whole` false the bytes are a file's tail and their first line
 * may be cut, so it is skipped. Undefined when no whole record has a parseable time. Pure; never
 * throws.
 */
export function latestRecordTime(bytes: Buffer, whole: boolean, time: (r: JsonRecord) => string | undefined): number | undefined {
  const lines = bytes.toString("utf8").split("\n");
  let best: number | undefined;
  for (let i = whole ? 0 : 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    let r: unknown;
    try {
      r = JSON.parse(l);
    } catch {
      continue;
    }
    const t = isRecord(r) ? time(r) : undefined;
    const ms = t === undefined ? Number.NaN : Date.parse(t);
    if (!Number.isNaN(ms) && (best === undefined || ms > best)) best = ms;
  }
  return best;
}
