import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { blobStream, CatFileBatch } from "../filter/catfile.js";
import { anchorsForPath } from "../filter/transform.js";
import { gitRaw } from "../git/exec.js";
import { open, readdir } from "node:fs/promises";
import { constants, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { collapseSplitDuplicates, repeatsUuid, UuidRepeatScanner, type CollapsedLine, type CollapseOptions } from "../merge/collapse.js";
import { implausibleParticipant } from "../roster/plausible.js";
import { parseRoster } from "../roster/schema.js";
import { localize, type Anchors } from "../sentinel/index.js";
import type { ViewState } from "../view/state.js";
import { commitOnto, writeBlob, type Repo } from "./gitops.js";
import { scanBlob, STREAM_MIN_BYTES } from "./streamed.js";

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
 * A participant whose `project_root` or `home` is not a plausible absolute path for its declared
 * `os` (src/roster/plausible.ts: the roster is untrusted input, issue 22) never counts; each one
 * is told to `ignored` (a sentence naming the project, the machine and why).
 * One `git cat-file` per project.
 */
export async function projectMachines(repo: Repo, state: ViewState, ignored?: (why: string) => void): Promise<Map<string, Anchors[]>> {
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
          const why = implausibleParticipant(x);
          if (why) {
            ignored?.(
              `project ${id}: roster participant '${x.machine_id}' ignored for the duplicate repair: ${why} (not a real machine's path; check 'git show ${TRACKING}${id}:roster.json' and remove the entry from the cluster if nobody you know added it)`,
            );
            continue;
          }
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
  /** Pairs left alone because the would-be copy is this machine's own line (`CollapseResult.spared`), per repository path. */
  spared: Map<string, CollapsedLine[]>;
}

/**
 * Removes the re-cleaned copies ({@link collapseSplitDuplicates}) from the transcripts `paths`
 * (repository paths `<folder>/…​.jsonl`; others are skipped) of `commit`, as one new commit on top
 * of it; `machines` gives the anchors by folder ({@link projectMachines}) and is only called
 * when a transcript repeats a `uuid` text ({@link repeatsUuid}: the common sync reads no roster).
 * With `previous` (the commit the work tree derives from), also reports in `stale` the copies
 * `previous` holds that the result does not, for the paths in `staleFor` (all when absent). Reads
 * blobs through one `cat-file --batch-command` child.
 *
 * Trust (issue 22, case 4): the lines of `previous` (what this machine already held) are decided
 * before the lines that came in, and with `trust` a line this machine's own sync committed from
 * its work tree ({@link LocalEvidence}) is never dropped unless its kept twin reads the same here;
 * such pairs are returned in `spared`.
 */
export async function collapseInCommit(
  repo: Repo,
  commit: string,
  paths: readonly string[],
  machines: () => Promise<ReadonlyMap<string, Anchors[]>>,
  who: string,
  previous?: string,
  staleFor?: ReadonlySet<string>,
  trust?: LocalEvidence,
): Promise<CollapseCommitResult> {
  const dropped = new Map<string, CollapsedLine[]>();
  const stale = new Map<string, CollapsedLine[]>();
  const spared = new Map<string, CollapsedLine[]>();
  const files = new Map<string, { oid: string; mode: string }>();
  const todo = paths.filter((p) => p.endsWith(".jsonl"));
  if (todo.length === 0) return { commit, dropped, stale, spared };
  const cat = new CatFileBatch(repo.cwd, repo.env);
  try {
    for (const p of todo) {
      if (await needsNoRepair(repo, cat, `${commit}:${p}`, previous && previous !== commit ? `${previous}:${p}` : undefined, !staleFor || staleFor.has(p))) continue;
      const blob = await cat.readBlob(`${commit}:${p}`);
      if (!blob) continue;
      const prev = previous && previous !== commit ? await previousVersion(cat, `${previous}:${p}`, blob) : undefined;
      const old = prev && (!staleFor || staleFor.has(p)) ? prev : undefined;
      if (!repeatsUuid(blob) && !(old && repeatsUuid(old))) continue;
      const ms = (await machines()).get(p.split("/")[0]!);
      if (!ms?.length) continue;
      const held = prev ? lineSet(prev) : undefined;
      const r = await collapseTrusted(blob, ms, { self: trust?.self(p), held: held && ((l) => held.has(l.toString("latin1"))) }, trust, p, cat);
      if (r.collapsed.length) {
        dropped.set(p, r.collapsed);
        files.set(p, { oid: await writeBlob(repo, r.bytes), mode: "100644" });
      }
      if (r.spared.length) spared.set(p, r.spared);
      if (old) {
        const now = new Set(r.bytes.toString("latin1").split("\n"));
        const o2 = await collapseTrusted(old, ms, { self: trust?.self(p) }, trust, p, cat);
        const gone = o2.collapsed.filter((l) => !now.has(l.dropped.toString("latin1")));
        if (gone.length) stale.set(p, gone);
        if (o2.spared.length && !spared.has(p)) spared.set(p, o2.spared);
      }
    }
  } finally {
    await cat.close();
  }
  if (files.size === 0) return { commit, dropped, stale, spared };
  const n = [...dropped.values()].reduce((s, x) => s + x.length, 0);
  const c = await commitOnto(
    repo,
    commit,
    files,
    `ctx sync: drop ${n} re-cleaned duplicate line${n === 1 ? "" : "s"} in ${files.size} transcript${files.size === 1 ? "" : "s"} (from ${who})`,
  );
  return { commit: c, dropped, stale, spared };
}

/**
 * The transcripts of the joined folders whose work-tree bytes repeat a `uuid` text on two lines
 * ({@link repeatsUuid}): the only ones that can hold a split duplicate. Used for a view's one-time
 * full check; reads the work tree (page cache, asynchronous, so it overlaps the fetch) instead
 * of every blob, each file as a stream ({@link UuidRepeatScanner}: bounded memory). Repository paths, `/`-separated; unreadable entries are skipped (the blob-level
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
          // streamed, not read whole: a 100 MB transcript is not held for this (issue 22, point 8)
          const scanner = new UuidRepeatScanner();
          const fh = await open(path.join(workTree, r), constants.O_RDONLY | constants.O_NOFOLLOW);
          for await (const c of fh.createReadStream({ highWaterMark: 1 << 20 })) scanner.push(c as Buffer);
          if (scanner.end()) out.push(r);
        } catch {
          /* vanished or unreadable */
        }
      }
    }
  };
  for (const f of folders) await walk(f);
  return out.sort();
}

