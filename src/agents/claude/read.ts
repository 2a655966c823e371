import { readFileSync } from "node:fs";
import * as path from "node:path";
import { emptyMessage, spanOf, titleOf, type CanonicalMessage, type CanonicalSession } from "../session.js";
import { isRecord as isObj, jsonRecords, stringOf as str } from "../records.js";

/**
 * Claude Code's reader into the canonical model (FORMATS.md, "Claude Code"): a transcript is JSONL;
 * `user` and `assistant` lines carry `message` (`role`, `content`: a string, or blocks `text`,
 * `thinking`, `tool_use {id, name, input}`, `tool_result {tool_use_id, content, is_error}`), and
 * `sessionId`, `cwd`, `gitBranch`, `timestamp`. One API message is written as several lines (one
 * per content block) sharing `message.id`: they become one message. `isMeta` user lines (injected
 * context) and thinking blocks carry no text; `summary` lines give the title. The last compact
 * summary line (`isCompactSummary`) is the session's compaction point.
 */

/** A tool result's content as text: a string, or the text of its blocks. */
function resultText(c: unknown): string {
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((b) => (isObj(b) && typeof b.text === "string" ? b.text : "")).join("");
  return c === undefined ? "" : JSON.stringify(c);
}

/**
 * Reads a transcript's bytes (`file` names it: its base name is the session id).
 * Lines that are not JSON are skipped. Pure; never throws.
 */
export function readClaudeTranscript(bytes: Buffer, file: string): CanonicalSession {
  const messages: CanonicalMessage[] = [];
  let root: string | undefined;
  let gitBranch: string | undefined;
  let model: string | undefined;
  let summary: string | undefined;
  let sessionId: string | undefined;
  let lastApiId: string | undefined;
  for (const r of jsonRecords(bytes)) {
    if (r.type === "summary" && typeof r.summary === "string") summary ??= r.summary;
    if (r.type !== "user" && r.type !== "assistant") continue;
    sessionId ??= str(r.sessionId);
    root ??= str(r.cwd);
    if (str(r.gitBranch)) gitBranch = str(r.gitBranch);
    const m = isObj(r.message) ? r.message : undefined;
    if (!m) continue;
    const ts = str(r.timestamp);
    const role = r.type;
    const apiId = role === "assistant" ? str(m.id) : undefined;
    const last = messages[messages.length - 1];
    let cur: CanonicalMessage;
    if (role === "assistant" && last?.role === "assistant" && apiId && apiId === lastApiId) cur = last;
    else {
      cur = emptyMessage(role, ts);
      messages.push(cur);
    }
    lastApiId = apiId;
    cur.raw.push(r);
    if (role === "assistant" && typeof m.model === "string" && !m.model.startsWith("<")) model = m.model;
    const content = m.content;
    if (typeof content === "string") {
      if (!r.isMeta && content.trim()) cur.text.push(content);
      continue;
    }
    if (!Array.isArray(content)) continue;
    for (const b of content) {
      if (!isObj(b)) continue;
      if (b.type === "text" && typeof b.text === "string" && !r.isMeta && b.text.trim()) cur.text.push(b.text);
      else if (b.type === "tool_use" && typeof b.id === "string") cur.toolCalls.push({ id: b.id, name: str(b.name) ?? "", input: b.input ?? {} });
      else if (b.type === "tool_result" && typeof b.tool_use_id === "string")
        cur.toolResults.push({ callId: b.tool_use_id, output: resultText(b.content), isError: b.is_error === true });
    }
  }
  // a user line that only carried meta text adds nothing
  const kept = messages.filter((x) => x.text.length || x.toolCalls.length || x.toolResults.length);
  const firstPrompt = kept.find((x) => x.role === "user" && x.text.length && !x.raw.some(isCompactSummary))?.text[0];
  // Claude Code resumes a compacted session from its last compact summary (the user line after a
  // `compact_boundary` system line, marked `isCompactSummary`; seen in 2.1.x transcripts)
  let at = -1;
  for (let i = kept.length - 1; i >= 0 && at < 0; i--) if (kept[i]!.raw.some(isCompactSummary)) at = i;
  return {
    id: sessionId ?? path.basename(file, ".jsonl"),
    agent: "claude",
    path: file,
    ...(root ? { root } : {}),
    ...(titleOf(summary ?? firstPrompt) ? { title: titleOf(summary ?? firstPrompt) } : {}),
    ...spanOf(kept),
    ...(model ? { model } : {}),
    ...(gitBranch ? { gitBranch } : {}),
    messages: kept,
    ...(at >= 0 ? { compaction: { at, history: [], ...(kept[at]!.timestamp ? { timestamp: kept[at]!.timestamp } : {}) } } : {}),
  };
}

/** Whether a transcript line is the summary Claude Code wrote when it compacted the conversation. */
function isCompactSummary(r: unknown): boolean {
  return isObj(r) && r.isCompactSummary === true;
}

/** Reads a transcript file. @throws fs errors. */
export function readClaudeSession(file: string): CanonicalSession {
  return readClaudeTranscript(readFileSync(file), file);
}
