import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "jsonc-parser";
import { afterEach, describe, expect, it } from "vitest";
import { editJsoncText, HOOK_COMMAND, HOOK_TIMEOUT_S, withHook } from "../../src/agents/hooksettings.js";
import { BIN, makeMachine, type TestMachine } from "../helpers/env.js";

/**
 * Issue 24, point 9: settings files with comments and trailing commas (Gemini CLI accepts them in
 * its settings.json) are read and edited, not refused; the edit keeps every comment, the
 * formatting and the other keys. Real bin, temp HOME.
 */

const pexec = promisify(execFile);
const machines: TestMachine[] = [];
afterEach(async () => {
  while (machines.length) await machines.pop()!.cleanup();
});

async function ctx(m: TestMachine, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return pexec(process.execPath, [path.join(BIN, "git-ctx"), ...args], { env: m.env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** A Gemini settings.json as a user keeps it: line and block comments, a trailing comma, another tool's AfterAgent hook. */
const GEMINI_COMMENTED = `{
  // how I sign in
  "security": { "auth": { "selectedType": "gemini-api-key" } },
  /* keep my chats */
  "general": { "sessionRetention": { "enabled": false } },
  "hooks": {
    "AfterAgent": [
      // my own notifier
      { "hooks": [{ "type": "command", "command": "notify-me", "timeout": 5000 }] },
    ],
  },
}
`;

describe("settings files with comments (jsonc-parser)", () => {
  it("Gemini: install adds the AfterAgent hook (timeout in ms) and keeps every comment; uninstall takes only ours out", async () => {
    const m = await makeMachine("J");
    machines.push(m);
    const file = path.join(m.home, ".gemini", "settings.json");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, GEMINI_COMMENTED);
    const r = await ctx(m, ["hook", "install", "--agent", "gemini"]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, "utf8");
    for (const c of ["// how I sign in", "/* keep my chats */", "// my own notifier"]) expect(text).toContain(c);
    const s = parse(text, [], { allowTrailingComma: true });
    // Gemini's hook shape (HookDefinitionArray, 0.61.0): a matcher group per hook, command hooks, timeout in milliseconds
    expect(s.hooks.AfterAgent).toEqual([
      { hooks: [{ type: "command", command: "notify-me", timeout: 5000 }] },
      { hooks: [{ type: "command", command: HOOK_COMMAND, timeout: HOOK_TIMEOUT_S * 1000 }] },
    ]);
    expect(s.security.auth.selectedType).toBe("gemini-api-key");
    expect(s.general.sessionRetention.enabled).toBe(false);
    expect(readFileSync(file + ".bak-git-ctx", "utf8")).toBe(GEMINI_COMMENTED);

    expect((await ctx(m, ["hook", "status", "--agent", "gemini"])).code).toBe(0);
    expect((await ctx(m, ["hook", "install", "--agent", "gemini"])).stdout).toMatch(/already installed/);

    expect((await ctx(m, ["hook", "uninstall", "--agent", "gemini"])).code).toBe(0);
    const after = readFileSync(file, "utf8");
    for (const c of ["// how I sign in", "/* keep my chats */"]) expect(after).toContain(c);
    expect(parse(after, [], { allowTrailingComma: true }).hooks.AfterAgent).toEqual([{ hooks: [{ type: "command", command: "notify-me", timeout: 5000 }] }]);
  });

  it("Claude Code: install keeps the comments of its settings.json", async () => {
    const m = await makeMachine("K");
    machines.push(m);
    const file = path.join(m.home, ".claude", "settings.json");
    const commented = '{\n  // the model I use\n  "model": "opus", /* trailing */\n}\n';
    writeFileSync(file, commented);
    const r = await ctx(m, ["hook", "install"]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("// the model I use");
    expect(text).toContain("/* trailing */");
    expect(parse(text, [], { allowTrailingComma: true })).toEqual({
      model: "opus",
      hooks: { Stop: [{ hooks: [{ type: "command", command: HOOK_COMMAND, timeout: HOOK_TIMEOUT_S }] }] },
    });
  });

  it("editJsoncText: only what differs is touched (indentation followed, other text byte for byte)", () => {
    const before = '{\n\t// tabs here\n\t"a": 1,\n\t"hooks": {}\n}\n';
    const v = parse(before);
    const next = withHook(v, "Stop", "f");
    const out = editJsoncText(before, v, next);
    expect(parse(out)).toEqual(next);
    expect(out.startsWith('{\n\t// tabs here\n\t"a": 1,\n\t"hooks": {')).toBe(true);
    expect(out).toMatch(/\n\t\t"Stop": \[/);
    // a key removed, one changed
    const out2 = editJsoncText('{\n  // keep\n  "b": [1, 2],\n  "a": 1\n}\n', { a: 1, b: [1, 2] }, { b: [3] });
    expect(out2.startsWith('{\n  // keep\n  "b": [')).toBe(true);
    expect(parse(out2)).toEqual({ b: [3] });
  });
});
