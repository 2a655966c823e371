import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { Argv } from "yargs";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { configureCli } from "../../src/cli/global.js";
import { commandSpecs, globalSpec } from "../../src/cli/spec.js";
import { BIN } from "../helpers/env.js";

/**
 * Issue 24, point 8: the man page and completion read the command modules through a recorder
 * (src/cli/spec.ts). What it records must be what yargs shows in `--help`, or the page would
 * drift from the help after all.
 */
describe("commandSpecs", () => {
  it("records every flag `git ctx <command> --help` lists, and no other", () => {
    for (const c of commandSpecs(commands)) {
      const r = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), c.name, "--help"], { encoding: "utf8", env: { ...process.env, COLUMNS: "200" } });
      const options = (r.stdout.split("\nOptions:\n")[1] ?? "").split("\nExamples:")[0]!;
      const shown = [...options.matchAll(/^ {2,6}(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) => m[1]).sort();
      const recorded = [...c.options, ...globalSpec(configureCli).options]
        .filter((o) => !o.hidden)
        .map((o) => o.name)
        .sort();
      expect(recorded, c.name).toEqual([...new Set(shown)].sort());
    }
  });

  it("reads the shorthands, merges a key declared twice and follows aliases", () => {
    const mod = {
      command: "demo <id> [rest..]",
      describe: "a demo",
      builder: (y: Argv) =>
        y
          .positional("id", { type: "string", describe: "an id" })
          .boolean("quiet")
          .alias("q", "quiet")
          .describe("quiet", "say less")
          .option("color", { choices: ["auto", "always", "never"] })
          .default("color", "auto")
          .option("color", { describe: "when to colour" })
          .string(["since"])
          .hide("since")
          .example("git ctx demo x -q", "quietly"),
    };
    const [s] = commandSpecs([mod, { command: "secret", describe: false }]);
    expect(s!.name).toBe("demo");
    expect(s!.positionals.map((p) => [p.name, p.required, p.array])).toEqual([
      ["id", true, false],
      ["rest", false, true],
    ]);
    expect(s!.options.map((o) => ({ name: o.name, aliases: o.aliases, type: o.type, choices: o.choices, default: o.default, describe: o.describe, hidden: o.hidden }))).toEqual([
      { name: "quiet", aliases: ["q"], type: "boolean", choices: undefined, default: undefined, describe: "say less", hidden: false },
      { name: "color", aliases: [], type: undefined, choices: ["auto", "always", "never"], default: "auto", describe: "when to colour", hidden: false },
      { name: "since", aliases: [], type: "string", choices: undefined, default: undefined, describe: undefined, hidden: true },
    ]);
    expect(s!.examples).toEqual([["git ctx demo x -q", "quietly"]]);
  });

  it("reads the top-level parser: --color, --help with -h, --version", () => {
    const g = globalSpec(configureCli);
    expect(g.options.map((o) => [o.name, o.aliases])).toEqual([
      ["color", []],
      ["help", ["h"]],
      ["version", []],
    ]);
    expect(g.usage).toMatch(/^git ctx <command>/);
  });
});
