import { syncHook } from "../commands/synchook.js";
import { parseSyncArgsFast } from "./commands/sync-args.js";
import { runCommand } from "./run.js";

/**
 * Entry point of `git ctx sync --hook` (Claude Code's Stop hook, Codex's notify, Gemini CLI's
 * AfterAgent hook: after every agent turn), bundled on its own into one file
 * (`dist/bundle/git-ctx-hook.mjs`, scripts/bundle.mjs) so that Node loads one module instead of the
 * CLI's entry and its chunks (issue 15: the hook returns in ≤ 0.1 s). bin/git-ctx sends every
 * command line with `sync` and `--hook` here; one that is not a plain hook call (help, an unknown
 * flag, `--hook` only after `--`) goes on to the full CLI (./git-ctx.ts), which handles it as
 * before.
 * @param argv the arguments after `git-ctx` (`["sync", "--hook", …]`).
 */
export async function main(argv: string[]): Promise<void> {
  const o = argv[0] === "sync" ? parseSyncArgsFast(argv.slice(1)) : undefined;
  if (o?.hook) return runCommand(() => syncHook(o));
  // the full CLI: a sibling file, bundled (git-ctx.mjs) or compiled by tsc (git-ctx.js)
  const full = import.meta.url.endsWith(".mjs") ? "./git-ctx.mjs" : "./git-ctx.js";
  const cli = (await import(full)) as typeof import("./git-ctx.js");
  return cli.main(argv);
}
