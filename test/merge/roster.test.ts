import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeFile, mergeRosterFile } from "../../src/merge/index.js";
import { parseRoster, serializeRoster, type Participant, type Roster } from "../../src/roster/schema.js";
import { NUM_RUNS } from "../helpers/env.js";

const P = (id: string, at: string | null, extra: Record<string, unknown> = {}): Participant => ({
  machine_id: id,
  os: "linux",
  home: `/home/${id}`,
  project_root: `/home/${id}/proj`,
  encoded_dir: `-home-${id}-proj`,
  last_converged: at,
  ...extra,
});
const R = (ps: Participant[], extra: Record<string, unknown> = {}): Roster => ({ project_id: "acme", rewrite_home: true, participants: ps, ...extra });
const bytes = (r: Roster): Buffer => Buffer.from(serializeRoster(r));
const parse = (b: Buffer): Roster => parseRoster(b.toString("utf8"), "test");

describe("roster.json: merge per machine entry", () => {
  const base = R([P("a", "2025-01-01T00:00:00.000Z")]);

  it("keeps machines added on either side", () => {
    const ours = R([P("a", "2025-01-01T00:00:00.000Z"), P("b", "2025-01-02T00:00:00.000Z")]);
    const theirs = R([P("c", "2025-01-03T00:00:00.000Z"), P("a", "2025-01-01T00:00:00.000Z")]);
    const r = mergeRosterFile("roster.json", bytes(base), bytes(ours), bytes(theirs));
    expect(r.conflict).toBe(false);
    expect(parse(r.merged).participants.map((p) => p.machine_id)).toEqual(["a", "b", "c"]);
    expect(mergeRosterFile("roster.json", bytes(base), bytes(theirs), bytes(ours)).merged.equals(r.merged)).toBe(true);
  });

  it("for one machine changed on both sides, the later last_converged wins and the loser's unknown fields stay", () => {
    const ours = R([P("a", "2025-01-05T00:00:00.000Z", { home: "/home/new" })]);
    const theirs = R([P("a", "2025-01-03T00:00:00.000Z", { x_note: "kept" })]);
    const r = mergeRosterFile("roster.json", bytes(base), bytes(ours), bytes(theirs));
    const a = parse(r.merged).participants[0]!;
    expect(a.last_converged).toBe("2025-01-05T00:00:00.000Z");
    expect(a.home).toBe("/home/new");
    expect((a as Record<string, unknown>).x_note).toBe("kept");
    expect(r.notes.join()).toMatch(/machine 'a' changed on both sides/);
  });

  it("a machine never synced (last_converged null) loses to one that did", () => {
    const ours = R([P("a", null, { home: "/h1" })]);
    const theirs = R([P("a", "2025-01-01T00:00:01.000Z", { home: "/h2" })]);
    expect(parse(mergeRosterFile("roster.json", bytes(base), bytes(ours), bytes(theirs)).merged).participants[0]!.home).toBe("/h2");
  });

  it("keeps unknown top-level fields from both sides; a one-sided change wins", () => {
    const ours = R([P("a", "2025-01-01T00:00:00.000Z")], { x_ours: 1 });
    const theirs = R([P("a", "2025-01-01T00:00:00.000Z")], { rewrite_home: false, x_theirs: 2 });
    const m = parse(mergeRosterFile("roster.json", bytes(base), bytes(ours), bytes(theirs)).merged) as Record<string, unknown>;
    expect(m.x_ours).toBe(1);
    expect(m.x_theirs).toBe(2);
    expect(m.rewrite_home).toBe(false);
  });

  it("falls back to a diff3 text merge (with a note) when a side is not a valid roster", () => {
    const r = mergeRosterFile("roster.json", bytes(base), Buffer.from("{not json\n"), bytes(R([P("b", null)])));
    expect(r.notes[0]).toMatch(/roster not merged per machine: invalid roster.json/);
    expect(r.conflict).toBe(true);
  });

  it("is dispatched by mergeFile for roster.json", () => {
    const ours = R([P("a", "2025-01-01T00:00:00.000Z"), P("b", null)]);
    const theirs = R([P("a", "2025-01-01T00:00:00.000Z"), P("c", null)]);
    expect(parse(mergeFile("roster.json", bytes(base), bytes(ours), bytes(theirs)).merged).participants).toHaveLength(3);
  });

  it("property: symmetric, no machine lost, each machine's entry is one of its versions (plus kept fields)", () => {
    const ids = fc.constantFrom("a", "b", "c", "d");
    const time = fc.option(
      fc.integer({ min: 0, max: 3 }).map((d) => `2025-01-0${d + 1}T00:00:00.000Z`),
      { nil: null },
    );
    const part = fc.tuple(ids, time, fc.constantFrom("/h1", "/h2")).map(([id, t, h]) => P(id, t, { home: h }));
    const roster = fc.uniqueArray(part, { selector: (p) => p.machine_id, maxLength: 4 }).map((ps) => R(ps));
    fc.assert(
      fc.property(roster, roster, roster, (o, a, b) => {
        const r = mergeRosterFile("roster.json", bytes(o), bytes(a), bytes(b));
        expect(r.merged.equals(mergeRosterFile("roster.json", bytes(o), bytes(b), bytes(a)).merged)).toBe(true);
        const m = parse(r.merged);
        // one side unchanged: git's three-way rule takes the other side whole
        if (bytes(a).equals(bytes(o))) return void expect(r.merged.equals(bytes(b))).toBe(true);
        if (bytes(b).equals(bytes(o))) return void expect(r.merged.equals(bytes(a))).toBe(true);
        const ids = new Set([...a.participants, ...b.participants].map((p) => p.machine_id));
        expect(new Set(m.participants.map((p) => p.machine_id))).toEqual(ids);
        for (const p of m.participants) {
          const versions = [...a.participants, ...b.participants].filter((q) => q.machine_id === p.machine_id);
          expect(versions.some((q) => JSON.stringify(q) === JSON.stringify(p))).toBe(true);
          const latest = Math.max(...versions.map((q) => (q.last_converged ? Date.parse(q.last_converged) : -Infinity)));
          const bo = o.participants.find((q) => q.machine_id === p.machine_id);
          const oneSided = versions.length === 2 && bo && versions.some((q) => JSON.stringify(q) === JSON.stringify(bo));
          if (!oneSided) expect(p.last_converged ? Date.parse(p.last_converged) : -Infinity).toBe(latest);
        }
      }),
      { numRuns: Math.min(NUM_RUNS, 3000) },
    );
  });
});
