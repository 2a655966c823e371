import * as path from "node:path";
import { heldSecrets, type HeldSecret } from "../sync/index.js";
import { currentMachine, projectIdFor } from "../roster/index.js";
import { readViewState, writeViewState, type ViewState } from "../view/state.js";
import { addJoinedFolders, writeExcludes } from "../git/config.js";
import { KeyCollisionError, NotAViewError, UnknownProjectError, ViewGitError } from "../cluster/errors.js";
import { projectBranchShort } from "../cluster/layout.js";
import { Plumbing } from "../cluster/plumbing.js";
import { pushView } from "../cluster/push.js";
import { fetchProjects, lsRemote } from "../cluster/remote.js";
import { validateContextTree } from "../cluster/validate.js";
import { configureView } from "../cluster/setup.js";
import { readTipRoster, tipContext } from "../cluster/view.js";
import { chooseProjectFolder, otherFoldersNote, sameFolder, symlinkRootNote } from "../cluster/folder.js";
import { hasFiles, normalizeRoot, pushMovedFolder, pushView as pushHeld, viewDir, viewGit, viewGitDir } from "../cluster/viewrepo.js";

/** Options of `git ctx join`. */
export interface JoinOptions {
  /** This machine's project root (absolute, or relative to the current directory). */
  root: string;
  /** Project id in the cluster; default: {@link projectIdFor} of `root`. */
  id?: string;
  /** The view folder (default `~/.claude/projects`, honouring `CLAUDE_CONFIG_DIR`). */
  dir?: string;
  /** Validate (view, project in the cluster, folder collisions) and say what would happen; write nothing, fetch nothing. */
  dryRun?: boolean;
}

/** What `git ctx join` did. */
export interface JoinReport {
  /** True for `--dry-run`: nothing was written; `mergedLocal` says whether local sessions would be merged. */
  dryRun?: boolean;
  /** Files the secret gate held back (not sent), with their rules and the fix. */
  heldBack?: HeldSecret[];
  /** The view folder. */
  dir: string;
  id: string;
  key: string;
  root: string;
  /** Local sessions that were already in the folder were committed and merged into the cluster. */
  mergedLocal: boolean;
  /** The project was already joined with this root and folder before this run (a re-run: nothing new unless `mergedLocal`). */
  alreadyJoined: boolean;
  /** Other machines in the project's roster, as the cluster had it before this run. */
  sharedWith: { machineId: string; root: string }[];
  /** The root this machine had for the project before, when this run changed it. */
  previousRoot?: string;
  /** Set when other letter-case spellings of the folder hold files that are not synced (Windows): what to do about them. */
  note?: string;
}

/**
 * `git ctx join [--id <id>] <project-root>`: adds this machine to a project of the cluster and
 * checks its folder out under this machine's directory key (docs/architecture.md):
 * 1. the id must name a `project/<id>` branch of the cluster (else {@link UnknownProjectError});
 * 2. the folder is this machine's key of the root, or on Windows an existing folder whose name
 *    matches it ignoring case ({@link chooseProjectFolder}); it must not be another joined
 *    project's folder (else {@link KeyCollisionError});
 * 3. when the project was joined at another root (it moved), the old folder's pending sessions
 *    are committed and pushed first (the old folder is not synced afterwards); then the project
 *    goes into `$GIT_DIR/ctx/state.json` and the excludes;
 * 4. sessions already in `<key>/` are committed and pushed (the helper merges them with the
 *    cluster in canonical space, losing nothing); this machine's roster entry is pushed even
 *    when no file changed;
 * 5. `git pull` brings the project's folder (a fast-forward when nothing else is pending).
 * Safe to re-run.
 * @throws NotAViewError, UnknownProjectError, KeyCollisionError, InvalidRosterError and
 *   UnsafeTreeEntryError (naming the branch; checked before anything is written), ViewGitError (git's output), InvalidInputError (bad id).
 */
