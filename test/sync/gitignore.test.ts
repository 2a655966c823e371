import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeMachinePair, syncOk } from "./helpers.js";

/**
 * Issue 10, defect 9: a `.gitignore` inside a project folder (`*.jsonl`) stopped syncing on every
 * machine for good: it was synced to B, B's new sessions were never committed, and doctor's fix
 * did nothing. Now sync adds joined folders with `--force` and never syncs a `.gitignore`;
 * doctor warns about one with a fix that works.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const line = (u: string) => JSON.stringify({ type: "user", uuid: u, timestamp: "2026-01-01T00:00:00.000Z", message: { role: "user", content: u } }) + "\n";

interface DoctorJson {
  checks: { name: string; ok: boolean; warning?: boolean; fix?: string }[];
}

describe("a .gitignore inside a project folder", () => {
  it("is never synced and never hides sessions from sync, on either machine", async () => {
    const { A, B } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, ".gitignore"), "*.jsonl\n");
    writeFileSync(path.join(A.folder, "a.jsonl"), line("a1"));
    await syncOk(A);
    expect(await A.git(["show", `HEAD:${A.key}/a.jsonl`])).toContain('"uuid":"a1"');
    expect(await A.git(["ls-tree", "-r", "--name-only", "HEAD"])).not.toContain(".gitignore");
    await syncOk(B);
    expect(existsSync(path.join(B.folder, "a.jsonl"))).toBe(true);
    expect(existsSync(path.join(B.folder, ".gitignore"))).toBe(false);
    // as an earlier release left it: the .gitignore reached B
    writeFileSync(path.join(B.folder, ".gitignore"), "*.jsonl\n");
    writeFileSync(path.join(B.folder, "b.jsonl"), line("b1"));
    await syncOk(B);
    expect(await B.git(["show", `HEAD:${B.key}/b.jsonl`])).toContain('"uuid":"b1"');
    await syncOk(A);
    expect(existsSync(path.join(A.folder, "b.jsonl"))).toBe(true);
  });

  it("doctor warns with a fix that works", async () => {
    const { A } = await makeMachinePair(cleanups);
    const gi = path.join(A.folder, ".gitignore");
    writeFileSync(gi, "*.jsonl\n");
    writeFileSync(path.join(A.folder, "a.jsonl"), line("a1"));
    await syncOk(A);
    const find = async () =>
      (JSON.parse((await A.ctx(["doctor", "--json"])).stdout).views[0] as DoctorJson).checks.filter((c) => c.name === "nested .gitignore" || c.name === "excludes");
    const before = await find();
    const w = before.find((c) => c.name === "nested .gitignore")!;
    expect(w.ok).toBe(true);
    expect(w.warning).toBe(true);
    expect(w.fix).toContain(".gitignore");
    expect(before.find((c) => c.name === "excludes")!.ok).toBe(true);
    await new Promise<void>((resolve, reject) => {
      import("node:child_process").then(({ exec }) => exec(w.fix!, (e) => (e ? reject(e) : resolve())));
    });
    expect(existsSync(gi)).toBe(false);
    expect((await find()).some((c) => c.name === "nested .gitignore")).toBe(false);
  });
});

describe("the backups git ctx resume --force keeps", () => {
  it("(<file>.bak, <file>.bak.2) stay on their machine: never committed, also when a .gitignore would hide the transcripts", async () => {
    const { A, B } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "a.jsonl"), line("a1"));
    writeFileSync(path.join(A.folder, "a.jsonl.bak"), line("old"));
    writeFileSync(path.join(A.folder, "a.jsonl.bak.2"), line("older"));
    await syncOk(A);
    const tree = await A.git(["ls-tree", "-r", "--name-only", "HEAD"]);
    expect(tree).toContain(`${A.key}/a.jsonl`);
    expect(tree).not.toContain(".bak");
    // the forced add of what a nested .gitignore hides skips them too
    writeFileSync(path.join(A.folder, ".gitignore"), "*\n");
    writeFileSync(path.join(A.folder, "b.jsonl"), line("b1"));
    writeFileSync(path.join(A.folder, "b.jsonl.bak"), line("old"));
    await syncOk(A);
    const tree2 = await A.git(["ls-tree", "-r", "--name-only", "HEAD"]);
    expect(tree2).toContain(`${A.key}/b.jsonl`);
    expect(tree2).not.toContain(".bak");
    await syncOk(B);
    expect(existsSync(path.join(B.folder, "b.jsonl"))).toBe(true);
    expect(existsSync(path.join(B.folder, "a.jsonl.bak"))).toBe(false);
  });
});
