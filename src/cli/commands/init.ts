import type { CommandModule } from "yargs";
import { agentsOption, parseAgents } from "../agents.js";
import { runCommand } from "../run.js";

interface InitArgs {
  roots: string[];
  remote?: string;
  id?: string;
  dir?: string;
  agents?: string[] | string;
  "dry-run"?: boolean;
  json?: boolean;
}

/**
 * `git ctx init [--remote <url>] [--id <id>] <project-root>...`: adopt an existing
 * ~/.claude/projects as the view of a cluster, register the given projects and push them.
 */
export const initCommand: CommandModule<object, InitArgs> = {
  command: "init <roots..>",
  describe: "adopt ~/.claude/projects as a view of a cluster, register project roots and push them",
  builder: (y) =>
    y
      .positional("roots", { type: "string", array: true, demandOption: true, describe: "project roots on this machine (where you run claude)" })
      .option("remote", { type: "string", describe: "cluster URL (any git URL; a local path that does not exist becomes a new bare cluster)" })
      .option("id", { type: "string", describe: "project id (only with one root; default: the root's git remote as host/owner/repo, else its base name)" })
      .option("dir", {
        type: "string",
        describe: "one view folder (default: each agent's store: $CLAUDE_CONFIG_DIR/projects or ~/.claude/projects, $CODEX_HOME/sessions or ~/.codex/sessions)",
      })
      .option("agents", agentsOption("are adopted"))
      .option("dry-run", { type: "boolean", default: false, describe: "check everything that can be checked without writing, say what would happen, write nothing" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .example("git ctx init --remote ~/ctx-cluster ~/src/app", "new cluster in a local folder, with the sessions of ~/src/app")
      .example("git ctx init --remote git@host:me/ctx.git .", "adopt the current project into an (empty) repository on a git host")
      .example("git ctx init ~/src/api ~/src/web", "later: add more projects to the same cluster (safe to re-run)") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { initAgents, initDocument } = await import("../../commands/init.js");
        const { AGENTS } = await import("../../agents/index.js");
        const agents = await parseAgents(a.agents);
        const reports = await initAgents({ roots: a.roots, remote: a.remote, id: a.id, dir: a.dir, dryRun: a["dry-run"], agents });
        if (a.json) {
          const { jsonText } = await import("../../json/version.js");
          process.stdout.write(jsonText(initDocument(reports, a["dry-run"] === true)));
          return;
        }
        for (const r of reports) print(r, reports.length > 1 ? `${AGENTS.find((g) => g.id === r.agent)!.title}: ` : "");
      },
      { command: "init", json: a.json },
    ),
};

/** Prints one view's init report; `who` names the agent when several views were made. */
function print(r: import("../../commands/init.js").InitReport, who: string): void {
  if (r.dryRun) {
    process.stdout.write(`${who}git ctx init --dry-run: nothing was written. Would${r.createdCluster ? ` create a new cluster at ${r.cluster} and` : ""} use ${r.cluster}:\n`);
    for (const x of r.projects)
      process.stdout.write(
        `  ${x.alreadyJoined ? "already joined" : "would join"} project/${x.id}: ${x.root} -> ${where(r, x.key)}${x.hadSessions ? " (its sessions would be committed and pushed)" : ""}${x.note ? `; ${x.note}` : ""}\n`,
      );
    return;
  }
  if (r.createdCluster) process.stdout.write(`created a new cluster at ${r.cluster}\n`);
  for (const x of r.projects) {
    const shared = x.sharedWith.length ? ` (shared with ${x.sharedWith.map((m) => `${m.machineId}: ${m.root}`).join(", ")})` : "";
    process.stdout.write(
      x.alreadyJoined ? `${who}project/${x.id} is already joined (${x.root} -> ${where(r, x.key)})\n` : `${who}joined project/${x.id}: ${x.root} -> ${where(r, x.key)}${shared}\n`,
    );
    if (x.note) process.stderr.write(x.note + "\n");
  }
  for (const h of r.heldBack ?? []) process.stdout.write(`held back for secrets, not sent: ${h.path} (${h.rules.join(", ")}) — ${h.fix}\n`);
}

/** Where a project's sessions are in a view: its folder, or the shared store itself (Codex). */
function where(r: { dir: string }, key: string): string {
  return key ? `${r.dir}/${key}` : r.dir;
}
