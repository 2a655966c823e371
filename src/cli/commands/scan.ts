import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx scan`: scan what a push would send for secrets. (Placeholder until its issue lands: it says so and exits 2.) */
export const scanCommand: CommandModule = {
  command: "scan",
  describe: "scan what a push would send for secrets",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx scan: not available yet\n");
      return 2;
    }),
};
