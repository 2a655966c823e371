import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapseSplitDuplicates } from "../../src/merge/collapse.js";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 22, case 4: with this machine's own evidence (CollapseOptions), a hostile participant's
 * anchors and a hostile line placed anywhere never make the repair drop a line this machine's
 * agent wrote (unless an equal line stays here) or a line it already held for one that arrived.
 */

const SELF: Anchors = { os: "linux", home: "/home/al", root: "/home/al/proj", key: "-home-al-proj", rewriteHome: true };
const B: Anchors = { os: "darwin", home: "/Users/bob", root: "/Users/bob/proj", key: "-Users-bob-proj", rewriteHome: true };
const ROOTS = ["/srv/evil", "/home", "/tmp/p", "/Users/bob/proj", "/home/al"];
const WORDS = ["/home/al/proj/src/x.ts", "/srv/evil/y", "/home/z", "/tmp/p/q", "plain words", "/Users/bob/proj/r"];

const join = (ls: Buffer[]) => Buffer.concat(ls.flatMap((l) => [l, Buffer.from("\n")]));
const ownLine = (uuid: string, words: string[]) => canonicalize(Buffer.from(JSON.stringify({ type: "user", uuid, cwd: SELF.root, message: { content: words.join(" ") } })), SELF);

describe("collapseSplitDuplicates with this machine's evidence", () => {
  it("never drops an own line whose kept twin reads differently here, nor a held line for one that arrived; hostile copies anywhere (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...ROOTS),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 6 }),
        (texts, evilRoot, picks) => {
          const evil: Anchors = { os: "linux", home: "/home/zz", root: evilRoot, key: evilRoot.replace(/\//g, "-"), rewriteHome: true };
          const own = texts.map((t, i) => ownLine(`u${i}`, t));
          // hostile copies: an own line as it reads on the hostile machine or on B, re-cleaned by either, at any position
          const lines = [...own];
          const arrived: Buffer[] = [];
          for (const [which, at, reclean] of picks) {
            const l = own[which % own.length]!;
            const m = reclean ? B : evil;
            const copy = reclean ? canonicalize(localize(l, evil), m) : localize(l, m);
            if (copy.equals(l)) continue;
            lines.splice(at % (lines.length + 1), 0, copy);
            arrived.push(copy);
          }
          const input = join(lines);
          const isOwn = (b: Buffer) => own.some((o) => o.equals(b));
          for (const held of [undefined, isOwn]) {
            const r = collapseSplitDuplicates(input, [SELF, B, evil], { self: SELF, own: isOwn, held });
            const out = r.bytes.toString("latin1").split("\n");
            for (const c of r.collapsed) {
              const kept = lines[c.keptLine - 1]!;
              if (isOwn(c.dropped)) expect(localize(c.dropped, SELF).equals(localize(kept, SELF))).toBe(true);
              if (held) expect(isOwn(c.dropped) && !isOwn(kept)).toBe(false);
            }
            // every own line still reads, here, as it did
            const here = new Set(out.map((l) => localize(Buffer.from(l, "latin1"), SELF).toString("latin1")));
            for (const o of own) expect(here.has(localize(o, SELF).toString("latin1"))).toBe(true);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("the reported case: an own line after its hostile copy is spared, and named", () => {
    const v = ownLine("v1", ["please read /home/al/proj/src/main.ts"]);
    const evil: Anchors = { os: "linux", home: "/home/zz", root: "/srv/evil", key: "-srv-evil", rewriteHome: true };
    const copy = localize(v, evil);
    const input = join([copy, v]);
    expect(collapseSplitDuplicates(input, [SELF, evil]).collapsed).toHaveLength(1); // issue 9's rule alone drops v
    const r = collapseSplitDuplicates(input, [SELF, evil], { self: SELF, own: (l) => l.equals(v) });
    expect(r.bytes.equals(input)).toBe(true);
    expect(r.spared.map((s) => s.uuid)).toEqual(["v1"]);
    const h = collapseSplitDuplicates(input, [SELF, evil], { self: SELF, held: (l) => l.equals(v) });
    expect(h.bytes.equals(join([v]))).toBe(true);
  });
});
