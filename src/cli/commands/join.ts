import type { CommandModule } from "yargs";
import { AGENT_STORES, agentsOption, parseAgents } from "../agents.js";
import { paint } from "../../commands/style.js";
import { runCommand } from "../run.js";

interface JoinArgs {
  root: string;
  id?: string;
  dir?: string;
  remote?: string;
  agents?: string[] | string;
  "dry-run"?: boolean;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/** `git ctx join [--id <id>] <project-root>`: join this machine to a project of the cluster. */
export const joinCommand: CommandModule<object, JoinArgs> = {
  command: "join <root>",
  describe: "join this machine to a project of the cluster and check its sessions out in every installed agent's view (made from --remote when missing)",
  builder: (y) =>
    y
      .positional("root", { type: "string", demandOption: true, describe: "the project's root on this machine" })
      .option("id", { type: "string", describe: "project id in the cluster (see 'git ctx projects'; default: from the root's git remote or base name)" })
      .option("dir", { type: "string", describe: `one view folder (default: each agent's store: ${AGENT_STORES})` })
      .option("remote", { type: "string", describe: "the cluster, for a machine with no view yet (the views are made, as git clone ctx::<url> would)" })
      .option("agents", agentsOption("get the project"))
      .option("dry-run", { type: "boolean", default: false, describe: "check the project and the folder, say what would happen, write nothing" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print nothing on stdout (notes, warnings and errors still go to stderr), no progress" })
      .option("progress", {
        type: "boolean",
        describe: "show a progress bar over the views on stderr even when it is not a terminal (--no-progress: never; default: on a terminal)",
      })
      .example(
        "git ctx join --remote git@host:me/ctx.git --id app ~/work/app",
        "on a new machine: make every installed agent's view from the cluster and check project 'app' out for ~/work/app",
      )
      .example(
        "git ctx join --id app ~/work/app",
        "a machine that has its views (from an earlier join, or git clone ctx::<url> <store>): check out project 'app' (see git ctx projects)",
      )
      .example("cd ~/work/app && git ctx join .", "join from the project's root (id from its git remote, else the folder name)") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { joinAgents, joinDocument } = await import("../../commands/join.js");
        const { AGENTS } = await import("../../agents/index.js");
        const agents = await parseAgents(a.agents);
        const reports = await joinAgents({
          root: a.root,
          id: a.id,
          dir: a.dir,
          remote: a.remote,
          dryRun: a["dry-run"],
          agents,
          display: { progress: a.progress, quiet: a.quiet || a.json },
        });
        if (a.json) {
          const { jsonText } = await import("../../json/version.js");
          process.stdout.write(jsonText(joinDocument(reports, a["dry-run"] === true)));
          return;
        }
        const out = a.quiet ? ({ write: () => true } as unknown as NodeJS.WritableStream) : process.stdout;
        for (const r of reports) print(r, reports.length > 1 ? `${AGENTS.find((g) => g.id === r.agent)!.title}: ` : "", out);
        if (!a.quiet && !a["dry-run"]) process.stdout.write(`git ctx join: ${counts(reports)}\n`);
      },
      { command: "join", json: a.json },
    ),
};

/** Prints one view's join report on `out` (notes on stderr; with -q `out` drops all, held-back files go to stderr); `who` names the agent when several views were joined. */
function print(r: import("../../commands/join.js").JoinReport, who: string, out: NodeJS.WritableStream): void {
  if (r.dryRun) {
    out.write(
      `${who}git ctx join --dry-run: nothing was written. Would ${r.newView ? `make the view ${r.dir} by cloning the cluster ${r.newView.cluster} into it (as git clone ctx::${r.newView.cluster} does), then ` : ""}${r.alreadyJoined ? "re-join" : "join"} project/${r.id}: ${r.root} -> ${r.key ? `${r.dir}/${r.key}` : r.dir}${r.mergedLocal ? " (its local sessions would be merged into the cluster)" : ""}\n`,
    );
    return;
  }
  const where = `${r.root} -> ${r.key ? `${r.dir}/${r.key}` : r.dir}`;
  if (r.alreadyJoined) out.write(`${who}project/${r.id} is already joined (${where})${r.mergedLocal ? "; committed and pushed its new local sessions" : "; nothing to do"}\n`);
  else {
    const shared = r.sharedWith.length ? ` (shared with ${r.sharedWith.map((m) => `${m.machineId}: ${m.root}`).join(", ")})` : "";
    out.write(`${who}joined project/${r.id}: ${where}${r.mergedLocal ? " (local sessions merged)" : ""}${r.previousRoot ? ` (root was ${r.previousRoot})` : ""}${shared}\n`);
  }
  if (r.note) process.stderr.write(paint(process.stderr, "warn", r.note) + "\n");
  for (const h of r.heldBack ?? []) {
    const to = out === process.stdout ? out : process.stderr;
    to.write(`${paint(to, "warn", `held back for secrets, not sent: ${h.path} (${h.rules.join(", ")}) — ${h.fix}`)}\n`);
  }
}

/**
 * The last line of `git ctx join` (issue 24: final counts always, but with -q): the views the
 * project is now joined in, e.g. `project/app joined in 3 views (1 already joined)`.
 */
function counts(reports: readonly import("../../commands/join.js").JoinReport[]): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  const already = reports.filter((r) => r.alreadyJoined).length;
  return `project/${reports[0]?.id ?? "?"} joined in ${n(reports.length, "view")}${already ? ` (${already} already joined)` : ""}`;
}
