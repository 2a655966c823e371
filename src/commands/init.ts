import { clusterOfViews, folderRules } from "./views.js";
import { startProgress } from "./progress.js";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../errors.js";
import { AGENTS, agentById, agentOf, type FolderChoice, agentOfStorePath, presentAgents, type Agent, type AgentId } from "../agents/index.js";
import { sharedCandidates } from "../sync/index.js";
import { heldSecrets, syncPaths, writeLastSync, type HeldSecret } from "../sync/index.js";
import { addFiles, addJoinedFolders, writeExcludes } from "../git/config.js";
import { skippedMessage } from "../git/oddfiles.js";
import { projectsOfKeys, sessionKeys } from "../agents/index.js";
import { currentMachine, projectIdFor, type MachineOs } from "../roster/index.js";
import { ENV, machineOsHome } from "../roster/machine.js";
import { gitRaw } from "../git/exec.js";
import { readViewState, writeViewState, type ViewState } from "../view/state.js";
import { ClusterMismatchError, ForeignOriginError, KeyCollisionError, NoClusterError, ProjectRootMissingError, ViewGitError } from "../cluster/errors.js";
import { Plumbing } from "../cluster/plumbing.js";
import { pushView } from "../cluster/push.js";
import { fetchProjects, lsRemote, lsRemoteOutside } from "../cluster/remote.js";
import { absoluteClusterUrl, configureView, ensureLocalCluster, isLocalPath, sameClusterUrl } from "../cluster/setup.js";
import { readTipRoster } from "../cluster/view.js";
import { hasFiles, normalizeRoot, pushMovedFolder, pushView as pushHeld, viewDir, viewGit, viewGitDir } from "../cluster/viewrepo.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { InitDocument } from "../json/schemas.js";

/** Options of `git ctx init`. */
export interface InitOptions {
  /** Project roots on this machine (absolute, or relative to the current directory). */
  roots: string[];
  /** Cluster URL: any git URL, or a local path (created as a bare repository when new). Default: the view's current cluster. */
  remote?: string;
  /** Project id, only with a single root (default {@link projectIdFor}). */
  id?: string;
  /** The view folder (default: the agent's store, e.g. `~/.claude/projects` honouring `CLAUDE_CONFIG_DIR`, `$CODEX_HOME/sessions`). */
  dir?: string;
  /** Whose store the view is (default: an existing view's agent, else told by `dir`'s path, else Claude Code). */
  agent?: AgentId;
  /** Validate and say what would happen (`InitReport` with `dryRun`), write nothing. */
  dryRun?: boolean;
}

/** What `git ctx init` did. */
export interface InitReport {
  /** True for `--dry-run`: nothing was written, the report says what would be. */
  dryRun?: boolean;
  /** Files the secret gate held back (not sent), with their rules and the fix. */
  heldBack?: HeldSecret[];
  /** Entries left out because they cannot be read or are not files (issue 23, point 3), one line each naming the fix; also on stderr. */
  warnings?: string[];
  dir: string;
  /** Whose store the view is. */
  agent: AgentId;
  cluster: string;
  /** True when a new bare cluster was created at a local path. */
  createdCluster: boolean;
  projects: {
    id: string;
    root: string;
    /** The folder joined: on Windows an existing folder whose name matches the root's key ignoring case ({@link chooseProjectFolder}); `""` in a shared-layout view (Codex). */
    key: string;
    hadSessions: boolean;
    /** This machine's sessions of the project now in the view (committed; {@link Agent.isSession}); absent in a dry run. */
    sessions?: number;
    /** The project was already joined with this root and folder before this run (a re-run). */
    alreadyJoined: boolean;
    /** Other machines already in the project's roster (the project existed in the cluster): shown so a user notices an id that joined an unrelated project. */
    sharedWith: { machineId: string; root: string }[];
    /** Set when other letter-case spellings of the folder hold files that are not synced: what to do about them. */
    note?: string;
  }[];
}

