import { isDeepStrictEqual } from "node:util";
import { readGeminiJsonl, type GeminiMessage } from "../agents/index.js";
import { mergeJsonNewer } from "./json.js";
import { mergeJsonl } from "./jsonl.js";
import { commonPrefixLength } from "./lines.js";

/**
 * Merges of Gemini CLI's project files (FORMATS.md, "Gemini CLI"; the reader rules are those of
 * `loadConversationRecord` in `@google/gemini-cli` 0.61.0, read by src/agents/gemini/chat.ts).
 * Inputs and outputs are canonical bytes.
 *
 * A JSONL chat is read by Gemini as a replay: a record with an `id` sets that message (a later
 * record with the same `id` replaces it in place), `{"$rewindTo": id}` removes that message and
 * every later one (an unknown id removes every message), `{"$set": {…}}` updates the metadata and,
 * with `messages`, replaces every message. So the line union that serves Claude Code and Codex can
 * lose messages here: a rewind placed after the other side's new records removes them. The rule:
 * the union of lines (every line of both sides kept), arranged so that Gemini reads every message
 * either side reads; when no arrangement does, one `$set` record naming the union is appended.
 */

type Rec = Record<string, unknown>;

const isObj = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);

/** Splits bytes into lines (without `\n`), dropping a last empty piece. */
function lines(b: Buffer): string[] {
  const s = b.toString("utf8");
  const ls = s.split("\n");
  if (ls.length && ls[ls.length - 1] === "") ls.pop();
  return ls;
}

/** Whether a line replaces messages other than its own (`$rewindTo`, `$set.messages`). */
function destructive(line: string): boolean {
  if (!line.includes('"$rewindTo"') && !(line.includes('"$set"') && line.includes('"messages"'))) return false;
  try {
    const r = JSON.parse(line) as unknown;
    return isObj(r) && (typeof r.$rewindTo === "string" || (isObj(r.$set) && Array.isArray(r.$set.messages)));
  } catch {
    return false;
  }
}

/** Whether every message either side reads is read from `merged`. */
function readsUnion(merged: Buffer, ours: GeminiMessage[], theirs: GeminiMessage[]): boolean {
  const got = new Set(readGeminiJsonl(merged).map((m) => m.id));
  return [...ours, ...theirs].every((m) => got.has(m.id));
}

