import { mkdirSync, readFileSync, copyFileSync, rmSync, utimesSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusProjects, type CorpusProject } from "../../bench/codec.bench.js";
import { projectBase } from "../../bench/filter.bench.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { HAS_CORPUS, makeMachine, type TestMachine } from "../helpers/env.js";
import { gitOk, importCanonical, makeView, run } from "./view.js";

/**
 * The real-git filter checks on every file of corpus/claude (read by path, copied into temp views at
 * run time; skipped without the corpus): one view per recording machine (os + home), each folder
 * mapped to its inferred root. `git add` stores exactly the codec's canonical bytes, a checkout
 * restores the corpus bytes, and on a machine of another OS the checkout holds that machine's
 * paths and `git status` stays clean, also after every file is re-cleaned.
 */
interface Group {
  machine: { os: Anchors["os"]; home: string };
  items: { id: string; a: Anchors; files: { rel: string; src: string }[] }[];
}

function groups(projects: CorpusProject[]): Group[] {
  const byMachine = new Map<string, Group>();
  projects.forEach((p, i) => {
    const k = `${p.anchors.os}|${p.anchors.home}`;
    const g = byMachine.get(k) ?? { machine: { os: p.anchors.os, home: p.anchors.home }, items: [] };
    byMachine.set(k, g);
    const same = g.items.find((x) => x.a.key === p.anchors.key);
    const base = projectBase(p);
    const files = p.files.map((f) => ({ rel: path.relative(base, f).split(path.sep).join("/"), src: f }));
    if (same && same.a.root !== p.anchors.root) return; // another root under the same folder name: leave out
    if (same) same.files.push(...files);
    else g.items.push({ id: `p${i}`, a: p.anchors, files });
  });
  return [...byMachine.values()];
}

/** A machine of another OS for `a`'s project number `i`. */
function otherMachine(a: Anchors, i: number): Anchors {
  if (a.os === "windows") {
    const root = `/home/bee/work/p${i}`;
    return { os: "linux", home: "/home/bee", root, key: claudeDirKey(root), rewriteHome: true };
  }
  const root = `C:\\Users\\bee\\work\\p${i}`;
  return { os: "windows", home: "C:\\Users\\bee", root, key: claudeDirKey(root), rewriteHome: true };
}

describe.skipIf(!HAS_CORPUS)("git-ctx-filter under real git on corpus/claude", () => {
  let m: TestMachine;
  let gs: Group[] = [];
  beforeAll(async () => {
    m = await makeMachine("corpus");
    gs = groups(await corpusProjects());
  });
  afterAll(async () => m?.cleanup());

  it("stores the codec's canonical bytes, restores the exact bytes, and stays clean on a machine of another OS", () => {
    expect(gs.length).toBeGreaterThan(2);
    let checked = 0;
    gs.forEach((g, gi) => {
      const topA = path.join(m.home, `a${gi}`);
      makeView(m, topA, g.machine, Object.fromEntries(g.items.map((x) => [x.id, { root: x.a.root, key: x.a.key }])));
      for (const it of g.items)
        for (const f of it.files) {
          const dst = path.join(topA, it.a.key, f.rel);
          mkdirSync(path.dirname(dst), { recursive: true });
          copyFileSync(f.src, dst);
        }
      gitOk(m, ["add", "-A"], topA);
      for (const it of g.items)
        for (const f of it.files) {
          const blob = gitOk(m, ["cat-file", "blob", `:${it.a.key}/${f.rel}`], topA).out;
          expect(blob.equals(canonicalize(readFileSync(f.src), it.a)), `${it.a.key}/${f.rel}`).toBe(true);
          checked++;
        }
      gitOk(m, ["commit", "-q", "-m", "corpus"], topA);
      for (const it of g.items) rmSync(path.join(topA, it.a.key), { recursive: true });
      gitOk(m, ["checkout", "--", "."], topA);
      for (const it of g.items)
        for (const f of it.files) expect(readFileSync(path.join(topA, it.a.key, f.rel)).equals(readFileSync(f.src)), `${it.a.key}/${f.rel} restored`).toBe(true);
      expect(gitOk(m, ["status", "--porcelain"], topA).stdout).toBe("");

      // machine B, another OS
      const bs = g.items.map((it, i) => ({ it, b: otherMachine(it.a, gi * 100 + i) }));
      const topB = path.join(m.home, `b${gi}`);
      makeView(m, topB, { os: bs[0]!.b.os, home: bs[0]!.b.home }, Object.fromEntries(bs.map(({ it, b }) => [it.id, { root: b.root, key: b.key }])));
      importCanonical(m, topA, topB, Object.fromEntries(bs.map(({ it, b }) => [it.a.key, b.key])));
      for (const { it, b } of bs)
        for (const f of it.files) {
          const got = readFileSync(path.join(topB, b.key, f.rel));
          expect(got.equals(localize(canonicalize(readFileSync(f.src), it.a), b)), `${b.key}/${f.rel} smudged for B`).toBe(true);
        }
      expect(gitOk(m, ["status", "--porcelain"], topB).stdout).toBe("");
      const later = (Date.now() + 5000) / 1000;
      for (const { it, b } of bs) for (const f of it.files) utimesSync(path.join(topB, b.key, f.rel), later, later);
      expect(gitOk(m, ["status", "--porcelain"], topB).stdout).toBe("");
      gitOk(m, ["add", "-A"], topB);
      expect(run(m, "git", ["diff", "--cached", "--quiet", "HEAD"], topB).code, `view ${gi}: re-cleaning on B changed the canonical blobs`).toBe(0);
    });
    expect(checked).toBeGreaterThan(50);
  });
});
