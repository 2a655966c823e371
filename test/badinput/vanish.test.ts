import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { type ViewMachine, makeMachinePair } from "../sync/helpers.js";

/**
 * A file that disappears while sync reads it (issue 5, scope 4). Deterministic: the sync's
 * test-only pause (`GIT_CTX_TEST_PAUSE_DIR`, src/sync/worktree.ts) stops after B's file was read
 * and before it is written; the test deletes the file inside that window, then lets sync go on.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function line(who: string, i: number): string {
  return JSON.stringify({
    type: "user",
    uuid: `${who}-${i}`,
    timestamp: new Date(Date.UTC(2026, 0, 2, 10, 0, i)).toISOString(),
    message: { role: "user", content: `${who} ${i}` },
  });
}

async function waitFor(p: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(p)) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${p}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pair(): Promise<{ A: ViewMachine; B: ViewMachine }> {
  return makeMachinePair(cleanups);
}

/** A and B share a session; A appends; B's sync pauses after reading B's copy, the copy is deleted, sync resumes. */
async function vanishDuringSync() {
  const { A, B } = await pair();
  const name = "33333333-0000-4000-8000-000000000001.jsonl";
  const base = [0, 1, 2].map((i) => line("A", i)).join("\n") + "\n";
  writeFileSync(path.join(A.folder, name), base);
  expect((await A.ctx(["sync"])).code).toBe(0);
  expect((await B.ctx(["sync"])).code).toBe(0);
  const more = [3, 4].map((i) => line("A", i)).join("\n") + "\n";
  writeFileSync(path.join(A.folder, name), base + more);
  expect((await A.ctx(["sync"])).code).toBe(0);

  const t = await dir({ unsafeCleanup: true });
  cleanups.push(t.cleanup);
  const running = B.ctx(["sync"], { env: { GIT_CTX_TEST_PAUSE_DIR: t.path } });
  await waitFor(path.join(t.path, "paused"));
  const fb = path.join(B.folder, name);
  rmSync(fb); // the session disappears while sync holds its bytes
  writeFileSync(path.join(t.path, "resume"), "");
  const r = await running;
  return { A, B, name, fb, base, more, r, out: r.stderr + r.stdout };
}

describe("a file that disappears while sync reads it", () => {
  it("B's session vanishes between read and write: no crash, and no line of the session is lost on the cluster or on A", async () => {
    const { A, B, name, base, more, out } = await vanishDuringSync();
    expect(out).not.toMatch(/internal error/);
    const again = await B.ctx(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect((await A.ctx(["sync"])).code).toBe(0);
    const onA = readFileSync(path.join(A.folder, name), "utf8");
    for (const l of (base + more).split("\n").filter(Boolean)) expect(onA).toContain(l);
  });

  // Was a bug: the planned "append" opened the file with O_APPEND|O_CREAT, which recreated a
  // vanished session holding only A's new lines (3–4 of 0–4). The append now opens without
  // O_CREAT; a vanished file is held back (reason "vanished") and the next sync decides.
  it("sync never recreates a vanished session as a fragment, and says it held it back", async () => {
    const { B, name, fb, base, more, r, out } = await vanishDuringSync();
    expect(r.code, out).toBe(0);
    if (existsSync(fb)) expect(readFileSync(fb, "utf8")).toBe(base + more);
    expect(out).toContain(`${name} (vanished)`);
    // the next sync does not bring a fragment back either
    expect((await B.ctx(["sync"])).code).toBe(0);
    if (existsSync(fb)) expect(readFileSync(fb, "utf8")).toBe(base + more);
  });
});
