import { appendFileSync, existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { clusterGit, type Node } from "../cluster/harness.js";
import { lineMaker, ROOTS, threeMachines } from "./three-machines.js";

/**
 * Issue 9, scope 2 and 3 (the deterministic scenario): three machines share one live session —
 * Linux A (`/home/al/proj`), macOS B (`/Users/bob/proj`), a simulated Windows C
 * (`C:\Users\carol\proj`). B writes a line naming A's root; C writes a line in git-bash spelling
 * (stored with a variant sentinel). A receives both during a sync while its agent keeps
 * appending, so A's file holds its lines in another order than HEAD. Every `uuid` must then be
 * once on every machine, the canonical blob the same everywhere and in the cluster, and each
 * line read on its author's machine exactly as written. Before the fix, A's next sync
 * re-canonicalized B's and C's lines with A's anchors and the union merge kept both versions.
 */

const SID = "9f0c2a52-1111-4222-8333-944444444444";
const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const { A: rootA, B: rootB, C: rootC } = ROOTS;

const line = lineMaker(SID, T0);

const a0 = line("a0", 0, rootA, `start in ${rootA}`);
const b1 = line("b1", 10, rootB, "on my linux box the file is /home/al/proj/src/x.ts");
const c1 = line("c1", 20, rootC, "ls C:/Users/carol/proj/src");
const a1 = line("a1", 30, rootA, `A edits ${rootA}/src/x.ts`);
const a2 = line("a2", 40, rootA, "A goes on");
const b3 = line("b3", 50, rootB, `B reads ${rootB}/README.md`);

async function waitFor(p: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!existsSync(p)) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${p}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function uuidCounts(file: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of readFileSync(file, "utf8").split("\n")) {
    if (!l) continue;
    const u = (JSON.parse(l) as { uuid: string }).uuid;
    m.set(u, (m.get(u) ?? 0) + 1);
  }
  return m;
}

describe("e2e: three machines whose lines name each other's paths (issue 9)", () => {
  let A: Node, B: Node, C: Node;
  let url: string;
  let cleanup: () => Promise<void>;
  const keyA = claudeDirKey(rootA);
  const keyB = claudeDirKey(rootB);
  const keyC = claudeDirKey(rootC);
  const sync = async (n: Node, env?: Record<string, string>) => {
    const r = await n.ctx(["sync"], { env, allowFail: true });
    if (r.code !== 0) throw new Error(`sync on ${n.name}: ${r.stderr}${r.stdout}`);
  };

  beforeAll(async () => {
    ({ A, B, C, url, cleanup } = await threeMachines(SID, a0));
    appendFileSync(B.at(keyB, `${SID}.jsonl`), b1);
    await sync(B);
    appendFileSync(C.at(keyC, `${SID}.jsonl`), c1);
    await sync(C);
    // A appends a1, then syncs: b1 and c1 arrive after a1 in A's file; A's agent appends a2 while
    // the sync is about to put the file in HEAD's order, so the file stays out of HEAD's order.
    const fa = A.at(keyA, `${SID}.jsonl`);
    appendFileSync(fa, a1);
    const before = new Date(Date.now() - 10_000); // the agent wrote a1 a few seconds ago
    utimesSync(fa, before, before);
    const t = await dir({ unsafeCleanup: true });
    writeFileSync(path.join(t.path, "reorder-pause-at"), "read");
    const running = sync(A, { GIT_CTX_TEST_PAUSE_DIR: t.path });
    const paused = path.join(t.path, "paused");
    const pausedReorder = path.join(t.path, "paused-reorder");
    // the work-tree update's own pause comes first: let it go on
    await waitFor(paused);
    writeFileSync(path.join(t.path, "resume"), "");
    await waitFor(pausedReorder);
    appendFileSync(fa, a2);
    writeFileSync(path.join(t.path, "resume-reorder"), "");
    await running;
    await t.cleanup();
    expect(
      readFileSync(fa, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { uuid: string }).uuid),
    ).toEqual(["a0", "a1", "b1", "c1", "a2"]);
    // then everyone syncs, twice around; B writes once more in between
    await sync(A);
    await sync(B);
    appendFileSync(B.at(keyB, `${SID}.jsonl`), b3);
    await sync(C);
    await sync(A);
    await sync(B);
    await sync(C);
    await sync(A);
  }, 240_000);
  afterAll(async () => cleanup?.());

  it("each uuid is once on every machine", () => {
    for (const [n, key] of [
      [A, keyA],
      [B, keyB],
      [C, keyC],
    ] as const) {
      const counts = uuidCounts(n.at(key, `${SID}.jsonl`));
      expect(Object.fromEntries(counts), n.name).toEqual({ a0: 1, b1: 1, c1: 1, a1: 1, a2: 1, b3: 1 });
    }
  });

  it("the same canonical blob on every machine and in the cluster", async () => {
    const blob = async (n: Node, key: string) => (await n.git(["rev-parse", `HEAD:${key}/${SID}.jsonl`])).stdout.trim();
    const cluster = (await clusterGit(url, ["rev-parse", `project/proj:context/${SID}.jsonl`])).stdout.trim();
    expect(await blob(A, keyA)).toBe(cluster);
    expect(await blob(B, keyB)).toBe(cluster);
    expect(await blob(C, keyC)).toBe(cluster);
    const text = (await clusterGit(url, ["cat-file", "blob", cluster])).stdout;
    expect(text.split("\n").filter(Boolean)).toHaveLength(6);
    // B's line names A's root literally (it is not B's root); C's line keeps its variant
    expect(text).toContain("on my linux box the file is /home/al/proj/src/x.ts");
    expect(text).toMatch(/"ls \{\{CC_PROJECT_ROOT@[a-z0-9]+\}\}\/src"/);
  });

  it("each line reads on its author's machine as its author wrote it; on the others only anchors change", () => {
    /** Every line of `file` with `uuid` (there must be at least one). */
    const withUuid = (file: string, uuid: string) => {
      const ls = readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l && (JSON.parse(l) as { uuid: string }).uuid === uuid)
        .map((l) => l + "\n");
      expect(ls.length, `${uuid} in ${file}`).toBeGreaterThan(0);
      return ls;
    };
    const fa = A.at(keyA, `${SID}.jsonl`);
    const fb = B.at(keyB, `${SID}.jsonl`);
    const fc = C.at(keyC, `${SID}.jsonl`);
    for (const l of withUuid(fb, "b1")) expect(l).toBe(b1);
    for (const l of withUuid(fb, "b3")) expect(l).toBe(b3);
    for (const l of withUuid(fc, "c1")) expect(l).toBe(c1);
    for (const u of ["a0", "a1", "a2"]) for (const l of withUuid(fa, u)) expect(l).toBe({ a0, a1, a2 }[u]);
    // B's line on A: B's cwd becomes A's root, the path B typed stays as typed (also on C)
    for (const l of withUuid(fa, "b1")) expect(l).toBe(line("b1", 10, rootA, "on my linux box the file is /home/al/proj/src/x.ts"));
    for (const l of withUuid(fc, "b1")) expect(l).toBe(line("b1", 10, rootC, "on my linux box the file is /home/al/proj/src/x.ts"));
    // C's git-bash line on A and B: C's root in C's spelling becomes the reader's root
    for (const l of withUuid(fa, "c1")) expect(l).toBe(line("c1", 20, rootA, "ls /home/al/proj/src"));
    for (const l of withUuid(fb, "c1")) expect(l).toBe(line("c1", 20, rootB, "ls /Users/bob/proj/src"));
  });
});
