import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeFile, mergeGeminiChatJson, mergeGeminiJsonl, mergeGeminiLogs, mergeJsonl, mergeStrategy, readGeminiJsonl } from "../../src/merge/index.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 12, scope 3: Gemini CLI's chats and prompt log merge into files that Gemini reads as the
 * union of both sides (the reader rules of src/merge/gemini.ts, taken from Gemini CLI 0.61.0).
 */

const params = { numRuns: Math.max(300, Math.floor(NUM_RUNS / 5)) };
const IDS = ["m1", "m2", "m3", "m4", "m5", "m6"];

const head = JSON.stringify({ sessionId: "s-1", projectHash: "{{CC_ENCODED_DIR}}", startTime: "2026-01-01T00:00:00.000Z", kind: "main" });
const message = fc
  .record({
    id: fc.constantFrom(...IDS),
    t: fc.integer({ min: 0, max: 59 }),
    type: fc.constantFrom("user", "gemini", "info"),
    text: fc.constantFrom("hi", "read {{CC_PROJECT_ROOT}}/a.ts", "done", ""),
  })
  .map((m) => JSON.stringify({ id: m.id, timestamp: `2026-01-01T00:00:${String(m.t).padStart(2, "0")}.000Z`, type: m.type, content: m.text }));
const record = fc.oneof(
  { weight: 6, arbitrary: message },
  { weight: 1, arbitrary: fc.constantFrom(...IDS, "nope").map((id) => JSON.stringify({ $rewindTo: id })) },
  { weight: 1, arbitrary: fc.constantFrom("a", "b").map((s) => JSON.stringify({ $set: { summary: s, lastUpdated: `2026-01-0${s === "a" ? 2 : 3}` } })) },
  { weight: 1, arbitrary: fc.array(message, { maxLength: 2 }).map((ms) => JSON.stringify({ $set: { messages: ms.map((m) => JSON.parse(m)) } })) },
);
const file = (ls: string[]) => Buffer.from(ls.map((l) => `${l}\n`).join(""));
/** A base chat and two sides that each append records to it. */
const chats = fc.tuple(fc.array(record, { maxLength: 5 }), fc.array(record, { maxLength: 5 }), fc.array(record, { maxLength: 5 })).map(([b, x, y]) => {
  const base = [head, ...b];
  return { base: file(base), ours: file([...base, ...x]), theirs: file([...base, ...y]) };
});

describe("mergeGeminiJsonl (any base and two appended sides, rewinds and $set included)", () => {
  it("Gemini reads every message either side reads; every line of both sides stays; symmetric; a side merged with itself is itself", () => {
    fc.assert(
      fc.property(chats, ({ base, ours, theirs }) => {
        const r = mergeGeminiJsonl(base, ours, theirs);
        const got = new Set(readGeminiJsonl(r.merged).map((m) => m.id));
        for (const m of [...readGeminiJsonl(ours), ...readGeminiJsonl(theirs)]) expect(got.has(m.id), `${m.id} read from a side, not from the merge`).toBe(true);
        const mergedLines = new Set(r.merged.toString().split("\n"));
        for (const l of [...ours.toString().split("\n"), ...theirs.toString().split("\n")]) expect(mergedLines.has(l)).toBe(true);
        expect(mergeGeminiJsonl(base, theirs, ours).merged.equals(r.merged)).toBe(true);
        expect(mergeGeminiJsonl(base, ours, ours).merged.equals(ours)).toBe(true);
        // every line parses: a file Gemini would not call corrupt
        for (const l of r.merged.toString().split("\n").filter(Boolean)) expect(() => JSON.parse(l)).not.toThrow();
      }),
      params,
    );
  });

  it("example: a rewind on one side does not remove the other side's new messages (the plain line union did)", () => {
    const m = (id: string, s: number) => JSON.stringify({ id, timestamp: `2026-01-01T00:00:0${s}.000Z`, type: "user", content: id });
    const base = file([head, m("a", 1), m("b", 2)]);
    const ours = file([head, m("a", 1), m("b", 2), m("d", 3), m("e", 5), JSON.stringify({ $rewindTo: "d" }), m("f", 6)]);
    const theirs = file([head, m("a", 1), m("b", 2), m("c", 4)]);
    // the time-ordered line union puts c between d and the rewind: Gemini would drop c
    expect(readGeminiJsonl(mergeJsonl(base, ours, theirs).merged).map((x) => x.id)).not.toContain("c");
    const r = mergeGeminiJsonl(base, ours, theirs);
    expect(
      readGeminiJsonl(r.merged)
        .map((x) => x.id)
        .sort(),
    ).toEqual(["a", "b", "c", "f"]);
    expect(r.notes.join("\n")).toMatch(/rewound/);
  });
});

const chatJson = fc
  .tuple(
    fc.array(fc.constantFrom(...IDS), { maxLength: 4 }),
    fc.array(fc.constantFrom(...IDS), { maxLength: 4 }),
    fc.array(fc.constantFrom(...IDS), { maxLength: 4 }),
    fc.boolean(),
  )
  .map(([b, x, y, edit]) => {
    const msg = (id: string, v = "") => ({ id, timestamp: `2026-01-01T00:00:0${IDS.indexOf(id)}.000Z`, type: "user", content: `${id}${v}` });
    const doc = (ids: string[], updated: string, v = "") => ({
      sessionId: "s",
      projectHash: "{{CC_ENCODED_DIR}}",
      startTime: "2026-01-01T00:00:00.000Z",
      lastUpdated: updated,
      messages: [...new Set(ids)].map((i) => msg(i, v)),
    });
    const enc = (d: unknown) => Buffer.from(JSON.stringify(d, null, 2));
    return { base: enc(doc(b, "1")), ours: enc(doc([...b, ...x], "2", edit ? "!" : "")), theirs: enc(doc([...b, ...y], "3")) };
  });

