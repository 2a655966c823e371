import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAndCommit, clusterGit, sessionLines, setupPair, type Pair } from "./harness.js";

/** The cluster is append-only: force pushes and deletions are refused with a clear message; `git push -n` pushes nothing. */
describe("push refusals and dry-run", () => {
  let P: Pair;
  beforeAll(async () => {
    P = await setupPair();
  });
  afterAll(async () => P?.cleanup());

  const tip = async () => (await clusterGit(P.url, ["rev-parse", "project/app"])).stdout.trim();

  it("git push --force is refused and changes nothing", async () => {
    const before = await tip();
    await appendAndCommit(P.A, P.keyA, "s1", sessionLines(P.rootA, "s1", "force", 1, Date.UTC(2026, 1, 1)), "to force");
    const r = await P.A.git(["push", "--force"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/force push is refused: the ctx cluster is append-only/);
    expect(await tip()).toBe(before);
  });

  it("deleting the branch is refused and changes nothing", async () => {
    const before = await tip();
    const r = await P.A.git(["push", "origin", ":main"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/deleting is refused: the ctx cluster is append-only/);
    expect(await tip()).toBe(before);
  });

  it("git push -n reports success and pushes nothing; a real push then lands", async () => {
    const before = await tip();
    const lastBefore = (await P.A.git(["rev-parse", "refs/ctx/view/last"])).stdout.trim();
    const r = await P.A.git(["push", "-n"]);
    expect(r.stderr).toMatch(/main -> main/);
    expect(r.stderr).toMatch(/would push/);
    expect(await tip()).toBe(before);
    expect((await P.A.git(["rev-parse", "refs/ctx/view/last"])).stdout.trim()).toBe(lastBefore);
    await P.A.git(["push"]);
    expect(await tip()).not.toBe(before);
    expect((await clusterGit(P.url, ["show", "project/app:context/s1.jsonl"])).stdout).toContain("force-u0");
  });

  it("pushing another ref than main is refused", async () => {
    const r = await P.A.git(["push", "origin", "main:refs/heads/other"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/only refs\/heads\/main/);
  });
});
