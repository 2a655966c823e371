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
  const [{ default: yargs }, { commands }, style] = await Promise.all([import("yargs"), import("./commands/index.js"), import("../commands/style.js")]);
  let y = configureCli(yargs(argv))
    .middleware((a) => {
      try {
        style.setOutputMode(style.parseColorMode(a.color as string | boolean | undefined));
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    })
    .showHelpOnFail(false)
    .fail((msg, err) => {
      // a usage error, as git reports one (exit 129); an error thrown by a handler is not one
      if (err instanceof UsageError || (err && !msg)) throw err;
      throw new UsageError(msg ?? "invalid arguments");
    });
  for (const c of commands) y = y.command(c as CommandModule);
  try {
    await y.parseAsync();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(
      usageLines(argv, e.message, commands as { command?: string | readonly string[] }[])
        .map((l, i) => (i === 0 ? style.paint(process.stderr, "error", l) : l))
        .join("\n") + "\n",
    );
    // under --json the error is a document on stdout too (docs/json.md), as every other error is
    if (argv.includes("--json")) {
      const { errorDocument, jsonText } = await import("../json/version.js");
      const lines = usageLines(argv, e.message, commands as { command?: string | readonly string[] }[]);
      process.stdout.write(jsonText(errorDocument(argv.find((a) => !a.startsWith("-")) ?? "git-ctx", "Usage", lines[0]!.replace(/^error: /, ""))));
    }
    process.exitCode = 129;
  }
}

/** A command line yargs refused (unknown flag or command, missing argument): exit 129 like git. */
class UsageError extends Error {}

/**
 * The two lines of a usage error, git's shape (`error: <what>`, then how to call the command):
 * `error: unknown option '--frob'` / `usage: git ctx sync [options]   (see 'git ctx sync -h')`.
 * An unknown command is named with yargs's suggestion (`did you mean sync?`).
 * @param argv the command line after `git ctx`; `message` yargs's text; `table` the commands.
 */
export function usageLines(argv: readonly string[], message: string, table: readonly { command?: string | readonly string[] }[]): string[] {
  const names = new Map<string, string>();
  for (const c of table) {
    const spec = Array.isArray(c.command) ? (c.command[0] as string) : (c.command as string | undefined);
    if (spec) names.set(spec.split(" ")[0]!, spec);
  }
  const first = argv.find((a) => !a.startsWith("-"));
  const spec = first === undefined ? undefined : names.get(first);
  let what = message.replace(/^./, (c) => c.toLowerCase());
  // yargs names an unknown flag without its dashes: git names the option as it was typed
  const unknown = /^unknown arguments?: (.+)$/.exec(what)?.[1]?.split(", ");
  if (unknown) {
    const typed = unknown.map((u) => argv.find((a) => a === `--${u}` || a.startsWith(`--${u}=`) || a === `-${u}`)?.split("=")[0]);
    what = typed.every((t) => t !== undefined) ? `unknown option ${typed.map((t) => `'${t}'`).join(", ")}` : `unexpected argument ${unknown.map((u) => `'${u}'`).join(", ")}`;
  }
  if (spec === undefined) {
    const error = first === undefined ? "error: name a command" : `error: unknown command '${first}'${/^did you mean/i.test(what) ? ` (${what})` : ""}`;
    return [error, "usage: git ctx <command> [options]   (see 'git ctx -h' for the commands)"];
  }
  return [`error: ${what}`, `usage: git ctx ${spec} [options]   (see 'git ctx ${first} -h')`];
}
