import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx install`: write git config for the ctx filter and merge driver (like `git lfs install`). (Placeholder until its issue lands: it says so and exits 2.) */
export const installCommand: CommandModule = {
  command: "install",
  describe: "write git config for the ctx filter and merge driver (like `git lfs install`)",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx install: not available yet\n");
      return 2;
    }),
};
