import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCtxError } from "../../src/errors.js";
import { InvalidRosterError, newRoster, parseRoster, serializeRoster, upsertParticipant, type Participant } from "../../src/roster/schema.js";
import { participantFor } from "../../src/roster/index.js";
import { NUM_RUNS } from "../helpers/env.js";

const alice: Participant = {
  machine_id: "alice-1",
  os: "linux",
  home: "/home/alice",
  project_root: "/home/alice/src/app",
  encoded_dir: "-home-alice-src-app",
  last_converged: "2026-01-02T03:04:05.000Z",
};
const bob: Participant = { ...alice, machine_id: "bob-2", os: "windows", home: "C:\\Users\\bob", project_root: "C:\\Users\\bob\\app", encoded_dir: "C--Users-bob-app" };

describe("roster schema", () => {
  it("parses a context-convergence style roster.json and keeps unknown fields at both levels", () => {
    const text = JSON.stringify({
      project_id: "github.com/acme/app",
      rewrite_home: false,
      schema_version: 3,
      participants: [{ ...alice, hostname: "alice-laptop", extra: { nested: [1, 2] } }],
    });
    const r = parseRoster(text, "project/github.com/acme/app:roster.json");
    expect(r.rewrite_home).toBe(false);
    expect((r as Record<string, unknown>).schema_version).toBe(3);
    expect((r.participants[0] as Record<string, unknown>).hostname).toBe("alice-laptop");
    const back = JSON.parse(serializeRoster(r));
    expect(back.schema_version).toBe(3);
    expect(back.participants[0].extra).toEqual({ nested: [1, 2] });
  });

  it("fills defaults for a minimal roster", () => {
    const r = parseRoster('{"project_id":"x","participants":[{"machine_id":"m","os":"darwin","home":"/Users/m","project_root":"/Users/m/x","encoded_dir":"-Users-m-x"}]}', "w");
    expect(r.rewrite_home).toBe(true);
    expect(r.participants[0]!.last_converged).toBeNull();
  });

  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["bad os", JSON.stringify({ project_id: "x", participants: [{ ...alice, os: "beos" }] }), /participants\.0\.os/],
    ["missing project_id", JSON.stringify({ participants: [] }), /project_id/],
    ["duplicate machine", JSON.stringify({ project_id: "x", participants: [alice, alice] }), /listed twice/],
  ])("rejects %s with InvalidRosterError naming where and the fix", (_n, text, re) => {
    let err: unknown;
    try {
      parseRoster(text, "project/acme:roster.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidRosterError);
    expect(isCtxError(err)).toBe(true);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).toContain("project/acme:roster.json");
    expect((err as Error).message).toMatch(/git ctx sync|git show/);
  });

  it("serialises stably: 2-space JSON, final newline, participants sorted by machine_id", () => {
    const r = upsertParticipant(upsertParticipant(newRoster("p"), bob), alice);
    const s = serializeRoster(r);
    expect(s.endsWith("}\n")).toBe(true);
    expect(s).toContain('\n  "project_id": "p"');
    expect(JSON.parse(s).participants.map((p: Participant) => p.machine_id)).toEqual(["alice-1", "bob-2"]);
    // insertion order does not matter
    expect(serializeRoster(upsertParticipant(upsertParticipant(newRoster("p"), alice), bob))).toBe(s);
    expect(serializeRoster(parseRoster(s, "w"))).toBe(s);
  });

  it("upsertParticipant replaces by machine_id, keeps the entry's unknown fields, and is pure", () => {
    const r0 = parseRoster(JSON.stringify({ project_id: "p", participants: [{ ...alice, note: "keep" }] }), "w");
    const before = JSON.stringify(r0);
    const r1 = upsertParticipant(r0, { ...alice, project_root: "/home/alice/app2" });
    expect(JSON.stringify(r0)).toBe(before);
    expect(r1.participants).toHaveLength(1);
    expect(r1.participants[0]!.project_root).toBe("/home/alice/app2");
    expect((r1.participants[0] as Record<string, unknown>).note).toBe("keep");
    expect(upsertParticipant(r1, bob).participants).toHaveLength(2);
  });

  it("participantFor builds this machine's entry", () => {
    const p = participantFor({ id: "m1", os: "windows", home: "C:\\Users\\me" }, "C:\\Users\\me\\app", "C--Users-me-app", new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(p).toEqual({
      machine_id: "m1",
      os: "windows",
      home: "C:\\Users\\me",
      project_root: "C:\\Users\\me\\app",
      encoded_dir: "C--Users-me-app",
      last_converged: "2026-01-02T03:04:05.000Z",
    });
  });

  it("property: parse(serialize(r)) == r up to participant order, for rosters with unknown fields", () => {
    const str = fc.string({ minLength: 1, maxLength: 12 });
    const part = fc.record({
      machine_id: str,
      os: fc.constantFrom("linux", "darwin", "windows") as fc.Arbitrary<"linux" | "darwin" | "windows">,
      home: str,
      project_root: str,
      encoded_dir: str,
      last_converged: fc.option(str, { nil: null }),
      zz_extra: fc.jsonValue(),
    });
    fc.assert(
      fc.property(str, fc.boolean(), fc.uniqueArray(part, { selector: (p) => p.machine_id, maxLength: 5 }), (id, rh, ps) => {
        let r = newRoster(id, rh);
        for (const p of ps) r = upsertParticipant(r, p as Participant);
        const s = serializeRoster(r);
        const back = parseRoster(s, "w");
        expect(serializeRoster(back)).toBe(s);
        const sorted = [...r.participants].sort((a, b) => (a.machine_id < b.machine_id ? -1 : a.machine_id > b.machine_id ? 1 : 0));
        expect(JSON.stringify(back)).toBe(JSON.stringify({ ...r, participants: sorted }));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
