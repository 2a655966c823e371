import * as path from "node:path";
import { AGENTS, type FolderRules } from "../agents/index.js";
import { viewGitDir } from "../cluster/viewrepo.js";
import { readViewState } from "../view/state.js";

/**
 * The cluster of any existing view of this machine (every agent's view uses one cluster), in
 * {@link AGENTS} order, or undefined: what a new agent's view joins when no `--remote` is given.
 */
export function clusterOfViews(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const a of AGENTS) {
    const gitDir = viewGitDir(path.resolve(a.storeRoot(env)));
    const state = gitDir ? readViewState(gitDir) : undefined;
    if (state?.cluster) return state.cluster;
  }
  return undefined;
}

/** The folder rules of the folder-layout agent (Claude Code's directory keys); init and join use them for its views only. */
export function folderRules(): FolderRules {
  return AGENTS.find((a) => a.layout === "folder")!.folders!;
}
