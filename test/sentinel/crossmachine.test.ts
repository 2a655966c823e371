import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { NUM_RUNS } from "../helpers/env.js";
import { LINUX, LINUX_B, LINUX_SRV, MAC, MAC_B, MAC_UNICODE, WIN, WIN_B, WIN_D, WIN_UNICODE } from "./fixtures.js";

/**
 * Plain codec across machines (docs/cluster-format.md, "Guarantees"): transcript-like JSON whose
 * paths are in the writing machine's default spelling (posix `/a/b`, Windows JSON `C:\\a\\b`),
 * with path tails, JSON punctuation, escapes and words, and without the other machine's paths:
 * canonical on A → localized on B → canonical on B gives A's canonical bytes back.
 */
function transcriptLike(a: Anchors): fc.Arbitrary<Buffer> {
  const posix = a.os !== "windows";
  const sep = posix ? "/" : "\\\\";
  const ctx = posix ? `${a.home}/.claude/projects/${a.key}` : `${a.home}\\.claude\\projects\\${a.key}`;
  const json = (p: string) => (posix ? p : p.replaceAll("\\", "\\\\"));
  const anchor = fc.constantFrom(json(a.root), json(a.home), json(ctx), a.key);
  const tail = fc.array(fc.stringMatching(/^[A-Za-z0-9._~+@!#$%=-]{0,6}$/), { maxLength: 3 }).map((segs) => segs.map((s) => sep + s).join(""));
  const filler = fc.oneof(
    fc.constantFrom('"', '","', '":"', " ", "\\n", "\\t", ", ", "(", ")", ": ", '\\"', "{", "}", "[", "]", "é", ".", "..."),
    fc.stringMatching(/^[A-Za-z0-9 ]{1,8}$/).map((s) => ` ${s} `),
  );
  const piece = fc.oneof(
    fc.tuple(anchor, tail).map(([x, t]) => x + t),
    filler,
  );
  return fc
    .array(
      fc.array(piece, { maxLength: 12 }).map((ps) => `{"cwd":"${json(a.root)}","t":"${ps.join("")}"}\n`),
      { maxLength: 3 },
    )
    .map((ls) => Buffer.from(ls.join("")));
}

const PAIRS: [string, Anchors, Anchors][] = [
  ["Linux → Windows", LINUX, WIN_B],
  ["Linux (root outside home) → Windows", LINUX_SRV, WIN_B],
  ["macOS → Windows", MAC, WIN_B],
  ["macOS (Unicode, space) → Linux", MAC_UNICODE, LINUX_B],
  ["Windows → Linux", WIN, LINUX_B],
  ["Windows (root on D:) → Linux", WIN_D, LINUX_B],
  ["Windows → Windows", WIN, WIN_B],
  ["Windows (Unicode) → macOS", WIN_UNICODE, MAC_B],
  ["Linux → macOS", LINUX, MAC_B],
];

describe("plain codec across machines (property)", () => {
  for (const [name, A, B] of PAIRS) {
    it(name, () => {
      fc.assert(
        fc.property(transcriptLike(A), (x) => {
          const C = canonicalize(x, A);
          const onB = localize(C, B);
          expect(canonicalize(onB, B).toString("latin1")).toBe(C.toString("latin1"));
          expect(localize(C, A).equals(x)).toBe(true);
        }),
        { numRuns: Math.max(500, Math.floor(NUM_RUNS / 5)) },
      );
    });
  }
});
