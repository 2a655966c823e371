import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { claudeProjectsDir } from "../../src/agents/claude/index.js";
import { currentMachine, machineIdFile, machineOsHome, MACHINE_ID_RE, simulatedMachineEnv } from "../../src/roster/machine.js";

describe("machine identity", () => {
  it("creates a stable id once, stores it, and returns the same id afterwards", async () => {
    const t = await dir({ unsafeCleanup: true });
    const env = { HOME: t.path, XDG_CONFIG_HOME: path.join(t.path, "cfg"), GIT_CTX_OS: "darwin" };
    expect(existsSync(machineIdFile(env))).toBe(false);
    const a = currentMachine(env);
    expect(a.id).toMatch(MACHINE_ID_RE);
    expect(readFileSync(machineIdFile(env), "utf8")).toBe(a.id + "\n");
    expect(currentMachine(env)).toEqual(a);
    expect(a).toMatchObject({ os: "darwin", home: t.path });
    // overrides
    expect(currentMachine({ ...env, GIT_CTX_MACHINE_ID: "box-1", GIT_CTX_HOME: "C:\\Users\\me", GIT_CTX_OS: "windows" })).toEqual({
      id: "box-1",
      os: "windows",
      home: "C:\\Users\\me",
    });
    await t.cleanup();
  });

  it("rejects an invalid OS or stored id with the fix", async () => {
    const t = await dir({ unsafeCleanup: true });
    const env = { HOME: t.path, XDG_CONFIG_HOME: t.path };
    expect(() => currentMachine({ ...env, GIT_CTX_OS: "beos" })).toThrow(InvalidInputError);
    currentMachine(env);
    writeFileSync(machineIdFile(env), "bad id/with slash\n");
    expect(() => currentMachine(env)).toThrow(/machine-id/);
    await t.cleanup();
  });

  it("machineOsHome reads OS and home without creating the id file", async () => {
    const t = await dir({ unsafeCleanup: true });
    const env = { HOME: t.path, XDG_CONFIG_HOME: t.path, GIT_CTX_OS: "linux" };
    expect(machineOsHome(env)).toEqual({ os: "linux", home: t.path });
    expect(existsSync(machineIdFile(env))).toBe(false);
    expect(claudeProjectsDir({ HOME: "/h" })).toBe("/h/.claude/projects");
    expect(claudeProjectsDir({ HOME: "/h", CLAUDE_CONFIG_DIR: "/c" })).toBe("/c/projects");
    await t.cleanup();
  });
});

describe("simulatedMachineEnv", () => {
  it("isolates the machine: its HOME and git config, the overrides read back by currentMachine, no GIT_/CLAUDE_ variable of the real machine", () => {
    const base = { PATH: "/usr/bin", GIT_DIR: "/real/.git", GIT_CTX_OS: "darwin", CLAUDE_CONFIG_DIR: "/real/.claude", KEEP: "1" };
    const env = simulatedMachineEnv({ home: "/tmp/m/home", id: "win-1", os: "windows", pathHome: "C:\\Users\\w", binDir: "/opt/git-ctx/bin", base });
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.CLAUDE_CONFIG_DIR).toBeUndefined();
    expect(env.KEEP).toBe("1");
    expect(env.HOME).toBe("/tmp/m/home");
    expect(env.GIT_CONFIG_GLOBAL).toBe(path.join("/tmp/m/home", ".gitconfig"));
    expect(env.PATH).toBe(`/opt/git-ctx/bin${path.delimiter}/usr/bin`);
    expect(currentMachine(env)).toEqual({ id: "win-1", os: "windows", home: "C:\\Users\\w" });
    expect(base.GIT_DIR).toBe("/real/.git"); // the base is not changed
  });
  it("defaults: linux, transcript home = HOME", () => {
    const env = simulatedMachineEnv({ home: "/h", id: "a", binDir: "/b", base: { PATH: "" } });
    expect(currentMachine(env)).toEqual({ id: "a", os: "linux", home: "/h" });
  });
});
