import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { agentOf, type Agent } from "../agents/index.js";
import { InvalidRosterError, parseRoster, type Roster } from "../roster/index.js";
import type { ViewState } from "../view/state.js";
import { crashPoint } from "./crash.js";
import { CLUSTER_FORMAT, CONTEXT_DIR, CTX_IDENTITY, FORMAT_FILE, FORMAT_OID, ROSTER_FILE, VIEW_LAST_REF, clusterTrackingRef, projectBranchShort } from "./layout.js";
import { NewerClusterFormatError, RefusedBranchError } from "./errors.js";
import { EMPTY_TREE, type Plumbing, type Signature, type TreeEntry } from "./plumbing.js";
import { gateTree } from "./inbound.js";
import { writeInboundRefusals, type InboundRefusal } from "../gate/index.js";
import { readHeldEntries, type HeldEntry } from "./gate.js";
import { sharedFiles } from "./shared.js";

/**
 * Keeps the files the push gate held back (they are not in the cluster) in the view folder as
 * they are in `last`, so that a pull never reverts or removes a local file that was held back.
 */
async function pinHeldBack(p: Plumbing, last: string, key: string, ctx: string | undefined, held: readonly HeldEntry[]): Promise<string | undefined> {
  const pins: { mode: string; oid: string; path: string }[] = [];
  for (const h of held) {
    if (!h.path.startsWith(key + "/")) continue;
    const e = await p.entry(last, h.path);
    if (e && e.type === "blob") pins.push({ mode: e.mode, oid: e.oid, path: h.path.slice(key.length + 1) });
  }
  return pins.length ? p.overlay(ctx ?? EMPTY_TREE, pins) : ctx;
}

/** The view commit `list` advertises, and what it was built from. */
export interface BuiltView {
  /** The view commit: `refs/ctx/view/last` when nothing changed, else a new child of it. */
  commit: string;
  /** True when a new view commit was created (and `refs/ctx/view/last` moved to it). */
  created: boolean;
  /** Project id → cluster tip included in the view. */
  tips: Map<string, string>;
  /**
   * Projects left out because their cluster branch is invalid (a broken roster, an unsafe tree):
   * their folder stays as it was in `last`; the others are built (issue 10, defect 10).
   */
  skipped: { id: string; why: string }[];
  /**
   * Entries the inbound gate left out of the included projects (src/gate: links, control files,
   * names git refuses, files the agent does not sync, files over the size limit), each named.
   */
  refused: { id: string; path: string; why: string }[];
}

/** Errors that leave one project out of a view build (its folder as in last) instead of failing the build. */
function skips(e: unknown): e is Error {
  return e instanceof InvalidRosterError || e instanceof RefusedBranchError || e instanceof NewerClusterFormatError;
}

/**
 * Records what a build refused (`$GIT_DIR/ctx/refused.json`, src/gate/record.ts) for `git ctx
 * sync`, `status` and `doctor`; a failure to write it is not a failed build (the warnings were
 * said on stderr too).
 */
function record(p: Plumbing, state: ViewState, tips: ReadonlyMap<string, string>, built: Pick<BuiltView, "skipped" | "refused">): void {
  const judged = new Set(Object.keys(state.projects).filter((id) => tips.has(id)));
  const refusals: InboundRefusal[] = [...built.skipped.map((x) => ({ id: x.id, why: x.why })), ...built.refused];
  try {
    writeInboundRefusals(p.gitDir, judged, refusals);
  } catch {
    /* a read-only $GIT_DIR: the warnings still reach stderr */
  }
}

/**
 * Reads and validates `roster.json` of a cluster tip.
 * @throws InvalidRosterError naming the branch when it is missing or invalid;
 *   NewerClusterFormatError when the branch's `format.json` names a newer cluster format.
 */
