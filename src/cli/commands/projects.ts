import type { CommandModule } from "yargs";
import { AGENT_STORES } from "../agents.js";
import { runCommand } from "../run.js";

interface ProjectsArgs {
  json: boolean;
  remote?: string;
  dir?: string;
}

/** `git ctx projects [--json]`: list the cluster's projects with each machine's root. */
export const projectsCommand: CommandModule<object, ProjectsArgs> = {
  command: "projects",
  describe: "list the cluster's projects with each machine's root",
  builder: (y) =>
    y
      .option("json", { type: "boolean", default: false, describe: "print JSON" })
      .option("remote", { type: "string", describe: "cluster URL (default: the view's cluster)" })
      .option("dir", { type: "string", describe: `the view whose cluster is listed (default: any agent's view: ${AGENT_STORES}; they share one cluster)` })
      .example("git ctx projects", "list the projects of this view's cluster and each machine's root")
      .example("git ctx projects --json", "the same as JSON for scripts (stable field names)")
      .example("git ctx projects --remote ~/ctx-cluster", "list a cluster this machine has not joined yet") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { projects, formatProjects, projectsDocument } = await import("../../commands/projects.js");
        const list = await projects({ remote: a.remote, dir: a.dir });
        process.stdout.write(a.json ? (await import("../../json/version.js")).jsonText(projectsDocument(list)) : formatProjects(list, a.remote));
      },
      { command: "projects", json: a.json },
    ),
};