describe("mergeGeminiChatJson (legacy .json chats)", () => {
  it("keeps every message id of both sides once, parses, is symmetric, never writes conflict markers", () => {
    fc.assert(
      fc.property(chatJson, ({ base, ours, theirs }) => {
        const r = mergeGeminiChatJson(base, ours, theirs);
        const doc = JSON.parse(r.merged.toString()) as { messages: { id: string }[]; lastUpdated: string; sessionId: string };
        const ids = doc.messages.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const side of [ours, theirs]) for (const m of (JSON.parse(side.toString()) as { messages: { id: string }[] }).messages) expect(ids).toContain(m.id);
        expect(doc.lastUpdated).toBe("3");
        expect(doc.sessionId).toBe("s");
        expect(mergeGeminiChatJson(base, theirs, ours).merged.equals(r.merged)).toBe(true);
        expect(r.merged.toString()).not.toMatch(/^<<<<<<<|^>>>>>>>/m);
      }),
      params,
    );
  });

  it("a side that is not a chat object (Gemini would delete it): the side that is one, whole, either way round, reported", () => {
    const ok = Buffer.from(JSON.stringify({ sessionId: "s", lastUpdated: "2026-01-02", messages: [{ id: "a" }] }, null, 2));
    for (const bad of [Buffer.from("{not json"), Buffer.from('{"sessionId":"s","lastUpdated":"2099-01-01"}')]) {
      for (const [o, t] of [
        [ok, bad],
        [bad, ok],
      ] as const) {
        const r = mergeGeminiChatJson(Buffer.alloc(0), o, t);
        expect(r.merged.equals(ok)).toBe(true);
        expect(r.notes.join("\n")).toMatch(/not a Gemini chat object/);
      }
    }
  });
});

describe("mergeGeminiLogs (logs.json)", () => {
  it("is the union by (sessionId, messageId), symmetric", () => {
    const entry = fc
      .record({ s: fc.constantFrom("s1", "s2"), n: fc.integer({ min: 0, max: 4 }) })
      .map((e) => ({ sessionId: e.s, messageId: e.n, type: "user", message: `${e.s}/${e.n}`, timestamp: `2026-01-01T00:00:0${e.n}.000Z` }));
    const uniq = (es: { sessionId: string; messageId: number }[]) => [...new Map(es.map((e) => [`${e.sessionId}/${e.messageId}`, e])).values()];
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), fc.array(entry, { maxLength: 4 }), fc.array(entry, { maxLength: 4 }), (b, x, y) => {
        const enc = (es: unknown[]) => Buffer.from(JSON.stringify(es, null, 2));
        const base = uniq(b);
        const ours = enc(uniq([...base, ...x]));
        const theirs = enc(uniq([...base, ...y]));
        const r = mergeGeminiLogs(enc(base), ours, theirs);
        const keys = (JSON.parse(r.merged.toString()) as { sessionId: string; messageId: number }[]).map((e) => `${e.sessionId}/${e.messageId}`);
        const want = new Set([...uniq([...base, ...x]), ...uniq([...base, ...y])].map((e) => `${e.sessionId}/${e.messageId}`));
        expect(new Set(keys)).toEqual(want);
        expect(keys.length).toBe(want.size);
        expect(mergeGeminiLogs(enc(base), theirs, ours).merged.equals(r.merged)).toBe(true);
      }),
      params,
    );
  });
});

describe("mergeStrategy for Gemini CLI's files", () => {
  it("chooses by the chats/ folder and logs.json, in view and cluster paths alike; Claude Code and Codex paths keep theirs", () => {
    expect(mergeStrategy("gemini/chats/session-2026-01-01T00-00-abcd1234.jsonl")).toBe("gemini-jsonl");
    expect(mergeStrategy("my-proj/chats/session-2026-01-01T00-00-abcd1234.json")).toBe("gemini-chat");
    expect(mergeStrategy("my-proj/chats/0f0501ed/sub.json")).toBe("gemini-chat");
    expect(mergeStrategy("gemini/logs.json")).toBe("gemini-logs");
    expect(mergeStrategy("context/0f0501ed.jsonl")).toBe("jsonl");
    expect(mergeStrategy("codex/2026/01/01/rollout-x.jsonl")).toBe("jsonl");
    expect(mergeStrategy("-home-me-proj/settings.json")).toBe("json");
    const r = mergeFile(
      "p/chats/session-x.json",
      Buffer.alloc(0),
      Buffer.from('{"sessionId":"s","messages":[{"id":"a"}]}'),
      Buffer.from('{"sessionId":"s","messages":[{"id":"b"}]}'),
    );
    expect(JSON.parse(r.merged.toString()).messages.map((m: { id: string }) => m.id)).toEqual(["a", "b"]);
  });
});
