import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { projectForCwd, rootHolds, sessionMetaOf } from "../../src/agents/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { sessionMeta } from "./rollouts.js";

/** Issue 11, scope 2: which joined project a rollout belongs to, from its `session_meta.cwd`. */

const seg = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_. -]{0,6}$/).filter((s) => !s.endsWith(".") && !s.endsWith(" "));

describe("rootHolds", () => {
  it("holds the root itself and everything below it, component-wise", () => {
    expect(rootHolds("/home/me/proj", "/home/me/proj")).toBe(true);
    expect(rootHolds("/home/me/proj", "/home/me/proj/src/x")).toBe(true);
    expect(rootHolds("/home/me/proj", "/home/me/proj2")).toBe(false);
    expect(rootHolds("/home/me/proj", "/home/me")).toBe(false);
    expect(rootHolds("/home/me/proj/", "/home/me/proj/a")).toBe(true);
    expect(rootHolds("/", "/anything")).toBe(true);
  });

  it("posix paths compare exactly (case matters)", () => {
    expect(rootHolds("/Users/me/Proj", "/Users/me/proj")).toBe(false);
  });

  it("Windows paths compare ignoring ASCII case and separator kind", () => {
    expect(rootHolds("C:\\Users\\me\\proj", "c:\\users\\ME\\Proj\\src")).toBe(true);
    expect(rootHolds("C:\\Users\\me\\proj", "C:/Users/me/proj/src")).toBe(true);
    expect(rootHolds("c:/Users/me/proj", "C:\\Users\\me\\proj")).toBe(true);
    expect(rootHolds("C:\\Users\\me\\proj", "D:\\Users\\me\\proj")).toBe(false);
    expect(rootHolds("C:\\Users\\me\\proj", "C:\\Users\\me\\project")).toBe(false);
    expect(rootHolds("C:\\x", "/x")).toBe(false);
  });

  it("property: a root holds any path built below it, in any Windows spelling; never a sibling with a longer last name", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("C", "d"),
        fc.array(seg, { minLength: 1, maxLength: 4 }),
        fc.array(seg, { maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        seg,
        (drive, rootSegs, below, flip, slash, extra) => {
          const root = `${drive}:\\${rootSegs.join("\\")}`;
          let cwd = `${drive}:\\${[...rootSegs, ...below].join("\\")}`;
          if (flip) cwd = cwd.replace(/[a-z]/g, (c) => c.toUpperCase());
          if (slash) cwd = cwd.replace(/\\/g, "/");
          expect(rootHolds(root, cwd)).toBe(true);
          expect(rootHolds(root, `${root}${extra}`)).toBe(false);
        },
      ),
      { numRuns: Math.min(NUM_RUNS, 20_000) },
    );
  });
});

describe("projectForCwd", () => {
  const projects = { outer: { root: "/home/me/work" }, inner: { root: "/home/me/work/api" }, win: { root: "C:\\Users\\me\\app" } };

  it("the longest joined root wins for nested projects; none for a cwd outside every root", () => {
    expect(projectForCwd("/home/me/work/api/src", projects)).toBe("inner");
    expect(projectForCwd("/home/me/work/web", projects)).toBe("outer");
    expect(projectForCwd("/home/me/work", projects)).toBe("outer");
    expect(projectForCwd("/home/me/elsewhere", projects)).toBeUndefined();
    expect(projectForCwd("c:/users/me/APP/x", projects)).toBe("win");
  });

  it("property: the chosen root holds the cwd, and no longer joined root does", () => {
    fc.assert(
      fc.property(fc.array(fc.array(seg, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), fc.array(seg, { minLength: 1, maxLength: 4 }), (roots, cwdSegs) => {
        const ps = Object.fromEntries(roots.map((r, i) => [`p${i}`, { root: `/${r.join("/")}` }]));
        const cwd = `/${cwdSegs.join("/")}`;
        const id = projectForCwd(cwd, ps);
        const holding = Object.entries(ps).filter(([, p]) => rootHolds(p.root, cwd));
        if (!id) expect(holding).toEqual([]);
        else {
          expect(rootHolds(ps[id]!.root, cwd)).toBe(true);
          for (const [, p] of holding) expect(p.root.length).toBeLessThanOrEqual(ps[id]!.root.length);
        }
      }),
      { numRuns: Math.min(NUM_RUNS, 20_000) },
    );
  });
});

describe("sessionMetaOf (bad input is never guessed)", () => {
  it("reads id and cwd of a session_meta line", () => {
    expect(sessionMetaOf(sessionMeta("abc", "/home/me/p"))).toMatchObject({ id: "abc", cwd: "/home/me/p" });
  });

  it.each([
    ["empty", ""],
    ["not JSON", "{not json"],
    ["a truncated first line", sessionMeta("abc", "/home/me/p").slice(0, 60)],
    ["another line type first", JSON.stringify({ timestamp: "t", type: "turn_context", payload: { cwd: "/x" } })],
    ["no cwd", JSON.stringify({ timestamp: "t", type: "session_meta", payload: { id: "abc" } })],
    ["a non-string cwd", JSON.stringify({ timestamp: "t", type: "session_meta", payload: { id: "abc", cwd: 3 } })],
    ["no id", JSON.stringify({ timestamp: "t", type: "session_meta", payload: { cwd: "/x" } })],
    ["a JSON array", "[1,2]"],
  ])("%s: undefined", (_, line) => {
    expect(sessionMetaOf(line)).toBeUndefined();
  });
});