/**
 * What this machine knows for itself, from its own repository and never from the cluster (issue
 * 22, case 4): its anchors per repository path, and which lines its own sync committed from its
 * work tree (lines its agent wrote). See {@link localEvidence}.
 */
export interface LocalEvidence {
  /** This machine's anchors for a repository path (`anchorsForPath`), `undefined` outside a joined folder. */
  self(repoPath: string): Anchors | undefined;
  /**
   * The canonical lines (latin1 text, without `\n`) this machine's own commits added to
   * `repoPath`, or `undefined` when the evidence is missing (no reflog): then every line
   * counts as this machine's own.
   */
  ownLines(repoPath: string, cat: CatFileBatch): Promise<ReadonlySet<string> | undefined>;
  /** Extra lines that count as own for `repoPath` (the ones being committed in this run), if any. */
  staged?(repoPath: string): ReadonlySet<string> | undefined;
}

/**
 * Reflog messages of the HEAD moves that commit this machine's own work-tree content: sync's
 * commit and its merge of held-back local edits (src/sync/run.ts), and git's own `git commit`
 * (`commit: …`, `commit (initial): …`, `commit (amend): …`: `git ctx init` / `join` commit the
 * sessions already here that way, and so does a user's plain `git commit`). Never a merge, a
 * pull or a fetch: those bring other machines' lines.
 */
export const OWN_COMMIT_MESSAGE = /^(?:ctx sync: commit|ctx sync: merge held-back edits|commit(?: \((?:initial|amend)\))?: .*)$/;

/**
 * This machine's evidence of its own lines ({@link LocalEvidence}), from `$GIT_DIR/logs/HEAD`:
 * every HEAD move whose message is one of {@link OWN_COMMIT_MESSAGE} was made by this machine's
 * sync committing its work tree (a push cannot write this machine's reflog), and the lines that
 * move added to a path (`new:path` minus `old:path`, as multisets of lines) are lines this
 * machine's agent wrote. Read lazily, once per path. A missing reflog (core.logAllRefUpdates
 * off) gives `undefined`: no evidence, so nothing this machine held is dropped. Entries git
 * expired (gc.reflogExpire, 90 days by default) are not evidence any more.
 */
export function localEvidence(state: ViewState, gitDir: string, staged?: ReadonlyMap<string, ReadonlySet<string>>): LocalEvidence {
  let moves: { old: string; next: string }[] | null | undefined;
  const cache = new Map<string, ReadonlySet<string> | undefined>();
  return {
    self: (p) => anchorsForPath(state, p),
    staged: (p) => staged?.get(p),
    async ownLines(p, cat) {
      if (cache.has(p)) return cache.get(p);
      if (moves === undefined) moves = readOwnMoves(gitDir);
      if (moves === null) {
        cache.set(p, undefined);
        return undefined;
      }
      const out = new Set<string>();
      for (const m of moves) {
        const after = await cat.readBlob(`${m.next}:${p}`);
        if (!after) continue;
        const before = /^0+$/.test(m.old) ? undefined : await cat.readBlob(`${m.old}:${p}`);
        const had = before ? lineSet(before) : new Set<string>();
        for (const l of after.toString("latin1").split("\n")) if (l && !had.has(l)) out.add(l);
      }
      cache.set(p, out);
      return out;
    },
  };
}

