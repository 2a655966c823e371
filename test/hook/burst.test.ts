import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { makeBareRemote, makeViewMachine, syncOk, type ViewMachine } from "../sync/helpers.js";
import { makeMachine } from "../helpers/env.js";

/**
 * Issue 4, Done-when 4 (hook part): `git ctx sync --hook` always exits 0 without a byte of
 * output, and a burst of 20 Stop-hook calls within one second leads to at most 2 sync runs
 * (counted in `$GIT_DIR/ctx/sync.log`), the last change being synced to the remote.
 */

const pexec = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const hookJson = (m: ViewMachine, file: string) => JSON.stringify({ session_id: "s", transcript_path: file, cwd: "/work/proj", hook_event_name: "Stop", stop_hook_active: false });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("git ctx sync --hook", () => {
  it("20 hook calls in one second: silent exit 0 each, at most 2 sync runs, last change pushed", async () => {
    const remote = await makeBareRemote();
    const A = await makeViewMachine("A", remote.url);
    cleanups.push(remote.cleanup, A.cleanup);
    const file = path.join(A.folder, "s.jsonl");
    writeFileSync(file, JSON.stringify({ type: "summary", n: -1 }) + "\n");
    await syncOk(A);
    const log = path.join(A.gitDir, "ctx", "sync.log");
    const startsBefore = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l.endsWith("sync start")).length;

    const calls: Promise<{ code: number; stdout: string; stderr: string }>[] = [];
    for (let i = 0; i < 20; i++) {
      appendFileSync(file, JSON.stringify({ type: "user", n: i }) + "\n");
      calls.push(A.ctx(["sync", "--hook"], { input: hookJson(A, file) }));
      await sleep(50);
    }
    const results = await Promise.all(calls);
    for (const r of results) expect(r).toEqual({ code: 0, stdout: "", stderr: "" });

    // wait until the background work is over: no request left, no lock held, log quiet
    const ctxDir = path.join(A.gitDir, "ctx");
    const deadline = Date.now() + 90_000;
    let quietSince = Date.now();
    let lastLen = -1;
    for (;;) {
      const len = readFileSync(log, "utf8").length;
      const busy = existsSync(path.join(ctxDir, "sync.pending")) || existsSync(path.join(ctxDir, "sync.lock"));
      if (busy || len !== lastLen) quietSince = Date.now();
      lastLen = len;
      if (Date.now() - quietSince > 2500) break;
      if (Date.now() > deadline) throw new Error("background sync did not finish:\n" + readFileSync(log, "utf8"));
      await sleep(100);
    }
    const text = readFileSync(log, "utf8");
    const runs = text.split("\n").filter((l) => l.endsWith("sync start")).length - startsBefore;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(2);
    expect(text).not.toMatch(/sync failed/);
    const pushed = (await pexec("git", ["--git-dir", remote.url, "show", `main:${A.key}/s.jsonl`])).stdout;
    expect(pushed.trim().split("\n").at(-1)).toBe(JSON.stringify({ type: "user", n: 19 }));
  }, 180_000);

  it("outside a view, and with garbage on stdin: exit 0, no output", async () => {
    const m = await makeMachine("N");
    cleanups.push(m.cleanup);
    const bin = path.join(path.dirname(new URL(import.meta.url).pathname), "../../bin/git-ctx");
    for (const input of ["", "not json", '{"hook_event_name":"Stop"}']) {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = execFile(process.execPath, [bin, "sync", "--hook"], { env: m.env }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
        c.stdin!.end(input);
      });
      expect(r).toEqual({ code: 0, out: "" });
    }
  });
});
