import { createHash } from "node:crypto";
import * as path from "node:path";
import type { CanonicalSession } from "../agents/index.js";
import { normalizeLearning } from "../merge/index.js";

export { normalizeLearning } from "../merge/index.js";

/**
 * `git ctx learn`'s pure core (issue 14, scope 1; the peers' approach and where they break:
 * CROSS-AGENT.md, "Learnings"): the turns of a session not read before, the extraction prompt in
 * chunks that fit a context budget, the bullets a model prints, and `.ctx/learnings.md` entries
 * deduplicated by their normalised text. Effects (reading sessions, running the model command,
 * the secret scan, writing files) are in src/commands/learn.ts.
 */

/** One turn sent to the model: who spoke and their text (no tool output, no thinking). */
export interface Turn {
  role: "user" | "assistant";
  text: string;
}

/** A session's new turns and the cursor to record once they were read. */
export interface NewTurns {
  key: string;
  agent: string;
  session: string;
  turns: Turn[];
  /** Messages read so far (the next cursor). */
  cursor: number;
}

/** The cursor key of a session: `<agent>:<id>`. */
export const cursorKey = (s: Pick<CanonicalSession, "agent" | "id">): string => `${s.agent}:${s.id}`;

/**
 * The user and assistant text of `s` after its first `cursor` messages (a cursor past the end, as
 * after a Gemini rewind, reads from the start of what is left: nothing is read twice that is still
 * counted). Messages without text (tool calls and results only) give no turn but move the cursor.
 */
export function newTurns(s: CanonicalSession, cursor = 0): NewTurns {
  const from = Math.min(Math.max(0, cursor), s.messages.length);
  const turns = s.messages
    .slice(from)
    .flatMap((m) => (m.text.length ? [{ role: m.role, text: m.text.join("\n").trim() }] : []))
    .filter((t) => t.text);
  return { key: cursorKey(s), agent: s.agent, session: s.id, turns, cursor: s.messages.length };
}

/** What the model is asked (appended before the sessions' turns). */
export const EXTRACTION_PROMPT = `You read excerpts of past coding-agent sessions on one software project.
Write what a future session on this project should know: architecture decisions and why, non-obvious
patterns, gotchas, configuration, dependency quirks. One fact per line, each line starting with "- ".
Write only facts that stay true; no line numbers, no dead ends, no secrets or credentials, no names of
machines. Print nothing else. If there is nothing worth keeping, print nothing but "- (none)".`;

/** A turn longer than this is cut (with a marker) so that one chunk always fits. */
const TURN_MAX = 8_000;

/**
 * The prompts to send: {@link EXTRACTION_PROMPT} then sessions' turns (`## <agent> session <id>`,
 * `User:` / `Assistant:` lines), packed in order into chunks of at most `budget` characters
 * (a session may span chunks). Sessions without new turns are left out; none at all gives `[]`.
 */
export function buildPrompts(sessions: readonly NewTurns[], budget = 60_000): string[] {
  const chunks: string[] = [];
  let cur = "";
  const flush = () => {
    if (cur) chunks.push(`${EXTRACTION_PROMPT}\n${cur}`);
    cur = "";
  };
  const room = Math.max(1_000, budget - EXTRACTION_PROMPT.length - 1);
  for (const s of sessions) {
    if (!s.turns.length) continue;
    const head = `\n## ${s.agent} session ${s.session}\n`;
    for (const [i, t] of s.turns.entries()) {
      const body = t.text.length > TURN_MAX ? `${t.text.slice(0, TURN_MAX)} […]` : t.text;
      const line = `${i === 0 ? head : ""}${t.role === "user" ? "User" : "Assistant"}: ${body}\n`;
      if (cur && cur.length + line.length > room) {
        flush();
        cur = i === 0 ? "" : head;
      }
      cur += line;
    }
  }
  flush();
  return chunks;
}

/** The learnings a model printed: its bullet lines (`- `, `* `, `• `, `1. `), without the marker; `(none)` and empty ones dropped. */
export function parseBullets(output: string): string[] {
  const out: string[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const m = /^\s*(?:[-*•]|\d+[.)])\s+(.*\S)\s*$/.exec(raw);
    if (!m) continue;
    const text = m[1]!.replace(/\s+/g, " ").trim();
    if (!text || /^\(?none\)?\.?$/i.test(text)) continue;
    out.push(text);
  }
  return out;
}

/** The normalised texts of the bullets already in a learnings file. */
export function knownLearnings(fileText: string): Set<string> {
  const out = new Set<string>();
  for (const line of fileText.split(/\r?\n/)) {
    const m = /^\s*[-*]\s+(.*\S)\s*$/.exec(line);
    if (m) out.add(normalizeLearning(m[1]!));
  }
  return out;
}

