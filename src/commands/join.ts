import { clusterOfViews, folderRules } from "./views.js";
import { startProgress } from "./progress.js";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { shellQuote } from "../git/shell.js";
import { AGENTS, agentById, agentOf, agentOfStorePath, presentAgents, type Agent, type AgentId } from "../agents/index.js";
import { addFiles } from "../git/config.js";
import { skippedMessage } from "../git/oddfiles.js";
import { sharedCandidates } from "../sync/index.js";
import { absoluteClusterUrl } from "../cluster/setup.js";
import { heldSecrets, syncPaths, verifiedFolder, writeLastSync, type HeldSecret } from "../sync/index.js";
import { currentMachine, projectIdFor } from "../roster/index.js";
import { readViewState, writeViewState, type ViewState } from "../view/state.js";
import { addJoinedFolders, writeExcludes } from "../git/config.js";
import { KeyCollisionError, NotAViewError, UnknownProjectError, ViewGitError } from "../cluster/errors.js";
import { clusterTrackingRef, projectBranchShort } from "../cluster/layout.js";
import { Plumbing } from "../cluster/plumbing.js";
import { pushView } from "../cluster/push.js";
import { fetchProjects, lsRemote, lsRemoteOutside } from "../cluster/remote.js";
import { machineOsHome } from "../roster/machine.js";
import { gateTree } from "../cluster/inbound.js";
import { configureView } from "../cluster/setup.js";
import { readTipRoster, tipContext } from "../cluster/view.js";
import { hasFiles, normalizeRoot, pushMovedFolder, pushView as pushHeld, viewDir, viewGit, viewGitDir } from "../cluster/viewrepo.js";
import { fileStat, parseLsFilesDebug, trustCheckout } from "../git/racy.js";
import { gitRaw } from "../git/exec.js";
import { stampActivity } from "../sync/index.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { JoinDocument } from "../json/schemas.js";

/** Options of `git ctx join`. */
export interface JoinOptions {
  /** This machine's project root (absolute, or relative to the current directory). */
  root: string;
  /** Project id in the cluster; default: {@link projectIdFor} of `root`. */
  id?: string;
  /** The view folder (default `~/.claude/projects`, honouring `CLAUDE_CONFIG_DIR`). */
  dir?: string;
  /** The cluster, for a view that does not exist yet (it is made, as `git clone ctx::<url>` would). */
  remote?: string;
  /** Whose store a view made by this run is (default: told by `dir`'s path, else Claude Code). */
  agent?: AgentId;
  /** Validate (view, project in the cluster, folder collisions) and say what would happen; write nothing, fetch nothing. */
  dryRun?: boolean;
}

