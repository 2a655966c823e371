import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/env.js";

/** Every `git ctx` subcommand (issue 6: `--help` for every command with an example). */
const COMMANDS = ["install", "init", "join", "projects", "sync", "status", "hook", "scan", "redact", "doctor"];

describe("git ctx <command> --help", () => {
  it("lists every command", () => {
    const r = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout, c).toMatch(new RegExp(`git ctx ${c}\\b`));
  });
  it.each(COMMANDS)("%s --help shows at least one runnable example", (c) => {
    const r = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), c, "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const examples = r.stdout.split("Examples:")[1];
    expect(examples, `${c} --help has no Examples section`).toBeDefined();
    expect(examples!).toMatch(new RegExp(`git ctx ${c}\\b`));
  });
});
