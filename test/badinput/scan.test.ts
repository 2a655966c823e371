import { spawnSync } from "node:child_process";
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync, ftruncateSync } from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanView } from "../../src/commands/scan.js";
import { seeds } from "../../bench/scan.seeds.js";
import { makeMachine, type TestMachine } from "../helpers/env.js";
import { BAD_INPUTS } from "./inputs.js";

/** Bad input through `git ctx scan`: no crash, every readable byte scanned, no file touched. */

const GH = seeds(3).find((s) => s.rule === "github-pat")!;
const KEY = "-home-me-proj";
let m: TestMachine;
beforeEach(async () => {
  m = await makeMachine("badscan");
  expect(spawnSync("git", ["init", "-q", "--initial-branch=main"], { cwd: m.projects, env: m.env }).status).toBe(0);
});
afterEach(async () => m.cleanup());

function put(rel: string, bytes: Buffer): string {
  const abs = path.join(m.projects, KEY, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, bytes);
  return abs;
}

function ctxScan(args: string[]) {
  return spawnSync("git", ["ctx", "scan", "--json", ...args], { cwd: m.projects, env: m.env, encoding: "utf8", maxBuffer: 1 << 26 });
}

describe("bad input through git ctx scan", () => {
  it("scans every bad input without error and leaves each file byte-identical", () => {
    const files = BAD_INPUTS.map((b) => ({ abs: put(b.file, b.bytes()), bytes: b.bytes() }));
    const before = files.map((f) => statSync(f.abs).mtimeMs);
    const r = ctxScan([]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout).views[0];
    expect(rep.scanned).toBe(BAD_INPUTS.length);
    expect(rep.skipped).toEqual([]);
    files.forEach((f, i) => {
      expect(readFileSync(f.abs).equals(f.bytes)).toBe(true);
      expect(statSync(f.abs).mtimeMs).toBe(before[i]);
    });
  });

  for (const b of BAD_INPUTS) {
    it(`finds a secret next to the damage: ${b.name}`, () => {
      const bytes = Buffer.concat([b.bytes(), Buffer.from(`\n{"type":"user","message":{"content":"tok \\n${GH.secret}\\n"}}\n`)]);
      put(b.file, bytes);
      const r = ctxScan([]);
      expect(r.status).toBe(1);
      const rep = JSON.parse(r.stdout).views[0];
      const lineNo =
        bytes
          .toString("latin1")
          .split("\n")
          .findIndex((l) => l.includes(GH.secret)) + 1;
      expect(rep.findings).toEqual([expect.objectContaining({ file: `${KEY}/${b.file}`, rule: "github-pat", line: lineNo })]);
      expect(r.stdout.includes(GH.secret)).toBe(false);
    });
  }

  it("a 200 MB single line (sparse file) with a secret at its end is scanned to the end", () => {
    const abs = path.join(m.projects, KEY, "22222222-0000-4000-8000-000000000001.jsonl");
    mkdirSync(path.dirname(abs), { recursive: true });
    const fd = openSync(abs, "w");
    ftruncateSync(fd, 200 * 1024 * 1024);
    closeSync(fd);
    appendFileSync(abs, `"${GH.secret}"}\n`);
    const size = statSync(abs).size;
    const r = ctxScan([]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).views[0].findings).toEqual([expect.objectContaining({ rule: "github-pat", line: 1 })]);
    expect(statSync(abs).size).toBe(size);
  }, 120_000);

  it("a symlink inside a project folder is not followed (git stores the link, not the target) and is named", () => {
    const outside = path.join(m.home, "secret.env");
    writeFileSync(outside, `GITHUB_TOKEN=${GH.secret}\n`);
    mkdirSync(path.join(m.projects, KEY), { recursive: true });
    symlinkSync(outside, path.join(m.projects, KEY, "linked.jsonl"));
    const r = ctxScan([]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).views[0].skipped).toEqual([{ path: `${KEY}/linked.jsonl`, message: expect.stringMatching(/symbolic link/) }]);
    const human = spawnSync("git", ["ctx", "scan"], { cwd: m.projects, env: m.env, encoding: "utf8" });
    expect(human.stdout).toContain(`warning: ${KEY}/linked.jsonl: not scanned (symbolic link`);
    expect(readFileSync(outside, "utf8")).toBe(`GITHUB_TOKEN=${GH.secret}\n`);
  });

  it("a file that disappears while it is read is left out (nothing to push); an unreadable one is named", async () => {
    put("gone.jsonl", Buffer.from("x\n"));
    put("locked.jsonl", Buffer.from("y\n"));
    put("fine.jsonl", Buffer.from(`t ${GH.secret}\n`));
    const rep = await scanView(
      {
        cwd: m.projects,
        readFile: (abs) => {
          if (abs.endsWith("gone.jsonl")) {
            unlinkSync(abs); // the agent removed it between git's listing and our read
            throw Object.assign(new Error(`ENOENT: no such file or directory, open '${abs}'`), { code: "ENOENT" });
          }
          if (abs.endsWith("locked.jsonl")) throw Object.assign(new Error(`EACCES: permission denied, open '${abs}'`), { code: "EACCES" });
          return readFileSync(abs);
        },
      },
      m.env,
    );
    expect(rep.scanned).toBe(1);
    expect(rep.findings.map((f) => f.file)).toEqual([`${KEY}/fine.jsonl`]);
    expect(rep.skipped).toEqual([{ path: `${KEY}/locked.jsonl`, reason: expect.stringContaining("EACCES") }]);
  });
});