/** What `git ctx join` did. */
export interface JoinReport {
  /** True for `--dry-run`: nothing was written; `mergedLocal` says whether local sessions would be merged. */
  dryRun?: boolean;
  /** Files the secret gate held back (not sent), with their rules and the fix. */
  heldBack?: HeldSecret[];
  /** What did not stop the join but needs the user (an entry left out because it cannot be read or is not a file, issue 23, point 3; Codex's state database), one line each naming the fix; also on stderr. */
  warnings?: string[];
  /** The view folder. */
  dir: string;
  /** Whose store the view is. */
  agent: AgentId;
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
  /**
   * `--dry-run --remote <url>` where `dir` has no view yet: the cluster (absolute URL) the view
   * would be cloned from (as `git clone ctx::<url>` makes it) before the project is joined.
   */
  newView?: { cluster: string };
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
 * 5. `git pull` brings the project's folder (a fast-forward when nothing else is pending); the
 *    folder exists afterwards even when the branch brought no file.
 * Safe to re-run.
 * @throws NotAViewError, UnknownProjectError, KeyCollisionError, InvalidRosterError and
 *   UnsafeTreeEntryError (naming the branch; checked before anything is written), ViewGitError (git's output), InvalidInputError (bad id).
 */
export async function join(o: JoinOptions): Promise<JoinReport> {
  const dir = o.dir ? viewDir(o.dir) : path.resolve(agentById(o.agent ?? "claude").storeRoot(process.env));
  let gitDir = viewGitDir(dir);
  if (!gitDir && o.remote) return o.dryRun ? dryRunNewView(o, dir) : joinNewView(o, dir);
  let state0 = gitDir ? readViewState(gitDir) : undefined;
  if (gitDir && !state0 && !o.dryRun) {
    // A view whose state file was removed (the advice for a corrupt one, issue 10 defect 11):
    // its origin still names the cluster, so the state is made again, as a clone makes it.
    const origin = await viewGit(dir, "git remote get-url", ["remote", "get-url", "origin"], { okCodes: [0, 2, 128] });
    if (origin.code === 0 && origin.output.startsWith("ctx::")) state0 = await configureView(gitDir, origin.output.slice(5), currentMachine());
  }
  if (!gitDir || !state0) throw new NotAViewError({ dir });
  gitDir = gitDir!;
  const agent = agentOf(state0);
  const shared = agent.layout === "shared";
  const p = new Plumbing(gitDir);
  const root = normalizeRoot(o.root);
  const heads = await lsRemote(p, state0.cluster);
  const id = await projectIdFor(root, o.id);
  const choice = shared ? undefined : folderRules(agent).choose(dir, root, state0.machine.os, state0.projects[id]?.key);
  const key = choice?.key ?? "";
  if (!heads.projects.has(id)) throw new UnknownProjectError({ id, cluster: state0.cluster, known: [...heads.projects.keys()].sort() });
  for (const [other, proj] of Object.entries(state0.projects)) {
    if (!shared && other !== id && folderRules(agent).same(proj.key, key, state0.machine.os)) throw new KeyCollisionError({ key, id, other, root });
  }
  const env = { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined };
  const localFiles = async (st: ViewState) => (shared ? (await sharedCandidates({ cwd: dir, env }, dir, st)).length > 0 : hasFiles(path.join(dir, key)));
  if (o.dryRun) {
    const was = state0.projects[id];
    const st = { ...state0, projects: { ...state0.projects, [id]: { root, key, rewriteHome: true } } };
    return { dryRun: true, dir, agent: agent.id, id, key, root, mergedLocal: await localFiles(st), alreadyJoined: was?.root === root && was.key === key, sharedWith: [] };
  }
  const tips = await fetchProjects(p, state0.cluster, [id], heads);
  const tip = tips.get(id)!;
  const roster = await readTipRoster(p, id, tip);
  const ctx = await tipContext(p, tip, agent.clusterDir);
  // a branch the inbound gate refuses whole is refused before anything is written (entries it
  // leaves out are said after the pull, from the view build's record)
  if (ctx) await gateTree(p, ctx, agent, projectBranchShort(id));
  const before = state0.projects[id];
  if (!shared && before && before.key !== key) await pushMovedFolder(dir, id, before, root);
  // the agent's own registry names the folder too (Gemini CLI's projects.json, .project_root)
  const claimed = choice && agent.folders?.claim ? await agent.folders.claim(dir, root, choice, state0.machine.os) : [];
  const state: ViewState = { ...state0, projects: { ...state0.projects, [id]: { root, key, rewriteHome: roster.rewrite_home } } };
  writeViewState(gitDir, state);
  writeExcludes(
    gitDir,
    Object.values(state.projects)
      .map((x) => x.key)
      .filter(Boolean),
    agent.folderEntries,
  );

  let mergedLocal = false;
  // a file that cannot be read or a folder named like a session file: left out and named, the rest is merged (issue 23, 3)
  const warnings: string[] = [];
  if (await localFiles(state)) {
    const skipped = shared ? await addFiles(await sharedCandidates({ cwd: dir, env }, dir, state), { cwd: dir, env }) : await addJoinedFolders([key], { cwd: dir, env });
    for (const e of skipped) {
      const w = skippedMessage(e, path.join(dir, e.path));
      warnings.push(w);
      process.stderr.write(`git ctx join: warning: ${w}\n`);
    }
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
  // the project's files as the pull wrote them (a shared layout: the gated files of the branch)
  const projectFiles = shared ? await sharedFilesOnBranch(p, id, agent) : [key];
  // each transcript's mtime is its latest record's time, not the checkout's (issue 24, point 4)
  await stampCheckout(dir, agent, projectFiles);
  // the checkout's files are racily clean: trust them now, so that the first sync's `git add`
  // does not clean the whole project again (src/git/racy.ts)
  await trustCheckout(dir, gitDir, { env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined } });
  // the project's folder exists after a join even when the branch brought no file (git checks out
  // no empty folder; a branch whose entries the gate all refused brings none): the agent and the
  // user may write into it at once. Made one level at a time, never through a link.
  if (!shared && key) {
    const made = verifiedFolder(dir, key, { create: true });
    if (!made.ok) throw new ViewGitError({ step: `making the folder ${key} of ${projectBranchShort(id)}`, dir, output: `${made.at}: ${made.why}` });
  }
  // what the agent needs after its files arrived (Codex: register the project's rollouts)
  if (agent.afterWrite) {
    const after = await agent.afterWrite(dir, projectFiles);
    warnings.push(...after);
    for (const w of after) process.stderr.write(`git ctx join: warning: ${w}\n`);
  }
  // the join exchanged the project with the cluster: status and doctor say so instead of "never synced"
  writeLastSync(syncPaths(gitDir), {
    time: new Date().toISOString(),
    ok: true,
    summary: `git ctx join: project/${id} pushed and pulled`,
    heldBack: [],
    ...(warnings.length ? { warnings } : {}),
  });
  const note = choice ? [...claimed, folderRules(agent).othersNote(dir, id, choice), folderRules(agent).symlinkNote(root, key)].filter(Boolean).join("\n") || undefined : undefined;
  const alreadyJoined = before?.root === root && before.key === key;
  const previousRoot = before && before.root !== root ? before.root : undefined;
  const sharedWith = roster.participants.filter((x) => x.machine_id !== state0.machine.id).map((x) => ({ machineId: x.machine_id, root: x.project_root }));
  return {
    dir,
    agent: agent.id,
    id,
    key,
    root,
    mergedLocal,
    alreadyJoined,
    sharedWith,
    heldBack: heldSecrets(gitDir, dir),
    ...(warnings.length ? { warnings } : {}),
    ...(previousRoot ? { previousRoot } : {}),
    ...(note ? { note } : {}),
  };
}

/**
 * Sets the mtime of each transcript a checkout just wrote under `pathspecs` (view paths, taken
 * literally) to its latest record's time ({@link stampActivity}), then refreshes the index so git
 * records the new stat data (`git update-index -q --refresh`: it compares those files' content
 * once, through the clean filter) and `git status` stays clean. A file is touched only while it
 * still has the stat data git recorded at checkout (nobody wrote it since).
 * @returns how many files got their mtime. @throws GitCommandError when git fails.
 */
async function stampCheckout(dir: string, agent: Agent, pathspecs: readonly string[]): Promise<number> {
  if (!agent.activityTime || pathspecs.length === 0) return 0;
  const env = { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined, GIT_LITERAL_PATHSPECS: "1" };
  const r = await gitRaw(["ls-files", "-z", "--debug", "--", ...pathspecs], { cwd: dir, env });
  const files = new Map<string, () => boolean>();
  for (const e of parseLsFilesDebug(r.stdout.toString("utf8"))) {
    files.set(e.path, () => {
      const s = fileStat(path.join(dir, e.path));
      return s !== undefined && s.size === e.size && s.ino === e.ino && s.mtime[0] === e.mtime[0] && s.mtime[1] === e.mtime[1];
    });
  }
  const stamped = stampActivity(dir, agent, files);
  if (stamped.size) await gitRaw(["update-index", "-q", "--refresh"], { cwd: dir, env, okCodes: [0, 1] });
  return stamped.size;
}

/**
 * The files of the fetched `project/<id>:<dir>/` that the inbound gate lets into the view (view
 * paths of a shared-layout view): what the pull just wrote, and nothing the gate refused.
 */
async function sharedFilesOnBranch(p: Plumbing, id: string, agent: Agent): Promise<string[]> {
  const tree = await p.resolve(`${clusterTrackingRef(id)}:${agent.clusterDir}`);
  if (!tree) return [];
  const gated = await gateTree(p, tree, agent, projectBranchShort(id));
  return (await p.lsTree(gated.tree, true)).filter((e) => e.type === "blob").map((e) => e.name);
}

/**
 * `join --remote <url>` where the view does not exist yet: the view is made as `git clone
 * ctx::<url>` makes it (empty repository, the same configuration, `origin` = `ctx::<url>`, the
 * agent's state), then joined. On failure the view this run made is removed (nothing of it was
 * pushed unless the join itself pushed).
 */
async function joinNewView(o: JoinOptions, dir: string): Promise<JoinReport> {
  const cluster = absoluteClusterUrl(o.remote!);
  const createdDir = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  let pushedSomething = false;
  try {
    await viewGit(dir, "git init", ["init", "-q", "--initial-branch=main"]);
    const gitDir = viewGitDir(dir)!;
    await configureView(gitDir, cluster, currentMachine(), o.agent);
    await viewGit(dir, "git remote add", ["remote", "add", "origin", `ctx::${cluster}`]);
    await viewGit(dir, "git config", ["config", "branch.main.remote", "origin"]);
    await viewGit(dir, "git config", ["config", "branch.main.merge", "refs/heads/main"]);
    const r = await join({ ...o, dir, remote: undefined });
    pushedSomething = true;
    return r;
  } catch (e) {
    if (!pushedSomething) {
      rmSync(path.join(dir, ".git"), { recursive: true, force: true });
      if (createdDir && existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    }
    throw e;
  }
}

/**
 * `join --dry-run --remote <url>` where the view does not exist yet (issue 24, point 3): checks
 * what can be checked without writing — the cluster answers (`git ls-remote`, outside any
 * repository) and has `project/<id>` — and says what `join` would do: make the view by cloning
 * the cluster into `dir`, then join the project into its folder. Writes nothing: no folder, no
 * `.git`, no machine id, nothing pushed.
 * @throws ClusterUnreachableError, UnknownProjectError, InvalidInputError (bad id).
 */
async function dryRunNewView(o: JoinOptions, dir: string): Promise<JoinReport> {
  const cluster = absoluteClusterUrl(o.remote!);
  const agent = o.agent ? agentById(o.agent) : agentOfStorePath(dir);
  const heads = await lsRemoteOutside(cluster);
  const root = normalizeRoot(o.root);
  const id = await projectIdFor(root, o.id);
  if (!heads.projects.has(id)) throw new UnknownProjectError({ id, cluster, known: [...heads.projects.keys()].sort() });
  const key = agent.layout === "shared" ? "" : folderRules(agent).choose(dir, root, machineOsHome().os, undefined).key;
  const projects = { [id]: { root, key, rewriteHome: true } };
  const mergedLocal =
    agent.layout === "shared"
      ? (agent.sessionFiles?.(dir) ?? []).some((f) => {
          const first = agent.readFirstLine?.(path.join(dir, f));
          return first !== undefined && agent.projectOfFile?.(first, { projects } as unknown as ViewState) === id;
        })
      : hasFiles(path.join(dir, key));
  return { dryRun: true, newView: { cluster }, dir, agent: agent.id, id, key, root, mergedLocal, alreadyJoined: false, sharedWith: [] };
}

/** Options of {@link joinAgents}. */
export interface JoinAgentsOptions extends Omit<JoinOptions, "agent"> {
  /** The agents whose stores get the project (default: every agent whose home exists here, Claude Code when none does). */
  agents?: AgentId[];
  /** `--progress` / `--no-progress` and `-q`: a bar over the views on stderr ({@link startProgress}; default: on a terminal). */
  display?: { progress?: boolean; quiet?: boolean };
  /** Where the views joined before a failure are named (default `process.stderr`). */
  err?: NodeJS.WritableStream;
}

/**
 * `git ctx join` over every agent (issue 11, scope 1): the project is checked out into each
 * present agent's store. A store without a view gets one (the cluster: `remote`, else the
 * cluster of this machine's other views). `dir` names one view (then one agent).
 * @returns one report per view, in {@link AGENTS} order.
 * @throws what {@link join} throws (NotAViewError when a store has no view and no cluster is known).
 */
export async function joinAgents(o: JoinAgentsOptions, env: NodeJS.ProcessEnv = process.env): Promise<JoinReport[]> {
  if (o.dir) return [await join({ ...o, agent: o.agents?.[0] })];
  const ids = o.agents?.length ? AGENTS.filter((a) => o.agents!.includes(a.id)) : presentAgents(env);
  const known = o.remote ?? clusterOfViews(env);
  const out: JoinReport[] = [];
  const { err, ...rest } = o;
  const bar = await startProgress({ label: "git ctx join:", unit: "views", total: ids.length, ...o.display });
  try {
    for (const a of ids) {
      const dir = path.resolve(a.storeRoot(env));
      try {
        out.push(await join({ ...rest, dir, agent: a.id, remote: viewGitDir(dir) ? undefined : known }));
      } catch (e) {
        bar.stop();
        if (out.length && !o.dryRun) (err ?? process.stderr).write(joinedBeforeFailure(out, a, ids));
        throw e;
      }
      bar.tick(a.id);
    }
  } finally {
    bar.stop();
  }
  return out;
}

/**
 * The lines that say which views a multi-agent join had already joined when the join of
 * `failed`'s view threw (issue 24, point 9): those stay joined (nothing is rolled back), so the
 * user re-runs the join for the agents that are left, named in the command. Pure.
 */
export function joinedBeforeFailure(done: readonly JoinReport[], failed: Agent, ids: readonly Agent[]): string {
  const title = (id: string) => AGENTS.find((g) => g.id === id)?.title ?? id;
  const lines = done.map(
    (r) => `git-ctx: ${title(r.agent)}: ${r.alreadyJoined ? "was already joined" : "joined"} project/${r.id}: ${r.root} -> ${r.key ? `${r.dir}/${r.key}` : r.dir}\n`,
  );
  const left = ids.slice(ids.indexOf(failed)).map((a) => a.id);
  const rerun = `git ctx join --id ${shellQuote(done[0]!.id)} --agents ${left.join(",")} ${shellQuote(done[0]!.root)}`;
  return `${lines.join("")}git-ctx: the join stopped at ${failed.title}'s view (the error follows); the views above are joined and stay so. After fixing it: ${rerun}\n`;
}

/** The `git ctx join --json` document (src/json/schemas.ts `JoinSchema`) of {@link joinAgents}'s reports. */
export function joinDocument(reports: readonly JoinReport[], dryRun: boolean): JoinDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "join",
    ok: true,
    dryRun,
    views: reports.map((r) => ({
      agent: r.agent,
      dir: r.dir,
      id: r.id,
      root: r.root,
      key: r.key,
      mergedLocal: r.mergedLocal,
      alreadyJoined: r.alreadyJoined,
      sharedWith: r.sharedWith.map((m) => ({ machineId: m.machineId, root: m.root })),
      ...(r.previousRoot !== undefined ? { previousRoot: r.previousRoot } : {}),
      ...(r.newView ? { newView: { cluster: r.newView.cluster } } : {}),
      ...(r.note ? { message: r.note } : {}),
      secrets: r.heldBack ?? [],
    })),
  };
}
