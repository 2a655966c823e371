import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { gemini } from "../../src/agents/index.js";
import { mergeGeminiChatJson, mergeGeminiLogs } from "../../src/merge/index.js";
import { canonicalize, cleanWithBase, localize, residue } from "../../src/sentinel/index.js";
import { corpusAnchors, geminiCorpusFolders } from "../../bench/gemini.bench.js";
import { CORPUS } from "../helpers/env.js";
import { LINUX_B, rootOccurrences } from "../sentinel/fixtures.js";

/**
 * Issue 12, scope 2, on the real corpus (`../shared/corpus/gemini`, read by path, skipped without
 * it): Windows slug and legacy hash folders, legacy `.json` chats, a subagent chat, `logs.json`.
 * Each folder's root is the one its chats' `projectHash` (or the legacy folder's name) is the
 * sha256 of, found among the paths the chats name (bench/gemini.bench.ts `geminiCorpusFolders`). With the Gemini module's anchors every file
 * round-trips byte for byte, leaves no root residue, and comes back equal after a trip through a
 * Linux machine, where `projectHash` is that machine's own.
 */

const DIR = path.join(CORPUS, "gemini");
const HAS = existsSync(DIR);
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe.skipIf(!HAS)("Gemini CLI chats of the corpus through the codec (issue 12, scope 2)", () => {
  const all = HAS ? geminiCorpusFolders(DIR) : [];
  const items = all.flatMap((f) => f.files.map((rel) => ({ file: path.join(f.dir, rel), a: corpusAnchors(f), x: readFileSync(path.join(f.dir, rel)) })));

  it("covers Windows slug and legacy hash folders, a posix root, legacy .json chats, a subagent chat and logs.json", () => {
    expect(all.some((f) => /^[0-9a-f]{64}$/.test(f.slug))).toBe(true);
    expect(all.some((f) => !/^[0-9a-f]{64}$/.test(f.slug))).toBe(true);
    expect(all.some((f) => /^[A-Za-z]:\\/.test(f.root))).toBe(true);
    expect(all.some((f) => f.root.startsWith("/"))).toBe(true);
    expect(items.some((i) => /chats[\\/][^\\/]+[\\/][^\\/]+\.json$/.test(i.file))).toBe(true);
    expect(items.some((i) => i.file.endsWith("logs.json"))).toBe(true);
    expect(items.length).toBeGreaterThan(20);
  });

  it("round-trips every file byte for byte", () => {
    for (const i of items) expect(localize(canonicalize(i.x, i.a), i.a).equals(i.x), i.file).toBe(true);
  });

  it("leaves no project root in canonical form (codec residue and an independent string search), hundreds of resultDisplay paths and 4-backslash forms included", () => {
    let before = 0;
    let fourBackslash = 0;
    for (const i of items) {
      const c = canonicalize(i.x, i.a);
      expect(
        residue(c, i.a).filter((r) => r.tier === "root"),
        i.file,
      ).toEqual([]);
      expect(rootOccurrences(c.toString("latin1"), i.a), i.file).toEqual([]);
      before += rootOccurrences(i.x.toString("latin1"), i.a).length;
      if (i.a.os === "windows") fourBackslash += i.x.toString("latin1").toLowerCase().split(i.a.root.toLowerCase().split("\\").join("\\\\\\\\")).length - 1;
    }
    expect(before).toBeGreaterThan(300);
    expect(fourBackslash).toBeGreaterThan(0);
  });

  it("projectHash becomes the sentinel where it is the root's, and a Linux machine gets its own root's hash", () => {
    let replaced = 0;
    for (const i of items.filter((x) => !x.file.endsWith("logs.json"))) {
      const c = canonicalize(i.x, i.a).toString("utf8");
      const hash = (JSON.parse(i.x.toString("utf8")) as { projectHash: string }).projectHash;
      if (hash === sha(i.a.root)) {
        expect(c, i.file).toContain('"projectHash": "{{CC_ENCODED_DIR}}"');
        replaced++;
        const b = gemini.anchors({ root: LINUX_B.root, key: "proj", rewriteHome: true }, { os: "linux", home: LINUX_B.home }, undefined);
        expect((JSON.parse(localize(Buffer.from(c), b).toString("utf8")) as { projectHash: string }).projectHash).toBe(sha(LINUX_B.root));
      }
    }
    expect(replaced).toBeGreaterThan(10);
  });

  it("a file localized on a Linux machine and cleaned there (what the clean filter does) gives the same canonical bytes, naming none of A's root", () => {
    let hits = 0;
    for (const i of items) {
      const c = canonicalize(i.x, i.a);
      const b = gemini.anchors({ root: LINUX_B.root, key: "proj", rewriteHome: true }, { os: "linux", home: LINUX_B.home }, undefined);
      const there = localize(c, b);
      expect(cleanWithBase(there, b, c).equals(c), i.file).toBe(true);
      expect(rootOccurrences(there.toString("latin1"), i.a), i.file).toEqual([]);
      hits += rootOccurrences(there.toString("latin1"), b).length;
    }
    expect(hits).toBeGreaterThan(300);
  });

  it("merging a corpus chat or logs.json with itself plus nothing gives it back; with a side that lost its last messages, the full one", () => {
    for (const i of items) {
      const c = canonicalize(i.x, i.a);
      if (i.file.endsWith("logs.json")) {
        const arr = JSON.parse(c.toString("utf8")) as unknown[];
        const fewer = Buffer.from(JSON.stringify(arr.slice(0, Math.max(0, arr.length - 2)), null, 2));
        expect(mergeGeminiLogs(fewer, c, fewer).merged.equals(c), i.file).toBe(true);
        continue;
      }
      const doc = JSON.parse(c.toString("utf8")) as { messages: unknown[] };
      const fewer = Buffer.from(JSON.stringify({ ...doc, messages: doc.messages.slice(0, Math.max(0, doc.messages.length - 2)) }, null, 2));
      expect(mergeGeminiChatJson(fewer, c, fewer).merged.equals(c), i.file).toBe(true);
      expect(mergeGeminiChatJson(fewer, fewer, c).merged.equals(c), i.file).toBe(true);
    }
  });
});
