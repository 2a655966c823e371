import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Argv } from "yargs";

/** The hidden command the completion scripts call: `git ctx __complete <words after "ctx">` (./complete.ts); not a yargs command. */
export const COMPLETE = "__complete";

/**
 * The top-level parser's settings and the options every command takes: `git ctx` (./git-ctx.ts)
 * applies them to yargs, the man page (./manpage.ts) and completion (./complete.ts) read them
 * from the same calls (./spec.ts).
 */
export function configureCli(y: Argv): Argv {
  return y
    .scriptName("git ctx")
    .usage("git ctx <command> [options]\n\nSync AI coding agents' sessions (Claude Code, Codex CLI, Gemini CLI) between machines with plain git.")
    .strict()
    .demandCommand(1, "name a command")
    .recommendCommands()
    .option("color", {
      type: "string",
      global: true,
      describe: "colour the output: always, never, or auto (default: on a terminal, unless NO_COLOR is set or git's color.ui is false); --no-color is never",
    })
    .help()
    .alias("h", "help")
    .version(packageVersion())
    .wrap(Math.min(100, process.stdout.columns || 100));
}

/**
 * This package's version, from the nearest `package.json` above this module (dist/src/cli or a
 * dist/bundle chunk): yargs would guess it from the current directory once bundled.
 */
export function packageVersion(): string {
  for (let d = path.dirname(fileURLToPath(import.meta.url)); ; d = path.dirname(d)) {
    const f = path.join(d, "package.json");
    if (existsSync(f)) return (JSON.parse(readFileSync(f, "utf8")) as { version?: string }).version ?? "unknown";
    if (path.dirname(d) === d) return "unknown";
  }
}
