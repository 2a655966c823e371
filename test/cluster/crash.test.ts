import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAndCommit, clusterGit, sessionLines, setupPair, type Pair } from "./harness.js";

/**
 * kill -9 of the helper at each named step (GIT_CTX_TEST_CRASH_AT, src/cluster/crash.ts) leaves a
 * repository where the next push/pull works, and the pushed line ends up exactly once everywhere.
 */
describe("crash safety of the helper", () => {
  let P: Pair;
  beforeAll(async () => {
    P = await setupPair();
  });
  afterAll(async () => P?.cleanup());

  const count = (text: string, tag: string) => text.split("\n").filter((l) => l.includes(`"${tag}"`)).length;

  for (const step of ["push:after-fetch", "push:after-commit", "push:after-remote", "push:after-refs"]) {
    it(`push killed at ${step}: the next push and pulls work`, async () => {
      const tag = `crash-${step.replace(/\W/g, "-")}`;
      await appendAndCommit(P.B, P.keyB, "s1", sessionLines(P.rootB, "s1", tag, 1, Date.now()), `B ${step}`);
      const crashed = await P.B.git(["push"], { allowFail: true, env: { GIT_CTX_TEST_CRASH_AT: step } });
      expect(crashed.code).not.toBe(0);
      const again = await P.B.git(["push"]);
      expect(again.code).toBe(0);
      expect(count((await clusterGit(P.url, ["show", "project/app:context/s1.jsonl"])).stdout, `${tag}-u0`)).toBe(1);
      expect((await P.B.git(["pull"])).code).toBe(0);
      expect((await P.B.git(["status", "--porcelain"])).stdout).toBe("");
      expect((await P.A.git(["pull"])).stdout).toMatch(/Fast-forward|Already up to date/);
      expect(count(readFileSync(P.A.at(P.keyA, "s1.jsonl"), "utf8"), `${tag}-u0`)).toBe(1);
      expect((await P.A.git(["pull"])).stdout).toMatch(/Already up to date/);
    });
  }

  for (const step of ["list:after-fetch", "list:before-ref"]) {
    it(`pull killed at ${step}: the next pull works and a repeated list gives the same commit`, async () => {
      const tag = `crash-${step.replace(/\W/g, "-")}`;
      await appendAndCommit(P.A, P.keyA, "s1", sessionLines(P.rootA, "s1", tag, 1, Date.now()), `A ${step}`);
      await P.A.git(["push"]);
      const crashed = await P.B.git(["pull"], { allowFail: true, env: { GIT_CTX_TEST_CRASH_AT: step } });
      expect(crashed.code).not.toBe(0);
      const l1 = (await P.B.git(["ls-remote", "origin"])).stdout;
      const l2 = (await P.B.git(["ls-remote", "origin"])).stdout;
      expect(l1).toBe(l2);
      expect((await P.B.git(["pull"])).stdout).toMatch(/Fast-forward/);
      expect(count(readFileSync(P.B.at(P.keyB, "s1.jsonl"), "utf8"), `${tag}-u0`)).toBe(1);
      expect((await P.B.git(["pull"])).stdout).toMatch(/Already up to date/);
    });
  }
});
