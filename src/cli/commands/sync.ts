import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx sync`: commit, pull and push the joined projects (what the Stop hook runs). */
export const syncCommand: CommandModule = {
  command: "sync",
  describe: "commit, pull and push the joined projects (what the Stop hook runs)",
  builder: (y) =>
    y
      .option("background", { type: "boolean", default: false, describe: "start the sync in the background and return at once" })
      .option("hook", { type: "boolean", default: false, describe: "Claude Code hook mode: read the hook JSON on stdin, sync in the background, always exit 0 silently" })
      .option("dir", { type: "string", describe: "the view (default: ~/.claude/projects)" })
      .option("json", { type: "boolean", default: false, describe: "print the sync report as JSON" })
      .option("worker", { type: "boolean", default: false, hidden: true })
      .option("quiet-ms", { type: "number", hidden: true }),
  handler: (o) =>
    runCommand(async () => {
      const { sync } = await import("../../commands/sync.js");
      return sync({
        background: o.background as boolean,
        hook: o.hook as boolean,
        dir: o.dir as string | undefined,
        json: o.json as boolean,
        worker: o.worker as boolean,
        quietMs: o.quietMs as number | undefined,
      });
    }),
};
