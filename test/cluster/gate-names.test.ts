import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterGit, sessionLines, setupPair, writeSession, type Pair } from "./harness.js";

/**
 * Issue 10, defect 7: secrets left through names and messages. A tool-results file named
 * `ghp_<36 chars>.txt` landed in a tree object of the cluster (and `git ctx scan` did not report
 * it); a token typed into `git commit -m` in the view was copied into `project/<id>`'s history.
 * Now the push gate scans paths (the file is held back) and the helper replaces a commit message
 * that holds a secret with its own.
 */
function token(): string {
  const a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return "ghp_" + [...randomBytes(36)].map((b) => a[b % a.length]).join("");
}

describe("push gate: secrets in file names and commit messages", () => {
  let P: Pair;
  beforeAll(async () => {
    P = await setupPair();
  });
  afterAll(async () => P?.cleanup());

  const everything = async () => (await clusterGit(P.url, ["cat-file", "--batch-all-objects", "--batch"])).stdout;

  it("a file named after a token is held back (never in a cluster tree) and git ctx scan reports it", async () => {
    const t = token();
    const dir = P.B.at(P.keyB, "s9", "tool-results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${t}.txt`, "plain output\n");
    writeSession(P.B.at(P.keyB), "s9", sessionLines(P.rootB, "s9", "n", 2));
    const scan = await P.B.ctx(["scan", "--json"], { allowFail: true });
    expect(scan.code).toBe(1);
    const f = (JSON.parse(scan.stdout).views[0] as { findings: { file: string; line: number; rule: string }[] }).findings.find((x) => x.line === 0)!;
    expect(f.rule).toBe("github-pat");
    expect(f.file).toContain("tool-results/");
    expect(scan.stdout).not.toContain(t);
    const r = await P.B.ctx(["sync"], { allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("held back for secrets");
    expect(await everything()).not.toContain(t);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/s9.jsonl"], { allowFail: true })).code).toBe(0);
  });

  it("a commit message holding a token is not copied into the cluster's history", async () => {
    const t = token();
    writeSession(P.B.at(P.keyB), "s10", sessionLines(P.rootB, "s10", "m", 2));
    await P.B.git(["add", "--", P.keyB]);
    await P.B.git(["commit", "-q", "-m", `deploy with GITHUB_TOKEN=${t}`]);
    await P.B.git(["push", "-q"]);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/s10.jsonl"], { allowFail: true })).code).toBe(0);
    const log = (await clusterGit(P.url, ["log", "--all", "--format=%B"])).stdout;
    expect(log).not.toContain(t);
    expect(log).toContain("the commit message held a secret and was not sent");
    expect(await everything()).not.toContain(t);
  });
});
