import { locateSecrets, type ScanOptions, type SecretSpan } from "./scanner.js";

/** Result of {@link redactBytes}. */
export interface RedactResult {
  /** The content with every secret replaced by `[REDACTED:<rule>]`. */
  bytes: Buffer;
  /** What was replaced (no secret: redacted forms and fingerprints), in order. */
  replaced: SecretSpan[];
}

/**
 * Replaces every secret the scanner finds in `bytes` by `[REDACTED:<rule>]`. All other bytes
 * are kept exactly (invalid UTF-8, NUL, line endings). The marker holds only JSON-string-safe
 * ASCII, and a span never splits a JSON escape (`\n`, `\"`), so a valid JSONL line stays
 * valid JSON. Allowlisted fingerprints are left in place. Idempotent: redacting the output finds
 * nothing more. Pure; never throws.
 */
export function redactBytes(bytes: Buffer, opts: ScanOptions = {}): RedactResult {
  const spans = locateSecrets(bytes, opts);
  if (spans.length === 0) return { bytes, replaced: [] };
  const parts: Buffer[] = [];
  let pos = 0;
  for (const s of spans) {
    parts.push(bytes.subarray(pos, s.start), Buffer.from(`[REDACTED:${s.rule}]`, "latin1"));
    pos = s.end;
  }
  parts.push(bytes.subarray(pos));
  return { bytes: Buffer.concat(parts), replaced: spans };
}
