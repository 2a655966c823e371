import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeMachinePair, syncOk } from "./helpers.js";

/**
 * Issue 10, defects 5, 6 and 12: what a killed sync or a plain git command leaves in the view
 * must not wedge the next sync, and sync must not make things worse.
 * - an `index.lock` left by a killed git: the next sync removes it (when no git refreshed it
 *   for 10 s) and doctor names it with the fix;
 * - a conflicted plain `git pull` (MERGE_HEAD): sync neither commits nor pushes, says why and
 *   what to run, and leaves git's merge as it was;
 * - a sync lock whose holder was killed: taken over at once instead of after 30 s in silence; a
 *   live holder is named on stderr while the foreground sync waits.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const line = (u: string) => JSON.stringify({ type: "user", uuid: u, timestamp: "2026-01-01T00:00:00.000Z", message: { role: "user", content: u } }) + "\n";

/** A pid that surely does not run: a child that has exited. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ["-e", ""]);
  await new Promise((r) => c.on("close", r));
  return c.pid!;
}

describe("a killed git's index.lock", () => {
  it("is removed by the next sync when old; doctor names it with the fix", async () => {
    const { A } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1"));
    await syncOk(A);
    const lock = path.join(A.gitDir, "index.lock");
    writeFileSync(lock, "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const doc = await A.ctx(["doctor", "--json"]);
    const check = (JSON.parse(doc.stdout).views[0] as { checks: { name: string; ok: boolean; fix?: string }[] }).checks.find((c) => c.name === "index lock")!;
    expect(check.ok).toBe(false);
    expect(check.fix).toContain(`rm ${lock}`);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1") + line("a2"));
    await syncOk(A);
    expect(existsSync(lock)).toBe(false);
    expect(await A.git(["show", `HEAD:${A.key}/s.jsonl`])).toContain('"uuid":"a2"');
  });
});

describe("a conflicted plain git pull in the view", () => {
  it("sync refuses to commit or push, names the merge and the fix, and leaves MERGE_HEAD", async () => {
    const { A, B, remote } = await makeMachinePair(cleanups);
    const ta = path.join(A.folder, "memory", "topic.md");
    const tb = path.join(B.folder, "memory", "topic.md");
    mkdirSync(path.dirname(ta), { recursive: true });
    writeFileSync(ta, "# Topic\n\nthe line\n");
    await syncOk(A);
    await syncOk(B);
    writeFileSync(tb, "# Topic\n\nthe line, as B says\n");
    await syncOk(B);
    writeFileSync(ta, "# Topic\n\nthe line, as A says\n");
    await A.git(["commit", "-qam", "x"]);
    await A.git(["pull", "-q", "origin", "main"]).catch(() => undefined); // conflicts: exit 1
    expect(existsSync(path.join(A.gitDir, "MERGE_HEAD"))).toBe(true);
    const remoteBefore = (await A.git(["ls-remote", remote, "refs/heads/main"])).split("\t")[0];
    const r = await A.ctx(["sync"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/a merge .* is in progress/);
    expect(r.stderr).toMatch(/git merge --abort/);
    expect((await A.git(["ls-remote", remote, "refs/heads/main"])).split("\t")[0]).toBe(remoteBefore);
    expect(existsSync(path.join(A.gitDir, "MERGE_HEAD"))).toBe(true);
    expect(await B.git(["show", `origin/main:${B.key}/memory/topic.md`]).catch(() => "")).not.toContain("<<<<<<<");
    // the user finishes the merge; sync goes on
    writeFileSync(ta, "# Topic\n\nthe line, as both say\n");
    await A.git(["commit", "-qam", "resolved"]);
    await syncOk(A);
    const old = new Date(Date.now() - 60_000);
    utimesSync(tb, old, old); // B's own edit is no longer hot
    await syncOk(B);
    expect(readFileSync(tb, "utf8")).toBe("# Topic\n\nthe line, as both say\n");
  });
});

describe("a sync lock left behind", () => {
  it("by a killed sync (its pid no longer runs) is taken over at once", async () => {
    const { A } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1"));
    const lockDir = path.join(A.gitDir, "ctx", "sync.lock");
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(path.join(lockDir, "owner"), `${await deadPid()} ${hostname()} 2026-01-01T00:00:00.000Z\n`);
    const t0 = Date.now();
    await syncOk(A);
    expect(Date.now() - t0).toBeLessThan(20_000); // proper-lockfile alone waits until the lock is 30 s old
    expect(await A.git(["show", `HEAD:${A.key}/s.jsonl`])).toContain('"uuid":"a1"');
    expect(readFileSync(path.join(A.gitDir, "ctx", "sync.log"), "utf8")).toMatch(/no longer runs: taking it over/);
  });

  it("by a running holder: the foreground sync says whom it waits for, then runs when the holder is gone", async () => {
    const { A } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1"));
    const lockDir = path.join(A.gitDir, "ctx", "sync.lock");
    mkdirSync(lockDir, { recursive: true });
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 2500)"]);
    writeFileSync(path.join(lockDir, "owner"), `${holder.pid} ${hostname()} ${new Date().toISOString()}\n`);
    const r = await A.ctx(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`waiting for the sync that is running as pid ${holder.pid}`);
    expect(await A.git(["show", `HEAD:${A.key}/s.jsonl`])).toContain('"uuid":"a1"');
  });
});

/** Issue 10, defect 13: a long foreground sync names its slow step instead of staying silent. */
describe("a slow sync", () => {
  it("names the step it is in after a second", async () => {
    const { A, B } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "s.jsonl"), line("a1"));
    await syncOk(A);
    const { dir } = await import("tmp-promise");
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    const running = B.ctx(["sync"], { env: { GIT_CTX_TEST_PAUSE_DIR: t.path } });
    while (!existsSync(path.join(t.path, "paused"))) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 1600)); // the work-tree update is slow
    writeFileSync(path.join(t.path, "resume"), "");
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/git ctx sync: updating the work tree .*… \(\d+ s\)/);
  });
});