export async function readTipRoster(p: Plumbing, id: string, tip: string): Promise<Roster> {
  // one listing of the tip's root finds both files (was one rev-parse for the roster alone)
  const top = await p.lsTree(tip);
  const format = await tipFormat(p, top.find((e) => e.name === FORMAT_FILE)?.oid);
  if (format > CLUSTER_FORMAT) throw new NewerClusterFormatError({ branch: projectBranchShort(id), format, supported: CLUSTER_FORMAT });
  // named as the view has it (`git show` works there): the cluster's project/<id>, fetched
  const where = `${clusterTrackingRef(id)}:${ROSTER_FILE}`;
  const oid = top.find((e) => e.name === ROSTER_FILE && e.type === "blob")?.oid;
  if (!oid) throw new InvalidRosterError({ where, problem: "the file is missing" });
  return parseRoster((await p.blob(oid)).toString("utf8"), where);
}

/**
 * The cluster format of a tip (docs/cluster-format.md, "Format version") from its `format.json`
 * blob id (`undefined` when the tip has none): `format`, 1 when the file is absent; a file that is not `{"format": <integer ≥ 1>}` counts as
 * newer than any release (it was not written by one that this release knows).
 */
export async function tipFormat(p: Plumbing, oid: string | undefined): Promise<number> {
  if (!oid) return 1;
  if (oid === FORMAT_OID) return CLUSTER_FORMAT; // the text this release writes: no read
  try {
    const f = (JSON.parse((await p.blob(oid)).toString("utf8")) as { format?: unknown }).format;
    return typeof f === "number" && Number.isInteger(f) && f >= 1 ? f : Number.MAX_SAFE_INTEGER;
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

/** The `context/` tree of a cluster tip (or the folder `dir` of another agent, e.g. `codex`), or undefined when the branch has none. */
export async function tipContext(p: Plumbing, tip: string | undefined, dir: string = CONTEXT_DIR): Promise<string | undefined> {
  if (!tip) return undefined;
  return p.resolve(`${tip}:${dir}`);
}

/**
 * Builds the view commit for the joined projects of `state` from the cluster `tips`
 * (docs/architecture.md, "The view and the cluster"):
 * - tree = tree of `refs/ctx/view/last` (or empty) with each joined project's folder (this
 *   machine's key) replaced by its tip's `context/` tree; a joined project without a cluster
 *   branch keeps the folder it had; other top-level entries are kept as they were;
 * - when that tree equals last's tree, the result is last itself (nothing to pull);
 * - otherwise a new commit, parent = last, author = committer = `git-ctx <git-ctx@localhost>`,
 *   date = the newest committer date of the included tips, message listing `project/<id> <tip>`:
 *   a pure function of its inputs, so a repeated or crashed `list` gives the same commit id.
 * `refs/ctx/view/last` then moves to the new commit (it is the newest view exchanged).
 * Each tip's roster is validated, and each context tree passes the inbound gate (src/gate,
 * {@link gateTree}): entries it refuses are left out of the view and listed in `refused`; a
 * branch it refuses whole, an invalid roster or a newer format leaves the project out
 * (`skipped`, its folder as in last) so one broken branch never blocks the others. Both are
 * recorded in `$GIT_DIR/ctx/refused.json` for `git ctx sync`, `status` and `doctor`.
 * A folder-layout view's answer that was last itself is remembered (`$GIT_DIR/ctx/view-memo.json`,
 * keyed by a hash of every input: last, the joined folders, the tips, the held-back files): the
 * same inputs give it back without a git process (issue 15: every sync's fetch builds the view).
 */
export async function buildView(p: Plumbing, state: ViewState, tips: Map<string, string>): Promise<BuiltView> {
  const agent = agentOf(state);
  if (agent.layout === "shared") return buildSharedView(p, state, tips, agent);
  const last = await p.resolve(VIEW_LAST_REF);
  // issue 15: the view is a pure function of these inputs; when none changed since the last
  // build that gave `last` back, the answer is the same (no git process for the rosters, the
  // context trees, the dates and the tree)
  const key = memoKey(last, state, tips, readHeldEntries(p.gitDir), agent.clusterDir);
  const memo = readMemo(p.gitDir);
  if (last && memo?.key === key && memo.commit === last) return { commit: last, created: false, tips: new Map(memo.tips), skipped: memo.skipped, refused: memo.refused ?? [] };
  const built = await buildFolderView(p, state, tips, agent, last);
  record(p, state, tips, built);
  if (built.commit === last) writeMemo(p.gitDir, { key, commit: last, tips: [...built.tips], skipped: built.skipped, refused: built.refused });
  return built;
}

/** What {@link buildView} remembers of its last answer that was `refs/ctx/view/last` itself (`$GIT_DIR/ctx/view-memo.json`). */
interface ViewMemo {
  key: string;
  commit: string;
  tips: [string, string][];
  skipped: BuiltView["skipped"];
  refused?: BuiltView["refused"];
}

/** sha256 of everything a folder-layout view is built from: last, the joined projects' folders, the tips, the held-back files, the agent's cluster folder. */
function memoKey(last: string | undefined, state: ViewState, tips: ReadonlyMap<string, string>, held: readonly HeldEntry[], dir: string): string {
  const projects = Object.entries(state.projects)
    .map(([id, x]) => [id, x.key] as const)
    .sort();
  const input = JSON.stringify({ v: 2, last, projects, tips: [...tips].sort(), held, dir, machine: state.machine.id });
  return createHash("sha256").update(input).digest("hex");
}

function memoPath(gitDir: string): string {
  return path.join(gitDir, "ctx", "view-memo.json");
}

/** The memo, or undefined when there is none or it cannot be read (it is only a shortcut). */
function readMemo(gitDir: string): ViewMemo | undefined {
  try {
    const m = JSON.parse(readFileSync(memoPath(gitDir), "utf8")) as ViewMemo;
    return typeof m.key === "string" && typeof m.commit === "string" && Array.isArray(m.tips) && Array.isArray(m.skipped) && (m.refused === undefined || Array.isArray(m.refused))
      ? m
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the memo atomically; a failure only loses the shortcut. */
function writeMemo(gitDir: string, m: ViewMemo): void {
  try {
    writeFileAtomic.sync(memoPath(gitDir), JSON.stringify(m));
  } catch {
    /* the next build runs in full */
  }
}

/** {@link buildView} for a folder-layout agent, without the memo. */
async function buildFolderView(p: Plumbing, state: ViewState, tips: Map<string, string>, agent: Agent, last: string | undefined): Promise<BuiltView> {
  const entries = new Map<string, TreeEntry>();
  if (last) for (const e of await p.lsTree(last)) entries.set(e.name, e);
  const included = new Map<string, string>();
  const skipped: BuiltView["skipped"] = [];
  const refused: BuiltView["refused"] = [];
  const held = readHeldEntries(p.gitDir);
  let date = 0;
  for (const id of Object.keys(state.projects).sort()) {
    const proj = state.projects[id]!;
    const tip = tips.get(id);
    if (!tip) continue;
    let ctx: string | undefined;
    try {
      await readTipRoster(p, id, tip);
      ctx = await tipContext(p, tip, agent.clusterDir);
      // the inbound gate (src/gate): only what the agent's store syncs, as regular files with safe names
      // (a folder in last that is this very tree passed it before: a gated tree with refusals differs from its input)
      if (ctx && ctx !== EMPTY_TREE && entries.get(proj.key)?.oid !== ctx) {
        const g = await gateTree(p, ctx, agent, projectBranchShort(id));
        ctx = g.tree;
        refused.push(...g.refused.map((r) => ({ id, ...r })));
      }
      if (last) ctx = await pinHeldBack(p, last, proj.key, ctx, held);
    } catch (e) {
      if (!skips(e)) throw e;
      skipped.push({ id, why: e.message });
      continue; // the folder stays as it was in last
    }
    included.set(id, tip);
    date = Math.max(date, await p.commitTime(tip));
    if (!ctx || ctx === EMPTY_TREE) {
      entries.delete(proj.key);
      continue;
    }
    entries.set(proj.key, { mode: "040000", type: "tree", oid: ctx, name: proj.key });
  }
  const tree = entries.size ? await p.mktree([...entries.values()]) : EMPTY_TREE;
  return viewCommit(p, last, tree, included, skipped, refused, date);
}

/** The view commit for `tree` (last itself when unchanged), and `refs/ctx/view/last` moved to it. */
async function viewCommit(
  p: Plumbing,
  last: string | undefined,
  tree: string,
  included: Map<string, string>,
  skipped: BuiltView["skipped"],
  refused: BuiltView["refused"],
  newest: number,
): Promise<BuiltView> {
  let date = newest;
  if (last && (await p.treeOf(last)) === tree) return { commit: last, created: false, tips: included, skipped, refused };
  if (!included.size && last) date = await p.commitTime(last);
  const sig: Signature = { ...CTX_IDENTITY, date: `@${date} +0000` };
  const lines = [...included].map(([id, tip]) => `${projectBranchShort(id)} ${tip}`);
  const message = `git-ctx view\n` + (lines.length ? `\n${lines.join("\n")}\n` : "");
  const commit = await p.commitTree(tree, last ? [last] : [], sig, sig, message);
  crashPoint("list:before-ref");
  await p.updateRefs([{ ref: VIEW_LAST_REF, new: commit, old: last ?? "0".repeat(40) }], "git-ctx: view");
  return { commit, created: true, tips: included, skipped, refused };
}

/**
 * {@link buildView} for a `shared`-layout agent (Codex: every project's rollouts in one
 * `YYYY/MM/DD/` tree): tree = last's tree with every session file of each joined project's
 * cluster folder (`<tip>:codex/`) written over it at the same path. Files are never removed
 * (deletions never propagate, and a file belongs to one project), so a skipped project's files
 * stay as they were in last; files the push gate held back are pinned as they are in last.
 */
async function buildSharedView(p: Plumbing, state: ViewState, tips: Map<string, string>, agent: Agent): Promise<BuiltView> {
  const last = await p.resolve(VIEW_LAST_REF);
  const included = new Map<string, string>();
  const skipped: BuiltView["skipped"] = [];
  const refused: BuiltView["refused"] = [];
  const changes: { mode: string; oid: string; path: string }[] = [];
  let date = 0;
  for (const id of Object.keys(state.projects).sort()) {
    const tip = tips.get(id);
    if (!tip) continue;
    let files: { mode: string; oid: string; path: string }[] = [];
    try {
      await readTipRoster(p, id, tip);
      const dir = await tipContext(p, tip, agent.clusterDir);
      if (dir && dir !== EMPTY_TREE) {
        const g = await gateTree(p, dir, agent, projectBranchShort(id));
        refused.push(...g.refused.map((r) => ({ id, ...r })));
        if (g.tree !== EMPTY_TREE) files = await sharedFiles(p, g.tree, agent);
      }
    } catch (e) {
      if (!skips(e)) throw e;
      skipped.push({ id, why: e.message });
      continue;
    }
    included.set(id, tip);
    date = Math.max(date, await p.commitTime(tip));
    changes.push(...files);
  }
  if (last) {
    for (const h of readHeldEntries(p.gitDir)) {
      const e = await p.entry(last, h.path);
      if (e && e.type === "blob") changes.push({ mode: e.mode, oid: e.oid, path: h.path });
    }
  }
  const base = last ? await p.treeOf(last) : EMPTY_TREE;
  const tree = await p.overlay(base, changes);
  const built = await viewCommit(p, last, tree, included, skipped, refused, date);
  record(p, state, tips, built);
  return built;
}
