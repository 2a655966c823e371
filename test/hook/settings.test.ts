import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { isOurCommand, withHook, withoutHook, HOOK_COMMAND } from "../../src/agents/claude/settings.js";
import { BIN, makeMachine, type TestMachine } from "../helpers/env.js";

/**
 * Issue 4, Done-when 4 (settings part): `git ctx hook install|uninstall|status` edits Claude
 * Code's settings.json idempotently, keeps other hooks and keys, refuses invalid JSON (file
 * untouched, clear error), keeps a backup, removes only its own entry. Real bin, temp HOME.
 */

const pexec = promisify(execFile);
const machines: TestMachine[] = [];
afterEach(async () => {
  while (machines.length) await machines.pop()!.cleanup();
});

async function machine(): Promise<TestMachine> {
  const m = await makeMachine("H");
  machines.push(m);
  return m;
}

async function ctx(m: TestMachine, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return pexec(process.execPath, [path.join(BIN, "git-ctx"), ...args], { env: { ...m.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const FOREIGN = {
  model: "opus",
  permissions: { allow: ["Bash(ls:*)"] },
  hooks: {
    Stop: [{ hooks: [{ type: "command", command: "/usr/local/bin/notify-done", timeout: 5 }] }],
    PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "audit-bash" }] }],
  },
};

describe("git ctx hook", () => {
  it("install twice = one entry; other hooks and keys kept; backup kept; status reports it", async () => {
    const m = await machine();
    const file = path.join(m.home, ".claude", "settings.json");
    writeFileSync(file, JSON.stringify(FOREIGN, null, 2));
    const original = readFileSync(file, "utf8");
    expect((await ctx(m, ["hook", "status"])).code).toBe(1);
    expect((await ctx(m, ["hook", "install"])).code).toBe(0);
    const r2 = await ctx(m, ["hook", "install"]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/already installed/);
    const s = JSON.parse(readFileSync(file, "utf8"));
    const stopCommands = s.hooks.Stop.flatMap((g: { hooks: { command: string }[] }) => g.hooks.map((h) => h.command));
    expect(stopCommands.filter((c: string) => c === HOOK_COMMAND)).toHaveLength(1);
    expect(stopCommands).toContain("/usr/local/bin/notify-done");
    expect(s.hooks.PreToolUse).toEqual(FOREIGN.hooks.PreToolUse);
    expect(s.model).toBe("opus");
    expect(s.permissions).toEqual(FOREIGN.permissions);
    expect(s.hooks.Stop.at(-1)).toEqual({ hooks: [{ type: "command", command: HOOK_COMMAND, timeout: 60 }] });
    expect(readFileSync(file + ".bak-git-ctx", "utf8")).toBe(original);
    expect((await ctx(m, ["hook", "status"])).code).toBe(0);
  });

  it("creates settings.json when there is none, and honours CLAUDE_CONFIG_DIR and --settings", async () => {
    const m = await machine();
    const cfg = path.join(m.home, "cfg");
    expect((await ctx(m, ["hook", "install"], { CLAUDE_CONFIG_DIR: cfg })).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cfg, "settings.json"), "utf8"))).toEqual({
      hooks: { Stop: [{ hooks: [{ type: "command", command: HOOK_COMMAND, timeout: 60 }] }] },
    });
    const other = path.join(m.home, "x", "s.json");
    expect((await ctx(m, ["hook", "install", "--settings", other, "--event", "SessionEnd"])).code).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(other, "utf8")).hooks)).toEqual(["SessionEnd"]);
    expect(existsSync(path.join(m.home, ".claude", "settings.json"))).toBe(false);
  });

  it("refuses a settings.json that is not valid JSON: clear error naming the file, file untouched", async () => {
    const m = await machine();
    const file = path.join(m.home, ".claude", "settings.json");
    const broken = '{ "hooks": { "Stop": [ } // oops\n';
    writeFileSync(file, broken);
    for (const action of ["install", "uninstall"]) {
      const r = await ctx(m, ["hook", action]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(/not valid JSON/);
      expect(readFileSync(file, "utf8")).toBe(broken);
      expect(existsSync(file + ".bak-git-ctx")).toBe(false);
    }
  });

  it("uninstall removes only our entry (other Stop hooks, other events and keys stay)", async () => {
    const m = await machine();
    const file = path.join(m.home, ".claude", "settings.json");
    // our command sitting in the same matcher group as a foreign one, plus a group of its own
    const s = structuredClone(FOREIGN) as typeof FOREIGN & { hooks: { Stop: { hooks: { type: string; command: string; timeout?: number }[] }[] } };
    s.hooks.Stop[0]!.hooks.push({ type: "command", command: HOOK_COMMAND, timeout: 60 });
    writeFileSync(file, JSON.stringify(s));
    expect((await ctx(m, ["hook", "install"])).stdout).toMatch(/already installed/);
    expect((await ctx(m, ["hook", "uninstall"])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(FOREIGN);
    expect((await ctx(m, ["hook", "uninstall"])).stdout).toMatch(/was not installed/);
    expect((await ctx(m, ["hook", "status"])).code).toBe(1);
  });
});

describe("settings edits (pure)", () => {
  it("withHook/withoutHook round-trip leaves foreign settings as they were", () => {
    const once = withHook(FOREIGN, "Stop", "f");
    expect(withHook(once, "Stop", "f")).toEqual(once);
    expect(withoutHook(once, "Stop")).toEqual(FOREIGN);
    expect(withoutHook(withHook({}, "SessionEnd", "f"), "SessionEnd")).toEqual({});
  });

  it("recognises our command in its spellings, and only ours", () => {
    for (const c of [HOOK_COMMAND, "git-ctx sync --hook", "/usr/local/bin/git-ctx sync --hook", '"C:\\tools\\git-ctx.cmd" sync --hook']) expect(isOurCommand(c)).toBe(true);
    for (const c of ["git ctx sync", "my-git-ctx-wrapper", "echo git ctx sync --hooks", "git ctx status --hook"]) expect(isOurCommand(c)).toBe(false);
  });

  it("refuses a foreign shape instead of clobbering it", () => {
    expect(() => withHook({ hooks: "nope" }, "Stop", "settings.json")).toThrow(/settings.json.*hooks/);
    expect(() => withHook({ hooks: { Stop: {} } }, "Stop", "settings.json")).toThrow(/hooks.Stop/);
  });
});
