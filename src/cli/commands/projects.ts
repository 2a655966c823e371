import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx projects`: list the cluster's projects with each machine's root. (Placeholder until its issue lands: it says so and exits 2.) */
export const projectsCommand: CommandModule = {
  command: "projects",
  describe: "list the cluster's projects with each machine's root",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx projects: not available yet\n");
      return 2;
    }),
};
