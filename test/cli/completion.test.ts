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
