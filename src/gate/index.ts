import type { Agent } from "../agents/index.js";
import { THROUGH_SESSION_NAMED_FOLDER } from "../git/oddfiles.js";
import { pathProblem } from "./names.js";

export { componentProblem, pathProblem, MAX_COMPONENT_BYTES, MAX_PATH_BYTES } from "./names.js";
export { readRefusals, writeInboundRefusals, type InboundRefusal, type Refusals } from "./record.js";

/**
 * The inbound gate (issue 22; docs/security.md): the one place that decides which entries of a
 * cluster branch may become files on this machine, and — the same rule read the other way —
 * which files of a view may be pushed. A cluster is untrusted input: any machine or teammate with
 * push access can put any tree on `project/<id>`. An entry reaches a view only when it is a regular
 * file (mode 100644 or 100755: never a symbolic link, a submodule or anything else), its path is
 * one git would check out on every OS ({@link pathProblem}: no `.git` look-alike, no control file,
 * nothing Windows or macOS would read as another name), the agent's store syncs such a file
 * ({@link Agent.syncedPath}) and it is within the size limit. Everything else is left out and
 * named; a branch with more files than the limit is refused whole.
 *
 * This module is pure: it decides over listings. src/cluster/inbound.ts applies it to trees
 * (view build, join), src/cluster/push.ts to what a push would send.
 */

/** Limits of what one project branch may bring in (git config `ctx.inbound.maxFiles`, `ctx.inbound.maxFileBytes`). */
export interface InboundLimits {
  /** Files (blobs) per project branch; above it the branch is refused whole. */
  maxFiles: number;
  /** Bytes per file; a larger file is left out. */
  maxFileBytes: number;
}

/** The defaults: 20,000 files per project (a heavy real project has a few thousand), 256 MiB per file. */
export const DEFAULT_LIMITS: InboundLimits = { maxFiles: 20_000, maxFileBytes: 256 * 1024 * 1024 };

/**
 * The limits from git config values (`git config --get ctx.inbound.maxFiles` etc.: whole numbers,
 * with git's `k`/`m`/`g` suffixes); a missing or unreadable value keeps the default.
 */
export function limitsFrom(values: { maxFiles?: string; maxFileBytes?: string }): InboundLimits {
  const num = (s: string | undefined, dflt: number) => {
    const m = /^\s*(\d+)\s*([kmg]?)\s*$/i.exec(s ?? "");
    if (!m) return dflt;
    const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
    const n = Number(m[1]) * mult;
    return Number.isSafeInteger(n) && n > 0 ? n : dflt;
  };
  return { maxFiles: num(values.maxFiles, DEFAULT_LIMITS.maxFiles), maxFileBytes: num(values.maxFileBytes, DEFAULT_LIMITS.maxFileBytes) };
}

/** One entry of a recursive tree listing (`git ls-tree -r -t -l`): path relative to the listed tree. */
export interface ListedEntry {
  /** Octal mode as git prints it (`100644`, `120000`, `040000`, `160000`). */
  mode: string;
  type: "blob" | "tree" | "commit";
  oid: string;
  /** Size in bytes for blobs; undefined for trees and gitlinks. */
  size?: number;
  /** `/`-separated path below the listed tree. */
  path: string;
}

/** An entry the gate left out, and why (for the warning, `status`, `doctor`). */
export interface RefusedEntry {
  path: string;
  why: string;
}

/**
 * Why one entry may not pass, or `undefined` when it may. `path` is relative to the agent's
 * cluster folder (the project folder of a folder-layout view). Trees pass when their name does
 * (their files are judged one by one).
 */
export function entryProblem(agent: Agent, e: Pick<ListedEntry, "mode" | "type" | "path" | "size">, limits: InboundLimits): string | undefined {
  const bad = pathProblem(e.path);
  if (bad) return bad;
  if (e.mode === "120000") return "symbolic link (git-ctx never writes a link a cluster sent: it could point anywhere)";
  if (e.mode === "160000" || e.type === "commit") return "submodule entry";
  // a folder named like a session file (`x.jsonl/`): no agent makes one, and every reader of the
  // store would take it for a transcript (EISDIR, issue 23, point 3)
  if (e.type === "tree" && e.mode !== "040000") return `tree with mode ${e.mode}`;
  if (e.type === "tree" && /\.jsonl$/.test(e.path)) return "a folder named like a session file (no agent makes one)";
  if (THROUGH_SESSION_NAMED_FOLDER.test(e.path)) return "in a folder named like a session file (no agent makes one)";
  if (e.type === "tree") return undefined;
  if (e.mode !== "100644" && e.mode !== "100755") return `file mode ${e.mode}`;
  if (!agent.syncedPath(e.path)) return `not a file ${agent.title} syncs here`;
  if (e.size !== undefined && e.size > limits.maxFileBytes) return `${e.size} bytes, over the limit of ${limits.maxFileBytes} (git config ctx.inbound.maxFileBytes)`;
  return undefined;
}

/** The decision over one listing: what passes, what is left out, and whether the branch is refused whole. */
export interface GateDecision {
  /** Paths of every refused entry (a refused folder's whole content is refused with it). */
  refused: RefusedEntry[];
  /** Files (blobs) that pass. */
  files: number;
  /** Set when the branch is refused whole (too many files): nothing of it may pass. */
  refuseAll?: string;
}

/**
 * Judges a whole recursive listing (entries of `git ls-tree -r -t -l` of the agent's cluster
 * folder). An entry below a refused folder is refused with it (reported once, at the folder).
 * More than `limits.maxFiles` files refuses the branch whole. Pure.
 */
