import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

interface RedactArgs {
  _: (string | number)[];
  targets?: string[];
  "dry-run": boolean;
  json: boolean;
}

/** `git ctx redact [--dry-run] <session|file|folder>...`: replace secrets in local transcripts with `[REDACTED:<rule>]`, keeping a backup. */
export const redactCommand: CommandModule<object, RedactArgs> = {
  command: "redact [targets..]",
  describe: "replace the secrets in local transcripts with [REDACTED:<rule>] (keeps a backup) so they can sync",
  builder: (y) =>
    y
      .positional("targets", { type: "string", array: true, describe: "session ids, transcript files or folders" })
      .option("dry-run", { type: "boolean", default: false, describe: "only show what would be replaced" })
      .option("json", { type: "boolean", default: false, describe: "print the files and replacements (redacted) as JSON" })
      .example("git ctx redact 7d3f2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6", "a session of any joined project, with its subagents and tool results")
      .example("git ctx redact -- -home-me-app/s.jsonl", "a file (names starting with '-' go after --)") as never,
  handler: (a) =>
    runCommand(
      async () => (await import("../../commands/redact.js")).redact({ targets: [...(a.targets ?? []), ...a._.slice(1).map(String)], dryRun: a["dry-run"], json: a.json }),
      { command: "redact", json: a.json },
    ),
};
