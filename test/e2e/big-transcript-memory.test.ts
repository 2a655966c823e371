import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { makeMachine, type TestMachine } from "../helpers/env.js";

/**
 * Issue 22, point 8: the receiving machine's `git ctx sync` of a large transcript that gained one
 * line holds the transcript in bounded memory (src/sync/streamed.ts), not several whole copies
 * (it peaked at about six times the file: the issue-9 check read the blob whole, the smudged next
 * version was built whole, the work-tree file was read whole). The figure is the `git ctx sync`
 * Node process's own peak RSS (`process.resourceUsage().maxRSS`, written at exit by a `--require`d
 * hook), compared with the same process's peak in a sync with nothing to do, so git's own
 * children (pack-objects, unpack-objects) and the machine's baseline do not count. The result
 * must be the same bytes as before: A's file with A's root read as B's. (A `--max-old-space-size`
 * limit does not tell the two apart: the whole-buffer code's copies are Buffers, outside V8's heap.)
 */

const MB = 1024 * 1024;
const SIZE = 24 * MB;

let A: TestMachine;
let B: TestMachine;
let cluster: string;
let hook: string;
let rss: string;
let rootA: string;
let rootB: string;
let fileA: string;
let fileB: string;

function run(m: TestMachine, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync("git", args, { cwd, env: { ...m.env, ...extra }, encoding: "utf8", maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} on ${m.name}: ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Peak RSS in bytes of B's `git ctx sync` process in one sync. */
function syncPeak(): number {
  writeFileSync(rss, "");
  run(B, ["ctx", "sync"], B.projects, { NODE_OPTIONS: `--require ${hook}`, GIT_CTX_TEST_RSS_LOG: rss });
  const lines = readFileSync(rss, "utf8")
    .split("\n")
    .filter((l) => / sync$/.test(l));
  const peaks = lines.map((l) => Number(l.split(" ")[0]));
  expect(peaks.length).toBeGreaterThan(0);
  return Math.max(...peaks);
}

beforeAll(async () => {
  A = await makeMachine("A");
  B = await makeMachine("B");
  cluster = path.join(A.home, "..", "cluster.git");
  spawnSync("git", ["init", "-q", "--bare", cluster]);
  hook = path.join(B.home, "..", "rss.cjs");
  rss = path.join(B.home, "..", "rss.log");
  writeFileSync(
    hook,
    `process.on("exit", () => { try { require("fs").appendFileSync(process.env.GIT_CTX_TEST_RSS_LOG, process.resourceUsage().maxRSS * 1024 + " " + process.argv.slice(1).map((a) => require("path").basename(a)).join(" ") + "\\n"); } catch {} });\n`,
  );
  rootA = path.join(A.home, "p");
  rootB = path.join(B.home, "work", "p");
  mkdirSync(rootA, { recursive: true });
  mkdirSync(rootB, { recursive: true });
  const dirA = path.join(A.projects, claudeDirKey(rootA));
  mkdirSync(dirA, { recursive: true });
  fileA = path.join(dirA, "s.jsonl");
  fileB = path.join(B.projects, claudeDirKey(rootB), "s.jsonl");
  const fd = openSync(fileA, "w");
  const pad = "x".repeat(900);
  for (let i = 0, n = 0; n < SIZE; i++) {
    const l = `${JSON.stringify({ type: "user", uuid: `u${i}`, cwd: rootA, message: { role: "user", content: `look at ${rootA}/src/f${i}.ts é ${pad}` } })}\n`;
    writeSync(fd, l);
    n += Buffer.byteLength(l);
  }
  closeSync(fd);
  run(A, ["ctx", "init", "--remote", cluster, "--id", "p", rootA], A.home);
  run(B, ["ctx", "join", "--remote", cluster, "--id", "p", rootB], B.home);
  appendFileSync(fileA, `${JSON.stringify({ type: "user", uuid: "new", cwd: rootA, message: { role: "user", content: `one more in ${rootA} ü` } })}\n`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(fileA, old, old);
  run(A, ["ctx", "sync"], A.projects);
}, 120_000);

afterAll(async () => {
  await A?.cleanup();
  await B?.cleanup();
});

describe("receiving sync of a large transcript (issue 22, point 8)", () => {
  it("appends the new line holding far less than the file, with the same bytes as the whole-file path", () => {
    expect(existsSync(fileB)).toBe(true);
    const peak = syncPeak();
    const expected = readFileSync(fileA, "latin1").split(rootA).join(rootB);
    const got = readFileSync(fileB, "latin1");
    expect(got.length).toBe(expected.length);
    expect(got === expected).toBe(true);
    const idle = syncPeak(); // nothing incoming: the process's own baseline on this machine
    // measured on this test: the whole-buffer code peaked about 6.5 copies above the idle sync
    // (157 MB), the streamed path 1.5–1.7 (36–41 MB, mostly a constant: freed buffers the GC has
    // not collected yet, independent of the file's size); the bound is 3 copies
    expect(peak - idle).toBeLessThan(3 * SIZE);
  }, 120_000);
});
