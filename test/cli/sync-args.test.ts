import fc from "fast-check";
import { describe, expect, it } from "vitest";
import yargs from "yargs";
import type { CommandModule } from "yargs";
import { parseSyncArgsFast, syncCommand, type SyncCliOptions } from "../../src/cli/commands/sync.js";
import { NUM_RUNS } from "../helpers/env.js";

/** What yargs hands the sync handler for `git ctx sync <args>` (undefined when yargs rejects the line). */
async function viaYargs(args: string[]): Promise<SyncCliOptions | undefined> {
  let got: SyncCliOptions | undefined;
  const cmd: CommandModule = {
    ...syncCommand,
    handler: (o) => {
      got = {
        background: o.background as boolean,
        hook: o.hook as boolean,
        dir: o.dir as string | undefined,
        json: o.json as boolean,
        worker: o.worker as boolean,
        quietMs: o.quietMs as number | undefined,
      };
    },
  };
  try {
    await yargs(["sync", ...args])
      .strict()
      .command(cmd)
      .exitProcess(false)
      .fail((_m, e) => {
        throw e ?? new Error(_m);
      })
      .parseAsync();
  } catch {
    return undefined;
  }
  return got;
}

const strip = (o: SyncCliOptions | undefined) => o && JSON.parse(JSON.stringify(o));

describe("git ctx sync: arguments read without yargs", () => {
  it("reads what the hook settings and the background worker pass exactly as yargs does", async () => {
    for (const args of [
      [],
      ["--hook"],
      ["--background"],
      ["--json"],
      ["--worker", "--dir", "/home/me/.claude/projects", "--quiet-ms", "1000"],
      ["--dir=/v", "--quiet-ms=0"],
      ["--worker", "--dir", "/tmp/a b/-x", "--quiet-ms", "0"],
    ]) {
      const fast = parseSyncArgsFast(args);
      expect(fast, args.join(" ")).toBeDefined();
      expect(strip(fast), args.join(" ")).toEqual(strip(await viaYargs(args)));
    }
  });

  it("leaves help, negations, unknown or repeated flags, positionals and dash-leading values to yargs", () => {
    for (const args of [
      ["--help"],
      ["-h"],
      ["--no-json"],
      ["--hook=true"],
      ["--verbose"],
      ["--hook", "--hook"],
      ["x"],
      ["--dir"],
      ["--dir", "-home-me"],
      ["--quiet-ms", "abc"],
      ["--quiet-ms", "-1"],
    ]) {
      expect(parseSyncArgsFast(args), args.join(" ")).toBeUndefined();
    }
  });

  it("never disagrees with yargs on a line it accepts (property)", async () => {
    const token = fc.oneof(
      fc.constantFrom("--hook", "--background", "--json", "--worker", "--dir", "--quiet-ms", "--no-hook", "-h", "--dir=/v", "--quiet-ms=5", "--x"),
      fc.constantFrom("/v", "0", "12", "-home-x", "a b", ""),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 6 }), async (args) => {
        const fast = parseSyncArgsFast(args);
        if (fast) expect(strip(fast)).toEqual(strip(await viaYargs(args)));
      }),
      { numRuns: Math.min(NUM_RUNS, 500) },
    );
  });
});
