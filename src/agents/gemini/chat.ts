import { isRecord as isObj, jsonRecords, latestRecordTime, type JsonRecord as Rec } from "../records.js";

/**
 * Reading a Gemini CLI chat as Gemini does (`loadConversationRecord` of `@google/gemini-cli`
 * 0.61.0; FORMATS.md, "Gemini CLI"). A JSONL chat is a replay: a record with an `id` sets that
 * message (a later record with the same `id` replaces it in place), `{"$rewindTo": id}` removes
 * that message and every later one (an unknown id removes every message), `{"$set": {…}}` merges
 * into the metadata and, with `messages`, replaces every message; a line with `sessionId` and
 * `projectHash` is metadata (and may carry `messages`). Unparseable lines are skipped, as Gemini
 * skips them. A legacy `.json` chat is one object `{sessionId, projectHash, startTime,
 * lastUpdated, messages[]}`.
 */

/** A message as Gemini's reader ends up with it: its id and its record. */
export interface GeminiMessage {
  id: string;
  record: Record<string, unknown>;
}

/** A chat as Gemini reads it: its metadata (`sessionId`, `projectHash`, `startTime`, `lastUpdated`, `summary`, `kind`, …) and its messages in order. */
export interface GeminiChat {
  meta: Record<string, unknown>;
  messages: GeminiMessage[];
}

/** Reads a JSONL chat (see the module comment). Pure; never throws. */
export function readGeminiJsonlChat(bytes: Buffer): GeminiChat {
  const map = new Map<string, Rec>();
  let meta: Rec = {};
  const put = (m: unknown) => {
    if (isObj(m) && typeof m.id === "string") map.set(m.id, m);
  };
  for (const r of jsonRecords(bytes)) {
    if (typeof r.$rewindTo === "string") {
      const ids = [...map.keys()];
      const at = ids.indexOf(r.$rewindTo);
      if (at < 0) map.clear();
      else for (const id of ids.slice(at)) map.delete(id);
    } else if (typeof r.id === "string") put(r);
    else if (isObj(r.$set)) {
      if (Array.isArray(r.$set.messages)) {
        map.clear();
        for (const m of r.$set.messages) put(m);
      }
      const { messages: _m, ...rest } = r.$set;
      meta = { ...meta, ...rest };
    } else if (typeof r.sessionId === "string" && typeof r.projectHash === "string") {
      const { messages, ...rest } = r;
      meta = { ...meta, ...rest };
      if (Array.isArray(messages)) for (const m of messages) put(m);
    }
  }
  return { meta, messages: [...map.entries()].map(([id, record]) => ({ id, record })) };
}

/** The messages Gemini reads from a JSONL chat, in its order. Pure; never throws. */
export function readGeminiJsonl(bytes: Buffer): GeminiMessage[] {
  return readGeminiJsonlChat(bytes).messages;
}

/**
 * Reads a chat file's bytes, JSONL or legacy JSON (`jsonl` says which, from the file name).
 * @returns undefined when a legacy chat is not a JSON object with `messages` (Gemini would delete it).
 */
export function readGeminiChat(bytes: Buffer, jsonl: boolean): GeminiChat | undefined {
  if (jsonl) return readGeminiJsonlChat(bytes);
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isObj(v) || !Array.isArray(v.messages)) return undefined;
  const { messages, ...meta } = v;
  const out: GeminiMessage[] = [];
  for (const m of messages as unknown[]) if (isObj(m) && typeof m.id === "string") out.push({ id: m.id, record: m });
  return { meta, messages: out };
}

const CHAT_PATH = /^chats\/([^/]+\/)?[^/]+\.jsonl?$/;
const TIME_KEY = /"(?:timestamp|lastUpdated)"\s*:\s*"([^"\\]{1,64})"/g;

/**
 * The time (ms) of a chat's latest activity, from its last bytes (`Agent.activityTime`; `rel` is
 * below the slug folder): a JSONL chat's latest record `timestamp` (in the file's last bytes) or a `$set.lastUpdated`;
 * a `.json` chat's latest `timestamp`/`lastUpdated` value in the tail (its last message's
 * `timestamp` ends the file; `lastUpdated` opens it, in the tail only for a small chat).
 * Undefined for another file (`logs.json`) or when none is found. Pure.
 */
export function chatActivityTime(rel: string, tail: Buffer, whole: boolean): number | undefined {
  if (!CHAT_PATH.test(rel)) return undefined;
  if (rel.endsWith(".jsonl"))
    return latestRecordTime(tail, whole, (r) => {
      const set = isObj(r.$set) ? r.$set.lastUpdated : undefined;
      const t = typeof set === "string" ? set : r.timestamp;
      return typeof t === "string" ? t : undefined;
    });
  let best: number | undefined;
  for (const m of tail.toString("utf8").matchAll(TIME_KEY)) {
    const t = Date.parse(m[1]!);
    if (!Number.isNaN(t) && (best === undefined || t > best)) best = t;
  }
  return best;
}
