import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** `git ctx install [--global|--local] [--no-hooks]`: write git config for the ctx filter and merge driver (like `git lfs install`) and each installed agent's sync hook. */
export const installCommand: CommandModule<{}, { global?: boolean; local?: boolean; hooks?: boolean; json?: boolean; "dry-run"?: boolean }> = {
  command: "install",
  describe: "write git config for the ctx filter and merge driver (like `git lfs install`) and each installed agent's sync hook",
  builder: (y) =>
    y
      .option("global", { type: "boolean", describe: "write the user's global git config (default)" })
      .option("local", { type: "boolean", describe: "write the config and info/attributes of the repository you are in" })
      .option("hooks", {
        type: "boolean",
        default: true,
        describe:
          "also install the hook that syncs after every turn of each installed agent: Claude Code's Stop hook (always), Codex's notify (your own notify program keeps running), Gemini CLI's AfterAgent hook; --no-hooks to skip",
      })
      .option("json", { type: "boolean", default: false, describe: "print what was done as JSON" })
      .option("dry-run", { type: "boolean", default: false, describe: "say what would change, write nothing" })
      .example("git ctx install", "once per machine: filter and merge driver in ~/.gitconfig (like git lfs install), and every installed agent's hook")
      .example("cd ~/.claude/projects && git ctx install --local", "only this view repository")
      .example("git ctx install --no-hooks", "git config only; add a hook later with 'git ctx hook install [--agent codex|gemini]'")
      .conflicts("global", "local"),
  handler: (o) =>
    runCommand(
      async () => {
        const { install, installDocument } = await import("../../commands/install.js");
        const dry = o["dry-run"] === true;
        const r = await install({ scope: o.local ? "local" : "global", hooks: o.hooks !== false, dryRun: dry });
        if (o.json) {
          process.stdout.write((await import("../../json/version.js")).jsonText(installDocument(r)));
          return;
        }
        const where = r.scope === "global" ? "global git config" : `${r.gitDir}/config`;
        for (const c of r.config) process.stdout.write(`${c.changed ? (dry ? "would set" : "set") : "kept"} ${c.key} = ${c.value}  (${where})\n`);
        if (r.attributesFile) process.stdout.write(`wrote git-ctx attributes to ${r.attributesFile}\n`);
        for (const h of r.hooks)
          if (h.problem) process.stderr.write(`git ctx install: warning: the ${h.agent} ${h.event} hook was not installed: ${h.problem}\n`);
          else process.stdout.write(`${h.changed ? (dry ? "would install" : "installed") : "kept"} the ${h.agent} ${h.event} hook ('git ctx sync --hook') in ${h.file}\n`);
        for (const v of r.views) for (const c of v.config) if (c.changed) process.stdout.write(`${dry ? "would set" : "set"} ${c.key} = ${c.value}  (${v.dir}/.git/config)\n`);
        for (const k of r.skipped)
          process.stdout.write(`skipped the ${k.agent} hook: ${k.home} does not exist (the agent is not installed here; run 'git ctx install' again after installing it)\n`);
        process.stdout.write(dry ? "git ctx install --dry-run: nothing was written.\n" : "git-ctx installed.\n");
      },
      { command: "install", json: o.json },
    ),
};
