import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clusterGit, sessionLines, setupPair, writeSession, type Pair } from "./harness.js";

/**
 * Issue 15: `git ctx sync` does the remote helper's work in its own process (src/helper/inprocess.ts)
 * instead of running `git fetch` / `git push` through git-remote-ctx (a Node start-up each), with
 * the same effect: the other machine gets the lines, the cluster branch and the view's refs are
 * what git's route leaves. `GIT_CTX_TRANSPORT=git` takes git's route.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The commands git ran (GIT_TRACE2_EVENT `child_start` argv). */
function childCommands(trace: string): string[] {
  return readFileSync(trace, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; argv?: string[] })
    .filter((e) => e.event === "child_start" || e.event === "start")
    .map((e) => (e.argv ?? []).join(" "));
}

describe("git ctx sync's route to a ctx:: cluster", () => {
  for (const route of ["in-process", "git"] as const) {
    it(`${route}: A's new lines reach B, both views' origin/main and refs/ctx/view/last name the exchanged view, and git-remote-ctx runs ${route === "git" ? "for the fetch and the push" : "never"}`, async () => {
      const p: Pair = await setupPair();
      cleanups.push(p.cleanup);
      const env = route === "git" ? { GIT_CTX_TRANSPORT: "git" } : {};
      writeSession(path.join(p.A.projects, p.keyA), "s1", sessionLines(p.rootA, "s1", "a2", 3), true);
      const trace = path.join(p.A.home, "trace.json");
      const r = await p.A.ctx(["sync"], { env: { ...env, GIT_TRACE2_EVENT: trace } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/pushed/);
      const helpers = childCommands(trace).filter((c) => /remote-ctx/.test(c));
      if (route === "git") expect(helpers.length).toBeGreaterThanOrEqual(2);
      else expect(helpers).toEqual([]);
      // the cluster holds the lines, in canonical form
      const onCluster = (await clusterGit(p.url, ["show", "refs/heads/project/app:context/s1.jsonl"])).stdout;
      expect(onCluster).toContain('"uuid":"a2-u2"');
      // A's refs: what git's push leaves (origin/main and the last exchanged view at HEAD)
      const head = (await p.A.git(["rev-parse", "HEAD"])).stdout.trim();
      expect((await p.A.git(["rev-parse", "refs/remotes/origin/main"])).stdout.trim()).toBe(head);
      expect((await p.A.git(["rev-parse", "refs/ctx/view/last"])).stdout.trim()).toBe(head);
      const b = await p.B.ctx(["sync"], { env });
      expect(b.code, b.stderr).toBe(0);
      expect(readFileSync(path.join(p.B.projects, p.keyB, "s1.jsonl"), "utf8")).toContain('"uuid":"a2-u2"');
      expect((await p.B.git(["rev-parse", "refs/remotes/origin/main"])).stdout.trim()).toBe((await p.B.git(["rev-parse", "HEAD"])).stdout.trim());
    });
  }
});

describe("the in-process push builds on the sync's own listing of the cluster (issue 15)", () => {
  /** How many times each of `ls-remote` and `push --atomic` ran in a trace. */
  function counts(trace: string): { lsRemote: number; push: number } {
    const c = childCommands(trace);
    return { lsRemote: c.filter((x) => / ls-remote /.test(x)).length, push: c.filter((x) => / push --atomic /.test(x)).length };
  }

  it("a sync with work lists the cluster once", async () => {
    const p: Pair = await setupPair();
    cleanups.push(p.cleanup);
    writeSession(path.join(p.A.projects, p.keyA), "s1", sessionLines(p.rootA, "s1", "once", 2), true);
    const trace = path.join(p.A.home, "trace.json");
    const r = await p.A.ctx(["sync"], { env: { GIT_TRACE2_EVENT: trace } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pushed/);
    expect(counts(trace)).toEqual({ lsRemote: 1, push: 1 });
  });

  it("when another machine pushes after that listing, the push is rejected, lists again, merges and lands; nothing is lost", async () => {
    const p: Pair = await setupPair();
    cleanups.push(p.cleanup);
    writeSession(path.join(p.A.projects, p.keyA), "s1", sessionLines(p.rootA, "s1", "late-A", 2), true);
    writeSession(path.join(p.B.projects, p.keyB), "s1", sessionLines(p.rootB, "s1", "early-B", 2), true);
    const trace = path.join(p.A.home, "trace.json");
    const signal = path.join(p.A.home, "paused");
    const resume = path.join(p.A.home, "resume");
    const a = p.A.ctx(["sync"], {
      env: { GIT_TRACE2_EVENT: trace, GIT_CTX_TEST_PAUSE_AT: "push:start:120000", GIT_CTX_TEST_PAUSE_SIGNAL: signal, GIT_CTX_TEST_RESUME_FILE: resume },
    });
    for (let i = 0; i < 300 && !existsSync(signal); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(signal)).toBe(true); // A has fetched (listed the cluster) and waits before its push
    const b = await p.B.ctx(["sync"]);
    writeFileSync(resume, ""); // B's push has landed: A goes on with its push
    expect(b.code, b.stderr).toBe(0);
    const ra = await a;
    expect(ra.code, ra.stderr).toBe(0);
    // the first attempt used the sync's stale listing and was refused; the second listed again
    expect(counts(trace)).toEqual({ lsRemote: 2, push: 2 });
    const onCluster = (await clusterGit(p.url, ["show", "refs/heads/project/app:context/s1.jsonl"])).stdout;
    for (const tag of ["late-A-u0", "late-A-a1", "early-B-u0", "early-B-a1"]) expect(onCluster.split("\n").filter((l) => l.includes(`"${tag}"`))).toHaveLength(1);
  });
});
