import { createHash } from "node:crypto";
import { RULES, boundaryBefore, type Rule } from "./rules.js";
import { shannonEntropy } from "./entropy.js";

/**
 * One detected credential. Carries no secret: only a redacted form and a fingerprint.
 */
export interface Finding {
  /** File as given to {@link scanBytes} (a repo-relative path for `git ctx scan`). */
  file: string;
  /** 1-based line of the secret's first byte (for JSONL: the record); 0 when the secret is in the file's path ({@link scanPath}). */
  line: number;
  /** Rule id (see `RULES` in src/scan/rules.ts), e.g. `aws-access-key-id`, `github-pat`. */
  rule: string;
  /** Redacted value, e.g. `AKIA…MPLE`; never the secret (see {@link redact}). */
  redacted: string;
  /** `sha256(rule + ":" + secret)` as hex, first 16 characters; the allowlist key. */
  fingerprint: string;
}

/** Options of {@link scanBytes}. */
export interface ScanOptions {
  /** Fingerprints to skip (from {@link loadAllowlist}). */
  allow?: ReadonlySet<string>;
  /** Rule set to use (default: all of `RULES`); tests pass subsets. */
  rules?: readonly Rule[];
}

/**
 * The secret in the form it had before JSON escaping: `\n`, `\r`, `\t`, `\/`, `\"`, `\\` escapes
 * (one or two levels) are decoded. Only private-key blocks contain escapes in practice, so the
 * fingerprint of a key is the same in a plain file and inside a transcript's tool result.
 */
