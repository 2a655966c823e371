import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { loadCodec } from "../../src/commands/doctor.js";
import { doctorFolder } from "../../src/doctor/folder.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { CORPUS, HAS_CORPUS } from "../helpers/env.js";

/** Occurrences of `needle` in `hay` not followed by a path character (a simple, codec-independent count). */
function countAtBoundary(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    const next = hay[i + needle.length] ?? "";
    const after = hay.slice(i + needle.length, i + needle.length + 2);
    if (/[A-Za-z0-9_\-\x80-\uffff]/.test(next) || /^\.[A-Za-z0-9_\-]/.test(after)) continue;
    n++;
  }
  return n;
}

describe("doctorFolder with the real codec (src/sentinel)", () => {
  it("an authored folder: counts equal independent string counts, round trip exact, no residue", async () => {
    const codec = await loadCodec();
    const t = await dir({ unsafeCleanup: true });
    const home = "/home/dana";
    const root = `${home}/work/shop_app`;
    const key = claudeDirKey(root);
    const f = path.join(t.path, key);
    mkdirSync(path.join(f, "s1", "tool-results"), { recursive: true });
    mkdirSync(path.join(f, "memory"), { recursive: true });
    const L = (o: object) => JSON.stringify({ cwd: root, sessionId: "s1", ...o }) + "\n";
    writeFileSync(
      path.join(f, "s1.jsonl"),
      L({ type: "user", message: { content: `open ${root}/src/a.ts\n${root}/README.md and ${root}2/x and ${root}-old` } }) +
        L({ type: "assistant", message: { content: `Full output saved to: ${home}/.claude/projects/${key}/s1/tool-results/x.txt; see ${home}/.bashrc` } }),
    );
    writeFileSync(path.join(f, "s1", "tool-results", "x.txt"), `${root}\n${root}/lib\n`);
    writeFileSync(path.join(f, "memory", "MEMORY.md"), `- code lives in ${root}\n`);
    const r = await doctorFolder({ folder: f, home, machineOs: "linux" }, codec);
    expect(r.ok, JSON.stringify(r.problems)).toBe(true);
    expect(r.root).toMatchObject({ path: root, evidence: 2 });
    // independently: root at a boundary = 2 cwd + 2 in text + 2 tool result + 1 memory ("2/x" and "-old" excluded)
    expect(r.totals.counts.root).toBe(7);
    expect(r.totals.counts.contextDir).toBe(1);
    // home: ~/.bashrc, and the non-matching siblings shop_app2 and shop_app-old fall to the home tier
    expect(r.totals.counts.home).toBe(3);
    expect(r.totals.roundTripFailed).toBe(0);
    expect(r.totals.residue).toBe(0);
    await t.cleanup();
  });
});

describe.skipIf(!HAS_CORPUS)("doctorFolder on the corpus", () => {
  /** Home of a root as the transcripts spell it: `/home/u`, `/Users/u`, `C:\Users\u`. */
  const homeOf = (root: string) => (/^([A-Za-z]:\\Users\\[^\\]+|\/(?:home|Users)\/[^/]+)/.exec(root) ?? [])[1];

  it("every project folder: round trip byte-exact, no root residue; posix root counts match a plain string count", async () => {
    const codec = await loadCodec();
    const base = path.join(CORPUS, "claude");
    let folders = 0;
    for (const src of readdirSync(base)) {
      for (const k of readdirSync(path.join(base, src))) {
        const f = path.join(base, src, k);
        if (!statSync(f).isDirectory() || !/^(-|[A-Za-z]--)/.test(k)) continue;
        folders++;
        const pre = await doctorFolder({ folder: f, home: "/nowhere", machineOs: "linux" }, codec);
        const home = homeOf(pre.root!.path)!;
        expect(home, k).toBeDefined();
        const r = await doctorFolder({ folder: f, home, machineOs: "linux" }, codec);
        expect(r.totals.roundTripFailed, k).toBe(0);
        const rootResidue = r.files.flatMap((x) => x.residueHits).filter((h) => h.tier === "root");
        expect(rootResidue, k).toEqual([]);
        expect(r.totals.counts.root, k).toBeGreaterThan(0);
        if (r.anchors!.os !== "windows" && !r.files.some((x) => readFileSync(path.join(f, x.file), "latin1").includes(r.anchors!.root.replace(/\//g, "\\/")))) {
          // posix root, no `\/`-escaped spellings: the codec's root count is a plain boundary count of the raw text
          let expected = 0;
          for (const x of r.files) expected += countAtBoundary(readFileSync(path.join(f, x.file), "utf8"), r.anchors!.root);
          expect(r.totals.counts.root, k).toBe(expected);
        }
      }
    }
    expect(folders).toBeGreaterThanOrEqual(12);
  });
});
