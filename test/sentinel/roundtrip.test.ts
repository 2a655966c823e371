import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize, canonicalizeWithCounts, localize, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { ALL_MACHINES, LINUX_B, WIN_B, biasedBytes } from "./fixtures.js";

/** The central promise: localize(canonicalize(x)) == x on the same machine, for any bytes. */
describe("byte-exact round trip on the same machine (property)", () => {
  for (const [name, a] of Object.entries(ALL_MACHINES)) {
    describe(name, () => {
      it("arbitrary bytes", () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 200 }), (u) => {
            const x = Buffer.from(u);
            expect(localize(canonicalize(x, a), a).equals(x)).toBe(true);
          }),
          { numRuns: NUM_RUNS },
        );
      });
      it("bytes biased to anchors, near misses, escapes, sentinel text and other machines' paths", () => {
        const others: Anchors[] = [LINUX_B, WIN_B];
        fc.assert(
          fc.property(biasedBytes(a, others), (x) => {
            const c = canonicalize(x, a);
            expect(localize(c, a).toString("latin1")).toBe(x.toString("latin1"));
            // the same with the other form (json/text) forced
            const b: Anchors = { ...a, form: a.form === "text" ? "json" : "text" };
            expect(localize(canonicalize(x, b), b).equals(x)).toBe(true);
          }),
          { numRuns: NUM_RUNS },
        );
      });
    });
  }

  it('file starts that decide the sniffed form ({, [, ", blanks, BOM, tokens) round-trip on Windows', () => {
    const start = fc
      .array(fc.constantFrom("{", "{{", "[", '"', " ", "\n", "\ufeff", "{{CC_HOME}}", "{{CC_HOME", "}}", "@b1"), { maxLength: 3 })
      .map((xs) => Buffer.from(xs.join("")));
    for (const a of [ALL_MACHINES.WIN!, ALL_MACHINES.WIN_D!, ALL_MACHINES.LINUX!]) {
      fc.assert(
        fc.property(start, biasedBytes(a, [WIN_B]), (p, x) => {
          const y = Buffer.concat([p, x]);
          expect(localize(canonicalize(y, a), a).toString("latin1")).toBe(y.toString("latin1"));
        }),
        { numRuns: NUM_RUNS },
      );
    }
  });

  it("canonicalize rewrites: biased input for each machine produces sentinels (the property above is not vacuous)", () => {
    let total = 0;
    fc.assert(
      fc.property(biasedBytes(ALL_MACHINES.WIN!), (x) => {
        const { counts } = canonicalizeWithCounts(x, ALL_MACHINES.WIN!);
        total += counts.root + counts.home + counts.contextDir + counts.key;
      }),
      { numRuns: 500 },
    );
    expect(total).toBeGreaterThan(250);
  });
});
