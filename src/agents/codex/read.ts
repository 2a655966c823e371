import { readFileSync } from "node:fs";
import { emptyMessage, spanOf, titleOf, type CanonicalMessage, type CanonicalSession, type Compaction } from "../session.js";
import { isRecord as isObj, jsonRecords, stringOf as str } from "../records.js";

/**
 * Codex CLI's reader into the canonical model (FORMATS.md, "Codex CLI"; checked on the corpus of
 * 0.4x–0.169 rollouts): a rollout's `response_item` lines are what the model saw — `message`
 * (`role` user, assistant or developer; `content[]` of `input_text`/`output_text`),
 * `function_call {name, arguments (a JSON string), call_id}` and `function_call_output {call_id,
 * output}`, `custom_tool_call {name, input, call_id}` and its `_output`, and `reasoning` (no text
 * kept). `session_meta` gives the id, cwd, time and git branch; `turn_context` the model. The
 * context Codex injects into user messages (`<environment_context>`, `# AGENTS.md instructions`,
 * `<user_instructions>`) is not the user's text: the target agent writes its own. `event_msg`
 * lines repeat the items for the UI and are not read. The last `compacted` line is the session's
 * compaction point.
 */

/** Whether a user text is context Codex injects rather than what the user typed. */
export function isInjectedContext(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith("<environment_context>") || t.startsWith("# AGENTS.md instructions") || t.startsWith("<user_instructions>") || t.startsWith("<INSTRUCTIONS>");
}

/** A function call's `arguments` as an object when it is a JSON object, else as it is. */
function argsOf(a: unknown): unknown {
  if (typeof a !== "string") return a ?? {};
  try {
    return JSON.parse(a) as unknown;
  } catch {
    return a;
  }
}

/** A tool output as text (a string, or `{content|output}` objects some versions write). */
function outputText(o: unknown): string {
  if (typeof o === "string") return o;
  if (isObj(o) && typeof o.content === "string") return o.content;
  return o === undefined ? "" : JSON.stringify(o);
}

/** Reads a rollout's bytes (`file` names it). Lines that are not JSON are skipped. Pure; never throws. */
export function readCodexRollout(bytes: Buffer, file: string): CanonicalSession {
  const messages: CanonicalMessage[] = [];
  let id: string | undefined;
  let root: string | undefined;
  let gitBranch: string | undefined;
  let model: string | undefined;
  let firstPrompt: string | undefined;
  let compaction: Compaction | undefined;
  for (const r of jsonRecords(bytes)) {
    if (!isObj(r.payload)) continue;
    const p = r.payload;
    const ts = str(r.timestamp);
    if (r.type === "session_meta") {
      id ??= str(p.id);
      root ??= str(p.cwd);
      if (isObj(p.git) && str(p.git.branch)) gitBranch = str(p.git.branch);
      continue;
    }
    if (r.type === "turn_context") {
      if (str(p.model)) model = str(p.model);
      continue;
    }
    if (r.type === "compacted") {
      // Codex replays a rollout by putting `replacement_history` (or, from older versions, the
      // summary in `message`) in place of everything before it (codex-rs protocol `CompactedItem`)
      const history: CanonicalMessage[] = [];
      if (Array.isArray(p.replacement_history)) for (const item of p.replacement_history) if (isObj(item)) addItem(history, item, ts, r);
      if (!history.length && typeof p.message === "string" && p.message.trim()) {
        const m = emptyMessage("user", ts);
        m.text.push(p.message);
        m.raw.push(r);
        history.push(m);
      }
      compaction = { at: messages.length, history, ...(ts ? { timestamp: ts } : {}) };
      continue;
    }
    if (r.type === "event_msg" && p.type === "user_message" && typeof p.message === "string") firstPrompt ??= p.message;
    if (r.type === "response_item") addItem(messages, p, ts, r);
  }
  const title = titleOf(firstPrompt ?? messages.find((m) => m.role === "user" && m.text.length)?.text[0]);
  const fromName = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(file)?.[1];
  return {
    id: id ?? fromName ?? file,
    agent: "codex",
    path: file,
    ...(root ? { root } : {}),
    ...(title ? { title } : {}),
    ...spanOf(messages),
    ...(model ? { model } : {}),
    ...(gitBranch ? { gitBranch } : {}),
    messages,
    ...(compaction ? { compaction } : {}),
  };
}

/**
 * Adds one response item (a rollout's `response_item` payload, or an item of a compaction's
 * `replacement_history`) to `messages`: a user or assistant `message` is a message of its own
 * (without Codex's injected context); a tool call joins the assistant message before it, a tool
 * output the user message before it. `r` is the native record kept in `raw`.
 */
function addItem(messages: CanonicalMessage[], p: Record<string, unknown>, ts: string | undefined, r: unknown): void {
  const open = (role: "user" | "assistant"): CanonicalMessage => {
    const l = messages[messages.length - 1];
    if (l && l.role === role) {
      if (l.raw[l.raw.length - 1] !== r) l.raw.push(r);
      return l;
    }
    const m = emptyMessage(role, ts);
    m.raw.push(r);
    messages.push(m);
    return m;
  };
  if (p.type === "message" && (p.role === "user" || p.role === "assistant")) {
    const texts = Array.isArray(p.content)
      ? p.content.flatMap((c) => (isObj(c) && typeof c.text === "string" && c.text.trim() ? [c.text] : [])).filter((t) => p.role !== "user" || !isInjectedContext(t))
      : [];
    if (!texts.length) return;
    const m = emptyMessage(p.role, ts);
    m.text.push(...texts);
    m.raw.push(r);
    messages.push(m);
  } else if ((p.type === "function_call" || p.type === "custom_tool_call") && typeof p.call_id === "string") {
    open("assistant").toolCalls.push({ id: p.call_id, name: str(p.name) ?? "", input: p.type === "function_call" ? argsOf(p.arguments) : (p.input ?? "") });
  } else if ((p.type === "function_call_output" || p.type === "custom_tool_call_output") && typeof p.call_id === "string") {
    const out = outputText(p.output);
    let isError = false;
    try {
      const o = JSON.parse(out) as unknown;
      isError = isObj(o) && isObj(o.metadata) && typeof o.metadata.exit_code === "number" && o.metadata.exit_code !== 0;
    } catch {
      /* plain text output */
    }
    open("user").toolResults.push({ callId: p.call_id, output: out, isError });
  }
}

/** Reads a rollout file. @throws fs errors. */
export function readCodexSession(file: string): CanonicalSession {
  return readCodexRollout(readFileSync(file), file);
}