export function normalizeSecret(secret: string): string {
  if (!secret.includes("\\")) return secret;
  return secret.replace(/\\{1,2}([nrt"\/\\])/g, (_m, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c));
}

/**
 * Stable allowlist key of a finding: `sha256(rule + ":" + normalizeSecret(secret))`, hex, first
 * 16 characters. The same secret found by the same rule in any file, in plain or JSON-escaped
 * form, has the same fingerprint on every machine.
 */
export function fingerprint(rule: string, secret: string): string {
  return createHash("sha256")
    .update(`${rule}:${normalizeSecret(secret)}`, "latin1")
    .digest("hex")
    .slice(0, 16);
}

/**
 * Redacted form of a secret for display: never contains the secret.
 * - private-key blocks: the BEGIN line only, e.g. `-----BEGIN RSA PRIVATE KEY-----…` (no body);
 * - 16 characters or more: first 4 + `…` + last 4 (e.g. `AKIA…MPLE`), i.e. at most 8 of ≥ 16;
 * - shorter: first 2 + `…` (a short password shows 2 characters).
 */
export function redact(rule: string, secret: string): string {
  if (rule === "private-key") {
    const m = /^-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/.exec(secret);
    return `${m ? m[0] : "-----BEGIN PRIVATE KEY-----"}…`;
  }
  if (secret.length >= 16) return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
  return `${secret.slice(0, 2)}…`;
}

interface Hit {
  start: number;
  end: number;
  rule: string;
  priority: number;
  secret: string;
}

/**
 * Finds credentials in `bytes` (any content: JSONL transcripts, tool-result text, memory files,
 * binary). The bytes are decoded as latin1 (one char per byte, so invalid UTF-8 and NUL cannot
 * break the scan, and every rule pattern is ASCII). Secrets are found in plain text and in
 * JSON-escaped strings (one or two levels: `\n`, `\"`, `\\n` around them).
 *
 * Overlapping hits are reported once, by the rule that comes first in `RULES` (specific token
 * formats before the generic rules). The same secret (fingerprint) twice on one line is reported
 * once. Findings whose fingerprint is in `opts.allow` are skipped.
 * Result is ordered by position. Pure: no I/O; never throws.
 *
 * @param bytes the file content
 * @param file  the name to put in each finding (not read)
 */
export function scanBytes(bytes: Buffer, file: string, opts: ScanOptions = {}): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const h of locateSecrets(bytes, opts)) {
    // the same secret twice on one line is one finding (a Claude Code line holds tool output twice)
    const key = `${h.line}:${h.fingerprint}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file, line: h.line, rule: h.rule, redacted: h.redacted, fingerprint: h.fingerprint });
  }
  return out;
}

/** Where a secret is: byte offsets in the scanned buffer, with its finding fields (no secret). */
export interface SecretSpan {
  /** Byte offset of the secret's first byte. */
  start: number;
  /** Byte offset just past the secret. */
  end: number;
  line: number;
  rule: string;
  redacted: string;
  fingerprint: string;
}

/**
 * The secrets of `bytes` with their byte spans, every occurrence (also repeats on one line),
 * ordered by position, overlaps resolved by rule priority, allowlisted fingerprints skipped.
 * Basis of {@link scanBytes} and of `redactBytes`. Pure; never throws.
 */
export function locateSecrets(bytes: Buffer, opts: ScanOptions = {}): SecretSpan[] {
  const text = bytes.toString("latin1");
  const rules = opts.rules ?? RULES;
  const hits: Hit[] = [];
  for (let p = 0; p < rules.length; p++) {
    const rule = rules[p]!;
    /** "ok", "reject", or "retry" (a token may start inside this run: rescan from the next offset). */
    const accept = (m: RegExpExecArray): "ok" | "reject" | "retry" => {
      const secret = m[rule.group];
      if (secret === undefined || secret.length === 0) return "reject";
      const end = m.index + m[0].length;
      const start = end - secret.length;
      if (rule.boundary && !boundaryBefore(text, start)) return "retry";
      if (rule.minEntropy !== undefined && shannonEntropy(normalizeSecret(secret)) < rule.minEntropy) return "reject";
      if (rule.accept && !rule.accept(secret, m, text, start)) return "reject";
      hits.push({ start, end, rule: rule.idOf ? rule.idOf(secret) : rule.id, priority: p, secret });
      return "ok";
    };
    const re = new RegExp(rule.regex.source, rule.regex.flags.includes("g") ? rule.regex.flags : rule.regex.flags + "g");
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      // left boundary failed (the match sits inside a base64/identifier run): the real token, if
      // any, starts later inside it; other rejections continue after the match (linear time)
      if (accept(m) === "retry") re.lastIndex = m.index + 1;
    }
  }
  if (hits.length === 0) return [];
  // Keep, among overlapping hits, the one of the highest-priority rule.
  hits.sort((a, b) => a.priority - b.priority || a.start - b.start);
  const kept: Hit[] = [];
  for (const h of hits) if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  kept.sort((a, b) => a.start - b.start);
  const out: SecretSpan[] = [];
  let line = 1;
  let pos = 0;
  for (const h of kept) {
    for (let i = text.indexOf("\n", pos); i !== -1 && i < h.start; i = text.indexOf("\n", i + 1)) line++;
    pos = h.start;
    const fp = fingerprint(h.rule, h.secret);
    if (opts.allow?.has(fp)) continue;
    out.push({ start: h.start, end: h.end, line, rule: h.rule, redacted: redact(h.rule, h.secret), fingerprint: fp });
  }
  return out;
}

/**
 * Secrets in a file's path (a tool-results file named after a token, issue 10 defect 7): the
 * path's bytes through the same rules, each finding with `line: 0` and `file` = the path with
 * its secrets redacted. Pure; never throws.
 * @param file the repository path (`/`-separated)
 */
export function scanPath(file: string, opts: ScanOptions = {}): Finding[] {
  const bytes = Buffer.from(file.replaceAll("/", "\n"), "utf8");
  const spans = locateSecrets(bytes, opts);
  if (spans.length === 0) return [];
  // the finding names the file with its secrets redacted, never the secret
  let shown = "";
  let at = 0;
  for (const sp of spans) {
    shown += bytes.toString("utf8", at, sp.start) + sp.redacted;
    at = sp.end;
  }
  shown = (shown + bytes.toString("utf8", at)).replaceAll("\n", "/");
  return scanBytes(bytes, shown, opts).map((f) => ({ ...f, line: 0 }));
}
