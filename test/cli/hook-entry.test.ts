import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, REPO, makeMachine } from "../helpers/env.js";

/**
 * Issue 15: bin/git-ctx sends `git ctx sync … --hook …` to its own one-file bundle
 * (src/cli/hook.ts → dist/bundle/git-ctx-hook.mjs) so the hook starts fast. That bundle must stay
 * one file, and a command line it does not read as a plain hook call must reach the full CLI
 * with the same outcome as before (help, errors, `--hook` only after `--`).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function ctx(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = execFile(process.execPath, [path.join(BIN, "git-ctx"), ...args], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    c.stdin!.end("");
  });
}

describe("the hook entry", () => {
  it("is one file: it imports no chunk and no other bundle statically", () => {
    const text = readFileSync(path.join(REPO, "dist", "bundle", "git-ctx-hook.mjs"), "utf8");
    expect(text).toMatch(/syncHook|hook_event_name/);
    expect(text).not.toMatch(/from\s*"\.\/chunks\//);
    expect(text).not.toMatch(/^\s*import\s[^(]*["']\.\/git-ctx\.mjs["']/m);
  });

  it("a hook call line it cannot read goes to the full CLI: help, an unknown flag, --hook after --", async () => {
    const m = await makeMachine("H");
    cleanups.push(m.cleanup);
    const help = await ctx(["sync", "--hook", "--help"], m.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--dry-run/);
    const unknown = await ctx(["sync", "--hook", "--bogus"], m.env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/bogus/);
    // without --hook before `--`, the arguments after it are not a notify chain: yargs reads the line
    const chainOnly = await ctx(["sync", "--dry-run", "--", "prog", "--hook"], m.env);
    expect(chainOnly.stdout + chainOnly.stderr).not.toBe("");
  });

  it("a plain hook call is silent and exits 0, also with a notify chain and with --dir", async () => {
    const m = await makeMachine("I");
    cleanups.push(m.cleanup);
    for (const args of [
      ["sync", "--hook"],
      ["sync", "--hook", "--dir", m.home],
      ["sync", "--hook", "--", '{"type":"agent-turn-complete","thread-id":"t"}'],
    ])
      expect(await ctx(args, m.env)).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});
