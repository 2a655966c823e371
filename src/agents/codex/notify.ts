import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "smol-toml";
import writeFileAtomic from "write-file-atomic";
import { CtxError } from "../../errors.js";

/**
 * Codex's `notify` hook (FORMATS.md: `notify = ["prog", …]` in `$CODEX_HOME/config.toml` runs
 * one program after each agent turn with a JSON argument appended; one program only). git-ctx's
 * entry runs the background sync and then the user's own program, which is kept after `--`:
 * `notify = ["git", "ctx", "sync", "--hook", "--", <the user's program and arguments>]`, so
 * uninstalling restores it exactly. Only the `notify` key is edited; every other byte of the
 * file (comments, tables, key order) is kept.
 */

/** The start of git-ctx's `notify` value; the user's own program (if any) follows. */
export const NOTIFY_PREFIX: readonly string[] = ["git", "ctx", "sync", "--hook", "--"];
/** The comment git-ctx puts after its `notify` line (TOML allows it on the same line). */
export const NOTIFY_COMMENT = "# git-ctx: syncs after each turn; 'git ctx hook uninstall --agent codex' restores the previous notify";
/** Prefix of the comment lines below git-ctx's `notify` that keep the user's own assignment verbatim (restored byte for byte). */
export const WAS_PREFIX = "# git-ctx was: ";

/** `config.toml` is not valid TOML, or its `notify` is not an array of strings: git-ctx does not edit it. */
export class CodexConfigError extends CtxError {
  readonly code = "CodexConfig" as const;
  constructor(readonly data: { file: string; problem: string }) {
    super(`${data.file}: ${data.problem}; git-ctx did not change it (fix the file, then run 'git ctx install' again, or pass --no-hooks)`);
  }
}

/** Whether a `notify` value is git-ctx's (starts with {@link NOTIFY_PREFIX}). */
export function isOurNotify(v: unknown): v is string[] {
  return Array.isArray(v) && NOTIFY_PREFIX.every((x, i) => v[i] === x);
}

/** The top-level `notify` of a config text, or undefined. @throws CodexConfigError for invalid TOML or a non-string-array notify. */
export function readNotify(text: string, file: string): string[] | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new CodexConfigError({ file, problem: `not valid TOML (${(e as Error).message.split("\n")[0]})` });
  }
  const v = doc.notify;
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new CodexConfigError({ file, problem: "'notify' is not an array of strings" });
  return v as string[];
}

/**
 * The lines `[start, end)` holding the top-level `notify = …` assignment (before the first table
 * header), or undefined. Multi-line arrays are found by parsing growing prefixes of the lines.
 */
function notifySpan(lines: readonly string[]): [number, number] | undefined {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*\[/.test(l)) return undefined; // a table starts: top-level keys are above it
    if (!/^\s*notify\s*=/.test(l)) continue;
    for (let j = i + 1; j <= lines.length; j++) {
      try {
        const d = parse(lines.slice(i, j).join("\n")) as Record<string, unknown>;
        if (d.notify !== undefined) return [i, j];
      } catch {
        /* the value goes on */
      }
    }
    return undefined;
  }
  return undefined;
}

/** `notify = [...]` as one TOML line with git-ctx's comment. */
function notifyLine(v: readonly string[]): string {
  return `${stringify({ notify: v }).trim()} ${NOTIFY_COMMENT}`;
}

/**
 * The config text with git-ctx's `notify` (the user's program kept after `--`). Pure.
 * @returns the new text, or the same text when git-ctx's entry is already there.
 * @throws CodexConfigError (invalid TOML, a `notify` that is not an array of strings).
 */
export function withNotify(text: string, file: string): string {
  const current = readNotify(text, file);
  if (isOurNotify(current)) return text;
  const next = notifyLine([...NOTIFY_PREFIX, ...(current ?? [])]);
  const lines = text.split("\n");
  const span = notifySpan(lines);
  if (span) {
    const was = lines.slice(span[0], span[1]).map((l) => WAS_PREFIX + l);
    return [...lines.slice(0, span[0]), next, ...was, ...lines.slice(span[1])].join("\n");
  }
  if (current !== undefined) throw new CodexConfigError({ file, problem: "its 'notify' is written in a form git-ctx cannot edit in place" });
  // top-level keys go before the first table
  return text.length === 0 ? `${next}\n` : `${next}\n${text}`;
}

/**
 * The config text without git-ctx's `notify`: the user's program it kept is restored, or the
 * key is removed when there was none. Pure; unchanged text when git-ctx's entry is not there.
 * @throws CodexConfigError for invalid TOML.
 */
export function withoutNotify(text: string, file: string): string {
  const current = readNotify(text, file);
  if (!isOurNotify(current)) return text;
  const lines = text.split("\n");
  const span = notifySpan(lines)!;
  const user = current.slice(NOTIFY_PREFIX.length);
  // the user's own lines, kept verbatim below ours, when they still say what our entry chains
  let end = span[1];
  while (end < lines.length && lines[end]!.startsWith(WAS_PREFIX)) end++;
  const was = lines.slice(span[1], end).map((l) => l.slice(WAS_PREFIX.length));
  let same = false;
  try {
    same = was.length > 0 && JSON.stringify((parse(was.join("\n")) as { notify?: unknown }).notify) === JSON.stringify(user);
  } catch {
    same = false;
  }
  const repl = same ? was : user.length ? [stringify({ notify: user }).trim()] : [];
  return [...lines.slice(0, span[0]), ...repl, ...lines.slice(end)].join("\n");
}

/**
 * Applies `edit` to `file` (absent = empty) and writes it atomically when it changed.
 * @returns whether the file changed. @throws CodexConfigError; fs errors (the file is left as it was).
 */
export function editCodexConfig(file: string, edit: (text: string, file: string) => string, o: { dryRun?: boolean } = {}): boolean {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const next = edit(text, file);
  if (next === text) return false;
  if (!o.dryRun) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic.sync(file, next);
  }
  return true;
}
