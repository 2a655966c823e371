import * as path from "node:path";
import { InvalidInputError } from "../errors.js";
import { writeExcludes } from "../git/config.js";
import { readViewState, writeViewState, type ViewState } from "../view/state.js";
import { agentOf, projectsOfKeys, sessionKeys } from "../agents/index.js";
import { git } from "../git/exec.js";
import { clusterTrackingRef } from "../cluster/layout.js";
import { viewDirs } from "./viewdirs.js";
import { NotAViewError } from "../cluster/errors.js";
import { Plumbing } from "../cluster/plumbing.js";
import { removeParticipant } from "../cluster/push.js";
import { viewDir, viewGit, viewGitDir } from "../cluster/viewrepo.js";
import type { AgentId } from "../agents/index.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { LeaveDocument } from "../json/schemas.js";

/** Options of `git ctx leave`. */
export interface LeaveOptions {
  /** The project id (as `git ctx projects` lists it). */
  id: string;
  /** The view folder (default `~/.claude/projects`, honouring `CLAUDE_CONFIG_DIR`). */
  dir?: string;
  /** Keep this machine in the project's roster (another agent's view of this machine still syncs the project). */
  keepRoster?: boolean;
  /** Say what would happen, change nothing. */
  dryRun?: boolean;
}

/** What `git ctx leave` did (or would do with `dryRun`). */
export interface LeaveReport {
  id: string;
  root: string;
  /** Whose store the view is. */
  agent: AgentId;
  /** The view's folder (its work tree). */
  dir: string;
  /** The project's folder in the view (`""` in a shared-layout view). */
  key: string;
  /** The project's folder, kept with every file in it. */
  folder: string;
  /** This machine's entry was removed from the cluster roster (false: it had none, or dry run). */
  rosterUpdated: boolean;
  /** The folder was tracked in the view and is no longer (its files stay on disk). */
  untracked: boolean;
  dryRun: boolean;
}

/**
 * `git ctx leave <id>` (issue 10, defect 13): this machine stops syncing a project. The folder
 * and every file in it stay where they are (sessions of this machine not yet synced stay only
 * here: run `git ctx sync` first to send them); the folder is no longer tracked in the view (`git
 * rm -r --cached`, committed) and becomes one of the ignored unjoined folders; the project leaves
 * `$GIT_DIR/ctx/state.json`; this machine's entry leaves the project's roster on the cluster.
 * Nothing of the project is deleted anywhere. Safe to re-run; `git ctx join` undoes it.
 * @throws NotAViewError outside a view; InvalidInputError when the project is not joined here;
 *   ViewGitError; InvalidRosterError (the roster is left as it was, the local steps are done).
 */
export async function leave(o: LeaveOptions): Promise<LeaveReport> {
  const dir = viewDir(o.dir);
  const gitDir = viewGitDir(dir);
  const state = gitDir ? readViewState(gitDir) : undefined;
  if (!gitDir || !state) throw new NotAViewError({ dir });
  const proj = state.projects[o.id];
  if (!proj) {
    const joined = Object.keys(state.projects).sort();
    throw new InvalidInputError({ what: "project", value: o.id, fix: `this machine has not joined it (joined: ${joined.join(", ") || "none"}; see 'git ctx status')` });
  }
  const folder = path.join(dir, proj.key);
  const agent = agentOf(state);
  // a shared-layout view (Codex): the project's files are those its branch holds or whose first line names it
  const files = agent.layout === "shared" ? await sharedFilesOfProject(dir, gitDir, state, o.id) : undefined;
  const tracked = files ? files.length > 0 : (await viewGit(dir, "git ls-files", ["ls-files", "--", `${proj.key}/`])).output !== "";
  const where = { agent: agent.id, dir, key: proj.key };
  if (o.dryRun) return { id: o.id, root: proj.root, ...where, folder, rosterUpdated: false, untracked: tracked, dryRun: true };
  if (tracked) {
    if (files)
      await git(["--literal-pathspecs", "rm", "-q", "--cached", "--pathspec-from-file=-", "--pathspec-file-nul"], { cwd: dir, env: NO_GIT_ENV, input: files.join("\0") + "\0" });
    else await viewGit(dir, "git rm --cached", ["rm", "-r", "-q", "--cached", "--", `${proj.key}/`]);
    await viewGit(dir, "git commit", [
      "commit",
      "-q",
      "-m",
      `git ctx leave ${o.id}: ${files ? `its ${files.length} session file(s) are` : `${proj.key}/ is`} no longer synced on this machine (files kept)`,
    ]);
  }
  const projects = { ...state.projects };
  delete projects[o.id];
  writeViewState(gitDir, { ...state, projects });
  writeExcludes(
    gitDir,
    Object.values(projects)
      .map((x) => x.key)
      .filter(Boolean),
    agent.folderEntries,
  );
  const rosterUpdated = state.cluster && !o.keepRoster ? await removeParticipant(new Plumbing(gitDir), state.cluster, o.id, state.machine.id) : false;
  return { id: o.id, root: proj.root, ...where, folder, rosterUpdated, untracked: tracked, dryRun: false };
}

const NO_GIT_ENV = { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined };

/** The tracked files of project `id` in a shared-layout view: in its fetched branch's agent folder, or whose first line names it. */
async function sharedFilesOfProject(dir: string, gitDir: string, state: ViewState, id: string): Promise<string[]> {
  const agent = agentOf(state);
  const p = new Plumbing(gitDir);
  const tree = await p.resolve(`${clusterTrackingRef(id)}:${agent.clusterDir}`);
  const onBranch = new Set(tree ? (await p.lsTree(tree, true)).map((e) => e.name) : []);
  const tracked = (await git(["ls-files", "-z"], { cwd: dir, env: NO_GIT_ENV })).split("\0").filter(Boolean);
  const placed = projectsOfKeys(agent, sessionKeys(agent, dir), state);
  return tracked.filter((f) => onBranch.has(f) || placed.get(f) === id);
}

/**
 * `git ctx leave <id>` over every view of this machine that joined the project (issue 11), or
 * the one `o.dir` names; this machine's roster entry goes with the last view that leaves (and
 * stays while another view of this machine still joins the project).
 * @throws NotAViewError / InvalidInputError from {@link leave} when no view joined the project.
 */
export async function leaveAll(o: LeaveOptions, env: NodeJS.ProcessEnv = process.env): Promise<LeaveReport[]> {
  const joinedIn = (d: string) => {
    const g = viewGitDir(d);
    return !!(g && readViewState(g)?.projects[o.id]);
  };
  const all = viewDirs(env);
  if (o.dir) {
    const others = all.filter((d) => path.resolve(d) !== path.resolve(viewDir(o.dir)) && joinedIn(d));
    return [await leave({ ...o, keepRoster: o.keepRoster || others.length > 0 })];
  }
  const dirs = all.filter(joinedIn);
  if (dirs.length === 0) return [await leave(o)]; // its error names what is joined
  const out: LeaveReport[] = [];
  for (const [i, d] of dirs.entries()) out.push(await leave({ ...o, dir: d, keepRoster: i < dirs.length - 1 }));
  return out;
}

/** The `git ctx leave --json` document (src/json/schemas.ts `LeaveSchema`) of {@link leaveAll}'s reports. */
export function leaveDocument(reports: readonly LeaveReport[], dryRun: boolean): LeaveDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "leave",
    ok: true,
    dryRun,
    views: reports.map((r) => ({ agent: r.agent, dir: r.dir, id: r.id, root: r.root, key: r.key, rosterUpdated: r.rosterUpdated, untracked: r.untracked })),
  };
}
