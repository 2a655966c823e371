import type { CommandModule } from "yargs";
import { AGENT_STORES, agentsOption, parseAgents } from "../agents.js";
import { paint } from "../../commands/style.js";
import { runCommand } from "../run.js";

interface InitArgs {
  roots: string[];
  remote?: string;
  id?: string;
  dir?: string;
  agents?: string[] | string;
  "dry-run"?: boolean;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/**
 * `git ctx init [--remote <url>] [--id <id>] <project-root>...`: adopt each installed agent's
 * existing store (~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp) as a view of a cluster,
 * register the given projects and push them.
 */
export const initCommand: CommandModule<object, InitArgs> = {
  command: "init <roots..>",
  describe: "adopt each installed agent's store (~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp) as a view of a cluster, register project roots and push them",
  builder: (y) =>
    y
      .positional("roots", { type: "string", array: true, demandOption: true, describe: "project roots on this machine (where you run claude, codex or gemini)" })
      .option("remote", { type: "string", describe: "cluster URL (any git URL; a local path that does not exist becomes a new bare cluster)" })
      .option("id", { type: "string", describe: "project id (only with one root; default: the root's git remote as host/owner/repo, else its base name)" })
      .option("dir", { type: "string", describe: `one view folder (default: each agent's store: ${AGENT_STORES})` })
      .option("agents", agentsOption("are adopted"))
      .option("dry-run", { type: "boolean", default: false, describe: "check everything that can be checked without writing, say what would happen, write nothing" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print nothing on stdout (notes, warnings and errors still go to stderr), no progress" })
      .option("progress", {
        type: "boolean",
        describe: "show a progress bar over the views on stderr even when it is not a terminal (--no-progress: never; default: on a terminal)",
      })
      .example("git ctx init --remote ~/ctx-cluster ~/src/app", "new cluster in a local folder, with the sessions of ~/src/app")
      .example("git ctx init --remote git@host:me/ctx.git .", "adopt the current project into an (empty) repository on a git host")
      .example("git ctx init ~/src/api ~/src/web", "later: add more projects to the same cluster (safe to re-run)") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { initAgents, initDocument } = await import("../../commands/init.js");
        const { AGENTS } = await import("../../agents/index.js");
        const agents = await parseAgents(a.agents);
        const reports = await initAgents({
          roots: a.roots,
          remote: a.remote,
          id: a.id,
          dir: a.dir,
          dryRun: a["dry-run"],
          agents,
          display: { progress: a.progress, quiet: a.quiet || a.json },
        });
        if (a.json) {
          const { jsonText } = await import("../../json/version.js");
          process.stdout.write(jsonText(initDocument(reports, a["dry-run"] === true)));
          return;
        }
        const out = a.quiet ? ({ write: () => true } as unknown as NodeJS.WritableStream) : process.stdout;
        for (const r of reports) print(r, reports.length > 1 ? `${AGENTS.find((g) => g.id === r.agent)!.title}: ` : "", out);
        if (!a.quiet && !a["dry-run"]) process.stdout.write(`git ctx init: ${counts(reports)}\n`);
      },
      { command: "init", json: a.json },
    ),
};

/** Prints one view's init report on `out` (notes on stderr; with -q `out` drops all, held-back files go to stderr); `who` names the agent when several views were made. */
function print(r: import("../../commands/init.js").InitReport, who: string, out: NodeJS.WritableStream): void {
  if (r.dryRun) {
    out.write(`${who}git ctx init --dry-run: nothing was written. Would${r.createdCluster ? ` create a new cluster at ${r.cluster} and` : ""} use ${r.cluster}:\n`);
    for (const x of r.projects)
      out.write(
        `  ${x.alreadyJoined ? "already joined" : "would join"} project/${x.id}: ${x.root} -> ${where(r, x.key)}${x.hadSessions ? " (its sessions would be committed and pushed)" : ""}${x.note ? `; ${x.note}` : ""}\n`,
      );
    return;
  }
  if (r.createdCluster) out.write(`created a new cluster at ${r.cluster}\n`);
  for (const x of r.projects) {
    const shared = x.sharedWith.length ? ` (shared with ${x.sharedWith.map((m) => `${m.machineId}: ${m.root}`).join(", ")})` : "";
    out.write(
      x.alreadyJoined
        ? `${who}project/${x.id} is already joined (${x.root} -> ${where(r, x.key)}), ${count(x.sessions)}\n`
        : `${who}joined project/${x.id}: ${x.root} -> ${where(r, x.key)}, ${count(x.sessions)} adopted${shared}\n`,
    );
    if (x.note) process.stderr.write(paint(process.stderr, "warn", x.note) + "\n");
  }
  for (const h of r.heldBack ?? []) {
    const to = out === process.stdout ? out : process.stderr;
    to.write(`${paint(to, "warn", `held back for secrets, not sent: ${h.path} (${h.rules.join(", ")}) — ${h.fix}`)}\n`);
  }
}

/** "1 session", "12 sessions". */
function count(n: number | undefined): string {
  return `${n ?? 0} session${n === 1 ? "" : "s"}`;
}

/** Where a project's sessions are in a view: its folder, or the shared store itself (Codex). */
function where(r: { dir: string }, key: string): string {
  return key ? `${r.dir}/${key}` : r.dir;
}

/**
 * The last line of `git ctx init` (issue 24: final counts always, but with -q): distinct project
 * ids newly joined and already joined, and the views, e.g. `joined 2 projects in 3 views`.
 */
function counts(reports: readonly import("../../commands/init.js").InitReport[]): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  const joined = new Set(reports.flatMap((r) => r.projects.filter((p) => !p.alreadyJoined).map((p) => p.id)));
  const already = new Set(reports.flatMap((r) => r.projects.map((p) => p.id)).filter((id) => !joined.has(id)));
  return `joined ${n(joined.size, "project")} in ${n(reports.length, "view")}${already.size ? ` (${already.size} already joined)` : ""}`;
}
