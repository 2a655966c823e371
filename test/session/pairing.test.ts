import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerEveryCall, emptyMessage, NO_RESULT, orphanText, type CanonicalMessage } from "../../src/agents/session.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 13, scope 3: `answerEveryCall` arranges any session's messages as the target APIs demand
 * (each call answered right after it). Properties over random sessions whose results may come late,
 * twice, before their call, or for calls the session does not have.
 */

const ids = fc.constantFrom("a", "b", "c", "d", "e");
const message: fc.Arbitrary<CanonicalMessage> = fc
  .record({
    role: fc.constantFrom<"user" | "assistant">("user", "assistant"),
    text: fc.array(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 2 }),
    calls: fc.array(ids, { maxLength: 2 }),
    results: fc.array(fc.record({ id: ids, out: fc.string({ maxLength: 3 }), err: fc.boolean() }), { maxLength: 2 }),
  })
  .map(({ role, text, calls, results }) => ({
    ...emptyMessage(role),
    text,
    // the readers put calls on assistant messages and results on user messages
    toolCalls: role === "assistant" ? calls.map((id) => ({ id, name: "t", input: {} })) : [],
    toolResults: role === "user" ? results.map((r) => ({ callId: r.id, output: r.out, isError: r.err })) : [],
  }));

describe("answerEveryCall", () => {
  it("answers each call right after its message, in call order, with its first result or an error result; moves no text; other results become text where they were", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 10 }), (src) => {
        const copy = structuredClone(src);
        const { messages: out, unanswered, orphans } = answerEveryCall(src);
        expect(src).toEqual(copy); // pure
        const called = new Set(src.flatMap((m) => m.toolCalls.map((c) => c.id)));
        const first = new Map<string, { output: string; isError: boolean }>();
        for (const m of src) for (const r of m.toolResults) if (called.has(r.callId) && !first.has(r.callId)) first.set(r.callId, r);
        let wantUnanswered = 0;
        out.forEach((m, i) => {
          if (m.role === "assistant") {
            expect(m.toolResults).toEqual([]);
            if (!m.toolCalls.length) return;
            const next = out[i + 1]!;
            expect(next.role).toBe("user");
            expect(next.toolResults.map((r) => r.callId)).toEqual(m.toolCalls.map((c) => c.id));
            next.toolResults.forEach((r) => {
              const f = first.get(r.callId);
              if (!f) wantUnanswered++;
              expect({ output: r.output, isError: r.isError }).toEqual(f ? { output: f.output, isError: f.isError } : { output: NO_RESULT, isError: true });
            });
          } else if (!(i > 0 && out[i - 1]!.role === "assistant" && out[i - 1]!.toolCalls.length)) expect(m.toolResults).toEqual([]);
        });
        expect(unanswered).toBe(wantUnanswered);
        // the texts, in order, with each result that is not a call's first as text where it was
        const texts = (ms: readonly CanonicalMessage[]) => ms.flatMap((m) => m.text.map((t) => `${m.role}:${t}`));
        const firstSeen = new Set<string>();
        const want = src.flatMap((m) => {
          const extra = m.toolResults.filter((r) => {
            const isFirst = called.has(r.callId) && !firstSeen.has(r.callId);
            if (isFirst) firstSeen.add(r.callId);
            return !isFirst;
          });
          return [...extra.map((r) => `user:${orphanText(r)}`), ...m.text.map((t) => `${m.role}:${t}`)];
        });
        expect(texts(out)).toEqual(want);
        expect(orphans).toBe(want.length - texts(src).length);
        // every call is kept, in order
        expect(out.flatMap((m) => m.toolCalls)).toEqual(src.flatMap((m) => m.toolCalls));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
