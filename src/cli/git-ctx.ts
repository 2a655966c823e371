import type { CommandModule } from "yargs";
import { trySyncFast } from "./commands/sync.js";
import { COMPLETE, configureCli } from "./global.js";

/**
 * Entry point of `git-ctx` (reached as `git ctx <command>`). Only maps argv to command modules;
 * each module in `./commands/` maps its flags to options and lazy-imports `src/commands/<name>`.
 * yargs and the command table are imported lazily: `git ctx sync` with plain arguments (the
 * hook after every agent turn, the background worker) loads neither (issue 15: the hook returns
 * in ≤ 0.1 s).
 */
export async function main(argv: string[]): Promise<void> {
  // `git ctx sync` (the Stop hook, the background worker) skips loading yargs when its arguments are plain.
  if (argv[0] === "sync" && (await trySyncFast(argv.slice(1)))) return;
  // shell completion calls back after every <TAB> with raw words (flags included): no yargs parsing
  if (argv[0] === COMPLETE) return (await import("./complete.js")).completeMain(argv.slice(1));
  const [{ default: yargs }, { commands }] = await Promise.all([import("yargs"), import("./commands/index.js")]);
  let y = configureCli(yargs(argv));
  for (const c of commands) y = y.command(c as CommandModule);
  await y.parseAsync();
}