export async function join(o: JoinOptions): Promise<JoinReport> {
  const dir = viewDir(o.dir);
  const gitDir = viewGitDir(dir);
  let state0 = gitDir ? readViewState(gitDir) : undefined;
  if (gitDir && !state0 && !o.dryRun) {
    // A view whose state file was removed (the advice for a corrupt one, issue 10 defect 11):
    // its origin still names the cluster, so the state is made again, as a clone makes it.
    const origin = await viewGit(dir, "git remote get-url", ["remote", "get-url", "origin"], { okCodes: [0, 2, 128] });
    if (origin.code === 0 && origin.output.startsWith("ctx::")) state0 = await configureView(gitDir, origin.output.slice(5), currentMachine());
  }
  if (!gitDir || !state0) throw new NotAViewError({ dir });
  const p = new Plumbing(gitDir);
  const root = normalizeRoot(o.root);
  const heads = await lsRemote(p, state0.cluster);
  const id = await projectIdFor(root, o.id);
  const choice = chooseProjectFolder(dir, root, state0.machine.os, state0.projects[id]?.key);
  const key = choice.key;
  if (!heads.projects.has(id)) throw new UnknownProjectError({ id, cluster: state0.cluster, known: [...heads.projects.keys()].sort() });
  for (const [other, proj] of Object.entries(state0.projects)) {
    if (other !== id && sameFolder(proj.key, key, state0.machine.os)) throw new KeyCollisionError({ key, id, other, root });
  }
  if (o.dryRun) {
    const was = state0.projects[id];
    return { dryRun: true, dir, id, key, root, mergedLocal: hasFiles(path.join(dir, key)), alreadyJoined: was?.root === root && was.key === key, sharedWith: [] };
  }
  const tips = await fetchProjects(p, state0.cluster, [id], heads);
  const tip = tips.get(id)!;
  const roster = await readTipRoster(p, id, tip);
  const ctx = await tipContext(p, tip);
  if (ctx) await validateContextTree(p, ctx, projectBranchShort(id));
  const before = state0.projects[id];
  if (before && before.key !== key) await pushMovedFolder(dir, id, before, root);
  const state: ViewState = { ...state0, projects: { ...state0.projects, [id]: { root, key, rewriteHome: roster.rewrite_home } } };
  writeViewState(gitDir, state);
  writeExcludes(
    gitDir,
    Object.values(state.projects).map((x) => x.key),
  );

  let mergedLocal = false;
  if (hasFiles(path.join(dir, key))) {
    await addJoinedFolders([key], { cwd: dir, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined } });
    const staged = await viewGit(dir, "git diff --cached", ["diff", "--cached", "--quiet"], { okCodes: [0, 1] });
    if (staged.code === 1) {
      await viewGit(dir, "git commit", ["commit", "-q", "-m", `git ctx join: sessions already on this machine for ${projectBranchShort(id)}`]);
      await pushHeld(dir);
      mergedLocal = true;
    }
  }
  const r = await pushView({ p, url: state.cluster, state, machine: state.machine }, undefined, [id]);
  if (!r.ok) throw new ViewGitError({ step: `adding this machine to the roster of ${projectBranchShort(id)}`, dir, output: r.why });
  await viewGit(dir, "git pull", ["pull", "-q", "--no-rebase", "origin", "main"], { echo: true });
  const note = [otherFoldersNote(dir, id, choice), symlinkRootNote(root, key)].filter(Boolean).join("\n") || undefined;
  const alreadyJoined = before?.root === root && before.key === key;
  const previousRoot = before && before.root !== root ? before.root : undefined;
  const sharedWith = roster.participants.filter((x) => x.machine_id !== state0.machine.id).map((x) => ({ machineId: x.machine_id, root: x.project_root }));
  return { dir, id, key, root, mergedLocal, alreadyJoined, sharedWith, heldBack: heldSecrets(gitDir), ...(previousRoot ? { previousRoot } : {}), ...(note ? { note } : {}) };
}
