import type { CommandModule } from "yargs";
import { agentsOption, parseAgents } from "../agents.js";
import { runCommand } from "../run.js";

interface JoinArgs {
  root: string;
  id?: string;
  dir?: string;
  remote?: string;
  agents?: string[] | string;
  "dry-run"?: boolean;
  json?: boolean;
}

/** `git ctx join [--id <id>] <project-root>`: join this machine to a project of the cluster. */
export const joinCommand: CommandModule<object, JoinArgs> = {
  command: "join <root>",
  describe: "join this machine to a project of the cluster and check its sessions out",
  builder: (y) =>
    y
      .positional("root", { type: "string", demandOption: true, describe: "the project's root on this machine" })
      .option("id", { type: "string", describe: "project id in the cluster (see 'git ctx projects'; default: from the root's git remote or base name)" })
      .option("dir", {
        type: "string",
        describe: "one view folder (default: each agent's store: $CLAUDE_CONFIG_DIR/projects or ~/.claude/projects, $CODEX_HOME/sessions or ~/.codex/sessions)",
      })
      .option("remote", { type: "string", describe: "the cluster, for a machine with no view yet (the views are made, as git clone ctx::<url> would)" })
      .option("agents", agentsOption("get the project"))
      .option("dry-run", { type: "boolean", default: false, describe: "check the project and the folder, say what would happen, write nothing" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .example(
        "git ctx join --id app ~/work/app",
        "check out project 'app' (see git ctx projects) for your copy at ~/work/app; on a new machine first: git clone ctx::<cluster-url> ~/.claude/projects",
      )
      .example("cd ~/work/app && git ctx join .", "join from the project's root (id from its git remote, else the folder name)") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { joinAgents, joinDocument } = await import("../../commands/join.js");
        const { AGENTS } = await import("../../agents/index.js");
        const agents = await parseAgents(a.agents);
        const reports = await joinAgents({ root: a.root, id: a.id, dir: a.dir, remote: a.remote, dryRun: a["dry-run"], agents });
        if (a.json) {
          const { jsonText } = await import("../../json/version.js");
          process.stdout.write(jsonText(joinDocument(reports, a["dry-run"] === true)));
          return;
        }
        for (const r of reports) print(r, reports.length > 1 ? `${AGENTS.find((g) => g.id === r.agent)!.title}: ` : "");
      },
      { command: "join", json: a.json },
    ),
};

/** Prints one view's join report; `who` names the agent when several views were joined. */
function print(r: import("../../commands/join.js").JoinReport, who: string): void {
  if (r.dryRun) {
    process.stdout.write(
      `${who}git ctx join --dry-run: nothing was written. Would ${r.newView ? `make the view ${r.dir} by cloning the cluster ${r.newView.cluster} into it (as git clone ctx::${r.newView.cluster} does), then ` : ""}${r.alreadyJoined ? "re-join" : "join"} project/${r.id}: ${r.root} -> ${r.key ? `${r.dir}/${r.key}` : r.dir}${r.mergedLocal ? " (its local sessions would be merged into the cluster)" : ""}\n`,
    );
    return;
  }
  const where = `${r.root} -> ${r.key ? `${r.dir}/${r.key}` : r.dir}`;
  if (r.alreadyJoined)
    process.stdout.write(`${who}project/${r.id} is already joined (${where})${r.mergedLocal ? "; committed and pushed its new local sessions" : "; nothing to do"}\n`);
  else {
    const shared = r.sharedWith.length ? ` (shared with ${r.sharedWith.map((m) => `${m.machineId}: ${m.root}`).join(", ")})` : "";
    process.stdout.write(
      `${who}joined project/${r.id}: ${where}${r.mergedLocal ? " (local sessions merged)" : ""}${r.previousRoot ? ` (root was ${r.previousRoot})` : ""}${shared}\n`,
    );
  }
  if (r.note) process.stderr.write(r.note + "\n");
  for (const h of r.heldBack ?? []) process.stdout.write(`held back for secrets, not sent: ${h.path} (${h.rules.join(", ")}) — ${h.fix}\n`);
}