const ts = (m: GeminiMessage) => (typeof m.record.timestamp === "string" ? m.record.timestamp : "");
const byTimeThenText = (a: GeminiMessage, b: GeminiMessage): number => {
  const t = ts(a).localeCompare(ts(b));
  if (t) return t;
  const x = JSON.stringify(a.record);
  const y = JSON.stringify(b.record);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Result of a Gemini merge. */
export interface GeminiMergeResult {
  merged: Buffer;
  /** Reports for the log (an arrangement chosen, a `$set` added, a fallback taken). */
  notes: string[];
}

/**
 * Merges two versions of a Gemini CLI JSONL chat (`chats/session-….jsonl`, subagent chats).
 * Every line of both sides stays (the line union of {@link mergeJsonl}); Gemini's reading of the
 * result holds every message either side's reading holds. Tried in order, the first that reads as
 * that union is taken: the time-ordered union; the lines both sides share, then the side whose new
 * lines rewind or replace messages, then the other (sides alike: the smaller new text first);
 * failing both (both sides rewound), the time-ordered union plus one `{"$set":{"messages":[…]}}`
 * record listing the union (messages in the union's reading, then the missing ones by timestamp,
 * then text). Symmetric in `ours`/`theirs` (same bytes); `mergeGeminiJsonl(o, a, a)` is `a`.
 * Pure; never throws.
 */
export function mergeGeminiJsonl(base: Buffer, ours: Buffer, theirs: Buffer): GeminiMergeResult {
  const union = mergeJsonl(base, ours, theirs);
  if (ours.equals(theirs)) return { merged: union.merged, notes: union.nonAppend };
  // the lines both sides share (whole lines of the common byte prefix), then each side's own
  const p = commonPrefixLength(ours, theirs);
  // (a negative offset would make lastIndexOf search from the end)
  const sharedBytes = p === ours.length && p === theirs.length ? p : p === 0 ? 0 : ours.lastIndexOf(10, p - 1) + 1;
  const to = lines(ours.subarray(sharedBytes));
  const tt = lines(theirs.subarray(sharedBytes));
  const mayDestroy = (b: Buffer) => b.includes('"$rewindTo"') || (b.includes('"$set"') && b.includes('"messages"'));
  const dO = mayDestroy(ours.subarray(sharedBytes)) && to.some(destructive);
  const dT = mayDestroy(theirs.subarray(sharedBytes)) && tt.some(destructive);
  // Without a rewind or a messages $set in the new lines, the union (the shared lines first,
  // then only records that set messages) reads as both sides: the common case, no replay needed.
  if (!dO && !dT && union.merged.subarray(0, sharedBytes).equals(ours.subarray(0, sharedBytes))) return { merged: union.merged, notes: union.nonAppend };
  const ro = readGeminiJsonl(ours);
  const rt = readGeminiJsonl(theirs);
  if (readsUnion(union.merged, ro, rt)) return { merged: union.merged, notes: union.nonAppend };
  const textO = to.join("\n");
  const textT = tt.join("\n");
  const oFirst = dO !== dT ? dO : textO <= textT;
  const arranged = oFirst ? [...to, ...tt] : [...tt, ...to];
  const block = Buffer.concat([ours.subarray(0, sharedBytes), Buffer.from(arranged.length ? `${arranged.join("\n")}\n` : "")]);
  if (readsUnion(block, ro, rt)) {
    return {
      merged: block,
      notes: [...union.nonAppend, "a side rewound its chat: its new lines are kept together, before the other side's, so Gemini CLI reads both sides' messages"],
    };
  }
  const read = readGeminiJsonl(union.merged);
  const have = new Set(read.map((m) => m.id));
  const missing = new Map<string, GeminiMessage>();
  for (const m of [...ro, ...rt]) {
    if (have.has(m.id)) continue;
    const prev = missing.get(m.id);
    if (!prev || byTimeThenText(prev, m) < 0) missing.set(m.id, m);
  }
  const all = [...read, ...[...missing.values()].sort(byTimeThenText)];
  const body = union.merged.length && union.merged[union.merged.length - 1] !== 10 ? Buffer.concat([union.merged, Buffer.from("\n")]) : union.merged;
  const set = `${JSON.stringify({ $set: { messages: all.map((m) => m.record) } })}\n`;
  return {
    merged: Buffer.concat([body, Buffer.from(set)]),
    notes: [...union.nonAppend, `both sides rewound their chat: a $set record lists the ${all.length} messages of both, so Gemini CLI reads every one`],
  };
}

/** Serializes as Gemini CLI writes its JSON files (`JSON.stringify(v, null, 2)`, no final newline unless a side had one). */
function geminiJson(v: unknown, a: Buffer, b: Buffer): Buffer {
  const ends = (x: Buffer) => x.length > 0 && x[x.length - 1] === 10;
  return Buffer.from(`${JSON.stringify(v, null, 2)}${ends(a) || ends(b) ? "\n" : ""}`);
}

/** The bytes for `merged`: a side's own bytes when it reads the same (the smaller bytes when both do, so the choice is symmetric), else Gemini's serialization. */
function settle(merged: unknown, o: unknown, t: unknown, ours: Buffer, theirs: Buffer): Buffer {
  const eo = isDeepStrictEqual(merged, o);
  const et = isDeepStrictEqual(merged, t);
  if (eo && et) return Buffer.compare(ours, theirs) <= 0 ? ours : theirs;
  if (eo) return ours;
  if (et) return theirs;
  return geminiJson(merged, ours, theirs);
}

function parseObj(b: Buffer): Rec | undefined {
  try {
    const v = JSON.parse(b.toString("utf8")) as unknown;
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The one of two values to keep when both sides changed a field: the changed one, else the larger text (symmetric). */
function pick(base: unknown, a: unknown, b: unknown): unknown {
  if (isDeepStrictEqual(a, b)) return a;
  if (isDeepStrictEqual(a, base)) return b;
  if (isDeepStrictEqual(b, base)) return a;
  const x = JSON.stringify(a) ?? "";
  const y = JSON.stringify(b) ?? "";
  return x.length !== y.length ? (x.length > y.length ? a : b) : x > y ? a : b;
}

/**
 * Merges two versions of a legacy Gemini CLI chat (`chats/session-….json`, one object rewritten
 * whole): `messages` by `id` — the ids both sides hold in the same order first, then the others by
 * timestamp, then id; a message both sides changed keeps the fuller version (longer JSON, then
 * larger text) — `startTime` the earliest, `lastUpdated` the latest, every other field the side that
 * changed it (both: the fuller). Symmetric, never conflict markers; the result is written as Gemini
 * writes it (2-space JSON). When one side does not parse as a chat object (Gemini would delete
 * such a file), the other is kept whole; when neither does, {@link mergeJsonNewer} decides; both
 * are reported. Pure; never throws.
 */
export function mergeGeminiChatJson(base: Buffer, ours: Buffer, theirs: Buffer): GeminiMergeResult {
  if (ours.equals(theirs)) return { merged: ours, notes: [] };
  const o = parseObj(ours);
  const t = parseObj(theirs);
  const chatO = !!o && Array.isArray(o.messages);
  const chatT = !!t && Array.isArray(t.messages);
  if (chatO !== chatT) {
    // Gemini CLI deletes a chat it cannot read: the side that is one is kept (the other stays in its commit)
    return {
      merged: chatO ? ours : theirs,
      notes: [`${chatO ? "theirs" : "ours"} is not a Gemini chat object: the side that is one is kept whole (the other stays in git's history)`],
    };
  }
  if (!o || !t || !Array.isArray(o.messages) || !Array.isArray(t.messages)) {
    const r = mergeJsonNewer(base, ours, theirs);
    return { merged: r.merged, notes: ["neither side is a Gemini chat object: the newer file is kept whole", ...r.notes] };
  }
  const b = parseObj(base) ?? {};
  const bm = new Map<string, unknown>();
  if (Array.isArray(b.messages)) for (const m of b.messages) if (isObj(m) && typeof m.id === "string") bm.set(m.id, m);
  const idOf = (m: unknown, i: number) => (isObj(m) && typeof m.id === "string" ? m.id : `\0${i}:${JSON.stringify(m)}`);
  const om = new Map(o.messages.map((m, i) => [idOf(m, i), m] as const));
  const tm = new Map(t.messages.map((m, i) => [idOf(m, i), m] as const));
  const oIds = [...om.keys()];
  const tIds = [...tm.keys()];
  let shared = 0;
  while (shared < oIds.length && shared < tIds.length && oIds[shared] === tIds[shared]) shared++;
  const rest = [...new Set([...oIds.slice(shared), ...tIds.slice(shared)])];
  const time = (id: string) => {
    const m = om.get(id) ?? tm.get(id);
    return isObj(m) && typeof m.timestamp === "string" ? m.timestamp : "";
  };
  rest.sort((x, y) => time(x).localeCompare(time(y)) || (x < y ? -1 : x > y ? 1 : 0));
  const messages = [...oIds.slice(0, shared), ...rest].map((id) => (om.has(id) && tm.has(id) ? pick(bm.get(id), om.get(id), tm.get(id)) : (om.get(id) ?? tm.get(id))));
  const merged: Rec = {};
  for (const k of new Set([...Object.keys(o), ...Object.keys(t)])) {
    if (k === "messages") merged[k] = messages;
    else if (!(k in o)) merged[k] = t[k];
    else if (!(k in t)) merged[k] = o[k];
    else if (k === "startTime" && typeof o[k] === "string" && typeof t[k] === "string") merged[k] = (o[k] as string) <= (t[k] as string) ? o[k] : t[k];
    else if (k === "lastUpdated" && typeof o[k] === "string" && typeof t[k] === "string") merged[k] = (o[k] as string) >= (t[k] as string) ? o[k] : t[k];
    else merged[k] = pick(b[k], o[k], t[k]);
  }
  return { merged: settle(merged, o, t, ours, theirs), notes: [] };
}

/**
 * Merges two versions of Gemini CLI's prompt log (`logs.json`: an array of
 * `{sessionId, messageId, type, message, timestamp}`): the union by `(sessionId, messageId)` —
 * the entries both sides hold in the same order first, then the others by timestamp, then key; an
 * entry both sides changed keeps the fuller one. Symmetric; a side that is not an array: the
 * other side whole (neither: the newer file), reported. Pure; never throws.
 */
export function mergeGeminiLogs(base: Buffer, ours: Buffer, theirs: Buffer): GeminiMergeResult {
  if (ours.equals(theirs)) return { merged: ours, notes: [] };
  const parse = (x: Buffer): unknown[] | undefined => {
    try {
      const v = JSON.parse(x.toString("utf8")) as unknown;
      return Array.isArray(v) ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const o = parse(ours);
  const t = parse(theirs);
  if (!o !== !t) return { merged: o ? ours : theirs, notes: [`${o ? "theirs" : "ours"} of logs.json is not an array: the side that is one is kept whole`] };
  if (!o || !t) {
    const r = mergeJsonNewer(base, ours, theirs);
    return { merged: r.merged, notes: ["neither side of logs.json is an array: the newer file is kept whole", ...r.notes] };
  }
  const keyOf = (e: unknown, i: number) => (isObj(e) && "sessionId" in e && "messageId" in e ? JSON.stringify([e.sessionId, e.messageId]) : `\0${i}:${JSON.stringify(e)}`);
  const om = new Map(o.map((e, i) => [keyOf(e, i), e] as const));
  const tm = new Map(t.map((e, i) => [keyOf(e, i), e] as const));
  const bm = new Map((parse(base) ?? []).map((e, i) => [keyOf(e, i), e] as const));
  const oK = [...om.keys()];
  const tK = [...tm.keys()];
  let shared = 0;
  while (shared < oK.length && shared < tK.length && oK[shared] === tK[shared]) shared++;
  const time = (k: string) => {
    const e = om.get(k) ?? tm.get(k);
    return isObj(e) && typeof e.timestamp === "string" ? e.timestamp : "";
  };
  const rest = [...new Set([...oK.slice(shared), ...tK.slice(shared)])].sort((x, y) => time(x).localeCompare(time(y)) || (x < y ? -1 : x > y ? 1 : 0));
  const merged = [...oK.slice(0, shared), ...rest].map((k) => (om.has(k) && tm.has(k) ? pick(bm.get(k), om.get(k), tm.get(k)) : (om.get(k) ?? tm.get(k))));
  return { merged: settle(merged, o, t, ours, theirs), notes: [] };
}
