import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sessionLines, setupPair, writeSession } from "./harness.js";

/**
 * Issue 15: a folder-layout view's build from unchanged inputs is remembered
 * (`$GIT_DIR/ctx/view-memo.json`) so a no-op sync's fetch runs no git process for it. The memo is
 * only a shortcut: new tips, a damaged memo or one for another commit never give a stale view.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("the view memo", () => {
  it("is written by a sync that brought nothing, never hides another machine's new lines, and a damaged one is ignored", async () => {
    const p = await setupPair();
    cleanups.push(p.cleanup);
    const memo = path.join(p.A.projects, ".git", "ctx", "view-memo.json");
    expect((await p.A.ctx(["sync"])).code).toBe(0);
    expect((await p.A.ctx(["sync"])).code).toBe(0);
    const last = (await p.A.git(["rev-parse", "refs/ctx/view/last"])).stdout.trim();
    expect(JSON.parse(readFileSync(memo, "utf8")).commit).toBe(last);
    // B's new lines: new tips, so the memo does not apply
    writeSession(path.join(p.B.projects, p.keyB), "s1", sessionLines(p.rootB, "s1", "b2", 2), true);
    expect((await p.B.ctx(["sync"])).code).toBe(0);
    expect((await p.A.ctx(["sync"])).code).toBe(0);
    expect(readFileSync(path.join(p.A.projects, p.keyA, "s1.jsonl"), "utf8")).toContain('"uuid":"b2-u0"');
    // a memo naming another commit, then a damaged one: ignored, the sync works and rewrites it
    const m = JSON.parse(readFileSync(memo, "utf8")) as { commit: string };
    writeFileSync(memo, JSON.stringify({ ...m, commit: "0".repeat(40) }));
    writeSession(path.join(p.B.projects, p.keyB), "s1", sessionLines(p.rootB, "s1", "b3", 2), true);
    expect((await p.B.ctx(["sync"])).code).toBe(0);
    expect((await p.A.ctx(["sync"])).code).toBe(0);
    expect(readFileSync(path.join(p.A.projects, p.keyA, "s1.jsonl"), "utf8")).toContain('"uuid":"b3-u0"');
    writeFileSync(memo, "{not json");
    const r = await p.A.ctx(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(memo, "utf8")).commit).toBe((await p.A.git(["rev-parse", "refs/ctx/view/last"])).stdout.trim());
  });
});
