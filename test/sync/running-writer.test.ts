import { appendFileSync, closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { lineCounts, linesOf, syncOk, type ViewMachine, makeMachinePair } from "./helpers.js";

/**
 * Issue 4, scope 3: a line a running agent appends while sync updates the work tree is never
 * lost. Deterministic: the sync pauses between reading a file and writing it
 * (`GIT_CTX_TEST_PAUSE_DIR`), the test appends a line inside that window. With
 * `GIT_CTX_UNSAFE_CHECKOUT=1` (git-checkout-style replacement, test only) the same line is lost,
 * which shows the test would catch a sync without the protection.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const line = (who: string, n: number) =>
  JSON.stringify({ type: "user", uuid: `${who}-${n}`, timestamp: `2026-01-01T00:00:${String(n).padStart(2, "0")}.000Z`, message: { role: "user", content: `${who} ${n}` } });

async function setup(): Promise<{ A: ViewMachine; B: ViewMachine; fa: string; fb: string }> {
  const { A, B } = await makeMachinePair(cleanups);
  const fa = path.join(A.folder, "s.jsonl");
  const fb = path.join(B.folder, "s.jsonl");
  writeFileSync(fa, [line("base", 0), line("base", 1)].join("\n") + "\n");
  await syncOk(A);
  await syncOk(B);
  appendFileSync(fb, line("B", 2) + "\n");
  await syncOk(B); // A's next sync pulls B's line into A's running session file
  return { A, B, fa, fb };
}

/** Runs A's sync, and inside its read→write window of the session file runs `during`. */
async function syncWithWriterInWindow(A: ViewMachine, unsafe: boolean, during: () => void): Promise<void> {
  const t = await dir({ unsafeCleanup: true });
  cleanups.push(t.cleanup);
  const env = { GIT_CTX_TEST_PAUSE_DIR: t.path, ...(unsafe ? { GIT_CTX_UNSAFE_CHECKOUT: "1" } : {}) };
  const running = syncOk(A, [], env);
  const deadline = Date.now() + 60_000;
  while (!existsSync(path.join(t.path, "paused"))) {
    if (Date.now() > deadline) throw new Error("sync never reached the work-tree update");
    await new Promise((r) => setTimeout(r, 5));
  }
  during();
  writeFileSync(path.join(t.path, "resume"), "");
  await running;
}

describe("a line appended during the work-tree update is kept", () => {
  it("open-append-close writer (like Claude Code): kept by the safe update", async () => {
    const { A, B, fa, fb } = await setup();
    await syncWithWriterInWindow(A, false, () => appendFileSync(fa, line("A", 3) + "\n"));
    const c = lineCounts(linesOf(fa));
    for (const l of [line("base", 0), line("base", 1), line("B", 2), line("A", 3)]) expect(c.get(l)).toBe(1);
    await syncOk(A);
    await syncOk(B);
    expect(lineCounts(linesOf(fb)).get(line("A", 3))).toBe(1);
  });

  it("open-append-close writer: LOST with git-checkout-style replacement (GIT_CTX_UNSAFE_CHECKOUT=1)", async () => {
    const { A, fa } = await setup();
    await syncWithWriterInWindow(A, true, () => appendFileSync(fa, line("A", 3) + "\n"));
    expect(linesOf(fa)).not.toContain(line("A", 3));
  });

  it("writer holding one O_APPEND descriptor: kept by the safe update, lost with replacement", async () => {
    for (const unsafe of [false, true]) {
      const { A, fa } = await setup();
      const fd = openSync(fa, "a");
      try {
        await syncWithWriterInWindow(A, unsafe, () => writeSync(fd, line("A", 3) + "\n"));
        writeSync(fd, line("A", 4) + "\n"); // after the sync, through the same descriptor
      } finally {
        closeSync(fd);
      }
      const lines = linesOf(fa);
      if (unsafe) {
        expect(lines).not.toContain(line("A", 4));
      } else {
        const c = lineCounts(lines);
        for (const l of [line("base", 0), line("base", 1), line("B", 2), line("A", 3), line("A", 4)]) expect(c.get(l)).toBe(1);
      }
    }
  });
});

describe("a sync that hangs", () => {
  it("is abandoned by the watchdog (recorded as failed, lock freed); the next sync completes and loses nothing", async () => {
    const { A, B, fa } = await setup();
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    // pause inside the work-tree update and never resume: stands for a hung git or filter
    const r = await A.ctx(["sync"], { env: { GIT_CTX_TEST_PAUSE_DIR: t.path, GIT_CTX_SYNC_TIMEOUT_MS: "1500" } });
    expect(r.code).toBe(75);
    const last = JSON.parse(readFileSync(path.join(A.gitDir, "ctx", "last-sync.json"), "utf8"));
    expect(last.ok).toBe(false);
    expect(last.error).toMatch(/timed out/);
    appendFileSync(fa, line("A", 3) + "\n");
    await syncOk(A);
    await syncOk(B);
    for (const f of [fa, path.join(B.folder, "s.jsonl")]) {
      const c = lineCounts(linesOf(f));
      for (const l of [line("base", 0), line("base", 1), line("B", 2), line("A", 3)]) expect(c.get(l)).toBe(1);
    }
  });
});
