import { appendFileSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { clusterGit, type Node } from "../cluster/harness.js";
import { lineMaker, ROOTS, threeMachines } from "./three-machines.js";

/**
 * Issue 9, scope 4: repair what the defect already did. The damage is made as the earlier release
 * made it: machine A re-cleaned B's and C's lines with its own anchors, the copies were committed
 * and pushed, and every machine pulled them (plain `git pull`: the duplicates are in every HEAD
 * and every work-tree file). One `git ctx sync` per machine collapses each pair to the stored
 * line — in the cluster, in every HEAD and in every work-tree file — while a line that differs
 * in content (same uuid, edited text) is kept. `git ctx doctor` lists the pairs per session
 * before, and none after.
 */

const SID = "7b1e2c3d-1111-4222-8333-955555555555";
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const { A: rootA, B: rootB, C: rootC } = ROOTS;

const line = lineMaker(SID, T0);

function uuids(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { uuid: string }).uuid);
}

function cold(file: string): void {
  const t = new Date(Date.now() - 10_000);
  utimesSync(file, t, t);
}

describe("e2e: duplicates the re-clean defect made collapse on the next sync (issue 9)", () => {
  let A: Node, B: Node, C: Node;
  let url: string;
  let cleanup: () => Promise<void>;
  const keyA = claudeDirKey(rootA);
  const keyB = claudeDirKey(rootB);
  const keyC = claudeDirKey(rootC);
  const anchorsA: Anchors = { os: "linux", home: "", root: rootA, key: keyA, rewriteHome: true };
  const file = (n: Node) => n.at({ A: keyA, B: keyB, C: keyC }[n.name]!, `${SID}.jsonl`);
  const rel = (n: Node) => `${{ A: keyA, B: keyB, C: keyC }[n.name]!}/${SID}.jsonl`;
  const sync = async (n: Node) => {
    const r = await n.ctx(["sync"], { allowFail: true });
    if (r.code !== 0) throw new Error(`sync on ${n.name}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const doctorDups = async (n: Node) => {
    const r = await n.ctx(["doctor", "--json"], { allowFail: true });
    const checks = (JSON.parse(r.stdout).views[0] as { checks: { name: string; ok: boolean; detail: string }[] }).checks;
    return checks.filter((c) => /duplicat/.test(c.name));
  };
  const before: Record<string, { name: string; ok: boolean; detail: string }[]> = {};
  const syncOut: Record<string, string> = {};

  beforeAll(async () => {
    ({ A, B, C, url, cleanup } = await threeMachines(SID, line("a0", 0, rootA, "start")));
    anchorsA.home = A.pathHome;
    appendFileSync(file(B), line("b1", 10, rootB, "on my linux box the file is /home/al/proj/src/x.ts"));
    // a line that shares b1's uuid but says something else: never dropped
    appendFileSync(file(B), line("b1", 11, rootB, "on my linux box the file is /home/al/proj/src/OTHER.ts"));
    await sync(B);
    appendFileSync(file(C), line("c1", 20, rootC, "ls C:/Users/carol/proj/src"));
    await sync(C);
    await sync(A);
    // cold files, one more round: every file in HEAD's order, so plain git pull can run below
    for (const n of [A, B, C]) cold(file(n));
    for (const n of [B, C]) await sync(n);
    // The damage, as the earlier release left it: A's HEAD gets re-cleaned copies of B's and C's
    // lines (A's anchors), committed and pushed with plain git; B and C pull with plain git.
    const head = (await A.git(["cat-file", "blob", `HEAD:${rel(A)}`])).stdout;
    const copies = head
      .split("\n")
      .filter((l) => /"uuid":"(b1|c1)"/.test(l) && !l.includes("OTHER"))
      .map((l) => canonicalize(localize(Buffer.from(l), anchorsA), anchorsA).toString());
    expect(copies).toHaveLength(2);
    for (const c of copies) expect(head).not.toContain(c);
    const damaged = head + copies.map((c) => c + "\n").join("");
    const oid = (await A.git(["hash-object", "-w", "--no-filters", "--stdin"], { input: damaged })).stdout.trim();
    await A.git(["update-index", "--cacheinfo", `100644,${oid},${rel(A)}`]);
    await A.git(["commit", "-q", "-m", "what the re-clean defect committed"]);
    writeFileSync(file(A), localize(Buffer.from(damaged), anchorsA));
    await A.git(["push", "-q"]);
    for (const n of [B, C]) await n.git(["pull", "-q"]);
    // a view the earlier release made has not been checked for the defect yet
    for (const n of [A, B, C]) rmSync(path.join(n.projects, ".git", "ctx", "collapse-v1"), { force: true });
    for (const n of [A, B, C]) {
      expect(
        uuids(file(n)).filter((u) => u === "c1"),
        `damage on ${n.name}`,
      ).toHaveLength(2);
      cold(file(n));
      before[n.name] = await doctorDups(n);
    }
    for (const n of [A, B, C]) syncOut[n.name] = await sync(n);
    // a second round changes nothing more
    for (const n of [A, B, C]) await sync(n);
  }, 240_000);
  afterAll(async () => cleanup?.());

  it("doctor named the pairs per session before the repair", () => {
    for (const n of ["A", "B", "C"]) {
      expect(before[n]!.length, n).toBeGreaterThan(0);
      expect(
        before[n]!.some((c) => !c.ok && c.detail.includes(`${SID}.jsonl`) && /2 /.test(c.detail)),
        JSON.stringify(before[n]),
      ).toBe(true);
    }
  });

  it("after one sync per machine: each pair is one line in every work-tree file, every HEAD and the cluster", async () => {
    const cluster = (await clusterGit(url, ["rev-parse", `project/proj:context/${SID}.jsonl`])).stdout.trim();
    for (const n of [A, B, C]) {
      expect(uuids(file(n)).sort(), n.name).toEqual(["a0", "b1", "b1", "c1"]);
      expect((await n.git(["rev-parse", `HEAD:${rel(n)}`])).stdout.trim(), n.name).toBe(cluster);
      expect((await n.git(["status", "--porcelain"])).stdout, n.name).toBe("");
    }
    expect(syncOut.A).toMatch(/2 duplicated lines collapsed/);
  });

  it("the line that differs in content is kept, and each line reads as its author wrote it", () => {
    expect(readFileSync(file(B), "utf8")).toContain(line("b1", 10, rootB, "on my linux box the file is /home/al/proj/src/x.ts"));
    expect(readFileSync(file(B), "utf8")).toContain(line("b1", 11, rootB, "on my linux box the file is /home/al/proj/src/OTHER.ts"));
    expect(readFileSync(file(C), "utf8")).toContain(line("c1", 20, rootC, "ls C:/Users/carol/proj/src"));
    expect(readFileSync(file(B), "utf8")).not.toContain("/Users/bob/proj/src/x.ts");
  });

  it("doctor finds no pair afterwards", async () => {
    for (const n of [A, B, C])
      expect(
        (await doctorDups(n)).every((c) => c.ok),
        n.name,
      ).toBe(true);
  });
});
