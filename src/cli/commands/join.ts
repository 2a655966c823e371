import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx join`: join this machine to a project of the cluster. (Placeholder until its issue lands: it says so and exits 2.) */
export const joinCommand: CommandModule = {
  command: "join",
  describe: "join this machine to a project of the cluster",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx join: not available yet\n");
      return 2;
    }),
};
