import { appendFileSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { canonicalize, cleanWithBase, localize, type Anchors } from "../../src/sentinel/index.js";
import { makeMachine, type TestMachine } from "../helpers/env.js";
import { authoredFolder, machineStrings } from "./session.js";
import { gitOk, importCanonical, makeView, run } from "./view.js";

/**
 * Issue 2 "Done when", in a real git repository with `git ctx install --local`: `git add` stores the
 * canonical form, checkout restores the exact bytes, `git status` is clean after checkout on
 * another machine, and a broken filter makes `git add` fail instead of committing raw paths.
 * Run once with whole-buffer cleaning and once through the streaming path (spill threshold 1 byte).
 */
describe.each([
  ["whole-buffer", {}],
  ["streaming (spilled to a temp file)", { GIT_CTX_FILTER_SPILL_BYTES: "1" }],
] as const)("git-ctx-filter under real git: %s", (_mode, env) => {
  let m: TestMachine;
  let A: Anchors;
  let B: Anchors;
  let viewA: string;
  let files: Record<string, Buffer>;
  const sh = (args: string[], cwd: string) => gitOk(m, args, cwd, env);

  beforeAll(async () => {
    m = await makeMachine("fa");
    const rootA = path.join(m.pathHome, "work", "proj");
    A = { os: "linux", home: m.pathHome, root: rootA, key: claudeDirKey(rootA), rewriteHome: true };
    B = { os: "windows", home: "C:\\Users\\bee", root: "C:\\Users\\bee\\code\\proj", key: "C--Users-bee-code-proj", rewriteHome: true };
    viewA = makeView(m, m.projects, { os: A.os, home: A.home }, { p1: { root: A.root, key: A.key } }).top;
    files = authoredFolder(A, B);
    for (const [rel, bytes] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(viewA, A.key, rel)), { recursive: true });
      writeFileSync(path.join(viewA, A.key, rel), bytes);
    }
    // an unjoined folder and a root-level file: excluded from the view and never filtered into it
    mkdirSync(path.join(viewA, "-home-someone-else"), { recursive: true });
    writeFileSync(path.join(viewA, "-home-someone-else", "x.jsonl"), "{}\n");
  });
  afterAll(async () => m?.cleanup());

  it("git add stores the canonical form: no machine path in the index, exactly the codec's bytes", () => {
    sh(["add", "-A"], viewA);
    const staged = sh(["ls-files"], viewA).stdout.trim().split("\n").sort();
    expect(staged).toEqual(
      Object.keys(files)
        .map((r) => `${A.key}/${r}`)
        .sort(),
    );
    for (const [rel, bytes] of Object.entries(files)) {
      const blob = sh(["show", `:${A.key}/${rel}`], viewA).out;
      for (const s of machineStrings(A)) expect(blob.includes(Buffer.from(s)), `${rel} holds ${s}`).toBe(false);
      expect(blob.equals(canonicalize(bytes, A))).toBe(true);
    }
    expect(sh(["show", `:${A.key}/${Object.keys(files)[0]}`], viewA).stdout).toContain("{{CC_PROJECT_ROOT}}/src/app.ts");
    sh(["commit", "-q", "-m", "A"], viewA);
  });

  it("a fresh checkout restores the exact bytes and git status is clean", () => {
    rmSync(path.join(viewA, A.key), { recursive: true });
    sh(["checkout", "--", "."], viewA);
    for (const [rel, bytes] of Object.entries(files)) expect(readFileSync(path.join(viewA, A.key, rel)).equals(bytes), rel).toBe(true);
    expect(sh(["status", "--porcelain"], viewA).stdout).toBe("");
    expect(run(m, "git", ["diff", "--quiet"], viewA, env).code).toBe(0);
  });

  it("on another machine (Windows, other home, root and key) checkout smudges to its paths and git status stays clean", () => {
    const viewB = makeView(m, path.join(m.home, "viewB"), { os: B.os, home: B.home }, { p1: { root: B.root, key: B.key } }).top;
    importCanonical(m, viewA, viewB, { [A.key]: B.key });
    for (const [rel, bytes] of Object.entries(files)) {
      const got = readFileSync(path.join(viewB, B.key, rel));
      expect(got.equals(localize(canonicalize(bytes, A), B)), rel).toBe(true);
      for (const s of machineStrings(A)) expect(got.includes(Buffer.from(s)), `${rel} holds A's ${s}`).toBe(false);
    }
    const session = readFileSync(path.join(viewB, B.key, Object.keys(files)[0]!), "utf8");
    expect(session).toContain(JSON.stringify(B.root).slice(1, -1)); // C:\\Users\\bee\\code\\proj inside JSON
    expect(sh(["status", "--porcelain"], viewB).stdout).toBe("");
    // force a re-clean of every file (new mtime), then the index must still match: cross-machine stable
    const later = (Date.now() + 2000) / 1000;
    for (const rel of Object.keys(files)) utimesSync(path.join(viewB, B.key, rel), later, later);
    expect(sh(["status", "--porcelain"], viewB).stdout).toBe("");
    sh(["add", "-A"], viewB);
    expect(run(m, "git", ["diff", "--cached", "--quiet", "HEAD"], viewB, env).code).toBe(0);
  });

  it("an appended line keeps the committed canonical prefix byte for byte (clean with the index blob as base)", () => {
    const rel = Object.keys(files)[0]!;
    const p = path.join(viewA, A.key, rel);
    const before = sh(["show", `HEAD:${A.key}/${rel}`], viewA).out;
    appendFileSync(p, JSON.stringify({ type: "user", uuid: "u3", cwd: A.root, message: { role: "user", content: `more in ${A.root}` } }) + "\n");
    sh(["add", "--", p], viewA);
    const after = sh(["show", `:${A.key}/${rel}`], viewA).out;
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after.subarray(before.length).toString()).toBe(
      '{"type":"user","uuid":"u3","cwd":"{{CC_PROJECT_ROOT}}","message":{"role":"user","content":"more in {{CC_PROJECT_ROOT}}"}}\n',
    );
  });

  it("a line edited in the middle is cleaned with the index blob as base (the base is left early)", () => {
    const rel = `${A.key}/${Object.keys(files)[2]!}`; // the subagent transcript
    const p = path.join(viewA, rel);
    sh(["add", "--", p], viewA);
    const base = sh(["cat-file", "blob", `:${rel}`], viewA).out;
    const work = Buffer.from('{"edited":true}\n' + readFileSync(p, "utf8") + JSON.stringify({ cwd: A.root }) + "\n");
    writeFileSync(p, work);
    sh(["add", "--", p], viewA);
    expect(sh(["cat-file", "blob", `:${rel}`], viewA).out.equals(cleanWithBase(work, A, base))).toBe(true);
    sh(["commit", "-q", "-m", "edit"], viewA);
  });

  it("with the filter command broken, git add fails instead of committing raw paths", () => {
    const rel = `${A.key}/memory/new-topic.md`;
    writeFileSync(path.join(viewA, rel), `root is ${A.root}\n`);
    const headBefore = sh(["rev-parse", "HEAD"], viewA).stdout;
    for (const process of ["/nonexistent", "false"]) {
      const r = run(m, "git", ["-c", `filter.ctx.process=${process}`, "add", "--", rel], viewA, env);
      expect(r.code, r.stderr).not.toBe(0);
      expect(sh(["ls-files", "--", rel], viewA).stdout).toBe("");
    }
    // a tracked file changed in the work tree: commit -a must clean it, and fails
    sh(["commit", "-q", "--allow-empty", "-m", "before"], viewA);
    const headBefore2 = sh(["rev-parse", "HEAD"], viewA).stdout;
    expect(headBefore2).not.toBe(headBefore);
    appendFileSync(path.join(viewA, A.key, "memory", "MEMORY.md"), `- raw ${A.root}\n`);
    const c = run(m, "git", ["-c", "filter.ctx.process=/nonexistent", "commit", "-q", "-a", "-m", "raw?"], viewA, env);
    expect(c.code).not.toBe(0);
    expect(sh(["rev-parse", "HEAD"], viewA).stdout).toBe(headBefore2);
    expect(sh(["show", `HEAD:${A.key}/memory/MEMORY.md`], viewA).stdout).not.toContain(A.root);
  });

  it("with a broken view state the filter answers status=error and git add fails with the file named", () => {
    const rel = `${A.key}/memory/other-topic.md`;
    writeFileSync(path.join(viewA, rel), `root is ${A.root}\n`);
    const stateFile = path.join(viewA, ".git", "ctx", "state.json");
    const good = readFileSync(stateFile);
    writeFileSync(stateFile, "{ not json");
    try {
      const r = run(m, "git", ["add", "--", rel], viewA, env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`clean '${rel}' failed`);
      expect(r.stderr).toContain("state.json: not valid JSON");
      expect(sh(["ls-files", "--", rel], viewA).stdout).toBe("");
    } finally {
      writeFileSync(stateFile, good);
    }
  });
});
