import type { CommandModule } from "yargs";
import { MACHINE_OSES, type MachineOs } from "../../roster/machine.js";
import { viewDirOption } from "../agents.js";
import { runCommand } from "../run.js";

interface DoctorArgs {
  _: (string | number)[];
  folder?: string;
  root?: string;
  dir?: string;
  home?: string;
  os?: MachineOs;
  "rewrite-home": boolean;
  json: boolean;
  fix: boolean;
  "dry-run": boolean;
}

/**
 * `git ctx doctor [<folder>] [--dir <view>]`: with a folder, check one Claude Code project folder
 * (root, rewrites per tier, round trip, residue); without, check every agent's view (or the one
 * `--dir` names). Exit 1 when
 * attention is needed. Folder names start with `-`: pass a path (`./-home-me-x`) or put
 * the folder after `--`.
 */
export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: "doctor [folder]",
  describe: "check every agent's view (or one Claude Code project folder) and name the fixes",
  builder: (y) =>
    y
      .positional("folder", { type: "string", describe: "a Claude Code project folder (e.g. ~/.claude/projects/-home-me-app); omit to check the views" })
      .option("root", { type: "string", describe: "the project root on this machine (default: inferred from the transcripts' cwd)" })
      .option("dir", viewDirOption("the view around the current directory and "))
      .option("home", { type: "string", describe: "home as written in transcripts (default: $GIT_CTX_HOME or $HOME)" })
      .option("os", { choices: MACHINE_OSES as MachineOs[], describe: "this machine's OS for path spellings (default: this platform; windows for a Windows root)" })
      .option("rewrite-home", { type: "boolean", default: true, describe: "rewrite the home to {{CC_HOME}} (roster policy rewrite_home)" })
      .option("json", { type: "boolean", default: false, describe: "print a JSON report" })
      .option("fix", {
        type: "boolean",
        default: false,
        describe: "rebuild a view whose repository is corrupt from the cluster (the work tree and the broken repository are kept), then sync",
      })
      .option("dry-run", { type: "boolean", default: false, describe: "with --fix: say what it would do, change nothing" })
      .example("git ctx doctor ~/.claude/projects/-home-me-app", "check one project folder")
      .example("git ctx doctor --json -- -home-me-app", "a folder name starting with '-' goes after --")
      .example("git ctx doctor", "check every agent's view (~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp)")
      .example("git ctx doctor --dir ~/.codex/sessions", "check only Codex's view")
      .example("git ctx doctor --fix", "rebuild a corrupt view repository from the cluster, keeping every local line") as never,
  handler: (a) =>
    runCommand(
      async () =>
        (await import("../../commands/doctor.js")).doctor({
          folder: a.folder ?? folderAfterDashes(a._),
          root: a.root,
          dir: a.dir,
          home: a.home,
          os: a.os,
          rewriteHome: a["rewrite-home"],
          json: a.json,
          fix: a.fix,
          dryRun: a["dry-run"],
        }),
      { command: "doctor", json: a.json },
    ),
};

/** A folder given after `--` (`git ctx doctor -- -home-me-x`) lands in `_` after the command name. */
function folderAfterDashes(rest: (string | number)[]): string | undefined {
  const extra = rest.slice(1).map(String);
  return extra.length ? extra[0] : undefined;
}
