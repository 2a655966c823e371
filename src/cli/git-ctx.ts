import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandModule } from "yargs";
import { trySyncFast } from "./commands/sync.js";

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
  const [{ default: yargs }, { commands }] = await Promise.all([import("yargs"), import("./commands/index.js")]);
  let y = yargs(argv)
    .scriptName("git ctx")
    .usage("git ctx <command> [options]\n\nSync AI coding agents' sessions (Claude Code, Codex CLI, Gemini CLI) between machines with plain git.")
    .strict()
    .demandCommand(1, "name a command (see the list above)")
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version(packageVersion())
    .wrap(Math.min(100, process.stdout.columns || 100));
  for (const c of commands) y = y.command(c as CommandModule);
  await y.parseAsync();
}

/**
 * This package's version, from the nearest `package.json` above this module (dist/src/cli or a
 * dist/bundle chunk): yargs would guess it from the current directory once bundled.
 */
function packageVersion(): string {
  for (let d = path.dirname(fileURLToPath(import.meta.url)); ; d = path.dirname(d)) {
    const f = path.join(d, "package.json");
    if (existsSync(f)) return (JSON.parse(readFileSync(f, "utf8")) as { version?: string }).version ?? "unknown";
    if (path.dirname(d) === d) return "unknown";
  }
}
