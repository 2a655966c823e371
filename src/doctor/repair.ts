import { cpSync, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import * as path from "node:path";
import { agentOf } from "../agents/index.js";
import { configureView } from "../cluster/setup.js";
import { CtxError } from "../errors.js";
import { gitRaw } from "../git/exec.js";
import { syncPaths, syncRunning } from "../sync/index.js";
import type { ViewState } from "../view/state.js";

/**
 * Files of `$GIT_DIR/ctx/` that name commits of the broken object store, so they are not carried
 * into the rebuilt repository (they stay in the kept one): `sync-carry.json` (the commits held
 * files derive from) and `view-memo.json` (the last view commit the helper built); and the sync
 * lock of a dead sync.
 */
const NOT_CARRIED = new Set(["sync-carry.json", "view-memo.json", "sync.lock", "sync.lock.owner"]);

/** `git ctx doctor --fix` cannot rebuild this view (a sync is running, no cluster, an unusual git dir). */
export class RepairRefusedError extends CtxError {
  readonly code = "RepairRefused" as const;
  constructor(readonly data: { workTree: string; why: string; fix: string }) {
    super(`cannot rebuild the view ${data.workTree}: ${data.why} — ${data.fix}`);
  }
}

/** What {@link repairView} does (or, with `dryRun`, would do) to one view. */
export interface RepairResult {
  workTree: string;
  gitDir: string;
  /** Where the broken repository is kept (moved whole, never deleted). */
  backup: string;
  /** The cluster the repository is rebuilt from (`ctx::<cluster>`). */
  cluster: string;
  /** The steps, one line each, in order. */
  steps: string[];
  dryRun: boolean;
}

/**
 * Rebuilds a view whose object store is corrupt (issue 22, point 8) without losing a local line:
 * 1. a new, empty repository is made beside it (`<work tree>/.git.repair-<stamp>`, `git init`);
 * 2. the old `config`, `hooks/`, `info/` and `$GIT_DIR/ctx/` (state.json with the joined
 *    projects, held-back and refused lists, sync log, backups) are copied into it, except the
 *    files that name the broken store's commits ({@link NOT_CARRIED}); `configureView` writes
 *    the view's config, attributes and excludes again and the remote `origin` = `ctx::<cluster>`
 *    is added when the old config had none;
 * 3. the broken git dir is moved whole into the new one, `$GIT_DIR/ctx/backup/corrupt-<stamp>.git`,
 *    and the new one takes its place.
 * The work tree is not touched: it holds every line of this machine, committed or not. HEAD is
 * unborn, so the next `git ctx sync` commits the joined folders as they are, fetches the cluster
 * (all of it: the store is new) and merges the two histories with the transcript merge driver
 * (the first sync of a view adopting existing sessions, as `git ctx init` does): lines only here
 * are pushed, lines only in the cluster are appended. With `dryRun`, only the steps are returned.
 * @throws RepairRefusedError when a sync is running, the state names no cluster, or the git dir
 *   is not `<work tree>/.git`.
 * @throws GitCommandError when `git init` or `git config` fails (the old repository is untouched
 *   until the last two renames).
 */
export async function repairView(
  view: { workTree: string; gitDir: string },
  state: ViewState,
  o: { env?: NodeJS.ProcessEnv; dryRun?: boolean; now?: Date } = {},
): Promise<RepairResult> {
  const { workTree, gitDir } = view;
  if (path.resolve(gitDir) !== path.resolve(workTree, ".git") || !statSync(gitDir).isDirectory())
    throw new RepairRefusedError({
      workTree,
      why: `its git dir ${gitDir} is not the folder ${path.join(workTree, ".git")}`,
      fix: "rebuild it by hand: git clone ctx::<cluster> <new folder>, then copy the sessions over",
    });
  if (!state.cluster)
    throw new RepairRefusedError({ workTree, why: "its state names no cluster to rebuild it from", fix: "git ctx init --remote <cluster-url> <project root>..." });
  if (!o.dryRun && (await syncRunning(syncPaths(gitDir))))
    throw new RepairRefusedError({ workTree, why: "a sync is running in it", fix: "wait for it to end (git ctx status), then run git ctx doctor --fix again" });
  const stamp = (o.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
  const tmp = path.join(workTree, `.git.repair-${stamp}`);
  const backup = path.join(gitDir, "ctx", "backup", `corrupt-${stamp}.git`);
  const result: RepairResult = {
    workTree,
    gitDir,
    backup,
    cluster: state.cluster,
    dryRun: !!o.dryRun,
    steps: [
      `create a new repository ${tmp}`,
      `copy config, hooks/, info/ and ctx/ (state.json: ${Object.keys(state.projects).length} joined project(s)) from ${gitDir} into it, without ${[...NOT_CARRIED].join(", ")}`,
      `move the broken repository ${gitDir} to ${backup} (kept whole), and the new one to ${gitDir}`,
      `leave every file of ${workTree} as it is: the next sync commits them, fetches ctx::${state.cluster} and merges`,
    ],
  };
  if (o.dryRun) return result;

  const env = { ...(o.env ?? process.env), GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined } as Record<string, string | undefined>;
  const g = (args: string[], okCodes = [0]) => gitRaw(["--git-dir", tmp, ...args], { cwd: workTree, env, okCodes, noCtxFilter: true });
  await gitRaw(["init", "-q", "--bare", "--initial-branch=main", tmp], { cwd: workTree, env, noCtxFilter: true });
  // the old config holds the remote, the branch's upstream and the user's own settings; one that
  // git cannot read is left behind (the backup keeps it) and the view's config is written anew
  const oldConfig = path.join(gitDir, "config");
  if (existsSync(oldConfig) && (await gitRaw(["config", "--file", oldConfig, "--list"], { cwd: workTree, env, okCodes: [0, 1, 128] })).code === 0)
    cpSync(oldConfig, path.join(tmp, "config"));
  await g(["config", "core.bare", "false"]);
  for (const dir of ["hooks", "info", "ctx"]) {
    const from = path.join(gitDir, dir);
    if (!existsSync(from)) continue;
    cpSync(from, path.join(tmp, dir), {
      recursive: true,
      force: true,
      filter: (src) => !(dir === "ctx" && path.dirname(src) === from && NOT_CARRIED.has(path.basename(src))),
    });
  }
  if ((await g(["config", "--get", "remote.origin.url"], [0, 1])).code !== 0) await g(["remote", "add", "origin", `ctx::${state.cluster}`]);
  await configureView(tmp, state.cluster, { id: state.machine.id, os: state.machine.os, home: state.machine.home }, agentOf(state).id);
  mkdirSync(path.join(tmp, "ctx", "backup"), { recursive: true });
  renameSync(gitDir, path.join(tmp, "ctx", "backup", `corrupt-${stamp}.git`));
  renameSync(tmp, gitDir);
  return result;
}
