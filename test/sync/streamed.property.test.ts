import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { repeatsUuid, UuidRepeatScanner } from "../../src/merge/collapse.js";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { isPrefix, planFileUpdate } from "../../src/sync/plan.js";
import { localizedChunks, planStreamedUpdate, scanBlob } from "../../src/sync/streamed.js";
import { NUM_RUNS } from "../helpers/env.js";
import { LINUX, MAC_UNICODE, WIN, cut } from "../sentinel/fixtures.js";

/**
 * The streaming path of a large transcript's receiving sync (issue 22, point 8;
 * src/sync/streamed.ts) gives what the whole-buffer path gives: the same smudged bytes, the same
 * plan for the work-tree file (none / append of the same tail / left to the whole-buffer planner),
 * the same answer of the issue-9 uuid check — for any cut of the input into chunks, including
 * cuts inside a multi-byte UTF-8 character, a CRLF, a key or a path.
 */

const RUNS = Math.min(NUM_RUNS, 2000);

async function* from(parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

async function collect(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of src) out.push(b);
  return Buffer.concat(out);
}

const machine = fc.constantFrom<Anchors>(LINUX, WIN, MAC_UNICODE);
const word = fc.constantFrom("é", "ü", "😀", "日本", "x", "src", " ", "\\", "/", '"', "{{CC_HOME}}");

/** One transcript line of machine `a` (its root and home in it), with `\n` or `\r\n`, or a partial last line. */
const lineOf = (a: Anchors) =>
  fc.record({ id: fc.nat(50), words: fc.array(word, { maxLength: 6 }), crlf: fc.boolean(), home: fc.boolean() }).map(({ id, words, crlf, home }) => {
    const sep = a.os === "windows" ? "\\" : "/";
    const p = `${home ? a.home : a.root}${sep}${words.join("")}`;
    return `${JSON.stringify({ type: "user", uuid: `u${id}`, cwd: a.root, message: { content: `see ${p} ${words.join(" ")}` } })}${crlf ? "\r\n" : "\n"}`;
  });

const transcript = machine.chain((a) =>
  fc.record({
    a: fc.constant(a),
    lines: fc.array(lineOf(a), { maxLength: 8 }),
    tail: fc.array(lineOf(a), { maxLength: 3 }),
    partial: fc.nat(40),
  }),
);

