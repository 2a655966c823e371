import { readFileSync } from "node:fs";
import * as path from "node:path";
import { emptyMessage, spanOf, titleOf, type CanonicalMessage, type CanonicalSession } from "../session.js";
import { readGeminiChat } from "./chat.js";
import { ownerOf } from "./slug.js";
import { isRecord as isObj, stringOf as str, type JsonRecord as Rec } from "../records.js";

/**
 * Gemini CLI's reader into the canonical model: the messages Gemini itself reads (./chat.ts) —
 * `user` messages (`content`: a string or parts with `text`), `gemini` messages (`content`,
 * `toolCalls[] {id, name, args, result[] of functionResponse {response {output|error}}, status}`,
 * `model`), `info` and `error` messages (not part of the conversation: Gemini does not send them
 * on resume). Older chats keep tool results as a user message of `functionResponse` parts. A gemini message's tool results become the user message after it, as Gemini sends
 * them (FORMATS.md, "Running it offline").
 */

/** The texts of a `content` (a string, or parts with `text`). */
function texts(content: unknown): string[] {
  if (typeof content === "string") return content.trim() ? [content] : [];
  if (Array.isArray(content)) return content.flatMap((p) => (isObj(p) && typeof p.text === "string" && p.text.trim() ? [p.text] : []));
  return [];
}

/** A tool call's result as text, and whether it was an error (`status: "error"` or an `error` response). */
function resultOf(call: Rec): { output: string; isError: boolean } {
  const parts = Array.isArray(call.result) ? call.result : [];
  let output = "";
  let isError = call.status === "error" || call.status === "cancelled";
  for (const p of parts) {
    const resp = isObj(p) && isObj(p.functionResponse) && isObj(p.functionResponse.response) ? p.functionResponse.response : undefined;
    if (!resp) continue;
    if (typeof resp.error === "string") {
      output += resp.error;
      isError = true;
    } else if (typeof resp.output === "string") output += resp.output;
    else output += JSON.stringify(resp);
  }
  return { output, isError };
}

/**
 * Reads a chat's bytes (`file` names it: `.jsonl` or a legacy `.json`).
 * @returns undefined when Gemini could not read it either (a legacy chat that is not a chat object).
 */
export function readGeminiChatSession(bytes: Buffer, file: string): CanonicalSession | undefined {
  const chat = readGeminiChat(bytes, file.endsWith(".jsonl"));
  if (!chat) return undefined;
  const messages: CanonicalMessage[] = [];
  let model: string | undefined;
  for (const { record: r } of chat.messages) {
    const ts = str(r.timestamp);
    if (r.type === "user") {
      const t = texts(r.content);
      // older chats keep tool results as a user message of functionResponse parts
      const results = (Array.isArray(r.content) ? r.content : []).flatMap((p) => {
        const f = isObj(p) && isObj(p.functionResponse) ? p.functionResponse : undefined;
        if (!f || typeof f.id !== "string") return [];
        const resp = isObj(f.response) ? f.response : {};
        const isError = typeof resp.error === "string";
        return [{ callId: f.id, output: isError ? (resp.error as string) : typeof resp.output === "string" ? resp.output : JSON.stringify(resp), isError }];
      });
      if (!t.length && !results.length) continue;
      const m = emptyMessage("user", ts);
      m.text.push(...t);
      m.toolResults.push(...results);
      m.raw.push(r);
      messages.push(m);
    } else if (r.type === "gemini") {
      const m = emptyMessage("assistant", ts);
      m.text.push(...texts(r.content));
      m.raw.push(r);
      if (str(r.model)) model = str(r.model);
      const calls = Array.isArray(r.toolCalls) ? r.toolCalls.filter(isObj) : [];
      for (const c of calls) if (typeof c.id === "string") m.toolCalls.push({ id: c.id, name: str(c.name) ?? "", input: c.args ?? {} });
      if (!m.text.length && !m.toolCalls.length) continue;
      messages.push(m);
      const answered = calls.filter((c) => typeof c.id === "string" && Array.isArray(c.result));
      if (answered.length) {
        const u = emptyMessage("user", ts);
        for (const c of answered) u.toolResults.push({ callId: c.id as string, ...resultOf(c) });
        messages.push(u);
      }
    }
  }
  const meta = chat.meta;
  const first = messages.find((m) => m.role === "user" && m.text.length)?.text[0];
  const title = titleOf(str(meta.summary) ?? first);
  const span = spanOf(messages);
  return {
    id: str(meta.sessionId) ?? path.basename(file).replace(/\.jsonl?$/, ""),
    agent: "gemini",
    path: file,
    ...(title ? { title } : {}),
    started: str(meta.startTime) ?? span.started,
    updated: str(meta.lastUpdated) ?? span.updated,
    ...(model ? { model } : {}),
    messages,
  };
}

/**
 * Reads a chat file; its root is the slug folder's `.project_root` (the chat itself names only
 * `projectHash`), normalized as Gemini keeps it. @returns undefined for a chat Gemini cannot read.
 * @throws fs errors reading the chat.
 */
export function readGeminiSession(file: string): CanonicalSession | undefined {
  const s = readGeminiChatSession(readFileSync(file), file);
  if (!s) return undefined;
  // chats/<file> or chats/<parent id>/<file>: the slug folder is one or two levels up
  for (const dir of [path.dirname(path.dirname(file)), path.dirname(path.dirname(path.dirname(file)))]) {
    const root = ownerOf(dir);
    if (root) return { ...s, root };
  }
  return s;
}
