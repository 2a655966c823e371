import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { changedRacyEntries, fileStat, parseLsFilesDebug, trustCheckout, type IndexStat } from "../../src/git/racy.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 15: after a checkout every file is "racily clean" (its mtime second is the index's), so
 * git cleaned each of them again in the first `git add` after a join. `trustCheckout` lets git
 * trust them once the second has passed, and only when no file changed (nanosecond compare).
 */

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, encoding: "utf8" });

/** A repository whose work tree git has just checked out (20 files), with a clean filter that logs each file it cleans. */
function checkedOut(): { dir: string; cleaned: () => string[] } {
  const base = mkdtempSync(path.join(tmpdir(), "gitctx-racy-"));
  dirs.push(base);
  const src = path.join(base, "src");
  execFileSync("git", ["init", "-q", "-b", "main", src]);
  for (let i = 0; i < 20; i++) writeFileSync(path.join(src, `f${i}.jsonl`), `{"n":${i}}\n`);
  git(src, "add", ".");
  git(src, "commit", "-qm", "x");
  const dir = path.join(base, "dst");
  git(base, "clone", "-q", "--no-checkout", src, dir);
  const log = path.join(base, "cleaned.log");
  writeFileSync(path.join(dir, ".git", "info", "attributes"), "*.jsonl filter=t\n");
  git(dir, "config", "filter.t.clean", `sh -c 'echo "$1" >> ${log}; cat' -- %f`);
  git(dir, "config", "filter.t.smudge", "cat");
  git(dir, "reset", "-q", "--hard", "HEAD");
  return {
    dir,
    cleaned: () => {
      try {
        return execFileSync("cat", [log], { encoding: "utf8" }).split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

/** The work-tree files git's racy-git rule treats as racily clean: mtime second ≥ the index's (git without USE_NSEC compares seconds). Sorted. */
function racyPaths(dir: string): string[] {
  const index = Math.floor(statSync(path.join(dir, ".git", "index")).mtimeMs / 1000);
  return Array.from({ length: 20 }, (_, i) => `f${i}.jsonl`)
    .filter((f) => Math.floor(statSync(path.join(dir, f)).mtimeMs / 1000) >= index)
    .sort();
}

describe("git's racy entries after a checkout", () => {
  it("reads git's own ls-files --debug output", () => {
    const { dir } = checkedOut();
    const entries = parseLsFilesDebug(git(dir, "ls-files", "-z", "--debug"));
    expect(entries.map((e) => e.path).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}.jsonl`).sort());
    for (const e of entries) expect(fileStat(path.join(dir, e.path))).toEqual({ ctime: e.ctime, mtime: e.mtime, ino: e.ino, size: e.size });
  });

  it("without it, every checked-out file is cleaned again by the next git add; with it, none is, and git still sees a changed file", async () => {
    // A checkout that crossed a second boundary leaves its earlier files older than the index (not
    // racy): take one that fits in one second (nearly always the first), else compare with what
    // git's rule (a file's mtime second not before the index's) makes racy.
    let plain = checkedOut();
    for (let i = 0; i < 5 && racyPaths(plain.dir).length < 20; i++) plain = checkedOut();
    const racy = racyPaths(plain.dir);
    expect(racy.length).toBeGreaterThan(0);
    git(plain.dir, "add", ".");
    expect(plain.cleaned().sort()).toEqual(racy); // the defect: every racily clean file of the checkout (all 20 when it fits in a second), cleaned again

    const { dir, cleaned } = checkedOut();
    expect(await trustCheckout(dir, path.join(dir, ".git"))).toBe("trusted");
    const index = Math.floor(statSync(path.join(dir, ".git", "index")).mtimeMs / 1000);
    for (const e of parseLsFilesDebug(git(dir, "ls-files", "-z", "--debug"))) expect(e.mtime[0]).toBeLessThan(index);
    git(dir, "add", ".");
    expect(cleaned()).toEqual([]);
    // an append after it is seen (size and mtime differ)
    writeFileSync(path.join(dir, "f3.jsonl"), '{"n":3}\n{"n":33}\n');
    expect(git(dir, "status", "--porcelain")).toContain("f3.jsonl");
  });

  it("a file changed in the checkout's second with the same size is not trusted: git checks the contents", async () => {
    const { dir } = checkedOut();
    const f = path.join(dir, "f7.jsonl");
    const before = statSync(f);
    // same size, same second (as far as git's whole seconds can tell)
    writeFileSync(f, '{"n":8}\n');
    if (Math.floor(statSync(f).mtimeMs / 1000) !== Math.floor(before.mtimeMs / 1000)) return; // crossed a second: not the case under test
    expect(await trustCheckout(dir, path.join(dir, ".git"))).toBe("refreshed");
    expect(git(dir, "status", "--porcelain")).toContain("f7.jsonl");
  });
});

describe("changedRacyEntries", () => {
  const stat = fc.record({ ctime: fc.tuple(fc.nat(), fc.nat(999_999_999)), mtime: fc.tuple(fc.nat(), fc.nat(999_999_999)), ino: fc.nat(), size: fc.nat() });
  it("lists exactly the racy entries (mtime second not before the index's) whose file differs in any field or is gone", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(stat, fc.option(stat, { nil: undefined }), fc.boolean()), { maxLength: 8 }), fc.nat(), (rows, second) => {
        const entries: IndexStat[] = rows.map(([s], i) => ({ path: `p${i}`, ...s }));
        const files = new Map(rows.map(([s, other, same], i) => [`p${i}`, same ? s : other]));
        const got = changedRacyEntries(entries, second, (p) => files.get(p));
        const want = entries
          .filter((e) => e.mtime[0] >= second && JSON.stringify(files.get(e.path)) !== JSON.stringify({ ctime: e.ctime, mtime: e.mtime, ino: e.ino, size: e.size }))
          .map((e) => e.path);
        expect(got).toEqual(want);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
