import type { CommandModule } from "yargs";
import { viewDirOption } from "../agents.js";
import { runCommand } from "../run.js";

interface ScanArgs {
  _: (string | number)[];
  paths?: string[];
  dir?: string;
  json: boolean;
  all: boolean;
}

/**
 * `git ctx scan [--json] [--all] [--dir <view>] [<path>...]`: scan what a push would send for credentials.
 * Exit 1 on findings, 0 when none. Paths starting with `-` (project folders) go after `--`.
 */
export const scanCommand: CommandModule<object, ScanArgs> = {
  command: "scan [paths..]",
  describe: "scan what a push of the view you are in, or of every agent's view, would send for secrets (exit 1 on findings)",
  builder: (y) =>
    y
      .positional("paths", { type: "string", array: true, describe: "limit the scan to these files or folders (relative to the --dir view when given)" })
      .option("dir", viewDirOption("the repository you are in, else "))
      .option("json", { type: "boolean", default: false, describe: "print a JSON report (findings are redacted)" })
      .option("all", { type: "boolean", default: false, describe: "scan every tracked and untracked (not ignored) file, not only what changed since the last push" })
      .example("git ctx scan", "what the next push would send")
      .example("git ctx scan --all --json", "every file of the joined projects, as JSON")
      .example("git ctx scan --dir ~/.gemini/tmp", "only Gemini CLI's view")
      .example("git ctx scan -- -home-me-app", "one project folder (names starting with '-' go after --)") as never,
  handler: (a) =>
    runCommand(async () => (await import("../../commands/scan.js")).scan({ paths: [...(a.paths ?? []), ...a._.slice(1).map(String)], dir: a.dir, json: a.json, all: a.all }), {
      command: "scan",
      json: a.json,
    }),
};
