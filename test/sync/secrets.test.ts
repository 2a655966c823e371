import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterGit, sessionLines, setupPair, writeSession, type Pair } from "../cluster/harness.js";

/**
 * Issue 10, defects 1 and 2: a file the secret gate held back goes out with the next `git ctx
 * sync` and the next plain `git push` once its finding is allowed or redacted, even when nothing
 * else changed; a foreground sync names held-back files (path, rule, fingerprint, fix) in its
 * output and in `--json`, and a sync whose only change was held back is a warning (exit 0), not a
 * failure. Before: "nothing to commit" forever after `ctx.allow`, "committed 2 file(s); pushed"
 * with one of them never sent, and exit 1 on every run while the secret was there.
 */

function fakeAws(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return "AKIA" + [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join("");
}

interface SyncJson {
  ok: boolean;
  report: { secrets: { path: string; rules: string[]; fingerprints: string[]; fix: string }[]; pushed: boolean };
}

describe("sync and the secret gate", () => {
  let P: Pair;
  beforeAll(async () => {
    P = await setupPair();
  });
  afterAll(async () => P?.cleanup());

  const clusterHas = async (needle: string) => (await clusterGit(P.url, ["cat-file", "--batch-all-objects", "--batch"])).stdout.includes(needle);
  const leak = (uuid: string, key: string) => JSON.stringify({ type: "user", uuid, cwd: P.rootB, toolUseResult: { stdout: `AWS_ACCESS_KEY_ID=${key}\n` } });
  const syncJson = async () => {
    const r = await P.B.ctx(["sync", "--json"], { allowFail: true });
    return { code: r.code, json: JSON.parse(r.stdout).views[0] as SyncJson, stderr: r.stderr };
  };
  const allowAll = async (fps: string[]) => {
    for (const fp of fps) await P.B.git(["config", "--add", "ctx.allow", fp]);
  };

  it("a mixed sync pushes the clean session and names the held-back one (human and --json), never the secret", async () => {
    const key = fakeAws();
    writeSession(P.B.at(P.keyB), "leaky", [...sessionLines(P.rootB, "leaky", "lk", 2), leak("leak-1", key)]);
    writeSession(P.B.at(P.keyB), "clean", sessionLines(P.rootB, "clean", "cl", 2));
    const r = await P.B.ctx(["sync"], { allowFail: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`held back for secrets, not sent: ${P.keyB}/leaky.jsonl (aws-access-key-id`);
    expect(r.stdout).toMatch(/git -C \S+ ctx redact -- /); // runs as printed from anywhere (issue 24)
    expect(r.stdout + r.stderr).not.toContain(key);
    expect(await clusterHas(key)).toBe(false);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/clean.jsonl"], { allowFail: true })).code).toBe(0);
    const again = await syncJson();
    expect(again.code).toBe(0);
    expect(again.json.report.secrets.map((s) => s.path)).toEqual([`${P.keyB}/leaky.jsonl`]);
    expect(again.json.report.secrets[0]!.rules).toEqual(["aws-access-key-id"]);
    expect(JSON.stringify(again.json)).not.toContain(key);
  });

  it("a sync whose only change is held back exits 0 with the warning (was 1 on every run)", async () => {
    const key = fakeAws();
    writeSession(P.B.at(P.keyB), "leaky", [leak("leak-2", key)], true);
    for (let i = 0; i < 2; i++) {
      const r = await syncJson();
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.ok).toBe(true);
      expect(r.json.report.secrets.map((s) => s.path)).toEqual([`${P.keyB}/leaky.jsonl`]);
    }
    expect(await clusterHas(key)).toBe(false);
  });

  it("after ctx.allow, the next git ctx sync sends the file, though nothing else changed; the other machine gets it", async () => {
    const { json } = await syncJson();
    await allowAll(json.report.secrets.flatMap((s) => s.fingerprints));
    const r = await syncJson();
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.report.secrets).toEqual([]);
    expect((await clusterGit(P.url, ["cat-file", "-e", "project/app:context/leaky.jsonl"], { allowFail: true })).code).toBe(0);
    expect(JSON.parse(readFileSync(P.B.at(".git", "ctx", "held-back.json"), "utf8"))).toEqual([]);
    await P.A.ctx(["sync"]);
    expect(readFileSync(P.A.at(P.keyA, "leaky.jsonl"), "utf8")).toContain('"uuid":"leak-2"');
    // nothing left to offer: a further sync neither pushes nor fails
    const quiet = await syncJson();
    expect(quiet.code).toBe(0);
    expect(quiet.json.report.pushed).toBe(false);
  });

  it("after ctx.allow, a plain git push sends a file held back in a mixed push", async () => {
    const key = fakeAws();
    writeSession(P.B.at(P.keyB), "leaky2", [leak("leak-3", key)]);
    writeSession(P.B.at(P.keyB), "clean2", sessionLines(P.rootB, "clean2", "c2", 2));
    await P.B.git(["add", "--", P.keyB]);
    await P.B.git(["commit", "-q", "-m", "mixed"]);
    await P.B.git(["push", "-q"]);
    expect(await clusterHas(key)).toBe(false);
    expect((await P.B.git(["push"], { allowFail: true })).stderr).toMatch(/Everything up-to-date/);
    const held = JSON.parse(readFileSync(P.B.at(".git", "ctx", "held-back.json"), "utf8")) as { findings: { fingerprint: string }[] }[];
    await allowAll(held.flatMap((h) => h.findings.map((f) => f.fingerprint)));
    await P.B.git(["push", "-q"]);
    expect(await clusterHas(key)).toBe(true);
    expect((await P.B.git(["push"], { allowFail: true })).stderr).toMatch(/Everything up-to-date/);
  });

  it("after git ctx redact, the next git ctx sync sends the redacted file (the secret never)", async () => {
    const key = fakeAws();
    writeSession(P.B.at(P.keyB), "leaky3", [...sessionLines(P.rootB, "leaky3", "l3", 2), leak("leak-4", key)]);
    writeSession(P.B.at(P.keyB), "clean3", sessionLines(P.rootB, "clean3", "c3", 2));
    expect((await syncJson()).json.report.secrets.map((s) => s.path)).toEqual([`${P.keyB}/leaky3.jsonl`]);
    await P.B.ctx(["redact", P.B.at(P.keyB, "leaky3.jsonl")]);
    const r = await syncJson();
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.report.secrets).toEqual([]);
    const text = (await clusterGit(P.url, ["show", "project/app:context/leaky3.jsonl"])).stdout;
    expect(text).toContain("[REDACTED:aws-access-key-id]");
    expect(text).toContain('"uuid":"leak-4"');
    expect(await clusterHas(key)).toBe(false);
  });
});
