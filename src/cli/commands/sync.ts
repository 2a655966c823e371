import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx sync`: commit, pull and push the joined projects (what the Stop hook runs). (Placeholder until its issue lands: it says so and exits 2.) */
export const syncCommand: CommandModule = {
  command: "sync",
  describe: "commit, pull and push the joined projects (what the Stop hook runs)",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx sync: not available yet\n");
      return 2;
    }),
};
