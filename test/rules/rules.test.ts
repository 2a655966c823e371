import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { rules } from "../../src/commands/rules.js";
import { parsePart } from "../../src/rules/part.js";

/**
 * Issue 14, scope 2: `git ctx rules` in a project: every agent's file carries the others' own
 * text and the learnings in a part git-ctx owns; bad input (a hand edit, damaged markers, a file
 * that is not UTF-8, a read-only file) is left exactly as it is and named, the others still update.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function project(files: Record<string, string | Buffer>): Promise<string> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-rules-" });
  cleanups.push(t.cleanup);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(t.path, rel)), { recursive: true });
    writeFileSync(path.join(t.path, rel), content);
  }
  return t.path;
}
const read = (p: string, rel: string) => readFileSync(path.join(p, rel), "utf8");

describe("git ctx rules", () => {
  it("shares each file's own text with the others, keeps the user's bytes, creates missing agent files, and a rerun changes nothing", async () => {
    const claude = "\uFEFF# Claude notes\r\nUse pnpm, never npm.";
    const p = await project({ "CLAUDE.md": claude, "AGENTS.md": "# Codex notes\nRun `make check` before a commit.\n", ".ctx/learnings.md": "- the API needs a trailing slash\n" });
    const r = await rules({ project: p });
    expect(r.ok).toBe(true);
    expect(r.files.map((f) => [f.path, f.action])).toEqual([
      ["CLAUDE.md", "updated"],
      ["AGENTS.md", "updated"],
      ["GEMINI.md", "created"],
    ]);
    const c = read(p, "CLAUDE.md");
    expect(c.startsWith(claude)).toBe(true);
    expect(c).toContain("Run `make check` before a commit.");
    expect(c).toContain("the API needs a trailing slash");
    expect(c.slice(claude.length)).not.toContain("Use pnpm"); // its own text is not repeated
    expect(c.slice(claude.length).replace(/\r\n/g, "")).not.toContain("\n"); // CRLF file, CRLF part
    expect(read(p, "AGENTS.md")).toContain("Use pnpm, never npm.");
    expect(read(p, "GEMINI.md")).toContain("Use pnpm, never npm.");
    expect(read(p, "GEMINI.md")).toContain("Run `make check`");
    const again = await rules({ project: p });
    expect(again.files.every((f) => f.action === "unchanged")).toBe(true);
    expect((await rules({ project: p, check: true })).ok).toBe(true);
    // the user edits their own text: the others follow, --check first says so
    writeFileSync(path.join(p, "AGENTS.md"), read(p, "AGENTS.md").replace("make check", "make verify"));
    const stale = await rules({ project: p, check: true });
    expect(stale.ok).toBe(false);
    expect(stale.files.filter((f) => f.action === "stale").map((f) => f.path)).toEqual(["CLAUDE.md", "GEMINI.md"]);
    await rules({ project: p });
    expect(read(p, "GEMINI.md")).toContain("make verify");
  });

  it("a hand edit inside the part is kept and named, the other files are updated, --take-ownership replaces it", async () => {
    const p = await project({ "CLAUDE.md": "# C\nrule one\n", "AGENTS.md": "# A\nrule two\n" });
    await rules({ project: p });
    const edited = read(p, "AGENTS.md").replace("rule one", "rule one, as I like it");
    writeFileSync(path.join(p, "AGENTS.md"), edited);
    writeFileSync(path.join(p, "CLAUDE.md"), read(p, "CLAUDE.md").replace("rule one", "rule uno"));
    const r = await rules({ project: p });
    expect(r.ok).toBe(false);
    expect(r.files.find((f) => f.path === "AGENTS.md")).toMatchObject({ action: "refused", why: expect.stringMatching(/edited by hand.*--take-ownership/) });
    expect(read(p, "AGENTS.md")).toBe(edited);
    expect(read(p, "GEMINI.md")).toContain("rule uno");
    const t = await rules({ project: p, takeOwnership: true });
    expect(t.ok).toBe(true);
    expect(read(p, "AGENTS.md")).toContain("rule uno");
    expect(read(p, "AGENTS.md").startsWith("# A\nrule two\n")).toBe(true);
  });

  it("bad input is left exactly as it is and named: damaged markers, a file that is not UTF-8, a read-only file", async () => {
    const latin1 = Buffer.from("# Gemini\ncaf\xe9\n", "latin1");
    const p = await project({ "CLAUDE.md": "# C\nshare me\n", "GEMINI.md": latin1 });
    await rules({ project: p });
    const agents = read(p, "AGENTS.md");
    writeFileSync(path.join(p, "AGENTS.md"), agents + agents.slice(agents.indexOf("<!-- git-ctx:begin"))); // duplicated part
    const dup = read(p, "AGENTS.md");
    const r = await rules({ project: p, takeOwnership: true });
    expect(r.ok).toBe(false);
    expect(r.files.find((f) => f.path === "AGENTS.md")).toMatchObject({ action: "refused", why: expect.stringMatching(/2 begin and 2 end marker/) });
    expect(read(p, "AGENTS.md")).toBe(dup);
    expect(r.files.find((f) => f.path === "GEMINI.md")).toMatchObject({ action: "refused", why: expect.stringMatching(/not UTF-8/) });
    expect(readFileSync(path.join(p, "GEMINI.md")).equals(latin1)).toBe(true);
    // read-only
    writeFileSync(path.join(p, "CLAUDE.md"), "# C\nshare me, changed\n");
    writeFileSync(path.join(p, "AGENTS.md"), "# A\nmine\n");
    chmodSync(path.join(p, "AGENTS.md"), 0o444);
    const ro = await rules({ project: p });
    expect(ro.files.find((f) => f.path === "AGENTS.md")).toMatchObject({ action: "refused", why: expect.stringMatching(/make it writable/) });
    expect(read(p, "AGENTS.md")).toBe("# A\nmine\n");
  });

  it("a symlinked target is written once; extra targets get their own files (Cursor's with alwaysApply frontmatter); nothing is created when there is nothing to share", async () => {
    const empty = await project({});
    const none = await rules({ project: empty });
    expect(none.files.every((f) => f.action === "nothing to share")).toBe(true);
    expect(existsSync(path.join(empty, "AGENTS.md"))).toBe(false);

    const p = await project({ "AGENTS.md": "# Shared\nkeep tests green\n", "GEMINI.md": "# G\ngemini only\n" });
    symlinkSync("AGENTS.md", path.join(p, "CLAUDE.md"));
    const r = await rules({ project: p, targets: ["cursor", "copilot"] });
    expect(r.files.find((f) => f.path === "CLAUDE.md")).toMatchObject({ aliases: ["AGENTS.md"] });
    const a = read(p, "AGENTS.md");
    expect(a.match(/<!-- git-ctx:begin/g)).toHaveLength(1);
    expect(a).toContain("gemini only");
    const mdc = read(p, ".cursor/rules/git-ctx.mdc");
    expect(mdc).toMatch(/^---\n[\s\S]*alwaysApply: true\n---\n/);
    expect(mdc).toContain("keep tests green");
    expect(parsePart(mdc).kind).toBe("part");
    expect(read(p, ".github/copilot-instructions.md")).toContain("gemini only");
    expect((await rules({ project: p, targets: ["cursor", "copilot"] })).files.every((f) => f.action === "unchanged")).toBe(true);
  });

  // issue 23, rules: quoting the markers in a code fence broke the second run; copied headings were not demoted
  it("a file that quotes the marker lines in a code fence: the second run changes nothing and --check passes; copied headings sit below the section's", async () => {
    const quoting = ["# Claude notes", "", "```", "<!-- git-ctx:begin rules sha256=" + "0".repeat(64) + " -->", "<!-- git-ctx:end rules -->", "```", ""].join("\n");
    const p = await project({ "CLAUDE.md": quoting, "AGENTS.md": "# Codex notes\n\n## Testing\nRun `make check`.\n" });
    const first = await rules({ project: p });
    expect(first.ok, JSON.stringify(first.files)).toBe(true);
    const again = await rules({ project: p });
    expect(again.ok, JSON.stringify(again.files)).toBe(true);
    expect(again.files.every((f) => f.action === "unchanged")).toBe(true);
    expect((await rules({ project: p, check: true })).ok).toBe(true);
    expect(read(p, "CLAUDE.md").startsWith(quoting)).toBe(true);
    const c = read(p, "CLAUDE.md");
    expect(c).toContain("## From AGENTS.md\n\n### Codex notes\n\n#### Testing");
    expect(read(p, "GEMINI.md")).toContain("### Claude notes");
  });

  it("an unknown target is a clear error", async () => {
    const p = await project({});
    await expect(rules({ project: p, targets: ["emacs"] })).rejects.toThrow(/--targets.*emacs.*cursor, copilot, windsurf/);
  });
});

describe("git ctx rules (the command line)", () => {
  it("exit 0 when in step, 1 for --check on a stale file and for a refused file; --json names the actions", async () => {
    const { run } = await import("../cluster/harness.js");
    const { BIN } = await import("../helpers/env.js");
    const p = await project({ "CLAUDE.md": "# C\nshare me\n" });
    const ctx = (args: string[]) => run(path.join(BIN, "git-ctx"), args, { cwd: p, allowFail: true });
    expect((await ctx(["rules", "--check"])).code).toBe(1);
    const w = await ctx(["rules", "--json"]);
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout).files.map((f: { action: string }) => f.action)).toEqual(["nothing to share", "created", "created"]);
    expect((await ctx(["rules", "--check"])).code).toBe(0);
    writeFileSync(path.join(p, "AGENTS.md"), read(p, "AGENTS.md").replace("share me", "share me too"));
    const refused = await ctx(["rules"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/refused: AGENTS\.md — git-ctx's part was edited by hand/);
  });
});
