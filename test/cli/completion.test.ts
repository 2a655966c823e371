import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPLETION_WORDS, completionScript } from "../../src/cli/commands/completion.js";
import { commands } from "../../src/cli/commands/index.js";
import { BIN } from "../helpers/env.js";

/** Issue 10, conveniences: `git ctx completion bash|zsh|fish`. */
describe("git ctx completion", () => {
  it("offers every command", () => {
    const names = commands.map((c) => String(c.command).split(" ")[0]);
    expect([...COMPLETION_WORDS].sort()).toEqual(names.sort());
  });

  it("bash: the script parses and completes 'git ctx sy' to sync", () => {
    const script = completionScript("bash");
    const out = execFileSync("bash", ["-c", `${script}\nCOMP_WORDS=(git ctx sy); COMP_CWORD=2; _git_ctx; echo "\${COMPREPLY[@]}"`], { encoding: "utf8" });
    expect(out.trim()).toBe("sync");
  });

  it("the command prints the script for each shell and refuses another", () => {
    for (const sh of ["bash", "zsh", "fish"]) {
      const r = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "completion", sh], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("redact");
    }
    expect(spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "completion", "tcsh"], { encoding: "utf8" }).status).not.toBe(0);
  });
});

/**
 * Issue 10, defect 13: `git ctx --help` printed "No manual entry for git-ctx" (git turns it into
 * `git help ctx`, which opens the man page git-ctx(1)). The package ships one (package.json
 * `man`, installed by `npm install -g`); it names every command.
 */
describe("the man page", () => {
  it("is shipped and names every command", async () => {
    const { readFileSync } = await import("node:fs");
    const { REPO } = await import("../helpers/env.js");
    const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { man: string[]; files: string[] };
    expect(pkg.man).toEqual(["./man/git-ctx.1"]);
    expect(pkg.files).toContain("man");
    const page = readFileSync(path.join(REPO, "man", "git-ctx.1"), "utf8");
    expect(page).toMatch(/^\.TH GIT-CTX 1/);
    for (const c of commands) expect(page, String(c.command)).toContain(`.B ${String(c.command).split(" ")[0]}`);
  });
});
