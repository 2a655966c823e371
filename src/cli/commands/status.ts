import type { CommandModule } from "yargs";
import { viewDirOption } from "../agents.js";
import { runCommand } from "../run.js";

/** `git ctx status`: per joined project: uncommitted sessions, ahead/behind, last sync, conflicts, held-back files. */
export const statusCommand: CommandModule = {
  command: "status",
  describe: "per joined project: uncommitted sessions, ahead/behind, last sync, conflicts, held-back files",
  builder: (y) =>
    y
      .option("json", { type: "boolean", default: false, describe: "print the status as JSON" })
      .option("dir", viewDirOption())
      .option("short", {
        alias: "s",
        type: "boolean",
        default: false,
        describe:
          "one line per joined project: '<state> <agent> <id> uncommitted=<n> ahead=<n> behind=<n>' (state: '=' in sync, '*' something to sync, '!' needs you), then conflicts=, held=, refused=, not-pushed=, last-sync=failed when they apply",
      })
      .example("git ctx status", "one summary line, then each joined project of every agent's view")
      .example("git ctx status --json", "the same as JSON, for scripts")
      .example("git ctx status -s", "one short line per joined project, e.g. for an agent's status line"),
  handler: (o) =>
    runCommand(
      async () => {
        const { status } = await import("../../commands/status.js");
        return status({ json: o.json as boolean, short: o.short as boolean, dir: o.dir as string | undefined });
      },
      { command: "status", json: o.json as boolean },
    ),
};
