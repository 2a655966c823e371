import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { filterCommand } from "../../src/git/config.js";
import { makeMachine, type TestMachine } from "../helpers/env.js";

let m: TestMachine | undefined;
afterEach(async () => {
  await m?.cleanup();
  m = undefined;
});

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env: m!.env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("git ctx install", () => {
  it("writes the global config by default, idempotently", async () => {
    m = await makeMachine("inst");
    const first = run("git", ["ctx", "install"], m.home);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    // absolute paths of node and the filter (issue 24, point 9); none needs quoting here
    const cmd = filterCommand();
    expect(first.stdout).toContain(`set filter.ctx.process = ${cmd} process`);
    const cfg = readFileSync(m.env.GIT_CONFIG_GLOBAL!, "utf8");
    expect(cfg).toContain(`[filter "ctx"]\n\tprocess = ${cmd} process\n\trequired = true`);
    expect(cfg).toContain(`driver = ${cmd} merge %O %A %B %L %P`);
    const second = run("git", ["ctx", "install", "--global"], m.home);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/^set /m);
    expect(readFileSync(m.env.GIT_CONFIG_GLOBAL!, "utf8")).toBe(cfg);
  });

  it("--local writes the repository's config and info/attributes, not the global config", async () => {
    m = await makeMachine("inst");
    const top = path.join(m.home, "view");
    mkdirSync(path.join(top, "sub"), { recursive: true });
    expect(run("git", ["-c", "init.defaultBranch=main", "init", "-q"], top).code).toBe(0);
    const r = run("git", ["ctx", "install", "--local"], path.join(top, "sub"));
    expect(r.code).toBe(0);
    expect(run("git", ["config", "--local", "filter.ctx.required"], top).stdout.trim()).toBe("true");
    expect(run("git", ["config", "--global", "filter.ctx.process"], top).code).toBe(1);
    expect(readFileSync(path.join(top, ".git", "info", "attributes"), "utf8")).toMatch(/^\* filter=ctx -text$/m);
  });

  it("--local outside a repository fails with a message naming the fix", async () => {
    m = await makeMachine("inst");
    const r = run("git", ["ctx", "install", "--local"], m.home);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not inside a git repository \(run 'git ctx install --local' inside the view/);
  });

  it("refuses --global together with --local", async () => {
    m = await makeMachine("inst");
    const r = run("git", ["ctx", "install", "--global", "--local"], m.home);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/mutually exclusive/);
  });
});
