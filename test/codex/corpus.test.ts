import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { codex, listRollouts, readFirstLine, sessionMetaOf } from "../../src/agents/index.js";
import { canonicalize, cleanWithBase, localize, residue, type Anchors } from "../../src/sentinel/index.js";
import { CORPUS } from "../helpers/env.js";
import { machineOf } from "../../bench/codex.bench.js";
import { LINUX_B, WIN_B, rootOccurrences } from "../sentinel/fixtures.js";
import { existsSync, readdirSync } from "node:fs";

/**
 * Issue 11, scope 3, on the real corpus (`../shared/corpus/codex`, read by path, skipped without
 * it): every rollout (Windows, macOS, WSL, Linux) with the Codex module's anchors (project root =
 * its `session_meta.cwd`, home, `CODEX_HOME`) round-trips byte for byte, leaves no project-root
 * residue, and comes back equal after a trip through a machine of another OS.
 */

const DIR = path.join(CORPUS, "codex");
const HAS = existsSync(DIR);

interface Item {
  file: string;
  a: Anchors;
  x: Buffer;
}

function items(): Item[] {
  const out: Item[] = [];
  for (const repo of readdirSync(DIR)) {
    for (const rel of listRollouts(path.join(DIR, repo))) {
      const file = path.join(DIR, repo, rel);
      const meta = sessionMetaOf(readFirstLine(file) ?? "");
      if (!meta) throw new Error(`${file}: no session_meta first line`);
      const a = codex.anchors({ root: meta.cwd, key: "", rewriteHome: true }, machineOf(meta.cwd), undefined);
      out.push({ file, a, x: readFileSync(file) });
    }
  }
  return out;
}

describe.skipIf(!HAS)("Codex rollouts of the corpus through the codec (issue 11, scope 3)", () => {
  const all = HAS ? items() : [];

  it("covers Windows, macOS, WSL and Linux rollouts", () => {
    const roots = all.map((i) => i.a.root);
    expect(roots.some((r) => /^[A-Za-z]:\\/.test(r))).toBe(true);
    expect(roots.some((r) => r.startsWith("/Users/"))).toBe(true);
    expect(roots.some((r) => r.startsWith("/mnt/"))).toBe(true);
    expect(roots.some((r) => r.startsWith("/home/"))).toBe(true);
  });

  it("round-trips every rollout byte for byte", () => {
    for (const i of all) expect(localize(canonicalize(i.x, i.a), i.a).equals(i.x), i.file).toBe(true);
  });

  it("leaves no project root in canonical form (codec residue and an independent string search), including arguments' JSON-in-JSON paths", () => {
    let before = 0;
    let doubly = 0;
    for (const i of all) {
      const c = canonicalize(i.x, i.a);
      expect(
        residue(c, i.a).filter((r) => r.tier === "root"),
        i.file,
      ).toEqual([]);
      expect(rootOccurrences(c.toString("latin1"), i.a), i.file).toEqual([]);
      before += rootOccurrences(i.x.toString("latin1"), i.a).length;
      if (i.a.os === "windows") doubly += i.x.toString("latin1").split(i.a.root.split("\\").join("\\\\\\\\")).length - 1;
    }
    expect(before).toBeGreaterThan(100);
    expect(doubly).toBeGreaterThan(0); // the corpus does hold C:\\\\Users… inside function_call arguments
  });

  it("a rollout localized on a machine of another OS and cleaned there (what the clean filter does) gives the same canonical bytes", () => {
    let hits = 0;
    for (const i of all) {
      const c = canonicalize(i.x, i.a);
      const m = i.a.os === "windows" ? LINUX_B : WIN_B;
      const b = codex.anchors({ root: m.root, key: "", rewriteHome: true }, { os: m.os, home: m.home }, undefined);
      const there = localize(c, b);
      expect(cleanWithBase(there, b, c).equals(c), i.file).toBe(true);
      // B really got B's paths and none of A's root
      expect(rootOccurrences(there.toString("latin1"), i.a), i.file).toEqual([]);
      hits += rootOccurrences(there.toString("latin1"), b).length;
    }
    expect(hits).toBeGreaterThan(100);
  });

  it("plain codec: posix rollouts → a Windows machine → canonical again gives the same bytes", () => {
    const posix = all.filter((i) => i.a.os !== "windows");
    expect(posix.length).toBeGreaterThan(5);
    for (const i of posix) {
      const c = canonicalize(i.x, i.a);
      const b = codex.anchors({ root: WIN_B.root, key: "", rewriteHome: true }, { os: "windows", home: WIN_B.home }, undefined);
      expect(canonicalize(localize(c, b), b).equals(c), i.file).toBe(true);
    }
  });
});
