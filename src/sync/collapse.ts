import type { Dirent } from "node:fs";
import { CatFileBatch } from "../filter/catfile.js";
import { anchorsForPath } from "../filter/transform.js";
import { gitRaw } from "../git/exec.js";
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { collapseSplitDuplicates, repeatsUuid, type CollapsedLine } from "../merge/collapse.js";
import { parseRoster } from "../roster/schema.js";
import type { Anchors } from "../sentinel/index.js";
import type { ViewState } from "../view/state.js";
import { commitOnto, writeBlob, type Repo } from "./gitops.js";

/**
 * Sync's side of the issue-9 repair (src/merge/collapse.ts is the pure rule): the anchors of
 * every machine of a joined project, and a commit on top of a given one with the re-cleaned
 * copies removed from the transcripts it names. Effects: git reads, blob and commit writes.
 */

/** `refs/ctx/cluster/project/<id>` (src/cluster/layout.ts keeps the same prefix; not imported: sync does not depend on cluster). */
const TRACKING = "refs/ctx/cluster/project/";

/**
 * The anchors of every machine known to take part in each joined project, by view folder (this
 * machine's key): this machine's from the view state, then each participant of the project's
 * fetched roster (`refs/ctx/cluster/project/<id>:roster.json`, absent on a plain remote or
 * before the first fetch; an invalid roster adds nobody: `git ctx doctor` reports it).
 * One `git cat-file` per project.
 */
export async function projectMachines(repo: Repo, state: ViewState): Promise<Map<string, Anchors[]>> {
  const out = new Map<string, Anchors[]>();
  for (const [id, p] of Object.entries(state.projects)) {
    const mine = anchorsForPath(state, `${p.key}/x`);
    const list: Anchors[] = mine ? [mine] : [];
    const r = await gitRaw(["cat-file", "blob", `${TRACKING}${id}:roster.json`], { cwd: repo.cwd, env: repo.env, okCodes: [0, 128], noCtxFilter: true });
    if (r.code === 0) {
      try {
        const roster = parseRoster(r.stdout.toString("utf8"), `${TRACKING}${id}:roster.json`);
        for (const x of roster.participants) {
          if (x.machine_id === state.machine.id) continue;
          list.push({ os: x.os, home: x.home, root: x.project_root, key: x.encoded_dir, rewriteHome: roster.rewrite_home });
        }
      } catch {
        /* reported by doctor */
      }
    }
    out.set(p.key, list);
  }
  return out;
}

/** Result of {@link collapseInCommit}. */
export interface CollapseCommitResult {
  /** The repaired commit (a child of the given one), or the given commit when nothing changed. */
  commit: string;
  /** Dropped lines per repository path (canonical bytes, without `\n`). */
  dropped: Map<string, CollapsedLine[]>;
  /**
   * Re-cleaned duplicates the `previous` commit holds and the result no longer has (another
   * machine removed them): the work-tree file, which derives from `previous`, may still hold
   * them. Per repository path.
   */
  stale: Map<string, CollapsedLine[]>;
}

/**
 * Removes the re-cleaned copies ({@link collapseSplitDuplicates}) from the transcripts `paths`
 * (repository paths `<folder>/…​.jsonl`; others are skipped) of `commit`, as one new commit on top
 * of it; `machines` gives the anchors by folder ({@link projectMachines}) and is only called
 * when a transcript repeats a `uuid` text ({@link repeatsUuid}: the common sync reads no roster).
 * With `previous` (the commit the work tree derives from), also reports in `stale` the copies
 * `previous` holds that the result does not, for the paths in `staleFor` (all when absent). Reads
 * blobs through one `cat-file --batch-command` child.
 */
export async function collapseInCommit(
  repo: Repo,
  commit: string,
  paths: readonly string[],
  machines: () => Promise<ReadonlyMap<string, Anchors[]>>,
  who: string,
  previous?: string,
  staleFor?: ReadonlySet<string>,
): Promise<CollapseCommitResult> {
  const dropped = new Map<string, CollapsedLine[]>();
  const stale = new Map<string, CollapsedLine[]>();
  const files = new Map<string, { oid: string; mode: string }>();
  const todo = paths.filter((p) => p.endsWith(".jsonl"));
  if (todo.length === 0) return { commit, dropped, stale };
  const cat = new CatFileBatch(repo.cwd, repo.env);
  try {
    for (const p of todo) {
      const blob = await cat.readBlob(`${commit}:${p}`);
      if (!blob) continue;
      const old = previous && previous !== commit && (!staleFor || staleFor.has(p)) ? await cat.readBlob(`${previous}:${p}`) : undefined;
      if (!repeatsUuid(blob) && !(old && repeatsUuid(old))) continue;
      const ms = (await machines()).get(p.split("/")[0]!);
      if (!ms?.length) continue;
      const r = collapseSplitDuplicates(blob, ms);
      if (r.collapsed.length) {
        dropped.set(p, r.collapsed);
        files.set(p, { oid: await writeBlob(repo, r.bytes), mode: "100644" });
      }
      if (old) {
        const now = new Set(r.bytes.toString("latin1").split("\n"));
        const gone = collapseSplitDuplicates(old, ms).collapsed.filter((l) => !now.has(l.dropped.toString("latin1")));
        if (gone.length) stale.set(p, gone);
      }
    }
  } finally {
    await cat.close();
  }
  if (files.size === 0) return { commit, dropped, stale };
  const n = [...dropped.values()].reduce((s, x) => s + x.length, 0);
  const c = await commitOnto(
    repo,
    commit,
    files,
    `ctx sync: drop ${n} re-cleaned duplicate line${n === 1 ? "" : "s"} in ${files.size} transcript${files.size === 1 ? "" : "s"} (from ${who})`,
  );
  return { commit: c, dropped, stale };
}

/**
 * The transcripts of the joined folders whose work-tree bytes repeat a `uuid` text on two lines
 * ({@link repeatsUuid}): the only ones that can hold a split duplicate. Used for a view's one-time
 * full check; reads the work tree (page cache, asynchronous, so it overlaps the fetch) instead
 * of every blob. Repository paths, `/`-separated; unreadable entries are skipped (the blob-level
 * check of changed files still covers them).
 */
export async function transcriptsRepeatingUuids(workTree: string, folders: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(workTree, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile() && e.name.endsWith(".jsonl")) {
        try {
          if (repeatsUuid(await readFile(path.join(workTree, r)))) out.push(r);
        } catch {
          /* vanished or unreadable */
        }
      }
    }
  };
  for (const f of folders) await walk(f);
  return out.sort();
}