describe("streamed receiving sync (property)", () => {
  it("localizes a chunked blob to the bytes of the whole-buffer localize", async () => {
    await fc.assert(
      fc.asyncProperty(transcript, fc.array(fc.nat(30), { maxLength: 12 }), fc.integer({ min: 1, max: 64 }), async (t, sizes, chunkBytes) => {
        const text = Buffer.from(t.lines.join("") + t.tail.join(""), "utf8");
        const canon = canonicalize(text, t.a);
        const streamed = await collect(localizedChunks(from(cut(canon, sizes)), t.a, chunkBytes));
        expect(streamed.equals(localize(canon, t.a))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("plans the work-tree file as planFileUpdate does: equal → none, a prefix → append the same tail, else the whole path", async () => {
    await fc.assert(
      fc.asyncProperty(
        transcript,
        fc.array(fc.nat(30), { maxLength: 12 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom("prefix", "changed", "longer"),
        fc.nat(),
        async (t, sizes, chunkBytes, maxRead, kind, r) => {
          const old = Buffer.from(t.lines.join(""), "utf8");
          const tail = Buffer.from(t.tail.join(""), "utf8");
          // the new version: the old one plus whole lines and a partial last line (cut anywhere, even inside a character)
          const full = Buffer.concat([old, tail]);
          const next = full.subarray(0, Math.max(old.length, full.length - (t.partial % (tail.length + 1))));
          const canon = canonicalize(next, t.a);
          const nextLocal = localize(canon, t.a);
          // the work-tree file: a prefix of the new version cut anywhere, one with a changed byte, or a longer one
          let current = Buffer.from(nextLocal.subarray(0, r % (nextLocal.length + 1)));
          if (kind === "changed" && current.length > 0) current[r % current.length] = current[r % current.length]! ^ 0x20;
          if (kind === "longer") current = Buffer.concat([nextLocal, Buffer.from("{}\n")]);
          const read = (buf: Buffer, pos: number) => (pos >= current.length ? 0 : current.copy(buf, 0, pos, Math.min(current.length, pos + Math.min(buf.length, maxRead))));
          const streamed = await planStreamedUpdate(read, localizedChunks(from(cut(canon, sizes)), t.a, chunkBytes));
          const whole = planFileUpdate({ current, expected: undefined, next: nextLocal, jsonl: true, hot: false });
          if (current.equals(nextLocal)) expect(streamed).toEqual({ action: "none" });
          else if (isPrefix(current, nextLocal)) {
            expect(whole.action === "append" && whole.why === "prefix").toBe(true);
            expect(streamed.action).toBe("append");
            if (streamed.action === "append" && whole.action === "append") expect(streamed.bytes.equals(whole.bytes)).toBe(true);
          } else expect(streamed).toEqual({ action: "differs" });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("answers the issue-9 uuid check (repeatsUuid) for any chunking of any input", () => {
    const piece = fc.oneof(
      fc.constantFrom('"uuid":"', '"uuid":"a"', '"uuid":"b"', '"', "\n", "\r\n", "a", "b", "é", "x".repeat(120), "y".repeat(201)),
      fc.uint8Array({ maxLength: 4 }).map((u) => Buffer.from(u).toString("latin1")),
    );
    // transcript-like lines: some junk, a uuid from a small set (so lines repeat one), more junk
    const line = fc
      .record({ pre: fc.array(piece, { maxLength: 3 }), id: fc.constantFrom("a", "b", "c", "é", "z".repeat(199), "z".repeat(201)), post: fc.array(piece, { maxLength: 3 }) })
      .map(({ pre, id, post }) => `${pre.join("")}{"uuid":"${id}"${post.join("")}`);
    const input = fc.oneof(
      fc.array(piece, { maxLength: 30 }).map((p) => p.join("")),
      fc.tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom("\n", "\r\n", "")).map(([ls, sep]) => ls.join(sep)),
    );
    fc.assert(
      fc.property(input, fc.array(fc.nat(12), { maxLength: 40 }), (text, sizes) => {
        const x = Buffer.from(text, "latin1");
        const s = new UuidRepeatScanner();
        for (const p of cut(x, sizes)) s.push(p);
        expect(s.end()).toBe(repeatsUuid(x));
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe("scanBlob", () => {
  const oidOf = (b: Buffer) => spawnSync("git", ["hash-object", "--stdin"], { input: b, encoding: "utf8" }).stdout.trim();
  const old = Buffer.from('{"uuid":"a","x":"é"}\n{"uuid":"b"}\n', "utf8");

  it("says a blob extends its previous version only when the previous blob's id matches its first bytes", async () => {
    const next = Buffer.concat([old, Buffer.from('{"uuid":"c"}\n')]);
    const prev = { oid: oidOf(old), size: old.length };
    expect(await scanBlob(from(cut(next, [2, 5, 0, 9])), prev)).toEqual({ repeats: false, extends: true });
    const changed = Buffer.from(next);
    changed[3] = 0x41;
    expect(await scanBlob(from(cut(changed, [7])), prev)).toEqual({ repeats: false, extends: false });
    expect(await scanBlob(from([next]))).toEqual({ repeats: false, extends: false });
  });

  it("finds a uuid repeated in the appended tail", async () => {
    const next = Buffer.concat([old, Buffer.from('{"uuid":"a","x":"other"}\n')]);
    expect(await scanBlob(from(cut(next, [1, 1, 1, 30])), { oid: oidOf(old), size: old.length })).toEqual({ repeats: true, extends: true });
  });
});