/**
 * `git ctx init [--remote <url>] [--id <id>] <project-root>...`: adopts an existing Claude Code
 * projects folder (which `git clone` cannot do: it refuses a non-empty folder, GIT.md) as the
 * view repository of a cluster:
 * 1. `git init` (branch `main`) when the folder is not yet a repository; a local cluster path
 *    that does not exist becomes a new bare repository (the embedded default);
 * 2. the same configuration as a `git clone ctx::<url>` (filter, merge driver, attributes,
 *    `pull.rebase=false`, state), remote `origin` = `ctx::<url>`, `main` tracking `origin/main`;
 * 3. each root is registered (id by {@link projectIdFor}, folder = this machine's key; ids and
 *    keys checked), the excludes list the joined folders; on Windows the folder is an existing
 *    one whose name matches the key ignoring case when there is one ({@link chooseProjectFolder}:
 *    Claude Code keys by the launch's cwd spelling, e.g. `c--Users-…` for `C:\Users\…`), and other
 *    non-empty spellings are reported (`note`), never moved;
 * 4. the joined folders are committed (`git add -- <key>/`, the clean filter canonicalizes) and
 *    pushed with plain `git push` through the helper, which merges them with what the cluster
 *    already has (a second machine's `init` loses nothing); each roster lists this machine;
 * 5. `git pull` fast-forwards to the view.
 * Safe to re-run (adds more roots, or finishes an interrupted run). It never rewrites a remote:
 * a view of another cluster, or a repository whose `origin` is not `ctx::…`, is refused.
 * @throws NoClusterError (no URL known), ClusterMismatchError (`--remote` names another cluster
 *   than the view's), ForeignOriginError (`origin` is the user's own remote), ClusterUnreachableError,
 *   KeyCollisionError, InvalidInputError, ViewGitError.
 */
