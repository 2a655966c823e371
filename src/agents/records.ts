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
