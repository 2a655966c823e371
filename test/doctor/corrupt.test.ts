import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DoctorSchema } from "../../src/json/schemas.js";
import { corruptionLines, fsckProblems } from "../../src/git/corrupt.js";
import { appendAndCommit, sessionLines, setupPair, writeSession, type Node } from "../cluster/harness.js";

/**
 * Issue 22, point 8: a corrupt object in the view failed every sync with git's raw `inflate` /
 * `bad file` text and no fix. Now doctor's "object store" check finds it (git fsck), the sync
 * fails with one error naming `git ctx doctor --fix`, and the fix rebuilds the repository from
 * the cluster: the work tree (every local line, committed or not) stays, the broken repository is
 * kept, and the next sync pushes this machine's lines and appends the cluster's.
 */

const EMPTY = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

describe("git's words for a damaged object store", () => {
  it("are recognised in a sync's error text, and fsck's empty-tree noise is not a problem", () => {
    expect(
      corruptionLines(
        "git cat-file blob d08e2236 failed (exit 128) in /x: error: inflate: data stream error (incorrect header check)\nerror: unable to unpack d08e2236 header\nfatal: git cat-file d08e2236: bad file",
      ),
    ).toEqual([
      "git cat-file blob d08e2236 failed (exit 128) in /x: error: inflate: data stream error (incorrect header check)",
      "error: unable to unpack d08e2236 header",
      "fatal: git cat-file d08e2236: bad file",
    ]);
    expect(corruptionLines("fatal: loose object 0123456789abcdef0123456789abcdef01234567 (stored in .git/objects/01/23) is corrupt")).toHaveLength(1);
    expect(corruptionLines("fatal: packed object 0123456789abcdef (stored in .git/objects/pack/pack-1.pack) is corrupt")).toHaveLength(1);
    expect(corruptionLines("error: did not receive expected object 0123456789abcdef")).toHaveLength(1);
    expect(corruptionLines("! [rejected] main -> main (fetch first)\nfatal: could not read from remote repository")).toEqual([]);
    expect(fsckProblems(`missing tree ${EMPTY}\nnotice: HEAD points to an unborn branch (main)\n`)).toEqual([]);
    expect(fsckProblems(`broken link from  commit 1111111\n              to    tree ${EMPTY}\n`)).toEqual([]);
    expect(fsckProblems(`broken link from    tree a977a181\n              to    blob d08e2236\nmissing tree ${EMPTY}\nmissing blob d08e2236\n`)).toEqual([
      "broken link from tree a977a181 to blob d08e2236",
      "missing blob d08e2236",
    ]);
  });
});