/** One entry of `.ctx/learnings.md`: the bullet, the day (UTC) and the agent and session it came from; no host name. */
export function formatEntry(text: string, from: { date: Date; agent: string; session: string }): string {
  return `- ${text} _(${from.date.toISOString().slice(0, 10)}, ${from.agent} session ${from.session.slice(0, 8)})_`;
}

/** The header of a learnings file git-ctx creates. */
export const LEARNINGS_HEADER = "# Learnings\n\nWhat past sessions on this project found worth knowing, written by `git ctx learn` (one bullet each; edit or delete freely).\n\n";

/**
 * `fileText` with `entries` appended (each on its own line): the user's bytes stay as they are,
 * a missing final newline is added before the first entry (CRLF files get CRLF), an empty file
 * gets {@link LEARNINGS_HEADER}.
 */
export function appendEntries(fileText: string, entries: readonly string[]): string {
  if (!entries.length) return fileText;
  const eol = fileText.includes("\r\n") ? "\r\n" : "\n";
  const base = fileText.trim() === "" ? LEARNINGS_HEADER.replace(/\n/g, eol) : /\r?\n$/.test(fileText) ? fileText : fileText + eol;
  return base + entries.map((e) => e + eol).join("");
}

/** How to run a model command so that it leaves no session of its own behind. */
export interface ModelInvocation {
  /** The command to run (the user's, with the agent's no-persistence flag added where it has one). */
  command: string;
  /**
   * The program's base name, lower-case, without `.exe`/`.cmd`/`.bat` (`""` when the command has
   * none): learn asks the agent whose `command` it is to prepare a throw-away environment
   * (`Agent.modelScratch`: Gemini CLI, which has no such flag, gets a throw-away home).
   */
  program: string;
}

/**
 * `command` with the flag that keeps an agent used as the model from saving the prompt (the
 * project's turns) as a session of its own (issue 23, scope 6), by its program's name (the first
 * word after any `NAME=value` assignments; path, quotes and `.exe`/`.cmd` ignored):
 * Claude Code `claude … -p` gets `--no-session-persistence` (Claude Code 2.1 `--help`: "Don't
 * save sessions to disk", print mode only) right after the program; Codex `codex exec` (or `e`)
 * gets `--ephemeral` after the subcommand (Codex 0.169 `exec --help`: "Run without persisting
 * session files to disk"); Gemini CLI has no such option (0.61 records every chat), so
 * `program` names the program (an agent may need a throw-away home for it). A flag already there is not added twice; any other
 * program is left as it is. Pure.
 */
export function modelInvocation(command: string): ModelInvocation {
  const m = /^(\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|\S*)\s+)*)('[^']*'|"[^"]*"|\S+)(.*)$/s.exec(command);
  if (!m) return { command, program: "" };
  const [, pre, word, rest] = m as unknown as [string, string, string, string];
  const program = path
    .basename(word.replace(/^['"]|['"]$/g, ""))
    .replace(/\.(exe|cmd|bat)$/i, "")
    .toLowerCase();
  const words = rest.trim().split(/\s+/);
  if (program === "claude") {
    if (words.includes("--no-session-persistence") || !words.some((w) => w === "-p" || w === "--print")) return { command, program };
    return { command: `${pre}${word} --no-session-persistence${rest}`, program };
  }
  if (program === "codex") {
    const sub = /^(\s+)(exec|e)(?=\s|$)/.exec(rest);
    if (!sub || words.includes("--ephemeral")) return { command, program };
    return { command: `${pre}${word}${sub[0]} --ephemeral${rest.slice(sub[0].length)}`, program };
  }
  return { command, program };
}

/**
 * The key a learning is remembered by in `.ctx/learnings-seen`: sha256 of its
 * {@link normalizeLearning} text, first 16 hex characters — a hash, so that a learning the user
 * deleted (perhaps for what it said) leaves no text behind. Pure.
 */
export function learningKey(text: string): string {
  return createHash("sha256").update(normalizeLearning(text), "utf8").digest("hex").slice(0, 16);
}

/** The header of `.ctx/learnings-seen` (lines starting with `#` are comments). */
export const SEEN_HEADER =
  "# git ctx learn: every learning it has seen in .ctx/learnings.md, as a hash of its text (one a line).\n# A learning deleted from learnings.md stays here, so it is not written again; delete its line here to allow it back.\n";

/** The keys in a `.ctx/learnings-seen` text (comments, blank lines and duplicates ignored). */
export function parseSeen(text: string): Set<string> {
  return new Set(
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => /^[0-9a-f]{16}$/.test(l)),
  );
}

/** `.ctx/learnings-seen` holding `keys`: the header, then the keys sorted, one a line (git's `union` merge then joins two machines' files). */
export function formatSeen(keys: Iterable<string>): string {
  return (
    SEEN_HEADER +
    [...new Set(keys)]
      .sort()
      .map((k) => `${k}\n`)
      .join("")
  );
}
