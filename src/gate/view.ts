import { agentOf } from "../agents/index.js";
import { gitRaw } from "../git/exec.js";
import type { ViewState } from "../view/state.js";
import { outboundRefusals, parseLongListing, type OutboundRefusal } from "./index.js";

/**
 * The files of a view's commit `rev` (default `HEAD`) that the push leaves out because another
 * machine's inbound gate would refuse them (a symbolic link, a file the agent does not sync, a
 * name git refuses on another OS): what `git ctx status`, `doctor` and `scan` show, so a file that
 * does not travel is never a surprise. A shared-layout view (Codex) stages only its session files:
 * none. One `git ls-tree`. A view without commits has none.
 * @throws GitCommandError when git fails for another reason than a missing revision.
 */
export async function viewOutboundRefusals(workTree: string, state: ViewState, rev = "HEAD", env?: NodeJS.ProcessEnv): Promise<OutboundRefusal[]> {
  const agent = agentOf(state);
  if (agent.layout === "shared") return [];
  const folders = new Map(Object.entries(state.projects).map(([id, p]) => [p.key, id] as const));
  if (folders.size === 0) return [];
  const r = await gitRaw(["ls-tree", "-r", "-t", "-l", "-z", rev, "--", ...[...folders.keys()].map((k) => `${k}/`)], { cwd: workTree, env, okCodes: [0, 128] });
  if (r.code !== 0) return [];
  return outboundRefusals(agent, parseLongListing(r.stdout.toString("utf8")), folders);
}
