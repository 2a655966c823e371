import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAndCommit, clusterGit, sessionLines, setupPair, writeSession, type Pair } from "./harness.js";

/** Random credentials, built at run time (no secret-looking literal in the repository). */
function fakeSecrets(): { aws: string; gh: string } {
  const pick = (alphabet: string, n: number) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join("");
  return { aws: "AKIA" + pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), gh: "ghp_" + pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 36) };
}

/**
 * The push gate in the helper: a session holding an AWS key and a GitHub token never reaches the
 * cluster (checked over every object of the bare cluster), a clean session pushed at the same
 * time does; the held-back file stays as it is locally, also across pulls; a push where
 * everything is held back fails in git's `error <ref> <why>` format; allowing the findings'
 * fingerprints releases the file on the next push.
 */
describe("push gate: secrets are held back", () => {
  let P: Pair;
  const { aws, gh } = fakeSecrets();
  beforeAll(async () => {
    P = await setupPair();
  });
  afterAll(async () => P?.cleanup());

  const clusterHas = async (needle: string) => {
    const all = await clusterGit(P.url, ["cat-file", "--batch-all-objects", "--batch"]);
    return all.stdout.includes(needle);
  };
  const leakLine = () => JSON.stringify({ type: "user", uuid: "leak", cwd: P.rootB, toolUseResult: { stdout: `AWS_ACCESS_KEY_ID=${aws}\nGITHUB_TOKEN=${gh}\n` } });

  it("the leaky session is held back, the clean one goes through", async () => {
    writeSession(P.B.at(P.keyB), "leaky", [...sessionLines(P.rootB, "leaky", "lk", 2), leakLine()]);
    writeSession(P.B.at(P.keyB), "clean", sessionLines(P.rootB, "clean", "cl", 2));
    await P.B.git(["add", "--", P.keyB]);
    await P.B.git(["commit", "-q", "-m", "one leaky, one clean"]);
    const r = await P.B.git(["push"]);
    expect(r.stderr).toMatch(/1 file\(s\) held back because they contain secrets \((aws-access-key-id, github-pat|github-pat, aws-access-key-id)\)/);
    expect(r.stderr).not.toContain(aws);
    expect(r.stderr).not.toContain(gh);
    expect(await clusterHas(aws)).toBe(false);
    expect(await clusterHas(gh)).toBe(false);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/clean.jsonl"], { allowFail: true })).code).toBe(0);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/leaky.jsonl"], { allowFail: true })).code).not.toBe(0);
    const held = JSON.parse(readFileSync(P.B.at(".git", "ctx", "held-back.json"), "utf8"));
    expect(held.map((h: { path: string }) => h.path)).toEqual([`${P.keyB}/leaky.jsonl`]);
    expect(JSON.stringify(held)).not.toContain(aws);
  });

  it("a pull keeps the held-back file as it is", async () => {
    const before = readFileSync(P.B.at(P.keyB, "leaky.jsonl"));
    await appendAndCommit(P.A, P.keyA, "s1", sessionLines(P.rootA, "s1", "from-a", 1, Date.UTC(2026, 6, 1)), "A works");
    await P.A.git(["push"]);
    await P.B.git(["pull"]);
    expect(readFileSync(P.B.at(P.keyB, "leaky.jsonl")).equals(before)).toBe(true);
    expect((await P.B.git(["status", "--porcelain"])).stdout).toBe("");
    expect((await P.B.git(["pull"])).stdout).toMatch(/Already up to date/);
  });

  it("a push where everything is held back fails with git's error line; allowing the fingerprints releases it", async () => {
    await appendAndCommit(P.B, P.keyB, "leaky", [JSON.stringify({ type: "user", uuid: "leak2", cwd: P.rootB, message: { role: "user", content: `again ${gh}` } })], "more leak");
    const r = await P.B.git(["push"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/! \[remote rejected\] main -> main \(1 file\(s\) held back because they contain secrets/);
    expect(await clusterHas(gh)).toBe(false);
    const held = JSON.parse(readFileSync(P.B.at(".git", "ctx", "held-back.json"), "utf8")) as { findings: { fingerprint: string }[] }[];
    for (const fp of new Set(held.flatMap((h) => h.findings.map((f) => f.fingerprint)))) await P.B.git(["config", "--add", "ctx.allow", fp]);
    await P.B.git(["push"]);
    expect(await clusterHas(gh)).toBe(true);
    expect(JSON.parse(readFileSync(P.B.at(".git", "ctx", "held-back.json"), "utf8"))).toEqual([]);
    await P.A.git(["pull"]);
    expect(readFileSync(P.A.at(P.keyA, "leaky.jsonl"), "utf8")).toContain('"uuid":"leak2"');
  });
});
