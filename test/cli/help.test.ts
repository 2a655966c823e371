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

/**
 * Issue 24, point 8: the helps speak of every agent git-ctx syncs, not of Claude Code alone, and
 * the `join` example is the README's first step on a new machine (`join --remote`).
 */
describe("help texts name every agent", () => {
  const help = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(BIN, "git-ctx"), ...args, "--help"], { encoding: "utf8", env: { ...process.env, COLUMNS: "400" } }).stdout;
  /** The help line of one option (yargs wraps at 100 columns; the lines are joined back). */
  const optionText = (out: string, flag: string) => {
    const lines = out.split("\n");
    const i = lines.findIndex((l) => new RegExp(`^\\s+(-\\w, )?${flag}\\b`).test(l));
    expect(i, `${flag} in\n${out}`).toBeGreaterThanOrEqual(0);
    let text = lines[i]!;
    for (let j = i + 1; j < lines.length && /^\s{6,}\S/.test(lines[j]!) && !/^\s+-/.test(lines[j]!); j++) text += ` ${lines[j]!.trim()}`;
    return text.replace(/\s+/g, " ");
  };

  it("install --hooks names each agent's hook", () => {
    const t = optionText(help("install"), "--hooks");
    for (const w of ["Claude Code", "Codex", "Gemini"]) expect(t).toContain(w);
  });

  it.each(["init", "join", "leave", "projects", "status", "sync", "doctor", "scan"])("%s --dir names every agent's store", (c) => {
    const t = optionText(help(c), "--dir");
    for (const w of [".claude/projects", ".codex/sessions", ".gemini/tmp"]) expect(t).toContain(w);
  });

  it("join's first example is the README's first step on a new machine", () => {
    const examples = help("join").split("Examples:")[1]!;
    expect(examples).toMatch(/git ctx join --remote \S+/);
    expect(examples).not.toMatch(/on a new machine first: git clone/);
  });
});
