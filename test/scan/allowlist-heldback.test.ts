import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { HeldBackFileError, heldBackFile, loadAllowlist, parseAllowlist, readHeldBack, writeHeldBack, type HeldBack } from "../../src/scan/index.js";

describe("allowlist", () => {
  it("parses one fingerprint per line, # comments, several per line, upper case; reports the rest", () => {
    const a = parseAllowlist("# header\n0123456789abcdef\n\nFEDCBA9876543210 # why\naaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb\nghp_notafingerprintatall\nshort\n", "/v/.ctxallow");
    expect([...a.fingerprints].sort()).toEqual(["0123456789abcdef", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "fedcba9876543210"]);
    // an entry that is not a fingerprint is shown shortened (it might be a pasted secret)
    expect(a.ignored).toEqual([
      { source: "/v/.ctxallow", line: 6, text: "ghp_…" },
      { source: "/v/.ctxallow", line: 7, text: "short" },
    ]);
  });

  it("loads git config ctx.allow (all values, global and local) and .ctxallow at the work-tree root", async () => {
    const t = await dir({ unsafeCleanup: true });
    try {
      const home = path.join(t.path, "home");
      mkdirSync(home);
      const env = { ...process.env, HOME: home, GIT_CONFIG_GLOBAL: path.join(home, ".gitconfig"), GIT_CONFIG_NOSYSTEM: "1" };
      const repo = path.join(t.path, "view");
      const run = (args: string[]) => expect(spawnSync("git", args, { cwd: repo, env }).status).toBe(0);
      mkdirSync(repo);
      run(["init", "-q", "--initial-branch=main"]);
      run(["config", "--add", "ctx.allow", "1111111111111111"]);
      run(["config", "--add", "ctx.allow", "2222222222222222"]);
      run(["config", "--global", "--add", "ctx.allow", "3333333333333333"]);
      writeFileSync(path.join(repo, ".ctxallow"), "4444444444444444\n");
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const a = await loadAllowlist(path.join(repo, ".git"));
        expect([...a.fingerprints].sort()).toEqual(["1111111111111111", "2222222222222222", "3333333333333333", "4444444444444444"]);
        // without the file and the key: empty, no error
        const other = path.join(t.path, "other");
        mkdirSync(other);
        expect(spawnSync("git", ["init", "-q", other], { env }).status).toBe(0);
        process.env.GIT_CONFIG_GLOBAL = path.join(t.path, "none");
        expect((await loadAllowlist(path.join(other, ".git"))).fingerprints.size).toBe(0);
      } finally {
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
      }
    } finally {
      await t.cleanup();
    }
  });
});

describe("held-back list ($GIT_DIR/ctx/held-back.json)", () => {
  const item: HeldBack = {
    path: "-home-me-p/s.jsonl",
    findings: [{ file: "-home-me-p/s.jsonl", line: 3, rule: "github-pat", redacted: "ghp_…abcd", fingerprint: "0123456789abcdef" }],
    since: "2026-01-02T03:04:05.000Z",
  };

  it("is empty when the file does not exist, and round-trips what was written", async () => {
    const t = await dir({ unsafeCleanup: true });
    try {
      expect(readHeldBack(t.path)).toEqual([]);
      writeHeldBack(t.path, [item]);
      expect(readHeldBack(t.path)).toEqual([item]);
      writeHeldBack(t.path, []);
      expect(readHeldBack(t.path)).toEqual([]);
      expect(readFileSync(heldBackFile(t.path), "utf8")).toBe("[]\n");
    } finally {
      await t.cleanup();
    }
  });

  it("keeps unknown fields written by a newer version", async () => {
    const t = await dir({ unsafeCleanup: true });
    try {
      writeHeldBack(t.path, [{ ...item, reason: "secret" } as HeldBack]);
      expect(readHeldBack(t.path)[0]).toMatchObject({ reason: "secret" });
    } finally {
      await t.cleanup();
    }
  });

  it("a broken file is a HeldBackFileError naming the file and the fix", async () => {
    const t = await dir({ unsafeCleanup: true });
    try {
      mkdirSync(path.join(t.path, "ctx"));
      writeFileSync(heldBackFile(t.path), "{not json");
      expect(() => readHeldBack(t.path)).toThrow(HeldBackFileError);
      expect(() => readHeldBack(t.path)).toThrow(/held-back\.json: not valid JSON.*delete the file/);
      writeFileSync(heldBackFile(t.path), JSON.stringify([{ path: "x" }]));
      expect(() => readHeldBack(t.path)).toThrow(/held-back\.json: 0\.findings/);
    } finally {
      await t.cleanup();
    }
  });
});
