import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { compareTree, duplicateLines, findPaths, notExactlyOnce, scanRepoObjects, spellings } from "../../demo/checks.js";
import { git } from "../../src/git/exec.js";

// The demo's checks must really fail on bad input; otherwise a green demo proves nothing.

describe("demo checks", () => {
  it("findPaths finds raw, JSON-escaped and \\/-escaped spellings, at path boundaries only", async () => {
    const t = await dir({ unsafeCleanup: true });
    writeFileSync(path.join(t.path, "a.jsonl"), JSON.stringify({ cwd: "/home/alice/src/webshop", x: "C:\\Users\\al\\y" }) + "\n");
    writeFileSync(path.join(t.path, "b.txt"), "see \\/home\\/alice\\/x and /home/alicea/z\n");
    mkdirSync(path.join(t.path, ".git"));
    writeFileSync(path.join(t.path, ".git", "c"), "/home/alice\n");
    const hits = findPaths(t.path, ["/home/alice", "C:\\Users\\al"]);
    expect(hits).toEqual([
      { file: "a.jsonl", needle: "/home/alice", count: 1 },
      { file: "a.jsonl", needle: "C:\\\\Users\\\\al", count: 1 },
      { file: "b.txt", needle: "\\/home\\/alice", count: 1 },
    ]);
    expect(findPaths(t.path, ["/home/bob"])).toEqual([]);
    expect(spellings("C:\\Users\\al")).toContain("C:/Users/al");
    await t.cleanup();
  });

  it("compareTree reports missing and differing files", async () => {
    const t = await dir({ unsafeCleanup: true });
    writeFileSync(path.join(t.path, "same"), "x");
    writeFileSync(path.join(t.path, "other"), "y");
    const want = new Map([
      ["same", Buffer.from("x")],
      ["other", Buffer.from("z")],
      ["gone", Buffer.from("")],
    ]);
    expect(compareTree(t.path, want)).toEqual([
      { file: "other", problem: "differs" },
      { file: "gone", problem: "missing" },
    ]);
    await t.cleanup();
  });

  it("notExactlyOnce and duplicateLines catch lost and doubled lines", () => {
    const l = (u: string) => JSON.stringify({ uuid: u }) + "\n";
    const text = l("a") + l("b") + l("b") + "not json\n";
    expect(notExactlyOnce(text, ["a", "b", "c"])).toEqual([
      { uuid: "b", count: 2 },
      { uuid: "c", count: 0 },
    ]);
    expect(duplicateLines(text)).toEqual([JSON.stringify({ uuid: "b" })]);
  });

  it("scanRepoObjects finds a machine path in any blob of a bare repository and counts sentinels", async () => {
    const t = await dir({ unsafeCleanup: true });
    const bare = path.join(t.path, "c.git");
    await git(["init", "-q", "--bare", "--initial-branch=main", bare]);
    const clean = (await git(["--git-dir", bare, "hash-object", "-w", "--stdin"], { input: '{"cwd":"{{CC_PROJECT_ROOT}}","f":"{{CC_HOME}}/x"}\n' })).trim();
    expect(clean).toMatch(/^[0-9a-f]{40}$/);
    let r = await scanRepoObjects(bare, ["/home/alice"]);
    expect(r).toMatchObject({ blobs: 1, hits: [], sentinels: 2 });
    await git(["--git-dir", bare, "hash-object", "-w", "--stdin"], { input: "x\\/home\\/alice\\/y" });
    r = await scanRepoObjects(bare, ["/home/alice"]);
    expect(r.blobs).toBe(2);
    expect(r.hits.map((h) => h.needle)).toEqual(["\\/home\\/alice"]);
    // A roster naming the machine is skipped only when asked, and only at its path.
    const work = path.join(t.path, "w");
    await git(["init", "-q", "--initial-branch=main", work]);
    writeFileSync(path.join(work, "roster.json"), '{"home":"/home/alice/r"}\n');
    mkdirSync(path.join(work, "context"));
    writeFileSync(path.join(work, "context", "s.jsonl"), '{"cwd":"/home/alice/leak"}\n');
    await git(["add", "-A"], { cwd: work, noCtxFilter: true });
    await git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x"], { cwd: work, noCtxFilter: true });
    await git(["push", "-q", bare, "main"], { cwd: work, noCtxFilter: true });
    r = await scanRepoObjects(bare, ["/home/alice"], { skipPath: (p) => p === "roster.json" });
    expect(r.skipped).toBe(1);
    expect(r.hits.map((h) => h.context).join("|")).toContain("/home/alice/leak");
    expect(r.hits.map((h) => h.context).join("|")).not.toContain("/home/alice/r");
    await t.cleanup();
  });
});
