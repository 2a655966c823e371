import { randomUUID } from "node:crypto";
import type { CanonicalSession } from "../session.js";
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
  const results = new Map<string, { output: string; isError: boolean }>();
  const called = new Set(s.messages.flatMap((m) => m.toolCalls.map((c) => c.id)));
  for (const m of s.messages) for (const r of m.toolResults) if (called.has(r.callId) && !results.has(r.callId)) results.set(r.callId, r);
  let unanswered = 0;
  let orphans = 0;
  let last = t0;
  const model = s.model && /^gemini/.test(s.model) ? s.model : "gemini-2.5-pro";
  for (const m of s.messages) {
    const ts = m.timestamp && !Number.isNaN(Date.parse(m.timestamp)) ? new Date(m.timestamp).toISOString() : t0;
    last = ts > last ? ts : last;
    if (m.role === "assistant") {
      const toolCalls = m.toolCalls.map((c) => {
        const r = results.get(c.id);
        if (!r) unanswered++;
        const output = r ? r.output : "(no result was recorded for this call)";
        const isError = r ? r.isError : true;
        return {
          id: c.id,
          name: c.name || "tool",
          args: c.input && typeof c.input === "object" && !Array.isArray(c.input) ? c.input : { input: c.input },
          result: [{ functionResponse: { id: c.id, name: c.name || "tool", response: isError ? { error: output } : { output } } }],
          status: isError ? "error" : "success",
          timestamp: ts,
        };
      });
      if (!m.text.length && !toolCalls.length) continue;
      records.push({ id: randomUUID(), timestamp: ts, type: "gemini", content: m.text.join("\n\n"), ...(toolCalls.length ? { toolCalls } : {}), model });
      continue;
    }
    const extra = m.toolResults.filter((r) => !called.has(r.callId)).map((r) => `[tool result${r.isError ? " (error)" : ""}]\n${r.output}`);
    orphans += extra.length;
    const text = [...extra, ...m.text];
    if (!text.length) continue;
    records.push({ id: randomUUID(), timestamp: ts, type: "user", content: text.map((t) => ({ text: t })) });
  }
  const head = { sessionId: id, projectHash: geminiProjectHash(root), startTime: t0, lastUpdated: last, kind: "main" };
  const warnings: string[] = [];
  if (unanswered) warnings.push(`${unanswered} tool call(s) had no recorded result: each got an error result`);
  if (orphans) warnings.push(`${orphans} tool result(s) answered no call of the session: kept as user text`);
  return { id, name: chatFileName(id, now), bytes: Buffer.from([head, ...records].map((r) => `${JSON.stringify(r)}\n`).join("")), warnings };
}
