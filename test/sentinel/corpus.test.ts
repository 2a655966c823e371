import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corpusProjects, type CorpusProject } from "../../bench/codec.bench.js";
import { canonicalize, canonicalizeWithCounts, cleanWithBase, localize, residue, type Anchors } from "../../src/sentinel/index.js";
import { CORPUS, HAS_CORPUS } from "../helpers/env.js";
import { LINUX_B, MAC_B, WIN_B, rootOccurrences } from "./fixtures.js";

/**
 * The "Done when" on the real corpus (read by path, skipped without it): every file of
 * corpus/claude (Windows, macOS, Linux), anchors from its folder's cwd (src/roster/infer.ts; the
 * flattened marot__spotter folder per file).
 */

interface Item {
  project: string;
  file: string;
  a: Anchors;
  x: Buffer;
  c: Buffer;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  });
}

/** A machine of another OS than `a` (Windows ↔ Linux; macOS → Windows). */
function otherOs(a: Anchors): Anchors {
  return a.os === "windows" ? LINUX_B : WIN_B;
}
/** Another machine of the same OS family. */
function sameOs(a: Anchors): Anchors {
  return a.os === "windows" ? WIN_B : a.os === "darwin" ? MAC_B : LINUX_B;
}

describe.skipIf(!HAS_CORPUS)("sentinel codec on the real corpus (corpus/claude)", () => {
  let projects: CorpusProject[] = [];
  let items: Item[] = [];
  beforeAll(async () => {
    projects = await corpusProjects(path.join(CORPUS, "claude"));
    items = projects.flatMap((p) =>
      p.files.map((file) => {
        const x = readFileSync(file);
        return { project: p.name, file, a: p.anchors, x, c: canonicalize(x, p.anchors) };
      }),
    );
  });

  it("covers every file of corpus/claude, on Windows, macOS and Linux anchors", () => {
    expect(items.map((i) => i.file).sort()).toEqual(walk(path.join(CORPUS, "claude")).sort());
    expect(new Set(items.map((i) => i.a.os))).toEqual(new Set(["windows", "darwin", "linux"]));
  });

  it("rewrites the project root in every project (the checks below are not vacuous)", () => {
    for (const p of projects) {
      const roots = items.filter((i) => i.project === p.name).reduce((n, i) => n + canonicalizeWithCounts(i.x, i.a).counts.root, 0);
      expect(roots, p.name).toBeGreaterThan(0);
    }
  });

  it("round trip is byte-exact for 100% of the files", () => {
    const bad = items.filter((i) => !localize(i.c, i.a).equals(i.x)).map((i) => i.file);
    expect(bad).toEqual([]);
  });

  it("canonical form holds no project root in any spelling (residue() and an independent search)", () => {
    for (const i of items) {
      expect(
        residue(i.c, i.a).filter((r) => r.tier === "root"),
        i.file,
      ).toEqual([]);
      expect(rootOccurrences(i.c.toString("latin1"), i.a), i.file).toEqual([]);
    }
    // the oracle does find the root in the raw files
    expect(items.reduce((n, i) => n + rootOccurrences(i.x.toString("latin1"), i.a).length, 0)).toBeGreaterThan(1000);
  });

  it("is stable when localized on a machine of another OS and cleaned there (cleanWithBase): 100%", () => {
    for (const i of items) {
      const b = otherOs(i.a);
      const local = localize(i.c, b);
      expect(cleanWithBase(local, b, i.c).equals(i.c), i.file).toBe(true);
      // B really got B's paths and none of A's root
      expect(rootOccurrences(local.toString("latin1"), i.a), i.file).toEqual([]);
    }
    const hits = items.reduce((n, i) => n + rootOccurrences(localize(i.c, otherOs(i.a)).toString("latin1"), otherOs(i.a)).length, 0);
    expect(hits).toBeGreaterThan(1000);
  });

  it("plain codec: macOS/Linux corpus → Windows machine → canonical again gives the same bytes (100%)", () => {
    const posix = items.filter((i) => i.a.os !== "windows");
    expect(posix.length).toBeGreaterThan(30);
    for (const i of posix) expect(canonicalize(localize(i.c, WIN_B), WIN_B).equals(i.c), i.file).toBe(true);
  });

  it("plain codec: every corpus file → another machine of the same OS → canonical again (100%)", () => {
    for (const i of items) {
      const b = sameOs(i.a);
      expect(canonicalize(localize(i.c, b), b).equals(i.c), i.file).toBe(true);
    }
  });

  it("plain codec: Windows corpus → Linux differs only on lines with Windows-only variants (documented loss; cleanWithBase covers it)", () => {
    let lines = 0;
    let differing = 0;
    for (const i of items.filter((x) => x.a.os === "windows")) {
      const back = canonicalize(localize(i.c, LINUX_B), LINUX_B).toString("latin1").split("\n");
      const orig = i.c.toString("latin1").split("\n");
      expect(back.length).toBe(orig.length);
      orig.forEach((l, k) => {
        lines++;
        if (back[k] === l) return;
        differing++;
        // only a variant a posix machine cannot spell: Windows codes, raw tails or case flips
        expect(l, i.file).toMatch(/\{\{CC_[A-Z_]+@(?=[a-z0-9])(b1|b4|f|g|ge)?r?(c[0-9a-z]+)?\}\}/);
      });
    }
    expect(lines).toBeGreaterThan(1000);
    console.info(`Windows corpus → Linux, plain codec: ${lines - differing}/${lines} lines stable (${((100 * (lines - differing)) / lines).toFixed(2)}%)`);
  });
});
