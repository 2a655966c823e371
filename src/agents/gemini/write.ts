import { randomUUID } from "node:crypto";
import { answerEveryCall, NO_RESULT, type CanonicalSession } from "../session.js";
import { geminiProjectHash } from "./slug.js";

/**
 * Gemini CLI's writer from the canonical model (issue 13, scope 3; FORMATS.md, "Gemini CLI",
 * 0.61.0): a JSONL chat `chats/session-<YYYY-MM-DDTHH-MM>-<id8>.jsonl` whose first line is the
 * metadata (`sessionId`, `projectHash` = sha256 of the root, `startTime`, `lastUpdated`, `kind`),
 * then one record per message: `user` (`content` parts with `text`) and `gemini` (`content` text,
 * `toolCalls[]` each with its `args` object and its `result` — Gemini keeps a call and its result
 * together and sends the result after the call on resume). A call the source never answered gets
 * an error result saying so; a result without a call becomes user text. Gemini deletes a chat it
 * cannot read, so the file is checked before it is written (./resume.ts).
 */

/** A written chat: its id, its file name, its bytes, what was changed. */
export interface GeminiWritten {
  id: string;
  name: string;
  bytes: Buffer;
  warnings: string[];
}

/** The chat file name Gemini gives a session started at `at` (local time): `session-YYYY-MM-DDTHH-MM-<first 8 of the id>.jsonl`. */
export function chatFileName(id: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `session-${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}T${p(at.getHours())}-${p(at.getMinutes())}-${id.slice(0, 8)}.jsonl`;
}

/** Writes `s` as a new Gemini chat for project root `root` (started now, or at `o.now`; the session id `o.id`, default a random UUID). Never throws. */
export function writeGeminiChat(s: CanonicalSession, root: string, o: { now?: Date; id?: string } = {}): GeminiWritten {
  const now = o.now ?? new Date();
  const id = o.id ?? randomUUID();
  const t0 = now.toISOString();
  const records: Record<string, unknown>[] = [];
  let last = t0;
  const model = s.model && /^gemini/.test(s.model) ? s.model : "gemini-2.5-pro";
  // each call's result is in the user message right after its assistant message, in call order
  const { messages, unanswered, orphans } = answerEveryCall(s.messages);
  messages.forEach((m, i) => {
    const ts = m.timestamp && !Number.isNaN(Date.parse(m.timestamp)) ? new Date(m.timestamp).toISOString() : t0;
    last = ts > last ? ts : last;
    if (m.role === "assistant") {
      const answers = messages[i + 1]?.toolResults ?? [];
      const toolCalls = m.toolCalls.map((c, j) => {
        const r = answers[j] ?? { output: NO_RESULT, isError: true };
        return {
          id: c.id,
          name: c.name || "tool",
          args: c.input && typeof c.input === "object" && !Array.isArray(c.input) ? c.input : { input: c.input },
          result: [{ functionResponse: { id: c.id, name: c.name || "tool", response: r.isError ? { error: r.output } : { output: r.output } } }],
          status: r.isError ? "error" : "success",
          timestamp: ts,
        };
      });
      if (!m.text.length && !toolCalls.length) return;
      records.push({ id: randomUUID(), timestamp: ts, type: "gemini", content: m.text.join("\n\n"), ...(toolCalls.length ? { toolCalls } : {}), model });
      return;
    }
    // results sit on their calls above; the user's text (orphaned results included) is a user message
    if (m.text.length) records.push({ id: randomUUID(), timestamp: ts, type: "user", content: m.text.map((t) => ({ text: t })) });
  });
  const head = { sessionId: id, projectHash: geminiProjectHash(root), startTime: t0, lastUpdated: last, kind: "main" };
  const warnings: string[] = [];
  if (unanswered) warnings.push(`${unanswered} tool call(s) had no recorded result: each got an error result`);
  if (orphans) warnings.push(`${orphans} tool result(s) answered no call of the session: kept as user text`);
  return { id, name: chatFileName(id, now), bytes: Buffer.from([head, ...records].map((r) => `${JSON.stringify(r)}\n`).join("")), warnings };
}
