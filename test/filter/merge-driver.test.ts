import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MERGE_DRIVER_ERROR, runMergeDriver } from "../../src/filter/merge.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { makeMachine, type TestMachine } from "../helpers/env.js";
import { gitOk, makeView, run } from "./view.js";

describe("runMergeDriver (the %O %A %B %L %P contract)", () => {
  let d: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    d = await dir({ unsafeCleanup: true });
  });
  afterAll(async () => d.cleanup());
  const files = (o: string, a: string, b: string) => {
    const p = (n: string) => path.join(d.path, n);
    writeFileSync(p("O"), o);
    writeFileSync(p("A"), a);
    writeFileSync(p("B"), b);
    return { base: p("O"), ours: p("A"), theirs: p("B"), markerSize: 7, path: "-k/s.jsonl" };
  };

  it("writes the merge into %A, passes %P and the three contents, prints notes, exits 0 / 1", async () => {
    const args = files("o", "a", "b");
    const logs: string[] = [];
    const seen: string[] = [];
    const code = await runMergeDriver(
      args,
      (p, o, a, b) => (seen.push(`${p}|${o}|${a}|${b}`), { merged: Buffer.from("merged"), conflict: false, notes: ["kept both"] }),
      (l) => logs.push(l),
    );
    expect(code).toBe(0);
    expect(seen).toEqual(["-k/s.jsonl|o|a|b"]);
    expect(readFileSync(args.ours, "utf8")).toBe("merged");
    expect(logs).toEqual(["git-ctx merge -k/s.jsonl: kept both"]);
    const c2 = await runMergeDriver(
      files("o", "a", "b"),
      () => ({ merged: Buffer.from("<<<"), conflict: true, notes: [] }),
      () => {},
    );
    expect(c2).toBe(1);
  });

  it("on a failure exits above 128 and leaves %A untouched", async () => {
    const args = files("o", "ours-original", "b");
    const logs: string[] = [];
    const code = await runMergeDriver(
      args,
      () => {
        throw new Error("cannot merge");
      },
      (l) => logs.push(l),
    );
    expect(code).toBe(MERGE_DRIVER_ERROR);
    expect(code).toBeGreaterThan(128);
    expect(readFileSync(args.ours, "utf8")).toBe("ours-original");
    expect(logs.join("")).toMatch(/failed: cannot merge/);
    expect(
      await runMergeDriver(
        { ...args, base: path.join(d.path, "missing") },
        () => ({ merged: Buffer.alloc(0), conflict: false, notes: [] }),
        () => {},
      ),
    ).toBe(MERGE_DRIVER_ERROR);
  });
});

describe("git merge in a view uses git-ctx-filter merge (configured by git ctx install --local)", () => {
  let m: TestMachine;
  beforeAll(async () => {
    m = await makeMachine("mg");
  });
  afterAll(async () => m.cleanup());

  it("merges two appends to one transcript without conflict markers, every line once, in both directions to the same blob", () => {
    const root = path.join(m.pathHome, "w", "proj");
    const key = claudeDirKey(root);
    const top = makeView(m, path.join(m.home, "view"), { os: "linux", home: m.pathHome }, { p: { root, key } }).top;
    const rel = `${key}/s.jsonl`;
    const line = (n: number, sec: number) =>
      JSON.stringify({ type: "user", uuid: `u${n}`, cwd: root, timestamp: `2026-01-01T00:00:0${sec}.000Z`, message: { role: "user", content: `step ${n} in ${root}/src` } }) + "\n";
    mkdirSync(path.join(top, key), { recursive: true });
    writeFileSync(path.join(top, rel), line(0, 0));
    gitOk(m, ["add", "-A"], top);
    gitOk(m, ["commit", "-qm", "base"], top);
    gitOk(m, ["checkout", "-qb", "other"], top);
    writeFileSync(path.join(top, rel), line(0, 0) + line(2, 2));
    gitOk(m, ["commit", "-qam", "other"], top);
    gitOk(m, ["checkout", "-q", "main"], top);
    writeFileSync(path.join(top, rel), line(0, 0) + line(1, 1));
    gitOk(m, ["commit", "-qam", "main"], top);

    gitOk(m, ["branch", "main2", "main"], top);
    const r = run(m, "git", ["merge", "--no-edit", "other"], top);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const merged = readFileSync(path.join(top, rel), "utf8");
    expect(merged).toBe(line(0, 0) + line(1, 1) + line(2, 2)); // smudged back to this machine's paths
    expect(merged).not.toContain("<<<<<<<");
    expect(gitOk(m, ["status", "--porcelain"], top).stdout).toBe("");
    const blobMain = gitOk(m, ["rev-parse", `HEAD:${rel}`], top).stdout;

    gitOk(m, ["checkout", "-q", "other"], top);
    const r2 = run(m, "git", ["merge", "--no-edit", "main2"], top);
    expect(r2.code, r2.stderr).toBe(0);
    expect(gitOk(m, ["rev-parse", `HEAD:${rel}`], top).stdout).toBe(blobMain);
    expect(gitOk(m, ["show", `HEAD:${rel}`], top).stdout).not.toContain(root);
  });

  it("the real bin runs as a merge driver on files (exit 0, result in %A)", async () => {
    const d = await dir({ unsafeCleanup: true });
    try {
      const l = (n: number) => `{"uuid":"u${n}","timestamp":"2026-01-01T00:00:0${n}.000Z"}\n`;
      const p = (n: string) => path.join(d.path, n);
      writeFileSync(p("O"), l(0));
      writeFileSync(p("A"), l(0) + l(2));
      writeFileSync(p("B"), l(0) + l(1));
      const r = run(m, "git-ctx-filter", ["merge", p("O"), p("A"), p("B"), "7", "-home-me-p/s.jsonl"], d.path);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(p("A"), "utf8")).toBe(l(0) + l(1) + l(2));
      const bad = run(m, "git-ctx-filter", ["merge", p("nope"), p("A"), p("B"), "7", "x.jsonl"], d.path);
      expect(bad.code).toBeGreaterThan(128);
    } finally {
      await d.cleanup();
    }
  });
});
