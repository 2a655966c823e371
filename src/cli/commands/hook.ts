import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx hook install|uninstall|status [--agent claude|codex|gemini]`: an agent's hook that runs `git ctx sync --hook`. */
export const hookCommand: CommandModule = {
  command: "hook <action>",
  describe: "install, uninstall or show an agent's hook that syncs after every turn (Claude Code's Stop hook, Codex's notify, Gemini CLI's AfterAgent)",
  builder: (y) =>
    y
      .positional("action", {
        choices: ["install", "uninstall", "status", "post-merge"] as const,
        demandOption: true,
        describe: "install, uninstall or status; post-merge is what a view's git post-merge hook runs (it tells the agent of the files a plain git pull wrote)",
      })
      .option("agent", {
        choices: ["claude", "codex", "gemini"] as const,
        default: "claude" as const,
        describe:
          "whose hook: claude (~/.claude/settings.json), codex (notify in $CODEX_HOME/config.toml, chaining your own notify program) or gemini (AfterAgent in ~/.gemini/settings.json)",
      })
      .option("settings", {
        type: "string",
        describe:
          "Claude Code's settings file (default: $CLAUDE_CONFIG_DIR/settings.json or ~/.claude/settings.json; codex and gemini use $CODEX_HOME/config.toml and $GEMINI_CLI_HOME/.gemini/settings.json, or ~/.codex and ~/.gemini)",
      })
      .option("event", { choices: ["Stop", "SessionEnd"] as const, default: "Stop" as const, describe: "Claude Code's hook event: Stop (after every turn) or SessionEnd" })
      .option("json", { type: "boolean", default: false, describe: "print the result as JSON" })
      .option("dry-run", { type: "boolean", default: false, describe: "install/uninstall: say whether the settings file would change, write nothing" })
      .example("git ctx hook install", "add 'git ctx sync --hook' to the Stop hooks in ~/.claude/settings.json (idempotent, keeps other hooks)")
      .example("git ctx hook status", "is it installed?")
      .example("git ctx hook install --agent codex", "set notify in ~/.codex/config.toml to run 'git ctx sync --hook' (your own notify program keeps running after it)")
      .example("git ctx hook install --agent gemini", "add 'git ctx sync --hook' to the AfterAgent hooks in ~/.gemini/settings.json")
      .example("git ctx hook uninstall", "remove only git-ctx's entry"),
  handler: (o) =>
    runCommand(
      async () => {
        const { hook } = await import("../../commands/hook.js");
        return hook({
          action: o.action as "install" | "uninstall" | "status" | "post-merge",
          agent: o.agent as "claude" | "codex" | "gemini",
          settings: o.settings as string | undefined,
          event: o.event as "Stop" | "SessionEnd",
          json: o.json as boolean,
          dryRun: o["dry-run"] as boolean,
        });
      },
      { command: "hook", json: o.json as boolean },
    ),
};
