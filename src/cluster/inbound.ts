import type { Agent } from "../agents/index.js";
import {
  dirtyFolders,
  entryProblem,
  judgeListing,
  type GateDecision,
  limitsFrom,
  parseLongListing,
  type InboundLimits,
  type ListedEntry,
  type RefusedEntry,
} from "../gate/index.js";
import { RefusedBranchError } from "./errors.js";
import { EMPTY_TREE, type Plumbing, type TreeEntry } from "./plumbing.js";

/**
 * The inbound gate applied to trees (issue 22; the rule is src/gate): every cluster tree that
 * becomes part of a view passes here first — the view build (`buildView`, which every `git
 * fetch`/`pull`/`clone` of a `ctx::` remote and every `git ctx sync` runs) and `git ctx join`.
 */

/** A gated tree: the tree with every refused entry taken out, and what was taken out. */
export interface GatedTree {
  /** The tree to use (the input tree itself when nothing was refused; {@link EMPTY_TREE} when nothing passed). */
  tree: string;
  refused: RefusedEntry[];
}

/** The limits of the repository (`ctx.inbound.maxFiles`, `ctx.inbound.maxFileBytes`), read once per process and repository. */
const limitsOf = new Map<string, Promise<InboundLimits>>();

/** The inbound limits configured for the repository of `p` (git config; defaults otherwise). */
export function inboundLimits(p: Plumbing): Promise<InboundLimits> {
  let l = limitsOf.get(p.gitDir);
  if (!l) {
    l = p.raw(["config", "--get-regexp", "^ctx\\.inbound\\."], { okCodes: [0, 1] }).then((r) => {
      const values: Record<string, string> = {};
      for (const line of r.stdout.toString("utf8").split("\n")) {
        const sp = line.indexOf(" ");
        if (sp > 0) values[line.slice(0, sp).toLowerCase()] = line.slice(sp + 1);
      }
      return limitsFrom({ maxFiles: values["ctx.inbound.maxfiles"], maxFileBytes: values["ctx.inbound.maxfilebytes"] });
    });
    limitsOf.set(p.gitDir, l);
  }
  return l;
}

/**
 * `git ls-tree -r -t -l -z` of `tree`: every blob, folder and gitlink below it with its size.
 * Paths are decoded as UTF-8 (a name that is not valid UTF-8 shows U+FFFD and is refused).
 */
export async function listTreeLong(p: Plumbing, tree: string): Promise<ListedEntry[]> {
  return parseLongListing((await p.raw(["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", tree])).stdout.toString("utf8"));
}

/**
 * Passes the agent's folder `tree` of a cluster branch through the inbound gate: the same tree
 * when every entry may pass, else a new tree without the refused entries (the folders on the way
 * to them rebuilt with `git mktree`, every other subtree kept by id), and the refused entries.
 * @param branch the branch it came from (`project/<id>`), named in the error.
 * @throws RefusedBranchError when the branch is refused whole (more files than `ctx.inbound.maxFiles`;
 *   `tree` is not a folder or git cannot list it).
 */
export async function gateTree(p: Plumbing, tree: string, agent: Agent, branch: string): Promise<GatedTree> {
  if (tree === EMPTY_TREE) return { tree, refused: [] };
  const { entries, decision: d } = await judgeTree(p, tree, agent, branch);
  if (d.refused.length === 0) return { tree, refused: [] };
  return { tree: await rebuild(p, tree, entries, d.refused), refused: d.refused };
}

/**
 * Lists and judges the agent's folder `tree` of a branch (the inbound gate's decision without
 * building anything): what {@link gateTree} and the push (which merges nothing into a branch
 * refused whole) both ask.
 * @throws RefusedBranchError when the branch is refused whole: more files than
 *   `ctx.inbound.maxFiles`, or `tree` is not a folder, or git cannot list it.
 */
export async function judgeTree(p: Plumbing, tree: string, agent: Agent, branch: string): Promise<{ entries: ListedEntry[]; decision: GateDecision }> {
  const limits = await inboundLimits(p);
  const listed = await p.raw(["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", tree], { okCodes: [0, 128] });
  if (listed.code !== 0) await refuseUnlisted(p, tree, agent, branch, listed.stderr);
  const entries = parseLongListing(listed.stdout.toString("utf8"));
  const decision = judgeListing(agent, entries, limits);
  if (decision.refuseAll) throw new RefusedBranchError({ branch, why: decision.refuseAll });
  acceptedWhole.add(`${p.gitDir}\0${tree}`);
  return { entries, decision };
}

/**
 * Trees (by repository and object id) this process already found not refused whole: a tree is
 * immutable and the limits are read once per process, so the push, which asks about the very tip
 * the sync's own fetch built the view from, needs no second listing of it.
 */
const acceptedWhole = new Set<string>();

