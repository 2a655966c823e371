import { appendFileSync, existsSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { reorderInPlace } from "../../src/sync/worktree.js";
import { syncOk, type ViewMachine, makeMachinePair } from "./helpers.js";

/**
 * The in-place reorder (src/sync/worktree.ts `reorderInPlace`): after sync appends the lines a
 * transcript lacked, the file holds HEAD's lines in its own order; when cold, sync rewrites it in
 * place to HEAD's order so plain `git status` is clean. A line a writer appends at any moment is
 * never lost: deterministic windows via the test-only pause (`GIT_CTX_TEST_PAUSE_DIR` with
 * `reorder-pause-at` = `read` (after reading, before the re-check) or `write` (after the re-check,
 * right before the positional write).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const line = (who: string, n: number) =>
  JSON.stringify({ type: "user", uuid: `${who}-${n}`, timestamp: `2026-01-01T00:00:${String(n).padStart(2, "0")}.000Z`, message: { role: "user", content: `${who} ${n}` } });
const NAME = "s.jsonl";

/** A and B share base lines 0–1; A appends line 2, B line 3 (later timestamp): HEAD's merged order is 0,1,2,3, B's local order 0,1,3,2. */
async function setup(): Promise<{ A: ViewMachine; B: ViewMachine; fb: string }> {
  const { A, B } = await makeMachinePair(cleanups);
  const fa = path.join(A.folder, NAME);
  const fb = path.join(B.folder, NAME);
  writeFileSync(fa, [line("base", 0), line("base", 1)].join("\n") + "\n");
  await syncOk(A);
  await syncOk(B);
  appendFileSync(fa, line("A", 2) + "\n");
  appendFileSync(fb, line("B", 3) + "\n");
  await syncOk(A);
  return { A, B, fb };
}

function cold(file: string): void {
  const t = new Date(Date.now() - 10_000);
  utimesSync(file, t, t);
}

async function waitFor(p: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!existsSync(p)) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${p}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** B syncs with the reorder pause at `at`; `during` runs inside that window. */
async function syncPausedAt(B: ViewMachine, at: "read" | "write", during: () => void): Promise<string> {
  const t = await dir({ unsafeCleanup: true });
  cleanups.push(t.cleanup);
  writeFileSync(path.join(t.path, "reorder-pause-at"), at);
  const running = syncOk(B, [], { GIT_CTX_TEST_PAUSE_DIR: t.path });
  await waitFor(path.join(t.path, "paused")); // the work-tree update's own pause: let it go on
  writeFileSync(path.join(t.path, "resume"), "");
  await waitFor(path.join(t.path, "paused-reorder"));
  during();
  writeFileSync(path.join(t.path, "resume-reorder"), "");
  return running;
}

const merged = [line("base", 0), line("base", 1), line("A", 2), line("B", 3)].join("\n") + "\n";

describe("sync rewrites a cold transcript to HEAD's line order in place", () => {
  it("B's cold session ends in HEAD's order, same inode, and git status is clean", async () => {
    const { B, fb } = await setup();
    cold(fb);
    const ino = statSync(fb).ino;
    await syncOk(B);
    expect(readFileSync(fb, "utf8")).toBe(merged);
    expect(statSync(fb).ino).toBe(ino);
    expect(await B.git(["status", "--porcelain"])).toBe("");
    expect(await B.git(["show", `HEAD:${B.key}/${NAME}`])).toBe(merged.trimEnd());
  });

  it("a hot session is left in its order (every line there), and the next sync reorders it once cold", async () => {
    const { B, fb } = await setup();
    const soon = new Date(Date.now() + 60_000);
    utimesSync(fb, soon, soon); // "written just now" however slow this machine is: hot
    await syncOk(B);
    expect(readFileSync(fb, "utf8")).toBe([line("base", 0), line("base", 1), line("B", 3), line("A", 2)].join("\n") + "\n");
    cold(fb);
    await syncOk(B);
    expect(readFileSync(fb, "utf8")).toBe(merged);
    expect(await B.git(["status", "--porcelain"])).toBe("");
  });

  it("a line appended after the read (before the re-check) is kept, and the file is not rewritten", async () => {
    const { B, fb } = await setup();
    cold(fb);
    await syncPausedAt(B, "read", () => appendFileSync(fb, line("B", 4) + "\n"));
    expect(readFileSync(fb, "utf8")).toBe([line("base", 0), line("base", 1), line("B", 3), line("A", 2), line("B", 4)].join("\n") + "\n");
  });

  it("a line appended after the re-check, right before the in-place write, is kept after the rewritten lines", async () => {
    const { B, fb } = await setup();
    cold(fb);
    const ino = statSync(fb).ino;
    await syncPausedAt(B, "write", () => appendFileSync(fb, line("B", 4) + "\n"));
    expect(readFileSync(fb, "utf8")).toBe(merged + line("B", 4) + "\n");
    expect(statSync(fb).ino).toBe(ino);
    // the next sync commits the new line; nothing else changes
    await syncOk(B);
    expect(readFileSync(fb, "utf8")).toBe(merged + line("B", 4) + "\n");
  });
});

describe("reorderInPlace (file level)", () => {
  const lines = (...n: number[]) => n.map((i) => line("x", i)).join("\n") + "\n";
  async function file(content: string, ageMs = 10_000): Promise<string> {
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    const f = path.join(t.path, NAME);
    writeFileSync(f, content);
    const when = new Date(Date.now() - ageMs);
    utimesSync(f, when, when);
    return f;
  }

  it("rewrites a cold permutation in place and leaves everything else byte for byte", async () => {
    const f = await file(lines(2, 0, 1));
    const ino = statSync(f).ino;
    expect(await reorderInPlace(f, Buffer.from(lines(0, 1, 2)))).toBe("rewritten");
    expect(readFileSync(f, "utf8")).toBe(lines(0, 1, 2));
    expect(statSync(f).ino).toBe(ino);
    for (const [content, target, want] of [
      [lines(2, 0, 1), lines(0, 1, 3), "not-a-permutation"], // a line it lacks: never dropped
      [lines(2, 0, 1, 1), lines(0, 1, 2, 2), "not-a-permutation"], // same length and set, other counts
      [lines(0, 1), lines(0, 1), "same"],
      [lines(1, 0) + line("x", 2), lines(0, 1) + line("x", 2), "not-a-permutation"], // unfinished last line
    ] as const) {
      const g = await file(content);
      expect(await reorderInPlace(g, Buffer.from(target))).toBe(want);
      expect(readFileSync(g, "utf8")).toBe(content);
    }
  });

  it("a hot file is left alone unless it is exactly as sync's own append left it", async () => {
    const f = await file(lines(1, 0), 0);
    expect(await reorderInPlace(f, Buffer.from(lines(0, 1)))).toBe("hot");
    expect(readFileSync(f, "utf8")).toBe(lines(1, 0));
    const st = statSync(f);
    expect(await reorderInPlace(f, Buffer.from(lines(0, 1)), { since: { ino: st.ino, size: st.size + 1, mtimeMs: st.mtimeMs } })).toBe("hot");
    expect(await reorderInPlace(f, Buffer.from(lines(0, 1)), { since: { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } })).toBe("rewritten");
    expect(readFileSync(f, "utf8")).toBe(lines(0, 1));
  });

  it("never follows a symlink", async () => {
    const real = await file(lines(1, 0));
    const link = path.join(path.dirname(real), "link.jsonl");
    symlinkSync(real, link);
    expect(await reorderInPlace(link, Buffer.from(lines(0, 1)))).toBe("absent");
    expect(readFileSync(real, "utf8")).toBe(lines(1, 0));
  });

  it("with droppable lines (issue-9 repair): shrinks a cold file in place to the target, dropping only listed lines", async () => {
    const dup = Buffer.from(line("x", 9));
    const f = await file(lines(0, 1) + line("x", 9) + "\n" + lines(2));
    const ino = statSync(f).ino;
    expect(await reorderInPlace(f, Buffer.from(lines(0, 1, 2)), { droppable: [dup] })).toBe("rewritten");
    expect(readFileSync(f, "utf8")).toBe(lines(0, 1, 2));
    expect(statSync(f).ino).toBe(ino);
    for (const [content, drop, want] of [
      [lines(0, 1, 2, 7), [dup], "not-a-permutation"], // an extra line that is not droppable stays
      [lines(0, 1, 2) + line("x", 9) + "\n" + line("x", 9) + "\n", [dup], "not-a-permutation"], // listed once, present twice
      [lines(0, 1), [dup], "not-a-permutation"], // lacks a target line
    ] as const) {
      const g = await file(content);
      expect(await reorderInPlace(g, Buffer.from(lines(0, 1, 2)), { droppable: drop })).toBe(want);
      expect(readFileSync(g, "utf8")).toBe(content);
    }
  });

  it("with droppable lines: a line appended during the rewrite is kept at the end", async () => {
    const f = await file(line("x", 9) + "\n" + lines(0, 1));
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    writeFileSync(path.join(t.path, "reorder-pause-at"), "write");
    const running = reorderInPlace(f, Buffer.from(lines(0, 1)), { droppable: [Buffer.from(line("x", 9))], testPauseDir: t.path });
    await waitFor(path.join(t.path, "paused-reorder"));
    appendFileSync(f, line("w", 5) + "\n");
    writeFileSync(path.join(t.path, "resume-reorder"), "");
    // the re-check happened before the pause: the write goes on; the appended line must survive
    expect(await running).toBe("rewritten");
    expect(readFileSync(f, "utf8")).toBe(lines(0, 1) + line("w", 5) + "\n");
  });
});
