import type { AgentId } from "./ids.js";

/**
 * The canonical session model (issue 13, scope 1): what every agent's reader produces, so a
 * session can be listed, shown, converted into another agent's format (`git ctx resume`) and
 * read for learnings (`git ctx learn`). Each agent module reads its own files into it
 * (`Agent.readSession`); tool calls and their results are paired by id.
 */

/** A tool call of an assistant message: the native id, the tool's name and its input (an object when the agent stores one). */
export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

/** A tool result: the id of the call it answers, its output as text, whether it reported an error. */
export interface ToolResult {
  callId: string;
  output: string;
  isError: boolean;
}

/**
 * One message. `user` messages hold what the user typed and the results of earlier tool calls;
 * `assistant` messages hold the model's text and its tool calls. `raw` keeps the native records
 * it was read from (a lossless path back to the same agent).
 */
export interface CanonicalMessage {
  role: "user" | "assistant";
  /** Text parts, in order (no tool output, no thinking). */
  text: string[];
  /** ISO 8601, when the agent recorded one. */
  timestamp?: string;
  toolCalls: ToolCall[];
  toolResults: ToolResult[];
  raw: unknown[];
}

/** A session of any agent, as its reader found it. */
export interface CanonicalSession {
  /** The agent's own session id (Claude Code's file name, Codex's rollout uuid, Gemini's `sessionId`). */
  id: string;
  agent: AgentId;
  /** The absolute file it was read from. */
  path: string;
  /** The project directory the session ran in, as written in it (`cwd`), when it names one. */
  root?: string;
  /** A title: the agent's summary when it keeps one, else the first user prompt (one line, ≤ 120 characters). */
  title?: string;
  /** ISO 8601 of the first and last record that carries a time. */
  started?: string;
  updated?: string;
  model?: string;
  gitBranch?: string;
  messages: CanonicalMessage[];
  /**
   * The last point where the agent compacted the conversation, when it did: the agent itself
   * resumes from there, with `history` (what the agent put in place of `messages[0..at)`: Codex's
   * `compacted.replacement_history`, or its summary) followed by `messages[at..]`. For Claude Code
   * `at` is the compact summary's user message (`isCompactSummary`) and `history` is empty.
   */
  compaction?: Compaction;
}

/** A compaction point of a session (see {@link CanonicalSession.compaction}). */
export interface Compaction {
  /** Index into `messages` of the first message the agent keeps after compacting (0 ≤ at ≤ messages.length). */
  at: number;
  /** Messages that stand in for `messages[0..at)` (may be empty). */
  history: CanonicalMessage[];
  /** ISO 8601, when the agent recorded the compaction's time. */
  timestamp?: string;
}

/**
 * The session as its agent would resume it: from the last compaction point (`history` then
 * `messages[at..]`, without `compaction`), or `s` itself when it was never compacted. Pure.
 * The messages are shared with `s`, not copied.
 */
export function fromLastCompaction(s: CanonicalSession): CanonicalSession {
  if (!s.compaction) return s;
  const { compaction, ...rest } = s;
  const messages = [...compaction.history, ...s.messages.slice(compaction.at)];
  return { ...rest, messages, ...spanOf(messages) };
}

/** A message with no text, calls or results yet. */
export function emptyMessage(role: "user" | "assistant", timestamp?: string): CanonicalMessage {
  return { role, text: [], ...(timestamp ? { timestamp } : {}), toolCalls: [], toolResults: [], raw: [] };
}

/** A one-line title of at most 120 characters from a prompt (whitespace collapsed), or undefined for an empty one. */
export function titleOf(text: string | undefined): string | undefined {
  const t = text?.replace(/\s+/g, " ").trim();
  if (!t) return undefined;
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
}

/** Sets `started`/`updated` of `s` from its messages' timestamps (ISO strings compare in order). */
export function spanOf(messages: readonly CanonicalMessage[]): { started?: string; updated?: string } {
  const ts = messages.map((m) => m.timestamp).filter((t): t is string => !!t);
  if (!ts.length) return {};
  return { started: ts.reduce((a, b) => (a < b ? a : b)), updated: ts.reduce((a, b) => (a > b ? a : b)) };
}

/**
 * The calls of a session that no later result answers, and results that answer no call: what a
 * target API that demands a result after every call would refuse. Pure.
 */
export function unpairedTools(s: Pick<CanonicalSession, "messages">): { calls: string[]; results: string[] } {
  const called = new Set<string>();
  const answered = new Set<string>();
  const results: string[] = [];
  for (const m of s.messages) {
    for (const r of m.toolResults) {
      if (!called.has(r.callId)) results.push(r.callId);
      answered.add(r.callId);
    }
    for (const c of m.toolCalls) called.add(c.id);
  }
  return { calls: [...called].filter((c) => !answered.has(c)), results };
}

/** The output git-ctx gives a call the source never answered (every target API needs a result after each call). */
export const NO_RESULT = "(no result was recorded for this call)";

/** A tool result whose call is not in the session (or that answers a call a second time), as the user text it becomes. */
export function orphanText(r: ToolResult): string {
  return `[tool result${r.isError ? " (error)" : ""}]\n${r.output}`;
}

/**
 * The session's messages arranged as the Messages and Responses APIs and Gemini demand (issue 13,
 * scope 3): each assistant message with tool calls is followed at once by a user message holding
 * one result per call, in call order — the call's first result wherever the source recorded it
 * (Claude Code writes each result on a user line of its own; an interrupted turn can put another
 * assistant message between a call and its result), or an error result saying none was recorded.
 * The text of the user messages that followed the calls joins that message. A result whose call is
 * not in the session, or a second result for a call, becomes user text ({@link orphanText}), where
 * it was. Texts keep their order. Pure; the input is not changed.
 * @returns the messages, and how many calls got no result and how many results became text.
 */
export function answerEveryCall(messages: readonly CanonicalMessage[]): { messages: CanonicalMessage[]; unanswered: number; orphans: number } {
  const called = new Set(messages.flatMap((m) => m.toolCalls.map((c) => c.id)));
  const first = new Map<string, ToolResult>();
  for (const m of messages) for (const r of m.toolResults) if (called.has(r.callId) && !first.has(r.callId)) first.set(r.callId, r);
  const out: CanonicalMessage[] = [];
  let unanswered = 0;
  let orphans = 0;
  let answers: CanonicalMessage | undefined; // the results message right after the last assistant message's calls
  for (const m of messages) {
    if (m.role === "assistant") {
      out.push({ ...m, toolResults: [] });
      answers = undefined;
      if (!m.toolCalls.length) continue;
      answers = emptyMessage("user", m.timestamp);
      for (const c of m.toolCalls) {
        const r = first.get(c.id);
        if (!r) unanswered++;
        answers.toolResults.push(r ? { ...r } : { callId: c.id, output: NO_RESULT, isError: true });
      }
      out.push(answers);
      continue;
    }
    const extra = m.toolResults.filter((r) => first.get(r.callId) !== r).map(orphanText);
    orphans += extra.length;
    const text = [...extra, ...m.text];
    if (answers) {
      answers.text.push(...text);
      answers.raw.push(...m.raw);
      if (!answers.timestamp && m.timestamp) answers.timestamp = m.timestamp;
    } else if (text.length) out.push({ ...m, text, toolResults: [] });
  }
  return { messages: out, unanswered, orphans };
}
