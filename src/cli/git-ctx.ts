import yargs from "yargs";
import type { CommandModule } from "yargs";
import { commands } from "./commands/index.js";

/**
 * Entry point of `git-ctx` (reached as `git ctx <command>`). Only maps argv to command modules;
 * each module in `./commands/` maps its flags to options and lazy-imports `src/commands/<name>`.
 */
export async function main(argv: string[]): Promise<void> {
  let y = yargs(argv)
    .scriptName("git ctx")
    .usage("git ctx <command> [options]\n\nSync AI coding agent context (Claude Code sessions, memory) between machines with plain git.")
    .strict()
    .demandCommand(1, "name a command (see the list above)")
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version()
    .wrap(Math.min(100, process.stdout.columns || 100));
  for (const c of commands) y = y.command(c as CommandModule);
  await y.parseAsync();
}
