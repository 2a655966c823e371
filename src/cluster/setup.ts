import { agentById, agentOfStorePath, type AgentId } from "../agents/index.js";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { git } from "../git/exec.js";
import { ctxGitConfig, writeAttributes, writeCtxConfig, writeExcludes, writeGitHook } from "../git/config.js";
import type { Machine } from "../roster/index.js";
import { readViewState, writeViewState, type ViewState } from "../view/state.js";

/**
 * True when `url` is a local path as git reads it (`git help clone`, "GIT URLS"): no
 * `<scheme>://`, and not the scp-like `[user@]host:path` form (a colon before the first slash);
 * a Windows drive letter (`C:\x`) is a path.
 */
export function isLocalPath(url: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return false;
  if (/^[A-Za-z]:[\\/]/.test(url)) return true;
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  return colon < 0 || (slash >= 0 && slash < colon);
}

/** A local cluster path made absolute against `cwd`; other URLs unchanged. */
export function absoluteClusterUrl(url: string, cwd = process.cwd()): string {
  if (url.startsWith("file://")) return url;
  return isLocalPath(url) ? path.resolve(cwd, url) : url;
}

/**
 * True when two cluster URLs name the same cluster as far as can be told without network: equal
 * after {@link absoluteClusterUrl} (local paths resolved) and without trailing `/`.
 */
export function sameClusterUrl(a: string, b: string): boolean {
  const norm = (u: string) => absoluteClusterUrl(u).replace(/\/+$/, "");
  return norm(a) === norm(b);
}

/**
 * The embedded default: when `url` is a local path that does not exist yet (or is an empty
 * directory), creates a bare repository there (`git init --bare --initial-branch=main`), so a
 * cluster needs no server. Any other URL is left alone.
 * @returns true when a new cluster was created.
 */
export async function ensureLocalCluster(url: string): Promise<boolean> {
  if (!isLocalPath(url)) return false;
  if (existsSync(url) && readdirSync(url).length > 0) return false;
  mkdirSync(url, { recursive: true });
  await git(["init", "--bare", "--quiet", "--initial-branch=main", url], { noCtxFilter: true, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined } });
  return true;
}

/**
 * git's checkout protections a view turns on (issue 22; git-config(1)), the second line behind
 * the inbound gate (src/gate) for a plain `git pull`: `core.protectNTFS` and `core.protectHFS`
 * refuse paths that NTFS or HFS+ would read as `.git` whatever this machine's OS, and
 * `core.symlinks=false` checks a symbolic link out as a small file holding its text, never as a
 * link that later writes could follow.
 */
export const VIEW_PROTECTION: [key: string, value: string][] = [
  ["core.protectNTFS", "true"],
  ["core.protectHFS", "true"],
  ["core.symlinks", "false"],
];

/**
 * Configures a view repository (what `option cloning true` and `git ctx init` do), so its
 * checkout is smudged even without `git ctx install` (GIT.md: config written by the helper during
 * `git clone` is honoured by the clone's checkout):
 * - repository config: the ctx filter process and merge driver ({@link ctxGitConfig}),
 *   `pull.rebase=false` (git ≥ 2.27 refuses divergent pulls without it), and git's own
 *   protections for an untrusted tree ({@link VIEW_PROTECTION});
 * - `$GIT_DIR/info/attributes` and `$GIT_DIR/info/exclude` (`/*` + the joined folders);
 * - `$GIT_DIR/ctx/state.json` with the cluster URL and this machine (joined projects kept).
 * Idempotent.
 * @returns the state as written.
 */
export async function configureView(gitDir: string, cluster: string, machine: Machine, agentId?: AgentId): Promise<ViewState> {
  await writeCtxConfig({ gitDir }, [...ctxGitConfig(), ["pull.rebase", "false"], ...VIEW_PROTECTION], { env: { GIT_DIR: undefined } });
  writeAttributes(gitDir);
  const old = readViewState(gitDir);
  // which agent's store this view is: said (init/join, `git clone -c ctx.agent=codex`), kept, or
  // told by the folder's path (`…/.codex/sessions`); Claude Code's views carry no field (as before)
  const agent = agentId ?? old?.agent ?? agentOfStorePath(path.dirname(gitDir)).id;
  const state: ViewState = {
    ...(old ?? { projects: {} }),
    version: 1,
    ...(agent !== "claude" ? { agent } : {}),
    // an agent home set away from its default is an anchor of its own: the sessions name it
    ...(agentById(agent).customHome?.(process.env) ? { agentHome: agentById(agent).customHome!(process.env) } : {}),
    cluster,
    machine: { id: machine.id, os: machine.os, home: machine.home },
    projects: old?.projects ?? {},
  };
  writeViewState(gitDir, state);
  writeExcludes(
    gitDir,
    Object.values(state.projects)
      .map((p) => p.key)
      .filter(Boolean),
    agentById(agent).folderEntries,
  );
  // an agent that needs to know of files written into its store (Codex's threads rows) hears of
  // a plain `git pull` too: the view's post-merge hook runs `git ctx hook post-merge`
  if (agentById(agent).afterWrite) writeGitHook(gitDir, "post-merge", "exec git ctx hook post-merge >/dev/null 2>&1 || true");
  return state;
}
