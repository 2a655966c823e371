import * as path from "node:path";
import { InvalidInputError } from "../errors.js";
import { writeExcludes } from "../git/config.js";
import { readViewState, writeViewState } from "../view/state.js";
import { NotAViewError } from "../cluster/errors.js";
import { Plumbing } from "../cluster/plumbing.js";
import { removeParticipant } from "../cluster/push.js";
import { viewDir, viewGit, viewGitDir } from "../cluster/viewrepo.js";

/** Options of `git ctx leave`. */
export interface LeaveOptions {
  /** The project id (as `git ctx projects` lists it). */
  id: string;
  /** The view folder (default `~/.claude/projects`, honouring `CLAUDE_CONFIG_DIR`). */
  dir?: string;
  /** Say what would happen, change nothing. */
  dryRun?: boolean;
}

/** What `git ctx leave` did (or would do with `dryRun`). */
export interface LeaveReport {
  id: string;
  root: string;
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
  const tracked = (await viewGit(dir, "git ls-files", ["ls-files", "--", `${proj.key}/`])).output !== "";
  if (o.dryRun) return { id: o.id, root: proj.root, folder, rosterUpdated: false, untracked: tracked, dryRun: true };
  if (tracked) {
    await viewGit(dir, "git rm --cached", ["rm", "-r", "-q", "--cached", "--", `${proj.key}/`]);
    await viewGit(dir, "git commit", ["commit", "-q", "-m", `git ctx leave ${o.id}: ${proj.key}/ is no longer synced on this machine (files kept)`]);
  }
  const projects = { ...state.projects };
  delete projects[o.id];
  writeViewState(gitDir, { ...state, projects });
  writeExcludes(
    gitDir,
    Object.values(projects).map((x) => x.key),
  );
  const rosterUpdated = state.cluster ? await removeParticipant(new Plumbing(gitDir), state.cluster, o.id, state.machine.id) : false;
  return { id: o.id, root: proj.root, folder, rosterUpdated, untracked: tracked, dryRun: false };
}
