import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx init`: adopt an existing ~/.claude/projects as a view of a cluster. (Placeholder until its issue lands: it says so and exits 2.) */
export const initCommand: CommandModule = {
  command: "init",
  describe: "adopt an existing ~/.claude/projects as a view of a cluster",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx init: not available yet\n");
      return 2;
    }),
};