export async function init(o: InitOptions): Promise<InitReport> {
  if (o.roots.length === 0) throw new InvalidInputError({ what: "project roots", fix: "name at least one project root, e.g. git ctx init --remote ~/ctx-cluster ~/src/app" });
  if (o.id !== undefined && o.roots.length > 1) throw new InvalidInputError({ what: "--id", value: o.id, fix: "--id names one project: run git ctx init once per root" });
  const agent = viewAgent(o.dir, o.agent);
  const dir = o.dir ? viewDir(o.dir) : path.resolve(agent.storeRoot(process.env));
  // Validate before writing (issue 10, defect 4): without --remote, only an existing view knows
  // its cluster (a new agent's view takes the cluster of this machine's other views); a new
  // view's cluster must answer before anything is created.
  const existing = viewGitDir(dir);
  if (!existing && !o.remote) {
    const other = clusterOfViews();
    if (!other) throw new NoClusterError({ dir });
    o = { ...o, remote: other };
  }
  o = { ...o, agent: agent.id };
  if (o.dryRun) return planInit(o, dir);
  const createdDir = !existsSync(dir);
  const createdGit = !existing;
  let createdCluster = false;
  let pushed = false;
  try {
    return await initIn(
      o,
      dir,
      (c) => (createdCluster = c),
      () => (pushed = true),
    );
  } catch (e) {
    // A command that fails leaves the machine as it found it: what this run created goes, as
    // long as nothing reached the cluster (after that, the view is needed to finish a re-run).
    if (!pushed) {
      if (createdGit) rmSync(path.join(dir, ".git"), { recursive: true, force: true });
      if (createdDir && existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
      if (createdCluster && o.remote) rmSync(absoluteClusterUrl(o.remote), { recursive: true, force: true });
    }
    throw e;
  }
}

/**
 * Refuses a root that does not exist on this machine when the view holds no session of it and
 * the project is not joined already (a typo would make a project nobody uses). On a simulated
 * machine (`GIT_CTX_OS` or `GIT_CTX_HOME` set: the README's several machines on one computer)
 * roots are the simulated machine's paths and are not checked.
 * @throws ProjectRootMissingError naming the root.
 */
async function checkRootsExist(o: InitOptions, dir: string, agent: Agent): Promise<void> {
  if (process.env[ENV.os] || process.env[ENV.home]) return;
  for (const given of o.roots) {
    const root = normalizeRoot(given);
    if (existsSync(root)) continue;
    const gitDir = viewGitDir(dir);
    const state = gitDir ? readViewState(gitDir) : undefined;
    const id = await projectIdFor(root, o.id);
    const known = state?.projects[id] !== undefined;
    const sessions =
      agent.layout === "shared"
        ? sharedFilesOf(dir, id, root, state, agent).length > 0
        : hasFiles(path.join(dir, folderRules(agent).choose(dir, root, machineOsHome().os, state?.projects[id]?.key).key));
    if (!known && !sessions) throw new ProjectRootMissingError({ root, dir });
  }
}

/**
 * `git ctx init --dry-run`: the checks of a real run that read only (ids, folders, key
 * collisions, the view's remote, the cluster answering `git ls-remote`) and the plan; no view,
 * cluster, ref or file is created. `sharedWith` stays empty (it needs a fetch).
 */
async function planInit(o: InitOptions, dir: string): Promise<InitReport> {
  const gitDir = viewGitDir(dir);
  const { cluster } = await resolveCluster(dir, gitDir !== undefined, o.remote);
  await checkRootsExist(o, dir, agentById(o.agent ?? "claude"));
  const createsCluster = isLocalPath(cluster) && (!existsSync(cluster) || readdirSync(cluster).length === 0);
  const inCluster = createsCluster ? new Set<string>() : new Set((await lsRemoteOutside(cluster)).projects.keys());
  const machine = currentMachine();
  const state = gitDir ? readViewState(gitDir) : undefined;
  const keys = new Map(Object.entries(state?.projects ?? {}).map(([id, p]) => [id, p.key]));
  const projects: InitReport["projects"] = [];
  const agent = agentById(o.agent ?? "claude");
  if (agent.layout === "shared") {
    for (const r of o.roots) {
      const root = normalizeRoot(r);
      const id = await projectIdFor(root, o.id);
      const before = state?.projects[id];
      const files = sharedFilesOf(dir, id, root, state, agent);
      projects.push({
        id,
        root,
        key: "",
        hadSessions: files.length > 0,
        alreadyJoined: before?.root === root,
        sharedWith: [],
        ...(inCluster.has(id) ? { note: `project/${id} exists in the cluster: this machine's sessions would be merged with it` } : {}),
      });
    }
    return { dryRun: true, dir, agent: agent.id, cluster, createdCluster: createsCluster, projects };
  }
  for (const r of o.roots) {
    const { root, id, choice } = await placeRoot(agent, dir, r, o.id, machine.os, keys);
    keys.set(id, choice.key);
    const before = state?.projects[id];
    projects.push({
      id,
      root,
      key: choice.key,
      hadSessions: hasFiles(path.join(dir, choice.key)),
      alreadyJoined: before?.root === root && before.key === choice.key,
      sharedWith: [],
      ...(inCluster.has(id) ? { note: `project/${id} exists in the cluster: this machine's sessions would be merged with it` } : {}),
    });
  }
  return { dryRun: true, dir, agent: agent.id, cluster, createdCluster: createsCluster, projects };
}

/**
 * The agent of the view `init` makes or extends: `said` (`--agents`), else the existing view's,
 * else told by the folder's path (`…/.codex/sessions`), else Claude Code.
 */
function viewAgent(dir: string | undefined, said: AgentId | undefined): Agent {
  if (said) return agentById(said);
  if (!dir) return agentById("claude");
  const gitDir = viewGitDir(path.resolve(dir));
  const state = gitDir ? readViewState(gitDir) : undefined;
  return state ? agentOf(state) : agentOfStorePath(path.resolve(dir));
}

/**
 * The session files of a shared-layout store (`dir`, Codex's sessions folder) that belong to
 * project `id` with root `root`, given the projects already joined (`state`): read from each
 * rollout's first line, the longest joined root winning.
 */
function sharedFilesOf(dir: string, id: string, root: string, state: ViewState | undefined, agent: Agent): string[] {
  const projects = { ...(state?.projects ?? {}), [id]: { root, key: "", rewriteHome: true } };
  // a dry run (or a store that is not a view yet) writes no key cache
  const placed = projectsOfKeys(agent, sessionKeys(agent, dir, { write: state !== undefined }), { projects });
  return [...placed].filter(([, p]) => p === id).map(([f]) => f);
}

/**
 * A root named on the command line, placed in the view (the run and `--dry-run` alike): its
 * normalised spelling, its project id ({@link projectIdFor}) and its folder
 * ({@link chooseProjectFolder}), which must not be another joined project's (`joined`: id → folder).
 * @throws KeyCollisionError; InvalidInputError for a bad id.
 */
async function placeRoot(
  agent: Agent,
  dir: string,
  given: string,
  idOpt: string | undefined,
  os: MachineOs,
  joined: ReadonlyMap<string, string>,
): Promise<{ root: string; id: string; choice: FolderChoice }> {
  const root = normalizeRoot(given);
  const id = await projectIdFor(root, idOpt);
  const choice = folderRules(agent).choose(dir, root, os, joined.get(id));
  for (const [other, key] of joined) if (other !== id && folderRules(agent).same(key, choice.key, os)) throw new KeyCollisionError({ key: choice.key, id, other, root });
  return { root, id, choice };
}

/**
 * The cluster this run of init uses, checked before anything is written: the view's `origin`
 * (must be `ctx::…`, else ForeignOriginError) and `--remote` (must name the same cluster, else
 * ClusterMismatchError); one of them must exist (else NoClusterError). `origin` is the view's
 * current origin URL, `undefined` when it has none (or there is no view yet).
 */
async function resolveCluster(dir: string, hasView: boolean, remote: string | undefined): Promise<{ origin?: string; cluster: string }> {
  let origin: string | undefined;
  if (hasView) {
    const r = await viewGit(dir, "git remote get-url", ["remote", "get-url", "origin"], { okCodes: [0, 2, 128] });
    if (r.code === 0 && !r.output.startsWith("ctx::")) throw new ForeignOriginError({ dir, origin: r.output });
    if (r.code === 0) origin = r.output;
  }
  const current = origin?.slice(5);
  if (!remote && !current) throw new NoClusterError({ dir });
  const requested = remote ? absoluteClusterUrl(remote) : current!;
  if (current !== undefined && !sameClusterUrl(current, requested)) throw new ClusterMismatchError({ dir, current, requested });
  return { origin, cluster: current ?? requested };
}

async function initIn(o: InitOptions, dir: string, setCreatedCluster: (c: boolean) => void, setPushed: () => void): Promise<InitReport> {
  const isNew = !viewGitDir(dir);
  const { origin, cluster } = await resolveCluster(dir, !isNew, o.remote);
  await checkRootsExist(o, dir, agentById(o.agent ?? "claude"));
  // a remote cluster must answer before a view is made for it (a new local path is created below)
  const early = isNew && !isLocalPath(cluster) ? await lsRemoteOutside(cluster) : undefined;
  mkdirSync(dir, { recursive: true });
  if (isNew) await viewGit(dir, "git init", ["init", "-q", "--initial-branch=main"]);
  const gitDir = viewGitDir(dir)!;
  const p = new Plumbing(gitDir);
  const createdCluster = await ensureLocalCluster(cluster);
  setCreatedCluster(createdCluster);
  const machine = currentMachine();
  const agent = agentById(o.agent ?? "claude");
  const state0 = await configureView(gitDir, cluster, machine, agent.id);
  if (origin === undefined) await viewGit(dir, "git remote add", ["remote", "add", "origin", `ctx::${cluster}`]);
  else if (origin !== `ctx::${cluster}`) await viewGit(dir, "git remote set-url", ["remote", "set-url", "origin", `ctx::${cluster}`]);
  await viewGit(dir, "git config", ["config", "branch.main.remote", "origin"]);
  await viewGit(dir, "git config", ["config", "branch.main.merge", "refs/heads/main"]);

  const heads = early ?? (await lsRemote(p, cluster));
  const projects: InitReport["projects"] = [];
  const state: ViewState = { ...state0, projects: { ...state0.projects } };
  for (const r of o.roots) {
    if (agent.layout === "shared") {
      const root = normalizeRoot(r);
      const id = await projectIdFor(root, o.id);
      const { rewriteHome, sharedWith } = await rosterFacts(p, cluster, heads, id, machine.id);
      const before = state0.projects[id];
      state.projects[id] = { root, key: "", rewriteHome };
      projects.push({ id, root, key: "", hadSessions: sharedFilesOf(dir, id, root, state, agent).length > 0, alreadyJoined: before?.root === root, sharedWith });
      continue;
    }
    const { root, id, choice } = await placeRoot(agent, dir, r, o.id, machine.os, new Map(Object.entries(state.projects).map(([i, x]) => [i, x.key])));
    const key = choice.key;
    let rewriteHome = true;
    let sharedWith: { machineId: string; root: string }[] = [];
    if (heads.projects.has(id)) {
      const tips = await fetchProjects(p, cluster, [id], heads);
      const roster = await readTipRoster(p, id, tips.get(id)!);
      rewriteHome = roster.rewrite_home;
      sharedWith = roster.participants.filter((x) => x.machine_id !== machine.id).map((x) => ({ machineId: x.machine_id, root: x.project_root }));
    }
    const prev = state0.projects[id];
    if (prev && prev.key !== key) await pushMovedFolder(dir, id, prev, root);
    // the agent's own registry names the folder too (Gemini CLI's projects.json, .project_root)
    const claimed = agent.folders?.claim ? await agent.folders.claim(dir, root, choice, machine.os) : [];
    state.projects[id] = { root, key, rewriteHome };
    const note = [...claimed, folderRules(agent).othersNote(dir, id, choice), folderRules(agent).symlinkNote(root, key)].filter(Boolean).join("\n") || undefined;
    const before = state0.projects[id];
    projects.push({ id, root, key, hadSessions: hasFiles(path.join(dir, key)), alreadyJoined: before?.root === root && before.key === key, sharedWith, ...(note ? { note } : {}) });
  }
  writeViewState(gitDir, state);
  writeExcludes(
    gitDir,
    Object.values(state.projects)
      .map((x) => x.key)
      .filter(Boolean),
    agent.folderEntries,
  );

  const keys = projects.filter((x) => x.hadSessions).map((x) => `${x.key}/`);
  // a file that cannot be read or a folder named like a session file: left out and named, the rest is adopted (issue 23, 3)
  const warnings: string[] = [];
  if (keys.length) {
    const env = { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined };
    const skipped =
      agent.layout === "shared"
        ? await addFiles(await sharedCandidates({ cwd: dir, env }, dir, state), { cwd: dir, env })
        : await addJoinedFolders(
            keys.map((k) => k.replace(/\/$/, "")),
            { cwd: dir, env },
          );
    for (const e of skipped) {
      const w = skippedMessage(e, path.join(dir, e.path));
      warnings.push(w);
      process.stderr.write(`git ctx init: warning: ${w}\n`);
    }
    const staged = await viewGit(dir, "git diff --cached", ["diff", "--cached", "--quiet"], { okCodes: [0, 1] });
    if (staged.code === 1) {
      await viewGit(dir, "git commit", ["commit", "-q", "-m", `git ctx init: ${projects.map((x) => x.id).join(", ")}`]);
    }
  }
  // how many of this machine's sessions each project adopted (what the report says)
  for (const x of projects) x.sessions = await countSessions(dir, agent, x.key ? [x.key] : sharedFilesOf(dir, x.id, x.root, state, agent));
  setPushed();
  // everything new held back by the secret gate: a warning; the view is then left as committed
  // (the next 'git ctx sync' merges with the cluster), since nothing of it was exchanged yet
  const allHeld = (await p.resolve("HEAD")) ? await pushHeld(dir) : false;
  const r = await pushView(
    { p, url: cluster, state, machine: state.machine },
    undefined,
    projects.map((x) => x.id),
  );
  if (!r.ok) throw new ViewGitError({ step: "adding this machine to the project rosters", dir, output: r.why });
  if (!allHeld) await viewGit(dir, "git pull", ["pull", "-q", "--no-rebase", "origin", "main"], { echo: true });
  const heldBack = heldSecrets(gitDir, dir);
  // init exchanged the view with the cluster: status and doctor say so instead of "never synced"
  writeLastSync(syncPaths(gitDir), {
    time: new Date().toISOString(),
    ok: true,
    summary: `git ctx init: ${projects.map((x) => `project/${x.id} (${x.sessions ?? 0} sessions)`).join(", ")} ${allHeld ? "committed, held back for secrets" : "pushed and pulled"}`,
    heldBack: [],
    ...(warnings.length ? { warnings } : {}),
  });
  return { dir, agent: agent.id, cluster, createdCluster, projects, heldBack, ...(warnings.length ? { warnings } : {}) };
}

/**
 * How many of the view's tracked files under `pathspecs` (view paths, literal) are sessions of
 * the agent ({@link Agent.isSession}; below the project folder for a folder layout).
 * @throws GitCommandError when git fails.
 */
async function countSessions(dir: string, agent: Agent, pathspecs: readonly string[]): Promise<number> {
  if (pathspecs.length === 0 || !agent.isSession) return 0;
  const env = { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined, GIT_LITERAL_PATHSPECS: "1" };
  const r = await gitRaw(["ls-files", "-z", "--", ...pathspecs], { cwd: dir, env });
  const inner = (p: string) => (agent.layout === "folder" ? p.slice(p.indexOf("/") + 1) : p);
  return r.stdout
    .toString("utf8")
    .split("\0")
    .filter((p) => p && agent.isSession!(inner(p))).length;
}

/** The roster policy and the other machines of project `id` when the cluster has it (a fetch), else the defaults. */
async function rosterFacts(
  p: Plumbing,
  cluster: string,
  heads: Awaited<ReturnType<typeof lsRemote>>,
  id: string,
  me: string,
): Promise<{ rewriteHome: boolean; sharedWith: { machineId: string; root: string }[] }> {
  if (!heads.projects.has(id)) return { rewriteHome: true, sharedWith: [] };
  const tips = await fetchProjects(p, cluster, [id], heads);
  const roster = await readTipRoster(p, id, tips.get(id)!);
  return { rewriteHome: roster.rewrite_home, sharedWith: roster.participants.filter((x) => x.machine_id !== me).map((x) => ({ machineId: x.machine_id, root: x.project_root })) };
}

/** Options of {@link initAgents}: {@link InitOptions} for several agents' views at once. */
export interface InitAgentsOptions extends Omit<InitOptions, "agent"> {
  /** The agents whose stores become views (default: every agent whose home exists on this machine, Claude Code when none does). */
  agents?: AgentId[];
  /** `--progress` / `--no-progress` and `-q`: a bar over the views on stderr ({@link startProgress}; default: on a terminal). */
  display?: { progress?: boolean; quiet?: boolean };
}

/**
 * `git ctx init` over every agent (issue 11, scope 1): {@link init} once per agent's view, the
 * first one creating the cluster, the others joining it; `dir` names one view (then one agent).
 * @returns one report per view, in {@link AGENTS} order.
 * @throws InvalidInputError when `dir` is given with several agents; what {@link init} throws
 *   (views made before the failing one stay: they are complete and pushed).
 */
export async function initAgents(o: InitAgentsOptions): Promise<InitReport[]> {
  if (o.dir && o.agents && o.agents.length > 1)
    throw new InvalidInputError({ what: "--dir", value: o.dir, fix: "--dir names one view: pass one agent with --agents, or leave --dir out" });
  if (o.dir) return [await init({ ...o, agent: o.agents?.[0] })];
  const ids = (o.agents?.length ? AGENTS.filter((a) => o.agents!.includes(a.id)) : presentAgents(process.env)).map((a) => a.id);
  const out: InitReport[] = [];
  const bar = await startProgress({ label: "git ctx init:", unit: "views", total: ids.length, ...o.display });
  try {
    for (const id of ids) {
      out.push(await init({ ...o, agent: id, remote: o.remote ?? out[0]?.cluster }));
      bar.tick(id);
    }
  } finally {
    bar.stop();
  }
  return out;
}

/** The `git ctx init --json` document (src/json/schemas.ts `InitSchema`) of {@link initAgents}'s reports. */
export function initDocument(reports: readonly InitReport[], dryRun: boolean): InitDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "init",
    ok: true,
    dryRun,
    views: reports.map((r) => ({
      agent: r.agent,
      dir: r.dir,
      cluster: r.cluster,
      createdCluster: r.createdCluster,
      projects: r.projects.map(({ note, ...p }) => ({ ...p, sharedWith: p.sharedWith.map((m) => ({ machineId: m.machineId, root: m.root })), ...(note ? { message: note } : {}) })),
      secrets: r.heldBack ?? [],
    })),
  };
}
