import type { CommandModule } from "yargs";
import { viewDirOption } from "../agents.js";
import { runCommand } from "../run.js";
import { shellQuote } from "../../git/shell.js";

interface LeaveArgs {
  id: string;
  dir?: string;
  "dry-run"?: boolean;
  json?: boolean;
}

/** `git ctx leave <id>`: stop syncing a project on this machine (files kept, roster entry removed). */
export const leaveCommand: CommandModule<object, LeaveArgs> = {
  command: "leave <id>",
  describe: "stop syncing a project on this machine: keep its files, untrack its folder, remove this machine from its roster",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "the project id (git ctx status lists the joined ones); it is left in every view that joined it" })
      .option("dir", viewDirOption())
      .option("dry-run", { type: "boolean", default: false, describe: "say what would happen, change nothing" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .example("git ctx sync && git ctx leave app", "send this machine's last sessions of 'app', then stop syncing it here")
      .example("git ctx leave app --dry-run", "what would change") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { leaveAll, leaveDocument } = await import("../../commands/leave.js");
        const reports = await leaveAll({ id: a.id, dir: a.dir, dryRun: a["dry-run"] });
        if (a.json) {
          const { jsonText } = await import("../../json/version.js");
          process.stdout.write(jsonText(leaveDocument(reports, a["dry-run"] === true)));
          return;
        }
        for (const r of reports) {
          const would = r.dryRun ? "would " : "";
          process.stdout.write(
            `${r.dryRun ? "would leave" : "left"} project/${r.id}: ${r.folder} ${would}${r.dryRun ? "stay" : "stays"} with all its files, ${would}no longer ${r.dryRun ? "be" : "is"} synced${r.untracked ? " (untracked in the view)" : ""}` +
              `${r.rosterUpdated ? "; this machine left its roster" : r.dryRun ? "; this machine would leave its roster" : ""} (git ctx join --id ${shellQuote(r.id)} ${shellQuote(r.root)} undoes it)\n`,
          );
        }
      },
      { command: "leave", json: a.json },
    ),
};
