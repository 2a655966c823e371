import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

interface LearnArgs {
  project?: string;
  command?: string;
  since?: string;
  "dry-run": boolean;
  json: boolean;
}

/** `git ctx learn`: learnings from every agent's sessions of a project into `.ctx/learnings.md`. */
export const learnCommand: CommandModule<object, LearnArgs> = {
  command: "learn",
  describe: "extract what future sessions should know from every agent's new turns of this project into .ctx/learnings.md",
  builder: (y) =>
    y
      .option("project", { type: "string", describe: "the project root (default: the git repository around the current folder; outside one, learn refuses)" })
      .option("command", { type: "string", describe: "the model command: reads the prompt on stdin, prints '- ' bullets (default: claude -p; e.g. 'codex exec', 'gemini -p')" })
      .option("since", { type: "string", describe: "only sessions updated since this date (YYYY-MM-DD or ISO 8601)" })
      .option("dry-run", { type: "boolean", default: false, describe: "say what would be sent; call nothing, write nothing" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .example("git ctx learn", "send the new turns of this project's sessions to 'claude -p' and keep the new learnings")
      .example("git ctx learn --command 'gemini -p' --since 2026-12-01", "another model command, recent sessions only") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { learn, formatLearn, learnDocument } = await import("../../commands/learn.js");
        const { InvalidInputError } = await import("../../errors.js");
        const since = a.since ? new Date(a.since) : undefined;
        if (since && Number.isNaN(since.getTime())) throw new InvalidInputError({ what: "--since", value: a.since, fix: "a date like 2026-12-01 or an ISO 8601 time" });
        const r = await learn({ project: a.project, command: a.command, since, dryRun: a["dry-run"], progress: (l) => void process.stderr.write(`${l}\n`) });
        process.stdout.write(a.json ? (await import("../../json/version.js")).jsonText(learnDocument(r)) : formatLearn(r));
        return r.heldBack.length ? 1 : 0;
      },
      { command: "learn", json: a.json },
    ),
};
