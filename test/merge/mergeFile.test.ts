import { describe, expect, it } from "vitest";
import { hasConflictMarkers, mergeFile, mergeJsonNewer, mergeStrategy } from "../../src/merge/index.js";

const b = (s: string): Buffer => Buffer.from(s, "utf8");

describe("mergeFile: strategy by path", () => {
  it.each([
    ["-home-me-proj/abc.jsonl", "jsonl"],
    ["-home-me-proj/abc/subagents/agent-1.jsonl", "jsonl"],
    ["context/-x/abc.jsonl", "jsonl"],
    ["context/-x/memory/MEMORY.md", "memory-index"],
    ["-home-me-proj/memory/MEMORY.md", "memory-index"],
    ["-home-me-proj/memory/project_build.md", "memory-topic"],
    ["roster.json", "roster"],
    ["-home-me-proj/abc/subagents/agent-1.meta.json", "json"],
    ["-home-me-proj/abc/tool-results/x.txt", "text"],
    ["-home-me-proj/notes/MEMORY.md", "text"],
    ["README.md", "text"],
  ] as const)("%s → %s", (p, want) => {
    expect(mergeStrategy(p)).toBe(want);
  });

  const base = b('{"timestamp":"2025-01-01T00:00:00Z","n":0}\n');
  const ours = b('{"timestamp":"2025-01-01T00:00:00Z","n":0}\n{"timestamp":"2025-01-01T00:00:02Z","n":2}\n');
  const theirs = b('{"timestamp":"2025-01-01T00:00:00Z","n":0}\n{"timestamp":"2025-01-01T00:00:01Z","n":1}\n');

  it("a transcript is unioned, never conflicted, whatever the side", () => {
    const r = mergeFile("-k/s.jsonl", base, ours, theirs);
    expect(r.conflict).toBe(false);
    expect(r.merged.toString()).toBe(base.toString() + theirs.toString().split("\n")[1] + "\n" + ours.toString().split("\n")[1] + "\n");
    expect(mergeFile("-k/s.jsonl", base, theirs, ours).merged.equals(r.merged)).toBe(true);
  });

  it("the same edit on a plain text file conflicts with markers of %L, a transcript never does", () => {
    const o = b("a\n");
    const x = b("x\n");
    const y = b("y\n");
    const t = mergeFile("-k/tool-results/t.txt", o, x, y, { markerSize: 8 });
    expect(t.conflict).toBe(true);
    expect(hasConflictMarkers(t.merged, 8)).toBe(true);
    const j = mergeFile("-k/s.jsonl", o, x, y);
    expect(j.conflict).toBe(false);
    expect(j.merged.toString()).toBe("x\ny\n");
    expect(j.notes.length).toBe(2);
    const m = mergeFile("-k/memory/MEMORY.md", o, x, y);
    expect(m.conflict).toBe(false);
    expect(m.merged.toString()).toBe("x\ny\n");
    const topic = mergeFile("-k/memory/topic.md", o, x, y);
    expect(topic.conflict).toBe(true);
  });
});

describe("other JSON: the newer side wins, reported", () => {
  const o = b('{\n  "lastUpdated": "2025-01-01T00:00:00Z",\n  "messages": []\n}\n');
  const newer = b('{\n  "lastUpdated": "2025-01-03T00:00:00Z",\n  "messages": ["n"]\n}\n');
  const older = b('{\n  "lastUpdated": "2025-01-02T00:00:00Z",\n  "messages": ["o", "longer"]\n}\n');

  it("picks the later time hint on either side and says which", () => {
    const r = mergeFile("-k/x.json", o, older, newer);
    expect(r.merged.equals(newer)).toBe(true);
    expect(r.conflict).toBe(false);
    expect(r.notes[0]).toMatch(/kept theirs \(newer by lastUpdated 2025-01-03/);
    expect(mergeFile("-k/x.json", o, newer, older).merged.equals(newer)).toBe(true);
  });

  it("without hints picks symmetrically (longer, then greater bytes)", () => {
    const x = b('{"a":1}\n');
    const y = b('{"a":22}\n');
    const z = b('{"a":3}\n');
    expect(mergeJsonNewer(b("{}\n"), x, y).merged.equals(y)).toBe(true);
    expect(mergeJsonNewer(b("{}\n"), y, x).merged.equals(y)).toBe(true);
    expect(mergeJsonNewer(b("{}\n"), x, z).merged.equals(mergeJsonNewer(b("{}\n"), z, x).merged)).toBe(true);
  });

  it("keeps both sides' edits when a line merge is clean and still JSON", () => {
    const base = b('{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n');
    const r = mergeJsonNewer(base, b('{\n  "a": 10,\n  "b": 2,\n  "c": 3\n}\n'), b('{\n  "a": 1,\n  "b": 2,\n  "c": 30\n}\n'));
    expect(JSON.parse(r.merged.toString())).toEqual({ a: 10, b: 2, c: 30 });
  });

  it("one side unchanged gives the other side", () => {
    expect(mergeFile("-k/x.json", o, o, newer).merged.equals(newer)).toBe(true);
    expect(mergeFile("-k/x.json", o, older, o).merged.equals(older)).toBe(true);
  });
});

describe("mergeFile never throws and the unions are symmetric, for any bytes", () => {
  it("property", async () => {
    const fc = (await import("fast-check")).default;
    const { NUM_RUNS } = await import("../helpers/env.js");
    const bytes = fc.uint8Array({ maxLength: 30 }).map((u) => Buffer.from(u));
    const paths = fc.constantFrom("-k/s.jsonl", "-k/memory/MEMORY.md", "-k/memory/t.md", "roster.json", "-k/a.meta.json", "-k/x.txt");
    fc.assert(
      fc.property(paths, bytes, bytes, bytes, fc.integer({ min: 3, max: 12 }), (p, o, a, b, markerSize) => {
        const r = mergeFile(p, o, a, b, { markerSize });
        expect(Buffer.isBuffer(r.merged)).toBe(true);
        if (["jsonl", "memory-index", "json"].includes(mergeStrategy(p))) {
          expect(mergeFile(p, o, b, a, { markerSize }).merged.equals(r.merged)).toBe(true);
          expect(r.conflict).toBe(false);
        }
        if (r.conflict) expect(hasConflictMarkers(r.merged, markerSize)).toBe(true);
      }),
      { numRuns: Math.min(NUM_RUNS, 5000) },
    );
  });
});

describe("other JSON: symmetric on pretty-printed objects", () => {
  it("property: mergeJsonNewer(O,A,B) == mergeJsonNewer(O,B,A), and the result is one side or a valid JSON line merge", async () => {
    const fc = (await import("fast-check")).default;
    const { NUM_RUNS } = await import("../helpers/env.js");
    const obj = fc.dictionary(fc.constantFrom("a", "b", "c", "d", "lastUpdated"), fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom("2025-01-01", "2025-01-02")), {
      maxKeys: 5,
    });
    const f = (o: object): Buffer => Buffer.from(JSON.stringify(o, null, 2) + "\n");
    fc.assert(
      fc.property(obj, obj, obj, (o, a, b) => {
        const r = mergeJsonNewer(f(o), f(a), f(b));
        expect(r.merged.equals(mergeJsonNewer(f(o), f(b), f(a)).merged)).toBe(true);
        expect(() => JSON.parse(r.merged.toString())).not.toThrow();
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
