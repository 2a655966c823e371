import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx status`: per joined project: uncommitted sessions, ahead/behind, last sync, conflicts, held-back files. */
export const statusCommand: CommandModule = {
  command: "status",
  describe: "per joined project: uncommitted sessions, ahead/behind, last sync, conflicts, held-back files",
  builder: (y) =>
    y
      .option("json", { type: "boolean", default: false, describe: "print the status as JSON" })
      .option("dir", { type: "string", describe: "the view (default: ~/.claude/projects)" })
      .example("git ctx status", "one summary line, then each joined project")
      .example("git ctx status --json", "the same as JSON, for scripts"),
  handler: (o) =>
    runCommand(
      async () => {
        const { status } = await import("../../commands/status.js");
        return status({ json: o.json as boolean, dir: o.dir as string | undefined });
      },
      { command: "status", json: o.json as boolean },
    ),
};
