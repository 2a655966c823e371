import { randomUUID } from "node:crypto";
import { answerEveryCall, type CanonicalSession } from "../session.js";

/**
 * Claude Code's writer from the canonical model (issue 13, scope 3): a new transcript that the
 * real client resumes and the Messages API accepts. The rules it keeps are the ones where
 * converted sessions broke before (CROSS-AGENT.md, "Converting a session"): every assistant line
 * is a whole message envelope (`id`, `type: "message"`, `model`, `stop_reason`, `usage`);
 * `tool_use.input` is an object; each tool's `tool_result` is in the user line right after the
 * assistant line that called it, and every call gets one (a call the source never answered gets
 * an error result saying so; a result the source has without a call becomes user text); a
 * `parentUuid` chain links the lines; the session's real git branch or none; a final newline.
 * Lines are compact `JSON.stringify`, as Claude Code writes them.
 */

/** The Claude Code version the written lines claim (the one the real-client tests use). */
export const WRITER_VERSION = "2.1.330";

/** A written transcript and what the conversion could not carry. */
export interface ClaudeWritten {
  sessionId: string;
  /** The transcript's bytes (JSONL, final newline). */
  bytes: Buffer;
  /** What was changed to satisfy the API, for the user. */
  warnings: string[];
}

/** Tool ids the Messages API accepts (`^[a-zA-Z0-9_-]+$`): others are mapped to a safe form, consistently. */
function safeId(id: string): string {
  return /^[A-Za-z0-9_-]{1,200}$/.test(id) ? id : `toolu_${Buffer.from(id).toString("hex").slice(0, 60)}`;
}

/**
 * Writes `s` as a new Claude Code transcript for project root `cwd`.
 * @param o.sessionId the new session's id (default: a random UUID). @param o.now the time of lines without one.
 * Pure but for the random ids; never throws.
 */
export function writeClaudeTranscript(s: CanonicalSession, cwd: string, o: { sessionId?: string; now?: Date } = {}): ClaudeWritten {
  const sessionId = o.sessionId ?? randomUUID();
  const warnings: string[] = [];
  const lines: string[] = [];
  const now = (o.now ?? new Date()).toISOString();
  let parent: string | null = null;
  const model = s.model && /^claude/.test(s.model) ? s.model : "claude-sonnet-4-6";
  const base = { isSidechain: false, userType: "external", cwd, sessionId, version: WRITER_VERSION, ...(s.gitBranch ? { gitBranch: s.gitBranch } : {}) };
  const push = (type: "user" | "assistant", message: object, timestamp: string | undefined) => {
    const uuid = randomUUID();
    lines.push(JSON.stringify({ parentUuid: parent, ...base, type, message, uuid, timestamp: timestamp ?? now }));
    parent = uuid;
  };
  const { messages, unanswered, orphans } = answerEveryCall(s.messages);
  for (const m of messages) {
    if (m.role === "assistant") {
      const content: object[] = [
        ...m.text.map((text) => ({ type: "text", text })),
        ...m.toolCalls.map((c) => ({
          type: "tool_use",
          id: safeId(c.id),
          name: c.name || "tool",
          input: c.input && typeof c.input === "object" && !Array.isArray(c.input) ? c.input : { input: c.input },
        })),
      ];
      if (!content.length) continue;
      push(
        "assistant",
        {
          id: `msg_${randomUUID().replace(/-/g, "")}`,
          type: "message",
          role: "assistant",
          model,
          content,
          stop_reason: m.toolCalls.length ? "tool_use" : "end_turn",
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
        m.timestamp,
      );
      continue;
    }
    // the results of the assistant line before (answerEveryCall put them here), then the user's text
    const results = m.toolResults.map((r) => ({ type: "tool_result", tool_use_id: safeId(r.callId), content: r.output, ...(r.isError ? { is_error: true } : {}) }));
    const content = [...results, ...m.text.map((t) => ({ type: "text", text: t }))];
    if (!content.length) continue;
    push("user", { role: "user", content: results.length ? content : m.text.join("\n\n") }, m.timestamp);
  }
  if (unanswered) warnings.push(`${unanswered} tool call(s) had no recorded result: each got an error result (the API needs one)`);
  if (orphans) warnings.push(`${orphans} tool result(s) answered no call of the session: kept as user text`);
  return { sessionId, bytes: Buffer.from(lines.length ? `${lines.join("\n")}\n` : ""), warnings };
}
