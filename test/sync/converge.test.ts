import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CORPUS, HAS_CORPUS } from "../helpers/env.js";
import { lineCounts, linesOf, syncOk, type ViewMachine, makeMachinePair } from "./helpers.js";

/**
 * Issue 4, Done-when 2: two machines append different lines to the same session without syncing
 * in between; after `git ctx sync` on A, B, A, B both hold the same canonical blob, with every
 * line once (plain bare remote; the merge driver from src/merge via git-ctx-filter).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pair(): Promise<{ A: ViewMachine; B: ViewMachine }> {
  return makeMachinePair(cleanups);
}

/** A real session from the corpus with at least `min` lines (deterministic choice: the smallest such). */
function corpusSession(min: number): string[] | undefined {
  const found: { file: string; size: number }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".jsonl") && !p.includes("subagents")) found.push({ file: p, size: statSync(p).size });
    }
  };
  walk(path.join(CORPUS, "claude"));
  found.sort((a, b) => a.size - b.size || a.file.localeCompare(b.file));
  for (const f of found) {
    const lines = readFileSync(f.file, "utf8")
      .split("\n")
      .filter((l) => l !== "");
    if (lines.length >= min && new Set(lines).size === lines.length) return lines;
  }
  return undefined;
}

/** An authored session: `n` lines with increasing timestamps, written by `who`. */
function authored(who: string, from: number, n: number, day = 1): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      type: i % 2 ? "assistant" : "user",
      uuid: `${who}-${from + i}`,
      sessionId: "11111111-2222-3333-4444-555555555555",
      timestamp: new Date(Date.UTC(2026, 0, day, 10, 0, from + i)).toISOString(),
      cwd: "/work/proj",
      message: { role: i % 2 ? "assistant" : "user", content: `${who} line ${from + i}` },
    }),
  );
}

async function converge(base: string[], aNew: string[], bNew: string[]): Promise<void> {
  const { A, B } = await pair();
  const name = "11111111-2222-3333-4444-555555555555.jsonl";
  const fa = path.join(A.folder, name);
  const fb = path.join(B.folder, name);
  writeFileSync(fa, base.join("\n") + "\n");
  await syncOk(A);
  await syncOk(B);
  expect(readFileSync(fb, "utf8")).toBe(base.join("\n") + "\n");
  // both append without syncing in between
  appendFileSync(fa, aNew.join("\n") + "\n");
  appendFileSync(fb, bNew.join("\n") + "\n");
  await syncOk(A);
  await syncOk(B);
  await syncOk(A);
  await syncOk(B);
  const rel = `${A.key}/${name}`;
  const blobA = await A.git(["rev-parse", `HEAD:${rel}`]);
  const blobB = await B.git(["rev-parse", `HEAD:${rel}`]);
  expect(blobA).toBe(blobB);
  const committed = (await A.git(["cat-file", "blob", blobA])).split("\n").filter((l) => l !== "");
  const all = [...base, ...aNew, ...bNew];
  for (const lines of [committed, linesOf(fa), linesOf(fb)]) {
    expect(lines.length).toBe(all.length);
    const c = lineCounts(lines);
    for (const l of all) expect(c.get(l)).toBe(1);
  }
  // base stays a prefix of the canonical blob
  expect(committed.slice(0, base.length)).toEqual(base);
  // a further round changes nothing: no churn between the machines
  const headA = await A.git(["rev-parse", "HEAD"]);
  await syncOk(A);
  await syncOk(B);
  await syncOk(A);
  expect(await A.git(["rev-parse", "HEAD"])).toBe(await B.git(["rev-parse", "HEAD"]));
  expect(await A.git(["rev-parse", `HEAD:${rel}`])).toBe(blobA);
  void headA;
  // and neither machine reports anything left to commit (a reordered work-tree copy is not a change)
  for (const m of [A, B]) {
    const st = JSON.parse((await m.ctx(["status", "--json"])).stdout);
    expect(st.views[0].projects[0].uncommitted).toEqual([]);
    expect([st.views[0].projects[0].ahead, st.views[0].projects[0].behind]).toEqual([0, 0]);
  }
}

describe("two machines appending to one session converge", () => {
  it("authored session: A and B append interleaved-in-time lines", async () => {
    const base = authored("base", 0, 20);
    // A's and B's new lines interleave in time, so the merged order is not an extension of either file
    const aNew = authored("A", 100, 7).filter((_, i) => i % 1 === 0);
    const bNew = authored("B", 101, 7);
    await converge(base, aNew, bNew);
  });

  it.skipIf(!HAS_CORPUS)("real corpus session: A and B append different tails", async () => {
    const lines = corpusSession(40)!;
    expect(lines).toBeDefined();
    const cut = Math.floor(lines.length / 2);
    const base = lines.slice(0, cut);
    const rest = lines.slice(cut);
    const aNew = rest.filter((_, i) => i % 2 === 0);
    const bNew = rest.filter((_, i) => i % 2 === 1);
    await converge(base, aNew, bNew);
  });
});
