import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

interface ResumeArgs {
  id: string;
  in: string;
  "dry-run": boolean;
  force: boolean;
  full: boolean;
  json: boolean;
}

/** `git ctx resume <id> --in <agent>`: a session of any agent as a new session of another. */
export const resumeCommand: CommandModule<object, ResumeArgs> = {
  command: "resume <id>",
  describe: "write a session of any agent as a new session of another agent for the same project, and say how to continue it",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "session id or a unique prefix (git ctx sessions lists them)" })
      .option("in", { choices: ["claude", "codex", "gemini"], demandOption: true, describe: "the agent to continue in" })
      .option("dry-run", { type: "boolean", default: false, describe: "say what would be written; write nothing" })
      .option("force", { type: "boolean", default: false, describe: "replace an earlier conversion of this session into that agent (kept beside it as .bak)" })
      .option("full", {
        type: "boolean",
        default: false,
        describe: "convert every message, not only those from the last compaction point (the default, as the agent itself resumes)",
      })
      .option("json", {
        type: "boolean",
        default: false,
        describe: 'print {"schemaVersion","command","ok","agent","id","path","cwd","run","source","from","warnings"} (docs/json.md)',
      })
      .example("git ctx resume 019b0000 --in claude", "continue a Codex session in Claude Code")
      .example("git ctx resume 0f0501ed --in codex", "continue a Claude Code or Gemini session in Codex")
      .example("git ctx resume 0f0501ed --in gemini --json", "continue it in Gemini CLI; print the new id, file and command as JSON") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { resume, formatResume, resumeDocument } = await import("../../commands/resume.js");
        const r = await resume({ id: a.id, into: a.in as "claude" | "codex" | "gemini", dryRun: a["dry-run"], force: a.force, full: a.full });
        process.stdout.write(a.json ? (await import("../../json/version.js")).jsonText(resumeDocument(r)) : formatResume(r));
      },
      { command: "resume", json: a.json },
    ),
};
