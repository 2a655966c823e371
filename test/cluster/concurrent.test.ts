import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAndCommit, clusterGit, sessionLines, setupPair, writeSession, type Pair } from "./harness.js";

/**
 * A and B append to the same session and push at the same moment (both pause after building
 * their cluster commit on the same tip, so one atomic push must be rejected and retried). Both
 * land, no line is lost or duplicated, and the next pulls fast-forward.
 */
describe("concurrent pushes to one project", () => {
  let P: Pair;
  beforeAll(async () => {
    P = await setupPair({ sessionLines: 4 });
  });
  afterAll(async () => P?.cleanup());

  it("both land, nothing lost, next pulls fast-forward", async () => {
    const linesA = sessionLines(P.rootA, "s1", "race-A", 3, Date.UTC(2026, 2, 1, 10));
    const linesB = sessionLines(P.rootB, "s1", "race-B", 3, Date.UTC(2026, 2, 1, 11));
    await appendAndCommit(P.A, P.keyA, "s1", linesA, "A races");
    writeSession(P.B.at(P.keyB), "b-only", sessionLines(P.rootB, "b-only", "bonly", 2));
    await appendAndCommit(P.B, P.keyB, "s1", linesB, "B races");
    const env = { GIT_CTX_TEST_PAUSE_AT: "push:after-commit:1500" };
    const [ra, rb] = await Promise.all([P.A.git(["push", "-v"], { env }), P.B.git(["push", "-v"], { env })]);
    expect(ra.code).toBe(0);
    expect(rb.code).toBe(0);
    // One of the two saw the other's push land first and merged.
    expect(ra.stderr + rb.stderr).toMatch(/the cluster moved during the push/);

    const canonical = (await clusterGit(P.url, ["show", "project/app:context/s1.jsonl"])).stdout;
    const lines = canonical.split("\n").filter(Boolean);
    for (const tag of ["a1-u0", "race-A-u0", "race-A-a1", "race-A-u2", "race-B-u0", "race-B-a1", "race-B-u2"]) {
      expect(lines.filter((l) => l.includes(`"${tag}"`))).toHaveLength(1);
    }
    expect(lines).toHaveLength(4 + 3 + 3);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/b-only.jsonl"])).code).toBe(0);
    // linear history: the second commit's parent is the first.
    const hist = (await clusterGit(P.url, ["log", "--format=%s", "project/app"])).stdout.split("\n").filter(Boolean);
    expect(hist.slice(0, 2).sort()).toEqual(["A races", "B races"]);
    expect((await clusterGit(P.url, ["rev-list", "--merges", "project/app"])).stdout).toBe("");

    for (const n of [P.A, P.B]) {
      const head = (await n.git(["rev-parse", "HEAD"])).stdout.trim();
      const pull = await n.git(["pull"]);
      expect(pull.stdout).toMatch(/Fast-forward|Already up to date/);
      expect((await n.git(["merge-base", "--is-ancestor", head, "HEAD"], { allowFail: true })).code).toBe(0);
      expect((await n.git(["rev-list", "--merges", `${head}..HEAD`])).stdout).toBe("");
      expect((await n.git(["pull"])).stdout).toMatch(/Already up to date/);
    }
    expect(readFileSync(P.A.at(P.keyA, "s1.jsonl"), "utf8")).toBe(canonical);
    expect(readFileSync(P.B.at(P.keyB, "s1.jsonl"), "utf8")).toBe(canonical);
    expect(readFileSync(P.A.at(P.keyA, "b-only.jsonl"), "utf8")).toBe(readFileSync(P.B.at(P.keyB, "b-only.jsonl"), "utf8"));
  });
});

/** When the cluster keeps moving, the helper gives up after its attempts with git's standard `fetch first`. */
describe("a push that keeps losing the race", () => {
  let P: Pair;
  beforeAll(async () => {
    P = await setupPair();
  });
  afterAll(async () => P?.cleanup());

  it("answers fetch first; the next push lands", async () => {
    await appendAndCommit(P.A, P.keyA, "s1", sessionLines(P.rootA, "s1", "loser", 1, Date.UTC(2026, 4, 1)), "A loses");
    await appendAndCommit(P.B, P.keyB, "s1", sessionLines(P.rootB, "s1", "winner", 1, Date.UTC(2026, 4, 2)), "B wins");
    const signal = P.A.at(".git", "paused");
    const slow = P.A.git(["push"], { allowFail: true, env: { GIT_CTX_TEST_PAUSE_AT: "push:after-commit:4000", GIT_CTX_TEST_PAUSE_SIGNAL: signal, GIT_CTX_PUSH_ATTEMPTS: "1" } });
    while (!existsSync(signal)) await new Promise((r) => setTimeout(r, 20));
    await P.B.git(["push"]);
    const r = await slow;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/! \[rejected\]\s+main -> main \(fetch first\)/);
    await P.A.git(["push"]);
    const s1 = (await clusterGit(P.url, ["show", "project/app:context/s1.jsonl"])).stdout;
    expect(s1).toContain('"loser-u0"');
    expect(s1).toContain('"winner-u0"');
  });
});
