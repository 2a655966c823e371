import type { CommandModule } from "yargs";
import { commaList } from "../agents.js";
import { runCommand } from "../run.js";

interface RulesArgs {
  targets?: string | string[];
  project?: string;
  check?: boolean;
  "dry-run"?: boolean;
  "take-ownership"?: boolean;
  json?: boolean;
}

/** `git ctx rules`: keep every agent's instruction file in step, never overwriting a hand edit. */
export const rulesCommand: CommandModule<object, RulesArgs> = {
  command: "rules",
  describe: "keep every agent's project instruction file in step (CLAUDE.md, AGENTS.md, GEMINI.md, …) in a part git-ctx owns; hand edits win",
  builder: (y) =>
    y
      .option("targets", {
        type: "string",
        coerce: commaList,
        describe: "more targets besides the agents' files: cursor (.cursor/rules/git-ctx.mdc), copilot (.github/copilot-instructions.md), windsurf (.windsurf/rules/git-ctx.md)",
      })
      .option("project", { type: "string", describe: "the project root (default: the git work tree around the current directory)" })
      .option("check", { type: "boolean", default: false, describe: "write nothing; exit 1 when a target is stale (for CI and pre-commit)" })
      .option("dry-run", { type: "boolean", default: false, describe: "write nothing; say what would change" })
      .option("take-ownership", { type: "boolean", default: false, describe: "replace git-ctx's part even where it was edited by hand" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .example("git ctx rules", "share CLAUDE.md's, AGENTS.md's and GEMINI.md's own text (and .ctx/learnings.md) with each other")
      .example("git ctx rules --targets cursor,copilot", "also write Cursor's and Copilot's instruction files")
      .example("git ctx rules --check", "in CI: fail when a file is not in step") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { rules, formatRules, rulesDocument } = await import("../../commands/rules.js");
        const r = await rules({
          targets: a.targets === undefined ? undefined : [a.targets].flat(),
          project: a.project,
          check: a.check,
          dryRun: a["dry-run"],
          takeOwnership: a["take-ownership"],
        });
        process.stdout.write(a.json ? (await import("../../json/version.js")).jsonText(rulesDocument(r)) : formatRules(r));
        return r.ok ? 0 : 1;
      },
      { command: "rules", json: a.json },
    ),
};