/** The own-commit moves of `$GIT_DIR/logs/HEAD` ({@link OWN_COMMIT_MESSAGE}); `null` when there is no reflog. */
function readOwnMoves(gitDir: string): { old: string; next: string }[] | null {
  const f = path.join(gitDir, "logs", "HEAD");
  if (!existsSync(f)) return null;
  let text: string;
  try {
    text = readFileSync(f, "utf8");
  } catch {
    return null;
  }
  const out: { old: string; next: string }[] = [];
  for (const line of text.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab < 0 || !OWN_COMMIT_MESSAGE.test(line.slice(tab + 1))) continue;
    const [old, next] = line.split(" ", 2);
    if (old && next && /^[0-9a-f]{40,64}$/.test(old) && /^[0-9a-f]{40,64}$/.test(next)) out.push({ old, next });
  }
  return out;
}

/**
 * The bounded-memory answer for a large transcript (at least {@link STREAM_MIN_BYTES}; issue 22,
 * point 8): true when one streamed pass over the blob `spec` shows what the whole-buffer check of
 * {@link collapseInCommit} would conclude from it: nothing to repair — the blob repeats no uuid
 * text, and its previous version `prevSpec` (checked when `checkPrev`) is a byte prefix of it
 * (so it repeats none either) or absent. False (read it whole) for a smaller blob, or when the
 * pass is not conclusive.
 */
async function needsNoRepair(repo: Repo, cat: CatFileBatch, spec: string, prevSpec: string | undefined, checkPrev: boolean): Promise<boolean> {
  const info = await cat.info(spec);
  if (!info || info.type !== "blob" || info.size < STREAM_MIN_BYTES) return false;
  const prev = prevSpec && checkPrev ? await cat.info(prevSpec) : undefined;
  if (prev && prev.type !== "blob") return false;
  const s = await scanBlob(blobStream(repo.cwd, info.oid, repo.env), prev && prev.size <= info.size ? prev : undefined);
  return !s.repeats && (!prev || s.extends);
}

/** The distinct non-empty lines of `b` (latin1, without `\n`). */
/**
 * The blob `spec` names, taken from `next` without reading it when it is a byte prefix of `next`
 * (the append-only transcript: its git object id is checked against `next`'s prefix, `sha1` or
 * `sha256` of `blob <size>\0<bytes>`, gitformat-loose(5)), so a large transcript's sync does not
 * hold its old version as a second copy (issue 22, point 8). Otherwise read as usual.
 */
async function previousVersion(cat: CatFileBatch, spec: string, next: Buffer): Promise<Buffer | undefined> {
  const info = await cat.info(spec);
  if (!info || info.type !== "blob") return undefined;
  if (info.size <= next.length) {
    const h = createHash(info.oid.length === 64 ? "sha256" : "sha1");
    h.update(`blob ${info.size}\0`);
    h.update(next.subarray(0, info.size));
    if (h.digest("hex") === info.oid) return next.subarray(0, info.size);
  }
  return cat.readBlob(spec);
}

function lineSet(b: Buffer): Set<string> {
  return new Set(
    b
      .toString("latin1")
      .split("\n")
      .filter((l) => l.length > 0),
  );
}

/**
 * {@link collapseSplitDuplicates} with this machine's evidence: first without `own`; only when a
 * drop would take a line whose local text here differs from its kept twin's (the rare case that
 * needs it) are the own lines read ({@link LocalEvidence.ownLines}) and the rule run again with
 * them. Without `trust` the plain rule.
 */
export async function collapseTrusted(
  blob: Buffer,
  ms: readonly Anchors[],
  o: CollapseOptions,
  trust: LocalEvidence | undefined,
  p: string,
  cat: CatFileBatch,
): Promise<ReturnType<typeof collapseSplitDuplicates>> {
  const r = collapseSplitDuplicates(blob, ms, o);
  if (!trust || r.collapsed.length === 0) return r;
  const self = o.self;
  const lines = blob.toString("latin1").split("\n");
  const differs = r.collapsed.some((c) => !self || !localize(c.dropped, self).equals(localize(Buffer.from(lines[c.keptLine - 1]!, "latin1"), self)));
  if (!differs) return r;
  const own = await trust.ownLines(p, cat);
  const extra = trust.staged?.(p);
  return collapseSplitDuplicates(blob, ms, {
    ...o,
    own: (l) => {
      const k = l.toString("latin1");
      return own === undefined ? !o.held || o.held(l) || !!extra?.has(k) : own.has(k) || !!extra?.has(k);
    },
  });
}