describe("a corrupt view repository (real bins, filter on)", () => {
  it("doctor names it with the fix; sync says so instead of raw git; doctor --fix rebuilds it from the cluster and every local line reaches the cluster", async () => {
    const p = await setupPair({ filter: true });
    try {
      const { A, B, keyA, keyB, rootA, rootB } = p;
      const doctor = async (n: Node, args: string[] = []) => {
        const r = await n.ctx(["doctor", "--json", ...args], { allowFail: true });
        expect(r.stdout, `exit ${r.code}: ${r.stderr}`).not.toBe("");
        return { code: r.code, report: DoctorSchema.parse(JSON.parse(r.stdout)).views[0]! };
      };
      await B.ctx(["hook", "install"]);
      await B.ctx(["sync"]);
      const healthy = await doctor(B);
      expect(healthy.code, JSON.stringify(healthy.report.checks.filter((c) => !c.ok))).toBe(0);
      expect(healthy.report.checks.find((c) => c.name === "object store")?.ok).toBe(true);

      // B: one line committed (never pushed), one line only in the work tree; A: a line B lacks
      await appendAndCommit(B, keyB, "s1", sessionLines(rootB, "s1", "b-committed", 1), "b's own commit");
      writeSession(B.at(keyB), "s1", sessionLines(rootB, "s1", "b-uncommitted", 1), true);
      writeSession(B.at(keyB), "s2", sessionLines(rootB, "s2", "b-newsession", 2));
      writeSession(A.at(keyA), "s1", sessionLines(rootA, "s1", "a-later", 1), true);
      await A.ctx(["sync"]);

      // the blob of B's committed transcript becomes garbage (git made it read-only)
      const blob = (await B.git(["rev-parse", `HEAD:${keyB}/s1.jsonl`])).stdout.trim();
      const file = path.join(B.projects, ".git", "objects", blob.slice(0, 2), blob.slice(2));
      expect(existsSync(file)).toBe(true);
      chmodSync(file, 0o644);
      writeFileSync(file, "garbage, not a zlib stream");

      // (a) doctor fails the new check and names the fix
      const sick = await doctor(B);
      expect(sick.code, JSON.stringify(sick.report.checks.slice(-5))).toBe(1);
      const store = sick.report.checks.find((c) => c.name === "object store");
      expect(store?.ok, JSON.stringify(sick.report.checks)).toBe(false);
      expect(store!.detail).toContain(blob.slice(0, 12));
      expect(store!.fix!.split("   (")[0]).toBe("git ctx doctor --fix");

      // the sync fails with one error naming the view and the fix
      const failed = await B.ctx(["sync"], { allowFail: true });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("is corrupt");
      expect(failed.stderr).toContain(B.projects);
      expect(failed.stderr).toContain("git ctx doctor --fix");
      const afterFail = await doctor(B);
      expect(afterFail.report.checks.find((c) => c.name === "last sync")?.fix).toMatch(/^git ctx doctor --fix/);

      // --dry-run says what it would do and changes nothing
      const dry = await B.ctx(["doctor", "--fix", "--dry-run"], { allowFail: true });
      expect(dry.stdout).toContain("would");
      expect(dry.stdout).toContain("nothing was changed");
      expect(existsSync(path.join(B.projects, ".git", "ctx", "backup"))).toBe(false);
      expect((await doctor(B)).report.checks.find((c) => c.name === "object store")?.ok).toBe(false);

      // (b) the fix: doctor passes, sync works, every local line is in B's file and reaches the cluster
      const fix = await B.ctx(["doctor", "--fix"], { allowFail: true });
      expect(fix.code, fix.stdout + fix.stderr).toBe(0);
      const backups = readdirSync(path.join(B.projects, ".git", "ctx", "backup")).filter((n) => n.startsWith("corrupt-"));
      expect(backups).toHaveLength(1);
      const backup = path.join(B.projects, ".git", "ctx", "backup", backups[0]!);
      expect(fix.stdout).toContain(backup);
      const fixed = await doctor(B);
      expect(fixed.code, JSON.stringify(fixed.report.checks.filter((c) => !c.ok))).toBe(0);
      expect((await B.ctx(["sync"])).code).toBe(0);
      expect((await B.git(["fsck", "--no-dangling", "--no-progress"], { allowFail: true })).stdout).not.toMatch(/missing blob|broken link/);
      const bFile = readFileSync(B.at(keyB, "s1.jsonl"), "utf8");
      for (const tag of ["a1-u0", "b-committed-u0", "b-uncommitted-u0", "a-later-u0"]) expect(bFile).toContain(`"uuid":"${tag}"`);
      expect(readFileSync(B.at(keyB, "s2.jsonl"), "utf8")).toContain(`"uuid":"b-newsession-u0"`);
      const state = JSON.parse(readFileSync(path.join(B.projects, ".git", "ctx", "state.json"), "utf8"));
      expect(Object.keys(state.projects)).toEqual(["app"]);
      await A.ctx(["sync"]);
      const aFile = readFileSync(A.at(keyA, "s1.jsonl"), "utf8");
      for (const tag of ["b-committed-u0", "b-uncommitted-u0", "a-later-u0"]) expect(aFile).toContain(`"uuid":"${tag}"`);
      expect(readFileSync(A.at(keyA, "s2.jsonl"), "utf8")).toContain(`"uuid":"b-newsession-u0"`);
      expect(aFile.split("\n").filter((l) => l.includes(`"uuid":"a1-u0"`))).toHaveLength(1); // merged, not doubled

      // (c) nothing deleted: the broken repository is kept whole, its garbage object included
      expect(readFileSync(path.join(backup, "objects", blob.slice(0, 2), blob.slice(2)), "utf8")).toBe("garbage, not a zlib stream");
      expect(existsSync(path.join(backup, "ctx", "state.json"))).toBe(true);
    } finally {
      await p.cleanup();
    }
  }, 180_000);
});
