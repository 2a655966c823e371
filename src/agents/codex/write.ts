import { v7 } from "uuid";
import { answerEveryCall, type CanonicalSession } from "../session.js";

/**
 * Codex CLI's writer from the canonical model (issue 13, scope 3; FORMATS.md, "Codex CLI",
 * 0.169.0): a UUIDv7 id in the file name (`rollout-<local time>-<uuid>.jsonl` under the local
 * date's folders), `session_meta` then `turn_context`, every line with a `timestamp`; user and
 * assistant text as `response_item` messages (`input_text` / `output_text`) and an `event_msg`
 * `user_message` per user text (the picker lists a session only with one); each tool call a
 * `function_call` (its `arguments` a JSON string) followed by a `function_call_output` with the
 * same `call_id` — the Responses API refuses a call without its output, so an unanswered call
 * gets one saying so, and a result without a call becomes user text.
 */

/** The Codex version the written lines claim (the one the real-client tests use). */
export const CODEX_WRITER_VERSION = "0.169.0";

/**
 * A UUIDv7 (RFC 9562; the `uuid` package): 48-bit Unix ms `now`, version 7, variant 10, then
 * `random`'s bits (default: fresh random bytes); what Codex's own ids are. With the same `random`,
 * ids of different times share everything after their time bits (`id.slice(14)`).
 */
export function uuidv7(now = Date.now(), random?: Uint8Array): string {
  return v7({ msecs: now, ...(random ? { random } : {}) });
}

/** `YYYY/MM/DD/rollout-YYYY-MM-DDTHH-MM-SS-<id>.jsonl` in local time, as Codex names a rollout. */
export function rolloutRelPath(id: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const d = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}`;
  return `${d.replace(/-/g, "/")}/rollout-${d}T${p(at.getHours())}-${p(at.getMinutes())}-${p(at.getSeconds())}-${id}.jsonl`;
}

/** A written rollout: its id, its path under `sessions/`, its bytes, what was changed. */
export interface CodexWritten {
  id: string;
  rel: string;
  bytes: Buffer;
  warnings: string[];
}

/** Writes `s` as a new Codex rollout for project root `cwd` (the time `now`, default the current one; the id `o.id`, default a new UUIDv7 of `now`). Never throws. */
export function writeCodexRollout(s: CanonicalSession, cwd: string, o: { now?: Date; id?: string } = {}): CodexWritten {
  const now = o.now ?? new Date();
  const id = o.id ?? uuidv7(now.getTime());
  const ts0 = now.toISOString();
  const lines: string[] = [];
  const line = (type: string, payload: object, ts?: string) => lines.push(JSON.stringify({ timestamp: ts ?? ts0, type, payload }));
  line("session_meta", {
    id,
    timestamp: ts0,
    cwd,
    originator: "codex_cli_rs",
    cli_version: CODEX_WRITER_VERSION,
    source: "cli",
    model_provider: "openai",
    ...(s.gitBranch ? { git: { branch: s.gitBranch } } : {}),
  });
  line("turn_context", {
    cwd,
    approval_policy: "on-request",
    sandbox_policy: { type: "workspace-write", writable_roots: [cwd] },
    model: s.model && /^(gpt|o\d|codex)/.test(s.model) ? s.model : "gpt-5",
    summary: "auto",
  });
  const { messages, unanswered, orphans } = answerEveryCall(s.messages);
  for (const m of messages) {
    const ts = m.timestamp && !Number.isNaN(Date.parse(m.timestamp)) ? new Date(m.timestamp).toISOString() : undefined;
    if (m.role === "assistant") {
      if (m.text.length) line("response_item", { type: "message", role: "assistant", content: m.text.map((text) => ({ type: "output_text", text })) }, ts);
      for (const c of m.toolCalls)
        line(
          "response_item",
          { type: "function_call", name: c.name || "tool", arguments: typeof c.input === "string" ? c.input : JSON.stringify(c.input ?? {}), call_id: c.id },
          ts,
        );
      continue;
    }
    // the outputs of the calls before (answerEveryCall put them here), then the user's text
    for (const r of m.toolResults) line("response_item", { type: "function_call_output", call_id: r.callId, output: r.output }, ts);
    if (!m.text.length) continue;
    line("response_item", { type: "message", role: "user", content: m.text.map((t) => ({ type: "input_text", text: t })) }, ts);
    line("event_msg", { type: "user_message", message: m.text.join("\n\n"), images: [] }, ts);
  }
  const warnings: string[] = [];
  if (unanswered) warnings.push(`${unanswered} tool call(s) had no recorded result: each got an output saying so (the Responses API needs one)`);
  if (orphans) warnings.push(`${orphans} tool result(s) answered no call of the session: kept as user text`);
  return { id, rel: rolloutRelPath(id, now), bytes: Buffer.from(`${lines.join("\n")}\n`), warnings };
}
