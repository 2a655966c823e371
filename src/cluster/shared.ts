import * as path from "node:path";
import type { Agent } from "../agents/index.js";
import { readFirstLine } from "../agents/index.js";
import type { ViewState } from "../view/state.js";
import { clusterTrackingRef } from "./layout.js";
import type { Plumbing, TreeEntry } from "./plumbing.js";

/**
 * Which joined project each file of a `shared`-layout view belongs to (Codex: rollouts of every
 * project share `YYYY/MM/DD/`; docs/architecture.md, "Agents"). Derived, never stored:
 * 1. a path that a joined project's cluster branch holds (`refs/ctx/cluster/project/<id>:<dir>/`,
 *    as last fetched) belongs to that project: that is where every file the helper placed came from;
 * 2. else the file in the view's work tree names it (`agent.projectOfFile` on its first line:
 *    Codex's `session_meta.cwd` under a joined root, the longest root winning);
 * 3. else none: the file is not synced.
 */
export class Placement {
  private known: Map<string, string> | undefined;

  /**
   * @param workTree the view's work tree (absolute), for rule 2; `undefined` skips rule 2.
   */
  constructor(
    private readonly p: Plumbing,
    private readonly state: ViewState,
    private readonly agent: Agent,
    private readonly workTree: string | undefined,
  ) {}

  /** The view work tree of a view git dir `<dir>/.git` (views are always made that way: init, clone). */
  static workTreeOf(gitDir: string): string {
    return path.dirname(gitDir);
  }

  private async load(): Promise<Map<string, string>> {
    if (this.known) return this.known;
    const m = new Map<string, string>();
    for (const id of Object.keys(this.state.projects).sort()) {
      const tree = await this.p.resolve(`${clusterTrackingRef(id)}:${this.agent.clusterDir}`);
      if (!tree) continue;
      for (const e of await this.p.lsTree(tree, true)) if (!m.has(e.name)) m.set(e.name, id);
    }
    this.known = m;
    return m;
  }

  /** Forget rule 1's listing (after the tracking refs moved). */
  reset(): void {
    this.known = undefined;
  }

  /** The project id of view path `viewPath`, or `undefined` (rules in the class comment). */
  async projectOf(viewPath: string): Promise<string | undefined> {
    if (this.agent.isSessionPath && !this.agent.isSessionPath(viewPath)) return undefined;
    const id = (await this.load()).get(viewPath);
    if (id && this.state.projects[id]) return id;
    if (!this.workTree || !this.agent.projectOfFile) return undefined;
    let first: string | undefined;
    try {
      first = readFirstLine(path.join(this.workTree, viewPath));
    } catch {
      return undefined;
    }
    return first === undefined ? undefined : this.agent.projectOfFile(first, this.state);
  }
}

/**
 * Every blob of a cluster branch's agent folder that is one of the agent's session files, as
 * overlay entries at their view paths (the folder's paths are the view's: `codex/2026/…` →
 * `2026/…`). Other entries (junk a foreign tool wrote) are left out.
 */
export async function sharedFiles(p: Plumbing, tree: string, agent: Agent): Promise<{ mode: string; oid: string; path: string }[]> {
  return (await p.lsTree(tree, true))
    .filter((e: TreeEntry) => e.type === "blob" && (!agent.isSessionPath || agent.isSessionPath(e.name)))
    .map((e) => ({ mode: e.mode, oid: e.oid, path: e.name }));
}
