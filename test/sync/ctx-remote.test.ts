import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sessionLines, setupPair, writeSession, type Node, type Pair } from "../cluster/harness.js";
import { lineCounts, linesOf, startWriter } from "./helpers.js";

/**
 * `git ctx sync` over the real remote helper (`origin = ctx::<cluster>`) and the real clean/smudge
 * filter and merge driver: machine A (Linux) and B (simulated macOS) have different folder names
 * (directory keys) and different paths in their transcripts; the repository holds one canonical
 * blob for both.
 */

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.cleanup();
  pair = undefined;
});

async function sync(n: Node): Promise<string> {
  return (await n.ctx(["sync"])).stdout;
}

describe("git ctx sync over ctx:: (remote helper + filter)", () => {
  it("A and B append different lines to one session, sync A, B, A, B: one canonical blob, every line once", async () => {
    pair = await setupPair({ filter: true, sessionLines: 6 });
    const { A, B, rootA, rootB, keyA, keyB } = pair;
    await sync(A);
    await sync(B);
    const baseA = linesOf(A.at(keyA, "s1.jsonl"));
    expect(linesOf(B.at(keyB, "s1.jsonl"))).toHaveLength(baseA.length);
    // interleaved timestamps: the merged order extends neither file
    const aNew = sessionLines(rootA, "s1", "A", 5, Date.UTC(2026, 0, 2, 0, 0, 0));
    const bNew = sessionLines(rootB, "s1", "B", 5, Date.UTC(2026, 0, 2, 0, 0, 0) + 500);
    writeSession(A.at(keyA), "s1", aNew, true);
    writeSession(B.at(keyB), "s1", bNew, true);
    for (const n of [A, B, A, B]) await sync(n);
    const blobA = (await A.git(["rev-parse", `HEAD:${keyA}/s1.jsonl`])).stdout.trim();
    const blobB = (await B.git(["rev-parse", `HEAD:${keyB}/s1.jsonl`])).stdout.trim();
    expect(blobB).toBe(blobA);
    for (const [n, key, root] of [
      [A, keyA, rootA],
      [B, keyB, rootB],
    ] as const) {
      const lines = linesOf(n.at(key, "s1.jsonl"));
      expect(lines).toHaveLength(baseA.length + 10);
      expect([...lineCounts(lines).values()].every((c) => c === 1)).toBe(true);
      // every line is in this machine's spelling: no other machine's root inside
      const other = root === rootA ? rootB : rootA;
      expect(lines.some((l) => l.includes(other))).toBe(false);
      for (const t of ["A-u0", "A-a1", "B-u0", "B-a1", "a1-u0"]) expect(lines.filter((l) => l.includes(`"${t}"`))).toHaveLength(1);
      const st = JSON.parse((await n.ctx(["status", "--json"])).stdout);
      expect(st.views[0].projects[0]).toMatchObject({ uncommitted: [], ahead: 0, behind: 0 });
    }
  });

  it("live writer on A during 10 sync rounds, B appending too: every line exactly once on both", async () => {
    pair = await setupPair({ filter: true, sessionLines: 4 });
    const { A, B, keyA, keyB } = pair;
    await sync(A);
    await sync(B);
    const fa = A.at(keyA, "s1.jsonl");
    const fb = B.at(keyB, "s1.jsonl");
    const wa = startWriter(fa, "A", { everyMs: 5, mode: "per-line" });
    const wb = startWriter(fb, "B", { everyMs: 11, mode: "held-fd" });
    let nA = 0;
    let nB = 0;
    try {
      for (let i = 0; i < 10; i++) {
        await sync(A);
        await sync(B);
      }
    } finally {
      nA = await wa.stop();
      nB = await wb.stop();
    }
    for (const n of [A, B, A, B]) await sync(n);
    for (const f of [fa, fb]) {
      const seen = new Map<string, number>();
      for (const l of linesOf(f)) {
        const j = JSON.parse(l) as { writer?: string; n?: number };
        if (j.writer) seen.set(`${j.writer}:${j.n}`, (seen.get(`${j.writer}:${j.n}`) ?? 0) + 1);
      }
      const bad: string[] = [];
      for (const [w, count] of [
        ["A", nA],
        ["B", nB],
      ] as const)
        for (let k = 0; k < count; k++) if (seen.get(`${w}:${k}`) !== 1) bad.push(`${w}:${k}=${seen.get(`${w}:${k}`) ?? 0}`);
      expect(bad, `${path.basename(path.dirname(f))}: ${readFileSync(f, "utf8").length} bytes`).toEqual([]);
    }
    expect((await A.git(["rev-parse", `HEAD:${keyA}/s1.jsonl`])).stdout).toBe((await B.git(["rev-parse", `HEAD:${keyB}/s1.jsonl`])).stdout);
  }, 600_000);
});
