import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx doctor`: check a Claude Code project folder or the whole view and name the fixes. (Placeholder until its issue lands: it says so and exits 2.) */
export const doctorCommand: CommandModule = {
  command: "doctor",
  describe: "check a Claude Code project folder or the whole view and name the fixes",
  handler: () =>
    runCommand(async () => {
      process.stderr.write("git ctx doctor: not available yet\n");
      return 2;
    }),
};
