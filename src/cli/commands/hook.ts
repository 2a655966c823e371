import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx hook`: install, uninstall or show the Claude Code Stop hook. (Placeholder until its issue lands: it says so and exits 2.) */
export const hookCommand: CommandModule = {
  command: "hook",
  describe: "install, uninstall or show the Claude Code Stop hook",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx hook: not available yet\n");
      return 2;
    }),
};
