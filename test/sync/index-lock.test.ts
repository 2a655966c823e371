import { existsSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { heldIndexLock, INDEX_LOCK_STALE_MS } from "../../src/git/exec.js";
import { makeMachinePair } from "./helpers.js";

/**
 * A held `index.lock` during `git ctx sync` (issue 22, scope 6): sync never prints git's raw
 * "Another git process seems to be running … remove the file manually" text. A lock a killed
 * `git add` left a moment ago is waited for until it is stale (INDEX_LOCK_STALE_MS), removed, and
 * the sync completes; a lock some git keeps holding ends the sync with a clear error naming the
 * lock file and what to do (exit 1).
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const line = (u: string) => JSON.stringify({ type: "user", uuid: u, timestamp: "2026-01-01T00:00:00.000Z", message: { role: "user", content: u } }) + "\n";

describe("a held index.lock", () => {
  it("git's message names the lock (the text the wait recognizes)", () => {
    const stderr = "fatal: Unable to create '/v/.git/index.lock': File exists.\n\nAnother git process seems to be running in this repository";
    expect(heldIndexLock(stderr)).toBe("/v/.git/index.lock");
    expect(heldIndexLock("fatal: Unable to create '/v/.git/index.lock': Permission denied")).toBeUndefined();
  });

  it("left a moment ago by a killed git add: sync waits until it is stale, removes it and completes", async () => {
    const { A } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1"));
    expect((await A.ctx(["sync"])).code).toBe(0);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1") + line("a2"));
    const lock = path.join(A.gitDir, "index.lock");
    // as a killed `git add` leaves it: 7 s ago, so the sync waits ~3 s rather than 10
    writeFileSync(lock, "");
    const t = new Date(Date.now() - (INDEX_LOCK_STALE_MS - 3000));
    utimesSync(lock, t, t);
    const r = await A.ctx(["sync"]);
    expect(r.stderr).not.toMatch(/remove the file manually|Another git process/);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(await A.git(["show", `HEAD:${A.key}/s.jsonl`])).toContain('"uuid":"a2"');
  }, 60_000);

  it("kept by a running git: sync fails with exit 1 naming the lock and the fix, without git's text", async () => {
    const { A } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1"));
    expect((await A.ctx(["sync"])).code).toBe(0);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1") + line("a2"));
    const lock = path.join(A.gitDir, "index.lock");
    writeFileSync(lock, "");
    // a live git writes its lock as it goes: keep it fresh
    const touch = setInterval(() => {
      const now = new Date();
      try {
        utimesSync(lock, now, now);
      } catch {
        /* removed */
      }
    }, 300);
    cleanups.push(() => clearInterval(touch));
    const r = await A.ctx(["sync"]);
    expect(r.stderr).not.toMatch(/remove the file manually|Another git process/);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`index lock ${lock} is held by another git process`);
    expect(r.stderr).toContain(`remove ${lock}; then run 'git ctx sync' again`);
    expect(existsSync(lock)).toBe(true);
  }, 60_000);
});
