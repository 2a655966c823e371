import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx status`: per joined project: uncommitted sessions, ahead/behind, last sync. (Placeholder until its issue lands: it says so and exits 2.) */
export const statusCommand: CommandModule = {
  command: "status",
  describe: "per joined project: uncommitted sessions, ahead/behind, last sync",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx status: not available yet\n");
      return 2;
    }),
};
