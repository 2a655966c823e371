import * as path from "node:path";
import { AGENTS, type Agent, type FolderRules } from "../agents/index.js";
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

/**
 * The folder rules of a folder-layout agent (Claude Code's directory keys, Gemini CLI's slugs);
 * init and join use them for its views only. @throws Error for a shared-layout agent (a bug).
 */
export function folderRules(agent: Agent): FolderRules {
  if (!agent.folders) throw new Error(`${agent.title} has no project folders`);
  return agent.folders;
}