/**
 * Throws when the branch's agent folder `tree` is refused whole by the inbound gate (see
 * {@link judgeTree}); a tree this process already judged costs nothing. The push asks it before
 * merging this machine's lines into a branch.
 * @throws RefusedBranchError as {@link judgeTree}.
 */
export async function assertNotRefusedWhole(p: Plumbing, tree: string, agent: Agent, branch: string): Promise<void> {
  if (tree === EMPTY_TREE || acceptedWhole.has(`${p.gitDir}\0${tree}`)) return;
  await judgeTree(p, tree, agent, branch);
}

/**
 * Refuses a branch whose agent folder (`context/`) git cannot list: a hostile tree can make it a
 * file, a symbolic link or a submodule entry, or put an entry git calls corrupt below it (an empty
 * name: `fatal: empty filename in tree entry`). Listing it would otherwise fail the whole view build
 * (every other project with it). Asked only when the listing failed.
 * @throws RefusedBranchError always.
 */
async function refuseUnlisted(p: Plumbing, tree: string, agent: Agent, branch: string, stderr: string): Promise<never> {
  const r = await p.raw(["cat-file", "-t", tree], { okCodes: [0, 128] });
  const type = r.code === 0 ? r.stdout.toString("utf8").trim() : "";
  const said =
    stderr
      .trim()
      .split("\n")[0]
      ?.replace(/^fatal: /, "") ?? "";
  const why =
    type === "tree"
      ? `git cannot list its '${agent.clusterDir}' folder (${said || "a corrupt tree"})`
      : `its '${agent.clusterDir}' entry is ${type ? `a ${type}` : "not in the repository (a submodule entry?)"}, not a folder`;
  throw new RefusedBranchError({ branch, why });
}

/** `tree` without the `refused` paths: only the folders on the way to them are written again. */
async function rebuild(p: Plumbing, tree: string, entries: readonly ListedEntry[], refused: readonly RefusedEntry[]): Promise<string> {
  const gone = new Set(refused.map((r) => r.path));
  const children = new Map<string, TreeEntry[]>();
  const add = (dir: string, e: TreeEntry) => {
    const list = children.get(dir) ?? [];
    list.push(e);
    children.set(dir, list);
  };
  for (const e of entries) {
    const slash = e.path.lastIndexOf("/");
    add(slash < 0 ? "" : e.path.slice(0, slash), { mode: e.mode, type: e.type, oid: e.oid, name: slash < 0 ? e.path : e.path.slice(slash + 1) });
  }
  const rebuilt = new Map<string, string>();
  for (const dir of dirtyFolders(refused)) {
    if (dir !== "" && [...gone].some((g) => dir === g || dir.startsWith(g + "/"))) continue; // inside a refused folder
    const kept: TreeEntry[] = [];
    for (const c of children.get(dir) ?? []) {
      const full = dir === "" ? c.name : `${dir}/${c.name}`;
      if (gone.has(full)) continue;
      const again = c.type === "tree" ? rebuilt.get(full) : undefined;
      if (again === EMPTY_TREE) continue;
      kept.push(again ? { ...c, oid: again } : c);
    }
    rebuilt.set(dir, kept.length ? await p.mktree(kept) : EMPTY_TREE);
  }
  return rebuilt.get("") ?? tree;
}

/** Sizes in bytes of blobs `oids` (one `git cat-file --batch-check`); a missing object has none. */
export async function blobSizes(p: Plumbing, oids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const want = [...new Set(oids)].filter((o) => /^[0-9a-f]{40,64}$/.test(o));
  if (want.length === 0) return out;
  const r = await p.raw(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], { input: want.join("\n") + "\n" });
  for (const line of r.stdout.toString("utf8").split("\n")) {
    const [oid, type, size] = line.split(" ");
    if (oid && type === "blob" && size) out.set(oid, Number(size));
  }
  return out;
}

/**
 * The outbound side of the gate for a push split (issue 22, scope 5): the changes another
 * machine's inbound gate would refuse, each with why; `rel` gives a change's path relative to the
 * agent's cluster folder (the project folder, or the store root of a shared view).
 */
export async function outboundProblems<T extends { path: string; mode: string; oid: string }>(
  p: Plumbing,
  agent: Agent,
  changes: readonly T[],
  rel: (c: T) => string,
): Promise<Map<T, string>> {
  const out = new Map<T, string>();
  if (changes.length === 0) return out;
  const limits = await inboundLimits(p);
  const sizes = await blobSizes(
    p,
    changes.filter((c) => c.mode === "100644" || c.mode === "100755").map((c) => c.oid),
  );
  for (const c of changes) {
    const type = c.mode === "040000" ? "tree" : c.mode === "160000" ? "commit" : "blob";
    const why = entryProblem(agent, { mode: c.mode, type, path: rel(c), size: sizes.get(c.oid) }, limits);
    if (why) out.set(c, why);
  }
  return out;
}
