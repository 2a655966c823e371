import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";
import { FLAGS, parseSyncArgsFast, type SyncCliOptions } from "./sync-args.js";

export { parseSyncArgsFast, type SyncCliOptions } from "./sync-args.js";

function runSync(o: SyncCliOptions): Promise<void> {
  return runCommand(
    async () => {
      const { sync } = await import("../../commands/sync.js");
      return sync(o);
    },
    { command: "sync", json: o.json && !o.hook },
  );
}

/** `git ctx sync`: commit, pull and push the joined projects of every view (what the agents' hooks run). */
export const syncCommand: CommandModule = {
  command: "sync",
  describe: "commit, pull and push the joined projects of every agent's view (what the agents' hooks run)",
  builder: (y) =>
    y
      .parserConfiguration({ "populate--": true })
      .options(FLAGS)
      .example("git ctx sync", "commit new session lines, merge what other machines pushed, push")
      .example("git ctx sync --background", "the same, detached; the log is in .git/ctx/sync.log")
      .example("git ctx sync --dry-run", "which files would be committed and pushed")
      .example("git ctx sync -q", "sync quietly: only warnings and errors, on stderr")
      .example("git ctx hook install", "run it after every agent turn (Claude Code's Stop hook, Codex's notify and Gemini CLI's AfterAgent hook call 'git ctx sync --hook')"),
  handler: (o) =>
    runSync({
      background: o.background as boolean,
      hook: o.hook as boolean,
      dir: o.dir as string | undefined,
      json: o.json as boolean,
      worker: o.worker as boolean,
      quietMs: o.quietMs as number | undefined,
      dryRun: o.dryRun as boolean,
      quiet: o.quiet as boolean,
      progress: o.progress as boolean | undefined,
      chain: (o["--"] as string[] | undefined)?.map(String),
    }),
};

/** Runs `git ctx sync <args>` without yargs when {@link parseSyncArgsFast} reads the arguments. */
export async function trySyncFast(args: readonly string[]): Promise<boolean> {
  const o = parseSyncArgsFast(args);
  if (!o) return false;
  await runSync(o);
  return true;
}
