import { viewDirs } from "./viewdirs.js";
import { AGENTS, type AgentId } from "../agents/index.js";
import { dir as tmpDir } from "tmp-promise";
import { git } from "../git/exec.js";
import { readViewState } from "../view/state.js";
import { NoClusterError } from "../cluster/errors.js";
import { projectBranch } from "../cluster/layout.js";
import { Plumbing } from "../cluster/plumbing.js";
import { lsRemote } from "../cluster/remote.js";
import { absoluteClusterUrl } from "../cluster/setup.js";
import { readTipRoster } from "../cluster/view.js";
import { viewDir, viewGitDir } from "../cluster/viewrepo.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { ProjectsDocument } from "../json/schemas.js";

/** Options of `git ctx projects`. */
export interface ProjectsOptions {
  /** Cluster URL (default: the view's cluster). */
  remote?: string;
  /** The view folder (default `~/.claude/projects`). */
  dir?: string;
}

/** One project of the cluster as `git ctx projects` lists it. */
export interface ProjectListing {
  id: string;
  /** Tip commit of `project/<id>`. */
  tip: string;
  /** Whether this machine's view has joined it. */
  joined: boolean;
  rewriteHome: boolean;
  /** The roster's participants, sorted by machine id; `thisMachine` marks the view's own machine. */
  machines: { machineId: string; os: string; root: string; key: string; lastConverged: string | null; thisMachine: boolean }[];
  /** The problem when the branch's roster.json is missing or invalid (the message names the branch), else null. */
  error: string | null;
  /** The agents whose sessions the branch holds (`context/` → claude, `codex/` → codex). */
  agents: AgentId[];
}

/**
 * `git ctx projects [--json]`: lists the cluster's `project/*` branches with each machine's root
 * from their `roster.json`. The shape is stable for `--json`: projects sorted by id, machines by
 * machine id, every field always present (`error` null when the roster is fine). The branches are fetched into a throw-away repository (depth 1), so
 * listing never adds other projects' objects to the view repository.
 * @throws NoClusterError when no cluster URL is known; GitCommandError when the cluster cannot be read.
 */
export async function projects(o: ProjectsOptions = {}): Promise<ProjectListing[]> {
  // the cluster of the view --dir names, else of any view of this machine (every agent's view uses one cluster)
  const dir = o.dir ? viewDir(o.dir) : (viewDirs().find((d) => viewGitDir(d)) ?? viewDir());
  const gitDir = viewGitDir(dir);
  const state = gitDir ? readViewState(gitDir) : undefined;
  const url = o.remote ? absoluteClusterUrl(o.remote) : state?.cluster;
  if (!url) throw new NoClusterError({ dir });
  const tmp = await tmpDir({ unsafeCleanup: true, prefix: "git-ctx-projects-" });
  try {
    await git(["init", "-q", "--bare", tmp.path], { noCtxFilter: true, env: { GIT_DIR: undefined } });
    const p = new Plumbing(tmp.path);
    const heads = await lsRemote(p, url);
    const ids = [...heads.projects.keys()].sort();
    if (ids.length) {
      await p.run(["-c", "gc.auto=0", "fetch", "-q", "--no-write-fetch-head", "--no-tags", "--depth=1", url, ...ids.map((id) => `+${projectBranch(id)}:${projectBranch(id)}`)]);
    }
    const out: ProjectListing[] = [];
    for (const id of ids) {
      const tip = heads.projects.get(id)!;
      const item: ProjectListing = { id, tip, joined: !!state?.projects[id], rewriteHome: true, machines: [], error: null, agents: [] };
      const names = new Set((await p.lsTree((await p.resolve(projectBranch(id))) ?? tip)).map((e) => e.name));
      item.agents = AGENTS.filter((a) => names.has(a.clusterDir)).map((a) => a.id);
      try {
        const roster = await readTipRoster(p, id, (await p.resolve(projectBranch(id))) ?? tip);
        item.rewriteHome = roster.rewrite_home;
        item.machines = roster.participants
          .map((x) => ({
            machineId: x.machine_id,
            os: x.os,
            root: x.project_root,
            key: x.encoded_dir,
            lastConverged: x.last_converged ?? null,
            thisMachine: x.machine_id === state?.machine.id,
          }))
          .sort((a, b) => (a.machineId < b.machineId ? -1 : a.machineId > b.machineId ? 1 : 0));
      } catch (e) {
        item.error = (e as Error).message;
      }
      out.push(item);
    }
    return out;
  } finally {
    await tmp.cleanup();
  }
}

/** Human-readable listing: one block per project, one line per machine. */
export function formatProjects(list: readonly ProjectListing[], cluster?: string): string {
  if (list.length === 0) return `no projects in ${cluster ?? "the cluster"} yet (create one with 'git ctx init --remote <url> <project-root>')\n`;
  const lines: string[] = [];
  for (const x of list) {
    const tags = [...(x.joined ? ["joined"] : []), ...(x.agents.length ? [x.agents.join(", ")] : [])];
    lines.push(`${x.id}${tags.length ? `  (${tags.join("; ")})` : ""}`);
    if (x.error) lines.push(`  ! ${x.error}`);
    for (const m of x.machines)
      lines.push(`  ${m.machineId} (${m.os}${m.thisMachine ? ", this machine" : ""}): ${m.root}${m.lastConverged ? `  last sync ${m.lastConverged}` : ""}`);
  }
  return lines.join("\n") + "\n";
}

/** The `git ctx projects --json` document (src/json/schemas.ts `ProjectsSchema`): the roster's `last_converged` is `lastSync`, a roster problem a `message`. */
export function projectsDocument(list: readonly ProjectListing[]): ProjectsDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "projects",
    ok: true,
    projects: list.map((p) => ({
      id: p.id,
      tip: p.tip,
      joined: p.joined,
      rewriteHome: p.rewriteHome,
      machines: p.machines.map((m) => ({ machineId: m.machineId, os: m.os, root: m.root, key: m.key, lastSync: m.lastConverged, thisMachine: m.thisMachine })),
      agents: p.agents,
      problem: p.error === null ? null : { message: p.error },
    })),
  };
}
