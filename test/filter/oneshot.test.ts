import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { canonicalize, type Anchors } from "../../src/sentinel/index.js";
import { BIN } from "../helpers/env.js";
import { authoredFolder } from "./session.js";

const filter = (args: string[], input: Buffer, env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(path.join(BIN, "git-ctx-filter"), args, { input, env: { ...process.env, GIT_CTX_OS: "", ...env }, maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, stderr: r.stderr.toString() };
};

describe("git-ctx-filter clean|smudge one-shot mode", () => {
  const lin: Anchors = { os: "linux", home: "/home/me", root: "/home/me/src/proj", key: claudeDirKey("/home/me/src/proj"), rewriteHome: true };
  const win: Anchors = { os: "windows", home: "C:\\Users\\me", root: "C:\\Users\\me\\proj", key: "C--Users-me-proj", rewriteHome: true };

  it.each([
    ["linux", lin],
    ["windows", win],
  ] as const)("cleans to the codec's canonical bytes and smudges back byte for byte (%s)", (_n, a) => {
    for (const [rel, bytes] of Object.entries(authoredFolder(a))) {
      const c = filter(["clean", "--root", a.root, "--home", a.home, "--os", a.os], bytes);
      expect(c.code, c.stderr).toBe(0);
      expect(c.out.equals(canonicalize(bytes, a)), rel).toBe(true);
      expect(c.out.includes(Buffer.from(a.root)), rel).toBe(false);
      const s = filter(["smudge", "--root", a.root, "--home", a.home, "--os", a.os, "--key", a.key], c.out);
      expect(s.code, s.stderr).toBe(0);
      expect(s.out.equals(bytes), rel).toBe(true);
    }
  });

  it("derives --key from --root with Claude Code's directory key, and --no-rewrite-home keeps the home", () => {
    const input = Buffer.from(`${lin.home}/.claude/projects/${lin.key}/x.txt and ${lin.home}/.bashrc\n`);
    expect(filter(["clean", "--root", lin.root, "--home", lin.home, "--os", "linux"], input).out.toString()).toBe("{{CC_PROJECT_CONTEXT_DIR}}/x.txt and {{CC_HOME}}/.bashrc\n");
    const noHome = filter(["clean", "--root", lin.root, "--home", lin.home, "--os", "linux", "--no-rewrite-home"], input).out.toString();
    expect(noHome).toBe(canonicalize(input, { ...lin, rewriteHome: false }).toString());
    expect(noHome).toContain(`${lin.home}/.bashrc`);
  });

  it("refuses a call without --root or --home, or with an unknown --os, writing nothing to stdout", () => {
    for (const args of [
      ["clean", "--home", "/h"],
      ["smudge", "--root", "/r"],
      ["clean", "--root", "/r", "--home", "/h", "--os", "beos"],
    ]) {
      const r = filter(args, Buffer.from("x"));
      expect(r.code).not.toBe(0);
      expect(r.out.length).toBe(0);
      expect(r.stderr.length).toBeGreaterThan(0);
    }
  });
});
