import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { redactBytes, scanBytes } from "../../src/scan/index.js";
import { claudeToolResultLine, codexFunctionCallLine, seeds, toolOutput } from "../../bench/scan.seeds.js";
import { makeMachine, NUM_RUNS, type TestMachine } from "../helpers/env.js";

const SEEDS = seeds(77);

describe("redactBytes", () => {
  it("replaces every seeded secret by [REDACTED:<rule>], keeps JSONL lines valid JSON and every other byte", () => {
    const lines = SEEDS.flatMap((s) => [claudeToolResultLine(toolOutput(s.line)), codexFunctionCallLine(toolOutput(s.line))]);
    const input = Buffer.from(lines.join("\n") + "\n");
    const r = redactBytes(input);
    const out = r.bytes.toString("utf8");
    for (const s of SEEDS) expect(out.includes(s.secret), s.rule).toBe(false);
    for (const s of SEEDS) expect(out).toContain(`[REDACTED:${s.rule}]`);
    const outLines = out.split("\n");
    expect(outLines).toHaveLength(lines.length + 1);
    for (const l of outLines.slice(0, -1)) expect(() => JSON.parse(l)).not.toThrow();
    // idempotent: nothing left to find, a second pass changes nothing
    expect(scanBytes(r.bytes, "x")).toEqual([]);
    expect(redactBytes(r.bytes).bytes.equals(r.bytes)).toBe(true);
  });

  it("keeps the bytes outside the spans exactly (invalid UTF-8, NUL, CRLF)", () => {
    const gh = SEEDS.find((s) => s.rule === "github-pat")!.secret;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
        const pre = Buffer.concat([Buffer.from(a), Buffer.from("\r\n")]);
        const post = Buffer.concat([Buffer.from(" \xff\0", "latin1"), Buffer.from(b)]);
        const input = Buffer.concat([pre, Buffer.from(gh), post]);
        const r = redactBytes(input);
        const spans = r.replaced;
        // reconstruct: the output equals the input with each span replaced by its marker
        let expected = Buffer.alloc(0);
        let pos = 0;
        for (const s of spans) {
          expected = Buffer.concat([expected, input.subarray(pos, s.start), Buffer.from(`[REDACTED:${s.rule}]`)]);
          pos = s.end;
        }
        expected = Buffer.concat([expected, input.subarray(pos)]);
        expect(r.bytes.equals(expected)).toBe(true);
        expect(spans.some((s) => s.rule === "github-pat" && s.start === pre.length && s.end === pre.length + gh.length)).toBe(true);
      }),
      { numRuns: Math.min(NUM_RUNS, 5000) },
    );
  });

  it("leaves allowlisted fingerprints alone", () => {
    const s = SEEDS.find((x) => x.rule === "stripe-key")!;
    const input = Buffer.from(toolOutput(s.line));
    const fp = scanBytes(input, "f")[0]!.fingerprint;
    expect(redactBytes(input, { allow: new Set([fp]) }).bytes.equals(input)).toBe(true);
  });
});

describe("git ctx redact", () => {
  let m: TestMachine;
  const KEY = "-home-me-proj";
  const SID = "7d3f2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6";
  beforeEach(async () => {
    m = await makeMachine("redact");
    expect(spawnSync("git", ["init", "-q", "--initial-branch=main"], { cwd: m.projects, env: m.env }).status).toBe(0);
    mkdirSync(path.join(m.projects, KEY, SID, "tool-results"), { recursive: true });
  });
  afterEach(async () => m.cleanup());

  it("redacts a session by id (transcript + tool results), backs up into $GIT_DIR/ctx/backup, then scan is clean", () => {
    const gh = SEEDS.find((s) => s.rule === "github-pat")!;
    const aws = SEEDS.find((s) => s.rule === "aws-access-key-id")!;
    const main = path.join(m.projects, KEY, `${SID}.jsonl`);
    const tr = path.join(m.projects, KEY, SID, "tool-results", "t1.txt");
    const original = [claudeToolResultLine(toolOutput(gh.line)), claudeToolResultLine("clean")].join("\n") + "\n";
    writeFileSync(main, original);
    writeFileSync(tr, toolOutput(aws.line));
    expect(spawnSync("git", ["ctx", "scan"], { cwd: m.projects, env: m.env }).status).toBe(1);

    const dry = spawnSync("git", ["ctx", "redact", "--dry-run", SID], { cwd: m.projects, env: m.env, encoding: "utf8" });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain("would redact 1 secret");
    expect(readFileSync(main, "utf8")).toBe(original);

    const r = spawnSync("git", ["ctx", "redact", SID], { cwd: m.projects, env: m.env, encoding: "utf8" });
    expect(r.status).toBe(0);
    for (const s of SEEDS) expect(r.stdout.includes(s.secret)).toBe(false);
    const after = readFileSync(main, "utf8");
    expect(after).toContain("[REDACTED:github-pat]");
    expect(after.split("\n")).toHaveLength(3); // no line lost
    expect(after.split("\n")[1]).toBe(claudeToolResultLine("clean")); // other lines untouched
    expect(readFileSync(tr, "utf8")).toContain("[REDACTED:aws-access-key-id]");
    // the backup holds the original and lives outside the work tree
    const backups = readdirSync(path.join(m.projects, ".git", "ctx", "backup", KEY));
    expect(backups.some((b) => b.startsWith(`${SID}.jsonl.bak-`))).toBe(true);
    const b = backups.find((x) => x.startsWith(`${SID}.jsonl.bak-`))!;
    expect(readFileSync(path.join(m.projects, ".git", "ctx", "backup", KEY, b), "utf8")).toBe(original);
    expect(spawnSync("git", ["ctx", "scan"], { cwd: m.projects, env: m.env }).status).toBe(0);
  });

  it("an unknown session names the fix", () => {
    const r = spawnSync("git", ["ctx", "redact", "no-such-session"], { cwd: m.projects, env: m.env, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no such file, folder, or session/);
  });
});
