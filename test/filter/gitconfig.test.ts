import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BLOCK_BEGIN,
  BLOCK_END,
  ctxGitConfig,
  filterCommand,
  gitignoreEscape,
  packageRoot,
  replaceBlock,
  writeAttributes,
  writeCtxConfig,
  writeExcludes,
} from "../../src/git/config.js";
import { git } from "../../src/git/exec.js";
import { REPO, makeMachine, type TestMachine } from "../helpers/env.js";

let m: TestMachine | undefined;
afterEach(async () => {
  await m?.cleanup();
  m = undefined;
});

async function repo(): Promise<{ top: string; gitDir: string }> {
  m = await makeMachine("cfg");
  const top = path.join(m.home, "view");
  await git(["-c", "init.defaultBranch=main", "init", "-q", top], { env: m!.env });
  return { top, gitDir: path.join(top, ".git") };
}

describe("git config, attributes and excludes of a view", () => {
  it("configures the filter process as required and the merge driver with git's placeholders", () => {
    expect(Object.fromEntries(ctxGitConfig("git-ctx-filter"))).toMatchObject({
      "filter.ctx.process": "git-ctx-filter process",
      "filter.ctx.required": "true",
      "merge.ctx.driver": "git-ctx-filter merge %O %A %B %L %P",
    });
  });

  it("the filter command is this package's bin run by this Node, both by absolute path and quoted for sh (issue 24, point 9)", () => {
    expect(packageRoot()).toBe(REPO);
    expect(filterCommand()).toBe(`${process.execPath} ${REPO}/bin/git-ctx-filter`); // no character here needs quoting
    expect(filterCommand("/opt/my tools/git-ctx", "/usr/bin/node")).toBe("/usr/bin/node '/opt/my tools/git-ctx/bin/git-ctx-filter'");
    expect(filterCommand("/x/it's", "/n/node")).toBe(`/n/node '/x/it'\\''s/bin/git-ctx-filter'`);
    expect(packageRoot("/nowhere/dist/bundle/x.mjs")).toBeUndefined();
  });

  it("writes config idempotently and replaces a multi-valued key", async () => {
    const { top, gitDir } = await repo();
    await git(["config", "--add", "filter.ctx.required", "false"], { cwd: top, env: m!.env });
    await git(["config", "--add", "filter.ctx.required", "maybe"], { cwd: top, env: m!.env });
    const first = await writeCtxConfig({ gitDir }, undefined, { env: m!.env });
    expect(first.every((c) => c.changed)).toBe(true);
    expect(first.find((c) => c.key === "filter.ctx.required")!.previous).toEqual(["false", "maybe"]);
    const second = await writeCtxConfig({ gitDir }, undefined, { env: m!.env });
    expect(second.some((c) => c.changed)).toBe(false);
    expect(await git(["config", "--get-all", "filter.ctx.required"], { cwd: top, env: m!.env })).toBe("true");
    expect(await git(["config", "merge.ctx.driver"], { cwd: top, env: m!.env })).toBe(`${filterCommand()} merge %O %A %B %L %P`);
  });

  it("replaces only its own block and keeps the user's lines byte for byte", () => {
    const user = "# mine\n*.png binary\n";
    const once = replaceBlock(user, ["a", "b"]);
    expect(once).toBe(`${user}${BLOCK_BEGIN}\na\nb\n${BLOCK_END}\n`);
    const withTail = once + "tail line\n";
    const again = replaceBlock(withTail, ["c"]);
    expect(again).toBe(`${user}${BLOCK_BEGIN}\nc\n${BLOCK_END}\ntail line\n`);
    expect(replaceBlock(again, ["c"])).toBe(again);
    expect(replaceBlock("no newline", ["x"])).toBe(`no newline\n${BLOCK_BEGIN}\nx\n${BLOCK_END}\n`);
  });

  it("attributes: every file is filtered without eol conversion; transcripts, memory and rosters use the merge driver", async () => {
    const { top, gitDir } = await repo();
    writeFileSync(path.join(gitDir, "info", "attributes"), "*.png binary\n");
    writeAttributes(gitDir);
    writeAttributes(gitDir); // idempotent
    const text = readFileSync(path.join(gitDir, "info", "attributes"), "utf8");
    expect(text.startsWith("*.png binary\n")).toBe(true);
    expect(text.split(BLOCK_BEGIN).length).toBe(2);
    const paths = [
      "-home-me-p/s.jsonl",
      "-home-me-p/s/subagents/agent-1.jsonl",
      "-home-me-p/memory/MEMORY.md",
      "context/memory/topic.md",
      "roster.json",
      "-home-me-p/s/subagents/agent-1.meta.json",
      "-home-me-p/s/tool-results/t.txt",
      "-home-me-p/notes.md",
    ];
    const out = await git(["check-attr", "filter", "merge", "text", "--", ...paths], { cwd: top, env: m!.env });
    const attr = (p: string, a: string) => new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${a}: (.*)$`, "m").exec(out)![1];
    for (const p of paths) {
      expect(attr(p, "filter")).toBe("ctx");
      expect(attr(p, "text")).toBe("unset");
    }
    for (const p of paths.slice(0, 6)) expect(attr(p, "merge")).toBe("ctx");
    expect(attr("-home-me-p/s/tool-results/t.txt", "merge")).toBe("unspecified");
    expect(attr("-home-me-p/notes.md", "merge")).toBe("unspecified");
  });

  it("excludes: only joined folders are visible to git, whatever their spelling", async () => {
    const { top, gitDir } = await repo();
    const folders = ["-home-me-proj", "C--Users-me-x", "-home-me-other", "a[b]*?", "notjoined"];
    for (const f of folders) {
      mkdirSync(path.join(top, f, "sub"), { recursive: true });
      writeFileSync(path.join(top, f, "sub", "s.jsonl"), "{}\n");
    }
    writeFileSync(path.join(top, "root.txt"), "x");
    writeFileSync(path.join(gitDir, "info", "exclude"), "# git's sample\n*.swp\n");
    writeExcludes(gitDir, ["C--Users-me-x", "-home-me-proj", "a[b]*?"]);
    const status = await git(["status", "--porcelain", "--untracked-files=all"], { cwd: top, env: m!.env });
    expect(status.split("\n").sort()).toEqual(["?? -home-me-proj/sub/s.jsonl", "?? C--Users-me-x/sub/s.jsonl", '?? "a[b]*?/sub/s.jsonl"'.replace(/"/g, "")].sort());
    expect(readFileSync(path.join(gitDir, "info", "exclude"), "utf8").startsWith("# git's sample\n*.swp\n")).toBe(true);
    writeExcludes(gitDir, ["-home-me-proj"]);
    const after = await git(["status", "--porcelain", "--untracked-files=all"], { cwd: top, env: m!.env });
    expect(after).toBe("?? -home-me-proj/sub/s.jsonl");
  });

  it("refuses folder names that are not one path component", () => {
    expect(() => gitignoreEscape("a/b")).toThrow(/directory key/);
    expect(() => gitignoreEscape("")).toThrow();
    expect(gitignoreEscape("-home-me-p")).toBe("-home-me-p");
  });
});