export function judgeListing(agent: Agent, entries: readonly ListedEntry[], limits: InboundLimits): GateDecision {
  const refused: RefusedEntry[] = [];
  const refusedDirs: string[] = [];
  let files = 0;
  let blobs = 0;
  // two entries of one name in a folder (git fsck: duplicateEntries; a hand-made tree can hold
  // them): which one a checkout takes is git's accident, so neither passes
  const seen = new Map<string, number>();
  for (const e of entries) seen.set(e.path, (seen.get(e.path) ?? 0) + 1);
  const named = new Set<string>();
  // ls-tree lists a folder before its content
  for (const e of entries) {
    if (e.type === "blob") blobs++;
    if (refusedDirs.some((d) => e.path.startsWith(d + "/"))) continue;
    if (named.has(e.path)) continue;
    const why = seen.get(e.path)! > 1 ? "two entries of the same name in one folder" : entryProblem(agent, e, limits);
    if (why) {
      refused.push({ path: e.path, why });
      named.add(e.path);
      // a refused name takes everything below it along (both, for a duplicate)
      if (e.type === "tree" || seen.get(e.path)! > 1) refusedDirs.push(e.path);
    } else if (e.type === "blob") files++;
  }
  if (blobs > limits.maxFiles) return { refused, files: 0, refuseAll: `${blobs} files, over the limit of ${limits.maxFiles} per project (git config ctx.inbound.maxFiles)` };
  return { refused, files };
}

/**
 * The folders whose content changes when `refused` entries are taken out of a tree: every
 * ancestor of a refused path (`""` is the listed tree itself), deepest first. Pure.
 */
export function dirtyFolders(refused: readonly { path: string }[]): string[] {
  const dirs = new Set<string>();
  for (const r of refused) {
    const parts = r.path.split("/");
    for (let i = parts.length - 1; i >= 0; i--) dirs.add(parts.slice(0, i).join("/"));
  }
  return [...dirs].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0));
}

function depth(p: string): number {
  return p === "" ? 0 : p.split("/").length;
}

/**
 * The one-line warning for a refusal (sync's stderr, the helper's warnings under a plain `git
 * pull`, `status`, `doctor`): which project, which entry, why, and that nothing was written.
 */
export function refusalMessage(r: { id: string; path?: string; why: string }): string {
  if (r.path === undefined) return `refused project/${r.id} from the cluster: ${r.why}`;
  return `refused '${r.path}' of project/${r.id} from the cluster (${r.why}): it was left out and nothing was written for it; 'git ctx doctor' shows how to remove it from the cluster`;
}

/**
 * Plain-git commands that remove `paths` (relative to the agent's folder `dir` of the branch) from
 * branch `project/<id>` of `cluster`, for `git ctx doctor`'s fix (git-ctx itself never deletes in
 * the cluster: deletions do not propagate). The clone checks nothing out (`-n`: the branch is
 * untrusted) and works in the index only. Paths are single-quoted for a POSIX shell.
 */
export function removalCommands(cluster: string, id: string, dir: string, paths: readonly string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    `d=$(mktemp -d)`,
    `git clone -q -n --single-branch -b project/${id} ${q(cluster)} "$d"`,
    `git -C "$d" reset -q`,
    `git -C "$d" rm -r -q --cached -- ${paths.map((p) => q(`${dir}/${p}`)).join(" ")}`,
    `git -C "$d" commit -q -m 'remove entries git-ctx refuses'`,
    `git -C "$d" push -q origin project/${id}`,
    `rm -rf "$d"`,
  ].join(" && ");
}

/** A file of a view the gate would not push (issue 22, scope 5: a machine never pushes what another machine would refuse). */
export interface OutboundRefusal {
  /** Project id. */
  id: string;
  /** View path (`<folder>/<file>`). */
  path: string;
  why: string;
}

/**
 * Parses `git ls-tree -r -t -l -z` output (paths as git prints them below the listed tree or
 * the pathspecs given). Pure.
 */
export function parseLongListing(out: string): ListedEntry[] {
  const entries: ListedEntry[] = [];
  for (const rec of out.split("\0")) {
    if (!rec) continue;
    const m = /^(\d+) (blob|tree|commit) ([0-9a-f]+) +(-|\d+)\t([\s\S]*)$/.exec(rec);
    if (!m) continue;
    entries.push({ mode: m[1]!, type: m[2] as ListedEntry["type"], oid: m[3]!, size: m[4] === "-" ? undefined : Number(m[4]), path: m[5]! });
  }
  return entries;
}

/**
 * The outbound side of the gate for a folder-layout view: of the entries listed below the
 * project folders (`listing`: view paths `<folder>/…`, e.g. `git ls-tree -r -t -l HEAD --
 * <folder>/`), the files the push leaves out, with the project they belong to. Pure.
 * @param folders joined project id by view folder.
 */
export function outboundRefusals(agent: Agent, listing: readonly ListedEntry[], folders: ReadonlyMap<string, string>, limits: InboundLimits = DEFAULT_LIMITS): OutboundRefusal[] {
  const out: OutboundRefusal[] = [];
  const refusedDirs: string[] = [];
  for (const e of listing) {
    const slash = e.path.indexOf("/");
    if (slash < 0) continue;
    const id = folders.get(e.path.slice(0, slash));
    if (id === undefined) continue;
    if (refusedDirs.some((d) => e.path.startsWith(d + "/"))) continue;
    const why = entryProblem(agent, { ...e, path: e.path.slice(slash + 1) }, limits);
    if (!why) continue;
    out.push({ id, path: e.path, why });
    if (e.type === "tree") refusedDirs.push(e.path);
  }
  return out;
}
