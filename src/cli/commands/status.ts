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
      .example("git ctx status", "one summary line, then each joined project of every agent's view")
      .example("git ctx status --json", "the same as JSON, for scripts"),
  handler: (o) =>
    runCommand(async () => {
      const { status } = await import("../../commands/status.js");
      return status({ json: o.json as boolean, dir: o.dir as string | undefined });
    }),
};
