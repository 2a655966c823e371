import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/env.js";

/** `git ctx <args>` through the real bin, output into pipes. */
function ctx(args: string[]) {
  return spawnSync(process.execPath, [path.join(BIN, "git-ctx"), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });
}

/**
 * Issue 24, point 7: a usage error is two lines on stderr and exit 129, as git reports one
 * (before: the whole help, 40-odd lines, then the error, exit 1).
 */
describe("usage errors as git reports them", () => {
  it.each([
    [["sync", "--frob"], /^error: unknown option '--frob'$/, "usage: git ctx sync [options]"],
    [["status", "--frob=1", "-z"], /^error: unknown option '--frob', '-z'$/, "usage: git ctx status [options]"],
    [["status", "extra"], /^error: unexpected argument 'extra'$/, "usage: git ctx status [options]"],
    [["init"], /^error: not enough non-option arguments/, "usage: git ctx init <roots..> [options]"],
    [["show"], /^error: not enough non-option arguments/, "usage: git ctx show <id> [options]"],
    [["syn"], /^error: unknown command 'syn' \(did you mean sync\?\)$/, "usage: git ctx <command> [options]"],
    [["sync", "--color=purple"], /^error: invalid --color value 'purple'/, "usage: git ctx sync [options]"],
  ])("git ctx %j", (args, error, usage) => {
    const r = ctx(args);
    expect(r.status, r.stderr).toBe(129);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]).toMatch(error);
    expect(lines[1]).toContain(usage);
    expect(lines[1]).toMatch(/see 'git ctx (\S+ )?-h/);
  });

  it("-h still prints the whole help, exit 0", () => {
    const r = ctx(["sync", "-h"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout.split("\n").length).toBeGreaterThan(10);
  });

  it("under --json a usage error is also a JSON error document on stdout (docs/json.md), exit 129", () => {
    const r = ctx(["status", "--json", "--frob"]);
    expect(r.status).toBe(129);
    expect(JSON.parse(r.stdout)).toEqual({ schemaVersion: 1, command: "status", ok: false, error: { code: "Usage", message: "unknown option '--frob'" } });
    expect(r.stderr).toMatch(/^error: unknown option '--frob'/);
  });
});
