import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { ancestorsOf, inferProjectRoot } from "../../src/agents/claude/infer.js";
import { CORPUS, HAS_CORPUS } from "../helpers/env.js";

const line = (cwd: string, extra: Record<string, unknown> = {}) => JSON.stringify({ type: "user", cwd, sessionId: "s", ...extra }) + "\n";

async function folderWith(key: string, files: Record<string, string>) {
  const t = await dir({ unsafeCleanup: true });
  const f = path.join(t.path, key);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(f, rel)), { recursive: true });
    writeFileSync(path.join(f, rel), text);
  }
  mkdirSync(f, { recursive: true });
  return { folder: f, cleanup: t.cleanup };
}

describe("inferProjectRoot", () => {
  it("prefers the cwd whose key is the folder name over a more frequent subdirectory cwd", async () => {
    const root = "/home/me/src/app";
    const { folder, cleanup } = await folderWith(claudeDirKey(root), {
      "a.jsonl": line(root) + line(`${root}/packages/ui`).repeat(5),
      "a/subagents/agent-1.jsonl": line(root),
    });
    const r = await inferProjectRoot(folder);
    expect(r).toEqual({ root, evidence: 2, candidates: { [`${root}/packages/ui`]: 5, [root]: 2 } });
    await cleanup();
  });

  it("falls back to an ancestor of the recorded cwds whose key matches (sessions run in a subdirectory)", async () => {
    const { folder, cleanup } = await folderWith(claudeDirKey("/srv/my_proj"), { "s.jsonl": line("/srv/my_proj/agents").repeat(3) + line("/tmp").repeat(9) });
    expect((await inferProjectRoot(folder))?.root).toBe("/srv/my_proj");
    await cleanup();
  });

  it("falls back to the most frequent cwd when no key matches (renamed folder)", async () => {
    const { folder, cleanup } = await folderWith("-renamed", { "s.jsonl": line("/a/x") + line("/a/y").repeat(2) });
    expect(await inferProjectRoot(folder)).toMatchObject({ root: "/a/y", evidence: 2 });
    await cleanup();
  });

  it("never decodes the key: the real spelling with '_' and '.' comes from the transcript", async () => {
    const root = "/Users/me/my_app.v2";
    const { folder, cleanup } = await folderWith(claudeDirKey(root), { "s.jsonl": line(root).repeat(2) + line("/Users/me/my-app-v2") });
    // both cwds give the same key; the most frequent real spelling wins
    expect((await inferProjectRoot(folder))?.root).toBe(root);
    await cleanup();
    const only = await folderWith(claudeDirKey(root), { "s.jsonl": line(root) });
    expect((await inferProjectRoot(only.folder))?.root).toBe(root);
    await only.cleanup();
  });

  it("reads JSON-escaped Windows cwds and ignores cwd text inside tool output strings", async () => {
    const root = "C:\\Users\\me\\app";
    const fake = JSON.stringify({ type: "user", message: { content: JSON.stringify({ cwd: "D:\\other" }) } }) + "\n";
    const { folder, cleanup } = await folderWith(claudeDirKey(root), { "s.jsonl": line(root) + fake + fake });
    const r = await inferProjectRoot(folder);
    expect(r?.root).toBe(root);
    expect(Object.keys(r!.candidates)).toEqual([root]);
    await cleanup();
  });

  it("returns undefined for a folder without any cwd (0-byte sessions, memory only)", async () => {
    const { folder, cleanup } = await folderWith("-x", { "s.jsonl": "", "memory/MEMORY.md": "# m\n" });
    expect(await inferProjectRoot(folder)).toBeUndefined();
    await cleanup();
  });

  it("ancestorsOf keeps each path's own spelling", () => {
    expect(ancestorsOf("/a/b/c")).toEqual(["/a/b", "/a"]);
    expect(ancestorsOf("C:\\a\\b")).toEqual(["C:\\a", "C:\\"]);
    expect(ancestorsOf("c:/a")).toEqual(["c:/"]);
  });
});

describe.skipIf(!HAS_CORPUS)("inferProjectRoot on the corpus", () => {
  const expected: Record<string, string> = {
    "-home-vwestberg-Claude": "/home/vwestberg/Claude",
    "-home-ubuntu-Documents-claude-backups": "/home/ubuntu/Documents/claude-backups",
    "-Users-xuwentao-Library-Application-Support-CodexBar-ClaudeProbe": "/Users/xuwentao/Library/Application Support/CodexBar/ClaudeProbe",
    "C--Users-acodu-dev-dashboard-mictlan": "c:\\Users\\acodu\\dev\\dashboard_mictlan",
    // 557 lines say C:\, 3 say c:\ : the folder name's case does not decide, frequency does
    "c--Users-loganf-Documents-IDAHO-VAULT": "C:\\Users\\loganf\\Documents\\IDAHO-VAULT",
  };
  it("finds a root for every project folder, whose key names the folder (case-insensitively on Windows)", async () => {
    const base = path.join(CORPUS, "claude");
    let n = 0;
    for (const src of readdirSync(base)) {
      for (const k of readdirSync(path.join(base, src))) {
        const f = path.join(base, src, k);
        if (!statSync(f).isDirectory() || !/^(-|[A-Za-z]--)/.test(k)) continue;
        const r = await inferProjectRoot(f);
        expect(r, f).toBeDefined();
        if (expected[k]) expect(r!.root, k).toBe(expected[k]);
        const keys = [r!.root, ...ancestorsOf(r!.root)].map(claudeDirKey);
        expect(
          keys.map((x) => x.toLowerCase()),
          k,
        ).toContain(k.toLowerCase());
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(12);
  });
});
