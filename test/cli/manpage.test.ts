import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { ENVIRONMENT, EXIT_STATUS, currentManPage, roffEscape } from "../../src/cli/manpage.js";
import { commandSpecs } from "../../src/cli/spec.js";
import { REPO } from "../helpers/env.js";

/**
 * Issue 24, point 8: the man page git-ctx(1) covers every command, option, environment variable
 * and exit status, with examples, and is generated from the command modules `--help` is made
 * from (`npm run man`, src/cli/manpage.ts), so the two cannot drift.
 */
const PAGE = path.join(REPO, "man", "git-ctx.1");
const page = () => readFileSync(PAGE, "utf8");

describe("man/git-ctx.1", () => {
  it("is what the generator makes from the command modules now (else: npm run man)", async () => {
    expect(page(), "man/git-ctx.1 is stale: run `npm run man`").toBe(await currentManPage());
  });

  it("is shipped (package.json man, files)", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { man: string[]; files: string[]; scripts: Record<string, string> };
    expect(pkg.man).toEqual(["./man/git-ctx.1"]);
    expect(pkg.files).toContain("man");
    expect(pkg.scripts.man).toMatch(/scripts\/man\.mjs/);
  });

  it("has the sections of a man page, ENVIRONMENT, EXIT STATUS and EXAMPLES included", () => {
    const sections = [...page().matchAll(/^\.SH (.+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "EXIT STATUS", "FILES", "EXAMPLES", "SEE ALSO"]);
  });

  it("names every command with each of its options, positionals and examples, as --help has them", () => {
    const p = page();
    const specs = commandSpecs(commands);
    expect(specs.map((c) => c.name)).toEqual(commands.map((c) => String(c.command).split(" ")[0]));
    for (const c of specs) {
      const at = p.indexOf(`.SS "\\fBgit ctx ${roffEscape(c.name)}\\fR`);
      expect(at, c.name).toBeGreaterThan(0);
      const block = p.slice(at, p.indexOf(".SS", at + 1));
      for (const o of c.options.filter((o) => !o.hidden)) {
        expect(block, `${c.name} --${o.name}`).toContain(roffEscape(o.type === "boolean" && o.default === true ? `--[no-]${o.name}` : `--${o.name}`));
        if (o.describe) expect(block, `${c.name} --${o.name}`).toContain(roffEscape(o.describe).slice(0, 20));
      }
      for (const x of c.positionals) expect(block, `${c.name} <${x.name}>`).toContain(x.name);
      for (const [cmd] of c.examples) expect(p, cmd).toContain(roffEscape(cmd));
    }
    // the options added since the last hand-written page
    expect(p).toContain("\\fB\\-\\-dir\\fR");
    expect(p).toContain("\\fB\\-\\-[no\\-]hooks\\fR");
  });

  it("lists every environment variable src/ reads (the test-only ones aside) and every exit status", () => {
    const read = new Set<string>();
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const abs = path.join(d, f);
        if (statSync(abs).isDirectory()) walk(abs);
        else if (f.endsWith(".ts"))
          for (const m of readFileSync(abs, "utf8").matchAll(/\benv(?:\.|\[")(GIT_CTX_[A-Z_]+|CLAUDE_CONFIG_DIR|CODEX_HOME|GEMINI_CLI_HOME|XDG_CONFIG_HOME)\b/g)) read.add(m[1]!);
      }
    };
    walk(path.join(REPO, "src"));
    const testOnly = (v: string) => v.startsWith("GIT_CTX_TEST_") || v === "GIT_CTX_UNSAFE_CHECKOUT";
    const listed = ENVIRONMENT.map((e) => e.name);
    expect(
      [...read].filter((v) => !testOnly(v) && !listed.includes(v)),
      "read in src/ but not in the man page's ENVIRONMENT",
    ).toEqual([]);
    for (const v of listed) expect(page()).toContain(`.B ${v}\n`);
    for (const code of [0, 1, 70, 129]) expect(EXIT_STATUS.map((e) => e.code)).toContain(code);
    for (const e of EXIT_STATUS) expect(page()).toContain(`.B ${e.code}\n`);
  });
});

/** The page renders without a troff warning (wrong macro, unknown glyph, overlong line) where the tools exist. */
describe("rendering man/git-ctx.1", () => {
  const has = (cmd: string) => spawnSync(cmd, ["--version"], { encoding: "utf8" }).status === 0;
  const groff = has("groff");
  const man = has("man");
  if (!groff) console.warn("groff is not installed: the render test is skipped (apt-get install groff-base)");
  if (!man) console.warn("man is not installed: the man -l test is skipped (apt-get install man-db)");

  it.skipIf(!groff).each(["ascii", "utf8"])("groff -man -T%s -ww prints no warning", (dev) => {
    const r = spawnSync("groff", ["-man", `-T${dev}`, "-ww", "-z", PAGE], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });

  it.skipIf(!man).each(["60", "80", "120"])("man --warnings -l at %s columns prints no warning, and every section", (width) => {
    const r = spawnSync("man", ["--warnings", "-l", PAGE], { encoding: "utf8", env: { ...process.env, MANWIDTH: width, MAN_KEEP_FORMATTING: "", PAGER: "cat" } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    for (const s of ["ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "GIT_CTX_MACHINE_ID", "git ctx doctor --dir"]) expect(r.stdout).toContain(s);
  });
});
