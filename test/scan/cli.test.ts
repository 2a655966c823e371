import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeHeldBack } from "../../src/scan/index.js";
import { claudeToolResultLine, seeds, toolOutput } from "../../bench/scan.seeds.js";
import { makeMachine, type TestMachine } from "../helpers/env.js";

/**
 * `git ctx scan` end to end: the real bin under real git in a temp home. Issue 5: "git ctx scan
 * exits 1 and shows the findings redacted"; no output carries a secret.
 */

const SEEDS = seeds(5);
const AWS = SEEDS.find((s) => s.rule === "aws-access-key-id")!;
const GH = SEEDS.find((s) => s.rule === "github-pat")!;
const SECRETS = SEEDS.map((s) => s.secret);
const KEY = "-home-me-proj";

let m: TestMachine;
beforeEach(async () => {
  m = await makeMachine("scan");
  git(["init", "-q", "--initial-branch=main"]);
  mkdirSync(path.join(m.projects, KEY), { recursive: true });
});
afterEach(async () => m.cleanup());

function git(args: string[]) {
  const r = spawnSync("git", args, { cwd: m.projects, env: m.env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

function ctxScan(args: string[], cwd = m.projects) {
  const r = spawnSync("git", ["ctx", "scan", ...args], { cwd, env: m.env, encoding: "utf8" });
  for (const s of SECRETS) {
    expect(r.stdout.includes(s), "stdout holds a secret").toBe(false);
    expect(r.stderr.includes(s), "stderr holds a secret").toBe(false);
  }
  return r;
}

function session(name: string, lines: string[]) {
  writeFileSync(path.join(m.projects, KEY, name), lines.map((l) => claudeToolResultLine(toolOutput(l)) + "\n").join(""));
}

describe("git ctx scan", () => {
  it("exits 1 and shows redacted findings for a session holding an AWS key and a GitHub token", () => {
    session("leaky.jsonl", ["$ ls", AWS.line, GH.line]);
    session("clean.jsonl", ["$ ls", "README.md src"]);
    const r = ctxScan([]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${KEY}/leaky.jsonl:2: aws-access-key-id ${AWS.secret.slice(0, 4)}…${AWS.secret.slice(-4)}`);
    expect(r.stdout).toContain(`${KEY}/leaky.jsonl:3: github-pat ghp_…`);
    expect(r.stdout).toContain("git config --add ctx.allow");
    expect(r.stdout).not.toContain("clean.jsonl");

    const j = ctxScan(["--json"]);
    expect(j.status).toBe(1);
    const rep = JSON.parse(j.stdout).views[0];
    expect(rep.ok).toBe(false);
    expect(rep.scanned).toBe(2);
    expect(rep.findings.map((f: { rule: string }) => f.rule).sort()).toEqual(["aws-access-key-id", "github-pat"]);
  });

  it("exits 0 when nothing is found", () => {
    session("clean.jsonl", ["$ ls", "README.md src"]);
    const r = ctxScan([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("no findings (1 tracked or untracked files scanned)");
  });

  it("every seeded rule is reported from a real file, and nothing in any output is a secret", () => {
    session(
      "all.jsonl",
      SEEDS.map((s) => s.line),
    );
    const rep = JSON.parse(ctxScan(["--json"]).stdout).views[0];
    for (const s of SEEDS)
      expect(
        rep.findings.some((f: { rule: string }) => f.rule === s.rule),
        s.rule,
      ).toBe(true);
  });

  it("scans committed files while nothing was pushed, then only what changed since refs/ctx/view/last; --all scans everything", () => {
    session("old.jsonl", [GH.line]);
    git(["add", "--", KEY]);
    git(["commit", "-q", "-m", "one"]);
    expect(ctxScan([]).status).toBe(1); // no refs/ctx/view/last: a push would send old.jsonl
    git(["update-ref", "refs/ctx/view/last", "HEAD"]);
    session("new.jsonl", ["all good"]);
    const r = ctxScan(["--json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).views[0]).toMatchObject({ base: "refs/ctx/view/last", scanned: 1 });
    expect(ctxScan(["--all"]).status).toBe(1);
    // a change to a pushed file is scanned again
    session("old.jsonl", [GH.line, AWS.line]);
    const again = JSON.parse(ctxScan(["--json"]).stdout).views[0];
    expect(again.findings.map((f: { rule: string }) => f.rule).sort()).toEqual(["aws-access-key-id", "github-pat"]);
  });

  it("skips fingerprints released in git config ctx.allow or .ctxallow, and warns about entries that are not fingerprints", () => {
    session("leaky.jsonl", [AWS.line, GH.line]);
    const rep = JSON.parse(ctxScan(["--json"]).stdout).views[0];
    const fpAws = rep.findings.find((f: { rule: string }) => f.rule === "aws-access-key-id").fingerprint;
    const fpGh = rep.findings.find((f: { rule: string }) => f.rule === "github-pat").fingerprint;
    git(["config", "--add", "ctx.allow", fpAws]);
    const one = JSON.parse(ctxScan(["--json"]).stdout).views[0];
    expect(one.findings.map((f: { fingerprint: string }) => f.fingerprint)).toEqual([fpGh]);
    writeFileSync(path.join(m.projects, ".ctxallow"), `# released after review\n${fpGh}  # test token\nnot-a-fingerprint\n`);
    const r = ctxScan([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(".ctxallow:3: 'not-…' is not a fingerprint");
  });

  it("lists the held-back files written by the push gate", () => {
    session("leaky.jsonl", [GH.line]);
    const gitDir = path.join(m.projects, ".git");
    writeHeldBack(gitDir, [
      {
        path: `${KEY}/leaky.jsonl`,
        findings: [{ file: `${KEY}/leaky.jsonl`, line: 1, rule: "github-pat", redacted: "ghp_…abcd", fingerprint: "0123456789abcdef" }],
        since: "2026-01-02T03:04:05.000Z",
      },
    ]);
    const r = ctxScan([]);
    expect(r.stdout).toContain("Held back by the last push");
    expect(r.stdout).toContain(`${KEY}/leaky.jsonl  since 2026-01-02T03:04:05.000Z (1 finding: github-pat)`);
    expect(JSON.parse(ctxScan(["--json"]).stdout).views[0].heldBack).toHaveLength(1);
  });

  it("limits the scan to the paths given (folder names starting with '-' after --)", () => {
    session("leaky.jsonl", [GH.line]);
    mkdirSync(path.join(m.projects, "-home-me-other"));
    writeFileSync(path.join(m.projects, "-home-me-other", "s.jsonl"), "clean\n");
    expect(ctxScan(["--", "-home-me-other"]).status).toBe(0);
    expect(ctxScan(["--", KEY]).status).toBe(1);
    expect(ctxScan(["."], path.join(m.projects, KEY)).status).toBe(1);
  });

  it("outside any repository: exit 1 with a message that names the fix", () => {
    const outside = path.join(m.home, "elsewhere");
    mkdirSync(outside);
    spawnSync("rm", ["-rf", path.join(m.projects, ".git")]);
    const r = ctxScan([], outside);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a git-ctx view.*git ctx init/);
  });
});
