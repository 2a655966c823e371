import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { runCoalesced, syncRunning } from "../../src/sync/coalesce.js";
import { syncPaths } from "../../src/sync/files.js";

/**
 * `syncRunning` (src/sync/coalesce.ts), which the hook asks after every agent turn: false with no
 * lock (without loading proper-lockfile), true while a sync holds the lock, false after; and false
 * when the lock's recorded holder is a process of this host that no longer runs (a killed sync),
 * so the hook starts a worker that takes the lock over.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function paths() {
  const t = await dir({ unsafeCleanup: true });
  cleanups.push(t.cleanup);
  return syncPaths(t.path);
}

/** A pid that ran and exited (so no process of this host has it for now). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

/** A lock directory as a holder leaves it: fresh mtime, owner record `<pid> <host> <time>`. */
function fakeLock(p: ReturnType<typeof syncPaths>, pid: number): void {
  mkdirSync(p.lock, { recursive: true });
  writeFileSync(path.join(p.lock, "owner"), `${pid} ${hostname()} ${new Date().toISOString()}\n`);
}

describe("syncRunning", () => {
  it("false with no lock, true while a sync runs, false after", async () => {
    const p = await paths();
    expect(await syncRunning(p)).toBe(false);
    let during: boolean | undefined;
    await runCoalesced(
      p,
      async () => {
        during = await syncRunning(p);
      },
      { quietMs: 0, maxWaitMs: 0, waitForLock: true, request: true },
    );
    expect(during).toBe(true);
    expect(await syncRunning(p)).toBe(false);
  });

  it("a lock left by a process of this host that no longer runs is not a running sync", async () => {
    const p = await paths();
    fakeLock(p, deadPid());
    expect(await syncRunning(p)).toBe(false);
  });

  it("a lock held by a live process of this host is a running sync", async () => {
    const p = await paths();
    fakeLock(p, process.ppid);
    expect(await syncRunning(p)).toBe(true);
  });
});
