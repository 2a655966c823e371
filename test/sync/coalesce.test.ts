import { existsSync } from "node:fs";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { runCoalesced } from "../../src/sync/coalesce.js";
import { syncPaths } from "../../src/sync/files.js";

/**
 * One sync at a time per view, and bursts coalesce into one run plus at most one trailing run
 * (src/sync/coalesce.ts). In-process: several callers share one `$GIT_DIR/ctx`.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function paths() {
  const t = await dir({ unsafeCleanup: true });
  cleanups.push(t.cleanup);
  return syncPaths(t.path);
}

describe("runCoalesced", () => {
  it("a burst of requests while nothing runs becomes one run; never two runs at once", async () => {
    const p = await paths();
    let running = 0;
    let overlap = false;
    let runs = 0;
    const run = async () => {
      running++;
      if (running > 1) overlap = true;
      runs++;
      await sleep(150);
      running--;
    };
    const callers = [];
    for (let i = 0; i < 10; i++) {
      callers.push(runCoalesced(p, run, { quietMs: 300, maxWaitMs: 5000, waitForLock: false, request: true }));
      await sleep(20);
    }
    const results = await Promise.all(callers);
    expect(overlap).toBe(false);
    expect(runs).toBe(1);
    expect(results.filter((r) => r.deferred)).toHaveLength(9);
    expect(existsSync(p.pending)).toBe(false);
    expect(existsSync(p.lock)).toBe(false);
  });

  it("requests made during a run are served by exactly one trailing run", async () => {
    const p = await paths();
    let runs = 0;
    const first = runCoalesced(
      p,
      async () => {
        runs++;
        await sleep(400);
      },
      { quietMs: 0, maxWaitMs: 1000, waitForLock: false, request: true },
    );
    await sleep(100); // the first run is under way
    const late = await Promise.all([0, 1, 2].map(() => runCoalesced(p, async () => void runs++, { quietMs: 0, maxWaitMs: 1000, waitForLock: false, request: true })));
    expect(late.every((r) => r.deferred && r.runs === 0)).toBe(true);
    expect(await first).toEqual({ runs: 2, deferred: false });
    expect(runs).toBe(2);
  });

  it("an interactive caller waits for the running sync and then is served", async () => {
    const p = await paths();
    const order: string[] = [];
    const bg = runCoalesced(
      p,
      async () => {
        order.push("bg");
        await sleep(300);
      },
      { quietMs: 0, maxWaitMs: 1000, waitForLock: false, request: true },
    );
    await sleep(50);
    const fg = await runCoalesced(p, async () => void order.push("fg"), { quietMs: 0, maxWaitMs: 1000, waitForLock: true, request: true });
    await bg;
    // the request of the interactive caller is served after it was made: by bg's trailing run or by fg itself
    expect(order.length).toBe(2);
    expect(fg.deferred).toBe(false);
  });
});
