import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, node, sessionLines } from "../cluster/harness.js";

/**
 * Issue 24, point 4: after a join's checkout and after a sync's merge, each transcript's mtime is
 * its latest message's time, so Claude Code's `/resume` and `git ctx sessions` (both sort by
 * mtime) show real recency instead of the checkout's order; git still sees the view clean.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const OLD = Date.UTC(2025, 0, 10, 9, 0, 0);
const NEW = Date.UTC(2025, 4, 20, 18, 0, 0);
const NEWER = Date.UTC(2025, 7, 1, 8, 0, 0);

describe("transcript mtimes are the sessions' last activity", () => {
  it("after join and after a sync that brought lines; git status stays clean; sessions lists newest first", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await node("A", { filter: true });
    cleanups.push(A.cleanup);
    const rootA = path.join(A.home, "proj");
    mkdirSync(rootA, { recursive: true });
    const fa = A.at(claudeDirKey(rootA));
    mkdirSync(fa, { recursive: true });
    // two sessions; "old" is written last on A, so it would be newest by checkout order too
    writeFileSync(path.join(fa, "sess-new.jsonl"), `${sessionLines(rootA, "sess-new", "N", 3, NEW).join("\n")}\n`);
    writeFileSync(path.join(fa, "sess-old.jsonl"), `${sessionLines(rootA, "sess-old", "O", 3, OLD).join("\n")}\n`);
    await A.ctx(["init", "--remote", cluster.url, "--id", "proj", rootA], { cwd: A.home });

    const B = await node("B", { filter: true });
    cleanups.push(B.cleanup);
    const rootB = path.join(B.home, "proj");
    mkdirSync(rootB, { recursive: true });
    const j = await B.ctx(["join", "--remote", cluster.url, "--id", "proj", rootB], { cwd: B.home, allowFail: true });
    expect(j.code, j.stderr).toBe(0);
    const fb = B.at(claudeDirKey(rootB));
    const mtime = (f: string) => statSync(path.join(fb, f)).mtimeMs;
    expect(mtime("sess-new.jsonl")).toBe(NEW + 2000); // the third line's time
    expect(mtime("sess-old.jsonl")).toBe(OLD + 2000);
    expect((await B.git(["status", "--porcelain"])).stdout, "the index knows the new stat data").toBe("");
    const ids = (out: string) => out.split("\n").flatMap((l) => /sess-(new|old)/.exec(l)?.[0] ?? []);
    expect(ids((await B.ctx(["sessions"])).stdout)).toEqual(["sess-new", "sess-old"]);

    // A continues the old session; B's sync appends the lines: the old one is now the newest
    const more = sessionLines(rootA, "sess-old", "O2", 2, NEWER);
    writeFileSync(path.join(fa, "sess-old.jsonl"), `${readFileSync(path.join(fa, "sess-old.jsonl"), "utf8")}${more.join("\n")}\n`);
    expect((await A.ctx(["sync"], { allowFail: true })).code).toBe(0);
    const s = await B.ctx(["sync"], { allowFail: true });
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(path.join(fb, "sess-old.jsonl"), "utf8")).toContain('"uuid":"O2-a1"');
    expect(mtime("sess-old.jsonl")).toBe(NEWER + 1000);
    expect(mtime("sess-new.jsonl"), "an untouched file keeps its time").toBe(NEW + 2000);
    expect(ids((await B.ctx(["sessions"])).stdout)).toEqual(["sess-old", "sess-new"]);
    expect((await B.git(["status", "--porcelain"])).stdout).toBe("");
  });
});
