import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync, type Stats } from "node:fs";
import { stampActivity } from "./activity.js";
import writeFileAtomic from "write-file-atomic";
import * as path from "node:path";
import { blobStream, CatFileBatch } from "../filter/catfile.js";
import { git, gitRaw, INDEX_LOCK_STALE_MS as GIT_INDEX_LOCK_STALE_MS } from "../git/exec.js";
import type { ViewState } from "../view/state.js";
import { readCarry, writeCarry, type Carry, type HeldFile, type SyncPaths } from "./files.js";
import {
  changedPaths,
  commitOnto,
  commitTree,
  isAncestor,
  lsTree,
  mergeCommits,
  moveHead,
  push,
  readBlob,
  revParse,
  stagedModifications,
  writeBlob,
  smudgedFiles,
  SyncPushError,
  type PushResult,
  type Repo,
} from "./gitops.js";
import { anchorsForPath } from "../filter/transform.js";
import { addFiles, addJoinedFolders } from "../git/config.js";
import { skippedMessage, type SkippedEntry } from "../git/oddfiles.js";
import { agentOf, projectsOfKeys, sessionKeys } from "../agents/index.js";
import { ALLOW_CONFIG_KEY, anyReleasable, isHeldBackRefusal, readHeldBack } from "../scan/index.js";
import { repeatsUuid, type CollapsedLine } from "../merge/collapse.js";
import { localize, type Anchors } from "../sentinel/index.js";
import { collapseInCommit, collapseTrusted, localEvidence, projectMachines, transcriptsRepeatingUuids, type LocalEvidence } from "./collapse.js";
import { operationInProgress, ViewBusyError } from "./errors.js";
import { HOT_MS, isPrefix, missingLines } from "./plan.js";
import { localizedChunks, STREAM_MIN_BYTES, type NextSource } from "./streamed.js";
import { applyUpdates, reorderInPlace, verifiedFolder, type FileStamp, type FileUpdate } from "./worktree.js";
import { shellQuote } from "../git/shell.js";

/** Options of {@link syncView}. */
export interface SyncViewOptions {
  /** Absolute work tree of the view (`~/.claude/projects`). */
  workTree: string;
  /** Sync state paths (`$GIT_DIR/ctx/...`). */
  paths: SyncPaths;
  /** The view state: its joined projects' folders are the only ones synced. */
  state: ViewState;
  /** Remote to exchange with (default `origin`). */
  remote?: string;
  /** Push attempts before giving up on a race (default 6). */
  maxAttempts?: number;
  /** Log sink (one line per step). */
  log?: (line: string) => void;
  /** Extra environment for git. */
  env?: Record<string, string | undefined>;
  /** TEST ONLY, see `ApplyOptions.unsafeCheckout` (env `GIT_CTX_UNSAFE_CHECKOUT=1`). */
  unsafeCheckout?: boolean;
  /** TEST ONLY, see `ApplyOptions.testPauseDir` (env `GIT_CTX_TEST_PAUSE_DIR`). */
  testPauseDir?: string;
  /** Told the step that starts (for progress of a long sync: a foreground sync shows slow steps). */
  progress?: (step: string) => void;
  /**
   * Another route to the remote than git's own fetch and push, given the remote
   * (src/helper/inprocess.ts: a `ctx::` remote's helper work in this process); undefined, or a
   * factory that returns undefined for the URL: `git fetch` / `git push`.
   */
  transport?: (remote: RemoteSpec) => SyncTransport | undefined;
}

/** The remote a sync exchanges with: its name, its URL (`remote.<name>.url`) and the branch. */
export interface RemoteSpec {
  name: string;
  url: string;
  branch: string;
}

/**
 * How a sync exchanges with its remote, when not through git's own `fetch` and `push`: with the
 * same effect on the repository (src/helper/inprocess.ts).
 */
export interface SyncTransport {
  /** As `git fetch <remote>`: `refs/remotes/<remote>/<branch>` names the remote's view. @throws on failure. */
  fetch(): Promise<void>;
  /** As `git push <remote> HEAD:refs/heads/<branch>` without force (a compare-and-swap): a rejection by a concurrent push is a race. */
  push(): Promise<PushResult>;
}

/** What one sync did (also summarised into `last-sync.json`). */
export interface SyncReport {
  /** Files in the local commit (0 when nothing changed). */
  committed: number;
  /** How the remote's changes came in. */
  incoming: "none" | "fast-forward" | "merge";
  /** Whether a push was made and accepted. */
  pushed: boolean;
  /** Push attempts (> 1 after races). */
  attempts: number;
  /** Work-tree files written (created, appended or replaced). */
  updated: number;
  /** Files left as they were in the work tree (see `src/sync/plan.ts`). */
  held: HeldFile[];
  /** Paths merged with conflict markers (memory topic files; never JSONL). */
  conflicts: string[];
  /**
   * Incoming entries never written to the work tree: symbolic links (mode 120000) and other
   * non-regular entries. Sync never creates or follows a link in the view (following one would
   * copy a local file into the view and the remote). Each has a message naming the file and the fix.
   */
  refused: RefusedFile[];
  /** Transcripts rewritten in place from their local line order to HEAD's (see `reorderInPlace`). */
  reordered: number;
  /**
   * Re-cleaned duplicate lines removed (issue 9, src/merge/collapse.ts): from the commit (HEAD)
   * and, when cold, from the work-tree files. Per repository path, the dropped lines' uuids.
   */
  collapsed: { path: string; uuids: string[] }[];
  /**
   * Files the remote helper's push gate holds back because they contain secrets (its
   * `held-back.json` after this sync): they did not leave this machine. A warning, not a failure:
   * the rest was pushed (issue 10, defect 2).
   */
  secrets: HeldSecret[];
  /** Files of the work tree this run wrote (created or appended to), view paths. */
  written?: string[];
  /**
   * Backups of work-tree files this run dropped lines from (the issue-9 repair), absolute paths
   * under `$GIT_DIR/ctx/backup/` ({@link backupPath}): each holds the whole file as it was.
   */
  backups?: string[];
  /** Problems that did not fail the sync, each naming the fix (e.g. Codex's state database was locked, a file that cannot be read). */
  warnings?: string[];
  /**
   * Entries of the joined folders this sync left out of the commit (issue 23, point 3): files git
   * cannot open, folders named like a session file. Each is also a warning; the rest synced.
   */
  skipped?: SkippedEntry[];
}

/** A file held back for secrets, as sync reports it (never the secret itself). */
export interface HeldSecret {
  /** Repository path `<folder>/<file>`. */
  path: string;
  /** Rule ids of its findings (e.g. `aws-access-key-id`). */
  rules: string[];
  /** Fingerprints of its findings (for `git config --add ctx.allow <fingerprint>`). */
  fingerprints: string[];
  /** What to do, one line. */
  fix: string;
}

/** The held-back list as sync reports it; `[]` when there is none or it cannot be read (doctor reports that). */
export function heldSecrets(gitDir: string, workTree: string): HeldSecret[] {
  // `git -C <view>`: sync runs from a hook whose directory is the project, not the view; `--`:
  // Claude Code's folders start with `-`, which yargs would read as options
  const inView = `git -C ${shellQuote(workTree)} ctx`;
  try {
    return readHeldBack(gitDir).map((h) => ({
      path: h.path,
      rules: [...new Set(h.findings.map((f) => f.rule))],
      fingerprints: [...new Set(h.findings.map((f) => f.fingerprint))],
      fix: `${inView} scan -- ${shellQuote(h.path)}   (shows the finding redacted); then ${inView} redact -- ${shellQuote(h.path)} to remove it, or git -C ${shellQuote(workTree)} config --add ${ALLOW_CONFIG_KEY} <fingerprint> if it is no secret; the next sync sends it`,
    }));
  } catch {
    return [];
  }
}

/** One incoming entry {@link syncView} refused to write (see `SyncReport.refused`). */
export interface RefusedFile {
  /** Repository path, `<folder>/<file>`. */
  path: string;
  /** What it is, e.g. `symbolic link to '/home/x/secret'`. */
  why: string;
  /** One line for the user: the file, why, and the fix. */
  message: string;
}

/** The user-facing line for an incoming entry sync refused to write. */
export function refusedMessage(p: string, why: string): string {
  return `${p}: ${why} from another machine was not written (git ctx never creates or follows symbolic links in the view; replace it with a regular file on the machine that made it, then run 'git ctx sync' there)`;
}

/**
 * The user-facing line for an incoming file whose way in the view crosses a symbolic link or a
 * non-folder (issue 22, src/sync/worktree.ts `verifiedFolder`): nothing was written, followed or
 * removed; the fix is to remove the local obstacle `at` (a view path).
 */
export function unsafePathMessage(p: string, why: string, at: string): string {
  return `${p}: not written: ${why} ('${at}' in the view; git ctx never writes through a symbolic link or a file in the way — remove or rename '${at}' in the view, then run 'git ctx sync' again)`;
}

/** One-line human summary of a {@link SyncReport}. */
export function summarize(r: SyncReport): string {
  const parts: string[] = [];
  parts.push(r.committed ? `committed ${r.committed} file${r.committed === 1 ? "" : "s"}` : "nothing to commit");
  if (r.incoming !== "none") parts.push(`pulled (${r.incoming}), ${r.updated} file${r.updated === 1 ? "" : "s"} updated`);
  if (r.pushed) parts.push(r.attempts > 1 ? `pushed after ${r.attempts} attempts` : "pushed");
  if (r.held.length) parts.push(`${r.held.length} held back`);
  if (r.conflicts.length) parts.push(`${r.conflicts.length} conflict${r.conflicts.length === 1 ? "" : "s"}`);
  if (r.refused.length) parts.push(`${r.refused.length} refused (${r.refused.map((f) => f.path).join(", ")}: not a regular file or not a safe path)`);
  const dups = r.collapsed.reduce((n, c) => n + c.uuids.length, 0);
  if (dups) parts.push(`${dups} duplicated line${dups === 1 ? "" : "s"} collapsed`);
  if (r.backups?.length) parts.push(`removed lines saved in ${r.backups.join(", ")}`);
  if (r.secrets.length) parts.push(`${r.secrets.length} held back for secrets`);
  return parts.join(", ");
}

/**
 * One `git ctx sync` (issue 4, scope 2 and 3; docs/architecture.md "Sync never loses a running
 * session's line"). The caller holds the sync lock.
 *
 * 1. Files held back by an earlier sync (`sync-carry.json`) that were edited locally are
 *    committed on top of the version they derive from and merged into HEAD.
 * 2. `git add --ignore-removal -- <joined folders>` (never stages a deletion; carried files
 *    excluded), commit with plumbing if the tree changed.
 * 3. `git fetch <remote>`; the target is `refs/remotes/<remote>/<branch>`. Fast-forward when
 *    HEAD is its ancestor, else `git merge-tree --write-tree` (our merge driver; conflicts are
 *    committed with markers so sync never blocks) and `git commit-tree` with both parents.
 * 4. The work tree is updated file by file by {@link applyUpdates} (append-only for JSONL,
 *    never `git checkout`), then `HEAD` moves (`update-ref`, compare-and-swap) and the index
 *    entries of the changed paths are set to the new blobs without stat data (`update-index
 *    --index-info`), so the next `git add` re-cleans exactly those files.
 * 5. `git push <remote> HEAD:refs/heads/<branch>` if HEAD is ahead; a rejected push (a race)
 *    repeats 3–5 after a jittered pause, at most `maxAttempts` times.
 *
 * @throws SyncPushError when the remote refuses the push for a reason other than a race, or
 *   the race persists after `maxAttempts`.
 * @throws GitCommandError when git fails (network, broken repository).
 */
export async function syncView(o: SyncViewOptions): Promise<SyncReport> {
  const log = o.log ?? (() => {});
  const step = o.progress ?? (() => {});
  // 0. A git operation in progress (a conflicted `git pull`): no commit, no push (issue 10, 6).
  const busy = operationInProgress(o.paths.gitDir, existsSync);
  if (busy) throw new ViewBusyError({ workTree: o.workTree, marker: path.join(o.paths.gitDir, busy.file), what: busy.what, fix: busy.fix });
  // An index.lock that no git process refreshed for a while was left by a killed git (a killed
  // sync or init): every git command that writes the index would fail on it (issue 10, 5).
  // Sync holds its own lock, so no other sync's git is running; a user's git holds it briefly.
  removeStaleIndexLock(o.paths.gitDir, log);
  // A lock taken meanwhile (a user's git, or one killed less than INDEX_LOCK_STALE_MS ago): each
  // index-writing git of this run waits for it (src/git/exec.ts) instead of failing with git's text.
  const indexLock = { log };
  const repo: Repo = { cwd: o.workTree, env: o.env };
  const remote = o.remote ?? "origin";
  const agent = agentOf(o.state);
  const shared = agent.layout === "shared";
  // The view's files to stage: a folder-layout view's joined folders; a shared-layout view's
  // (Codex) session files that are tracked or belong to a joined project (first line). `folders`
  // is then the top-level folders they are in (pathspecs for the steps below).
  const sharedFiles = shared ? await sharedCandidates(repo, o.workTree, o.state) : [];
  let folders = shared
    ? topFolders([...sharedFiles, ...(await topEntries(repo, "HEAD"))])
    : [...new Set(Object.values(o.state.projects).map((p) => p.key))].filter((k) => existsSync(path.join(o.workTree, k))).sort();
  const branch = (await git(["symbolic-ref", "--short", "-q", "HEAD"], { cwd: o.workTree, env: o.env, okCodes: [0, 1] })) || "main";
  const report: SyncReport = {
    committed: 0,
    incoming: "none",
    pushed: false,
    attempts: 0,
    updated: 0,
    held: [],
    conflicts: [],
    refused: [],
    reordered: 0,
    collapsed: [],
    secrets: [],
  };
  // Transcripts that may hold HEAD's lines in another order: path → our own append's stamp, and
  // the re-cleaned duplicates HEAD no longer has (issue 9) that the file may still hold.
  const reorder = new Map<string, ReorderCandidate>();
  // Anchors of every machine of each joined project (for the issue-9 repair), read once, lazily.
  let machinesP: Promise<Map<string, Anchors[]>> | undefined;
  // (the issue-9 repair concerns Claude Code transcripts of the old release: not shared-layout views)
  const warn = (w: string) => {
    if ((report.warnings ??= []).includes(w)) return;
    report.warnings.push(w);
    log(`warning: ${w}`);
  };
  const machines = () => (machinesP ??= shared ? Promise.resolve(new Map<string, Anchors[]>()) : projectMachines(repo, o.state, warn));
  // What this machine knows for itself (its anchors, the lines its own commits added): the
  // repair never drops this machine's own line for a twin that reads differently here (issue 22).
  const trust = localEvidence(o.state, o.paths.gitDir);
  const noteSpared = (spared: ReadonlyMap<string, CollapsedLine[]>) => {
    for (const [p, lines] of spared)
      warn(
        `${p}: kept ${lines.length} line${lines.length === 1 ? "" : "s"} (uuid ${[...new Set(lines.map((l) => l.uuid))].join(", ")}) this machine wrote that another line claims as its duplicate under another machine's paths; both stay (if the other line is not yours, someone pushed it: check the roster and the cluster's history)`,
      );
  };
  const noteCollapsed = (p: string, lines: CollapsedLine[], count = true) => {
    const c = reorder.get(p) ?? {};
    c.drop = [...(c.drop ?? []), ...lines.map((l) => l.dropped)];
    reorder.set(p, c);
    if (!count) return;
    const r = report.collapsed.find((x) => x.path === p);
    if (r) r.uuids.push(...lines.map((l) => l.uuid));
    else report.collapsed.push({ path: p, uuids: lines.map((l) => l.uuid) });
  };

  let head = await revParse(repo, "HEAD^{commit}");
  // The fetch only moves remote-tracking refs: run it while the local commit is being made.
  const remoteUrl = await gitRaw(["config", "--get", `remote.${remote}.url`], { cwd: o.workTree, env: o.env, okCodes: [0, 1] });
  const hasRemote = remoteUrl.code === 0;
  const transport = hasRemote ? o.transport?.({ name: remote, url: remoteUrl.stdout.toString("utf8").trim(), branch }) : undefined;
  const fetchRemote = transport ? () => transport.fetch() : () => git(["fetch", "--quiet", "--no-write-fetch-head", remote], { cwd: o.workTree, env: o.env }).then(() => undefined);
  let prefetch: Promise<unknown> | undefined = hasRemote
    ? fetchRemote().then(
        () => undefined,
        (e: unknown) => e,
      )
    : undefined;
  // Issue-9 repair, once per view: which transcripts can hold a split duplicate at all (a uuid
  // text on two lines). Read from the work tree while the fetch runs.
  const firstCheck = !shared && !existsSync(collapseMarker(o.paths));
  const repeating = firstCheck ? transcriptsRepeatingUuids(o.workTree, folders) : undefined;
  // The version each work-tree file derives from: HEAD, except for carried (held-back) files.
  const overrides = new Map<string, string>();

  // 1. Carried files: merge their local edits, or note that they are just stale.
  const carry = readCarry(o.paths);
  const excludes: string[] = [];
  if (head && Object.keys(carry.files).length) {
    const sides = new Map<string, Map<string, { oid: string; mode: string }>>();
    for (const [p, { base }] of Object.entries(carry.files)) {
      const file = path.join(o.workTree, p);
      // read only through real folders (issue 22): a linked folder would commit an outside file
      if (!folders.includes(p.split("/")[0]!) || !verifiedFolder(o.workTree, path.posix.dirname(p), { create: false }).ok || !isRegularFile(file)) continue;
      const work = await git(["hash-object", "-w", `--path=${p}`, "--", file], { cwd: o.workTree, env: o.env });
      if (work === (await revParse(repo, `${head}:${p}`))) continue; // caught up
      excludes.push(p);
      const baseBlob = await revParse(repo, `${base}:${p}`);
      if (work === baseBlob) {
        overrides.set(p, base); // unchanged since it was held: only stale
        continue;
      }
      if (!sides.has(base)) sides.set(base, new Map());
      sides.get(base)!.set(p, { oid: work, mode: "100644" });
    }
    for (const [base, files] of sides) {
      const side = await commitOnto(repo, base, files, `ctx sync: local edits of ${files.size} held-back file${files.size === 1 ? "" : "s"} from ${o.state.machine.id}`);
      const m = await mergeCommits(repo, head, side, `ctx sync: merge held-back local edits`);
      await moveHead(repo, m.commit, head, "ctx sync: merge held-back edits");
      report.conflicts.push(...m.conflicts);
      log(`merged local edits of held-back files ${[...files.keys()].join(", ")} (${side.slice(0, 10)})`);
      for (const p of files.keys()) overrides.set(p, side);
      // the index follows HEAD for these paths (they are excluded from the add below)
      const merged = await lsTree(repo, m.commit, [...new Set([...files.keys()].map((p) => p.split("/")[0]!))]);
      const info = [...files.keys()].map((p) => (merged.has(p) ? `${merged.get(p)!.mode} ${merged.get(p)!.oid}\t${p}` : `0 ${"0".repeat(40)}\t${p}`));
      await git(["update-index", "-z", "--index-info"], { cwd: o.workTree, env: o.env, input: info.join("\0") + "\0", indexLock });
      head = m.commit;
    }
  }

  // 2. Commit the joined folders (never a deletion).
  if (folders.length) {
    step("staging the joined folders (the clean filter reads every changed file)");
    const skip = new Set(excludes);
    const skipped = shared
      ? await addFiles(
          sharedFiles.filter((f) => !skip.has(f)),
          { cwd: o.workTree, env: o.env, indexLock },
        )
      : await addJoinedFolders(folders, { cwd: o.workTree, env: o.env, indexLock }, skip);
    // a file that cannot be read or a folder named like a session file: left out, named, the rest syncs (issue 23, 3)
    for (const e of skipped) warn(skippedMessage(e, path.join(o.workTree, e.path)));
    if (skipped.length) report.skipped = skipped;
    const staged = head ? await normalizeStagedTranscripts(repo, head, folders, log, Date.now(), machines, trust) : undefined;
    for (const p of staged?.reordered ?? []) if (!reorder.has(p)) reorder.set(p, {});
    for (const [p, lines] of staged?.collapsed ?? []) noteCollapsed(p, lines);
    if (staged?.spared) noteSpared(staged.spared);
    // Nothing staged against HEAD (the usual no-op sync): skip write-tree.
    const tree = staged && staged.changed === 0 ? undefined : await git(["write-tree"], { cwd: o.workTree, env: o.env, indexLock });
    const headTree = head && tree ? await revParse(repo, `${head}^{tree}`) : undefined;
    const emptyTree = head === undefined && tree ? (await git(["hash-object", "-t", "tree", "/dev/null"], { cwd: o.workTree, env: o.env })).trim() : undefined;
    if (tree && tree !== headTree && !(head === undefined && tree === emptyTree)) {
      const n = head
        ? (await git(["diff-tree", "-r", "--name-only", "-z", "--no-renames", head, tree], { cwd: o.workTree, env: o.env })).split("\0").filter(Boolean).length
        : (await git(["ls-tree", "-r", "--name-only", "-z", tree], { cwd: o.workTree, env: o.env })).split("\0").filter(Boolean).length;
      const c = await commitTree(repo, tree, head ? [head] : [], `ctx sync: ${n} file${n === 1 ? "" : "s"} from ${o.state.machine.id}`);
      await moveHead(repo, c, head, "ctx sync: commit");
      report.committed = n;
      log(`committed ${n} files as ${c.slice(0, 10)}`);
      head = c;
    }
  }

  if (!hasRemote) {
    log(`no remote '${remote}': local commit only`);
    report.held = [...overrides.keys()].map((p) => ({ path: p, reason: "modified" as const }));
    saveCarry(o.paths, overrides);
    if (head) await reorderTranscripts(o, repo, head, reorder, overrides, report, log);
    return report;
  }

  const maxAttempts = o.maxAttempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    report.attempts = attempt;
    // 3. Fetch and merge.
    step(`fetching from ${remote}`);
    if (prefetch) {
      const err = await prefetch;
      prefetch = undefined;
      if (err) throw err;
    } else await fetchRemote();
    const target = await revParse(repo, `refs/remotes/${remote}/${branch}^{commit}`);
    machinesP = undefined; // the fetch may have brought a roster with new machines
    // a shared-layout view: files may come in under a top-level folder this machine lacks (a new year)
    if (shared && target) folders = topFolders([...folders, ...(await topEntries(repo, target))]);
    let next = head;
    if (target && target !== head) {
      if (head && (await isAncestor(repo, target, head))) {
        /* we are ahead */
      } else if (!head || (await isAncestor(repo, head, target))) {
        next = target;
        report.incoming = "fast-forward";
      } else {
        const m = await mergeCommits(repo, head, target, `ctx sync: merge ${remote}/${branch} into ${o.state.machine.id}`);
        next = m.commit;
        report.incoming = "merge";
        report.conflicts.push(...m.conflicts);
      }
    }
    // 3b. Issue-9 repair: drop re-cleaned duplicates from the transcripts that came in (and, on
    // this view's first sync since the repair exists, from every transcript).
    if (next) {
      const changed = head && next !== head ? await changedPaths(repo, head, next, folders) : [];
      const paths = [...new Set([...changed, ...((await repeating) ?? [])])];
      if (paths.some((p) => p.endsWith(".jsonl"))) {
        const t0 = Date.now();
        const r = await collapseInCommit(repo, next, paths, machines, o.state.machine.id, head, new Set(changed), trust);
        log(`checked ${paths.length} file(s) for split duplicates in ${Date.now() - t0} ms`);
        noteSpared(r.spared);
        for (const [p, lines] of r.stale) noteCollapsed(p, lines, false);
        if (r.commit !== next) {
          for (const [p, lines] of r.dropped) noteCollapsed(p, lines);
          log(`dropped re-cleaned duplicate lines in ${[...r.dropped.keys()].join(", ")}`);
          next = r.commit;
        }
      }
      if (firstCheck) markCollapsed(o.paths);
    }
    // 4. Safe work-tree update, then HEAD and index.
    if (next && (next !== head || overrides.size)) {
      step("updating the work tree (the smudge filter writes every changed file)");
      const held = await updateWorkTree(o, repo, folders, head, next, overrides, report, reorder);
      // what the agent needs after its files changed (Codex: register the rollouts in its state database)
      if (agent.afterWrite && report.written?.length) {
        for (const w of await agent.afterWrite(o.workTree, report.written)) {
          (report.warnings ??= []).push(w);
          log(`warning: ${w}`);
        }
      }
      if (next !== head) await moveHead(repo, next, head, `ctx sync: ${report.incoming}`);
      log(`work tree at ${next.slice(0, 10)} (${report.incoming}): ${report.updated} files updated, ${held.length} held`);
      head = next;
    }
    // 5. Push when ahead, or when a file the push gate held back may go now (allowed or
    // redacted: the helper advertises an older view so that git hands it the push).
    if (!head || (head === target && !(await anyReleasable(o.paths.gitDir, (p) => revParse(repo, `HEAD:${p}`))))) break;
    step(`pushing to ${remote}`);
    const pr = transport ? await transport.push() : await push(repo, remote, branch);
    if (pr.ok) {
      report.pushed = head !== target;
      log(head !== target ? `pushed ${head.slice(0, 10)}` : "offered held-back files again");
      break;
    }
    if (!pr.race && isHeldBackRefusal(pr.why)) {
      // everything new was held back by the secret gate: a warning (report.secrets), not a failure
      log(`push: ${pr.why}`);
      break;
    }
    if (!pr.race || attempt >= maxAttempts) throw new SyncPushError({ remote, why: pr.race ? `still racing after ${attempt} attempts: ${pr.why}` : pr.why });
    log(`push rejected (${pr.why}); retrying`);
    await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 400 * attempt));
  }
  report.conflicts = [...new Set(report.conflicts)];
  const reasons = new Map(report.held.map((h) => [h.path, h.reason] as const));
  report.held = [...overrides.keys()].map((p) => ({ path: p, reason: reasons.get(p) ?? ("modified" as const) }));
  report.secrets = heldSecrets(o.paths.gitDir, o.workTree);
  saveCarry(o.paths, overrides);
  if (head) await reorderTranscripts(o, repo, head, reorder, overrides, report, log);
  return report;
}

/** The sorted distinct first components of `paths`. */
function topFolders(paths: readonly string[]): string[] {
  return [...new Set(paths.map((p) => p.split("/")[0]!))].sort();
}

/** The names of the top-level entries of `rev`'s tree (none when `rev` does not resolve). */
async function topEntries(repo: Repo, rev: string): Promise<string[]> {
  const r = await gitRaw(["ls-tree", "-z", "--name-only", rev], { cwd: repo.cwd, env: repo.env, okCodes: [0, 128] });
  return r.code === 0 ? r.stdout.toString("utf8").split("\0").filter(Boolean) : [];
}

/**
 * The files a shared-layout view (Codex) stages: every session file of the work tree that the
 * index already tracks, and every other one whose first line names a joined project (the longest
 * root winning; src/agents/keys.ts, cached per path). A rollout of an unjoined project, or one
 * without a readable first line, is never staged and never opened for writing (issue 11, scope 2).
 * @param o.write whether the per-path key cache may be updated (false for a dry run).
 */
export async function sharedCandidates(repo: Repo, workTree: string, state: ViewState, o: { write?: boolean } = {}): Promise<string[]> {
  const agent = agentOf(state);
  const tracked = new Set((await gitRaw(["ls-files", "-z"], { cwd: repo.cwd, env: repo.env })).stdout.toString("utf8").split("\0").filter(Boolean));
  const keys = sessionKeys(agent, workTree, { ...o, skip: tracked });
  const placed = projectsOfKeys(agent, keys, state);
  return [...keys.keys()].filter((f) => tracked.has(f) || placed.has(f));
}

/** An `index.lock` older than this (ms) is a killed git's (the git layer's constant, src/git/exec.ts). */
export const INDEX_LOCK_STALE_MS = GIT_INDEX_LOCK_STALE_MS;

function removeStaleIndexLock(gitDir: string, log: (l: string) => void): void {
  const lock = path.join(gitDir, "index.lock");
  try {
    const age = Date.now() - lstatSync(lock).mtimeMs;
    if (age < INDEX_LOCK_STALE_MS) return;
    rmSync(lock, { force: true });
    log(`removed ${lock}, left ${Math.round(age / 1000)} s ago by a git process that was killed`);
  } catch {
    /* none */
  }
}

/**
 * Last step: transcripts that hold exactly HEAD's lines in another order (left by appending
 * missing lines, on this run or an earlier one) are rewritten in place to HEAD's order when cold
 * ({@link reorderInPlace}: same inode and length, never past the old length, so a concurrent
 * appender's line is never lost). Otherwise every machine keeps its own order while HEAD holds
 * the merged one, and plain `git status` / `git pull` see a modified session forever. A hot or
 * changed file is left alone; the next sync's staging finds it again. Held files are skipped.
 */
async function reorderTranscripts(
  o: SyncViewOptions,
  repo: Repo,
  head: string,
  candidates: ReadonlyMap<string, ReorderCandidate>,
  overrides: ReadonlyMap<string, string>,
  report: SyncReport,
  log: (l: string) => void,
): Promise<void> {
  const paths = [...candidates.keys()].filter((p) => !overrides.has(p)).sort();
  if (paths.length === 0) return;
  const target = await smudged(o.state, repo, head, paths);
  const stamp = new Date().toISOString().replace(/:/g, "-");
  for (const p of paths) {
    const t = target.get(p);
    if (!t) continue;
    const c = candidates.get(p)!;
    const a = c.drop?.length ? anchorsForPath(o.state, p) : undefined;
    const droppable = a ? c.drop!.map((l) => localize(l, a)) : undefined;
    let saved: string | undefined;
    const backup = (before: Buffer) => {
      saved = backupPath(o.paths, p, stamp);
      mkdirSync(path.dirname(saved), { recursive: true });
      writeFileAtomic.sync(saved, before, { mode: 0o600 });
    };
    const r = await reorderInPlace(path.join(o.workTree, p), t, { workTree: o.workTree, since: c.since, testPauseDir: o.testPauseDir, droppable, backup, keepMtime: true });
    if (saved && r === "rewritten") {
      (report.backups ??= []).push(saved);
      log(`saved ${p} as it was before dropping duplicate lines: ${saved}`);
    } else if (saved) rmSync(saved, { force: true });
    if (r === "unsaved") log(`reorder ${p}: left as it is, its backup could not be written`);
    if (r === "rewritten") report.reordered++;
    if (r !== "same" && r !== "not-a-permutation") log(`reorder ${p} to HEAD's line order: ${r}`);
  }
}

/**
 * The work-tree form of `commit:path` for each path, as the smudge filter would write it (issue
 * 15: the filter's work in this process, without a `checkout-index` run and a filter process per
 * call). A folder-layout view's file is `localize`d with the anchors of its folder's project
 * (`anchorsForPath`, the filter's own lookup), a file of no joined folder passes through — what
 * src/filter/transform.ts does for smudge. Blobs are read through one `git cat-file
 * --batch-command`. A symbolic link is never read through (listed in `refused`), a submodule
 * entry or an absent path is absent from the map. Shared-layout views (Codex: a file's project
 * needs the filter's placement) use {@link smudgedFiles}.
 */
async function smudged(state: ViewState, repo: Repo, commit: string, paths: readonly string[], refused?: { path: string; why: string }[]): Promise<Map<string, Buffer>> {
  return (await smudgedOrStreamed(state, repo, commit, paths, refused, false)) as Map<string, Buffer>;
}

/**
 * {@link smudged}, except that with `stream` a transcript (`*.jsonl`) blob of at least
 * {@link STREAM_MIN_BYTES} in a folder-layout view is not read: it is a {@link NextSource} that
 * streams the blob (`git cat-file blob`) through the same `localize` (issue 22, point 8: a
 * 100 MB transcript's sync held its smudged copy whole).
 */
async function smudgedOrStreamed(
  state: ViewState,
  repo: Repo,
  commit: string,
  paths: readonly string[],
  refused: { path: string; why: string }[] | undefined,
  stream: boolean,
): Promise<Map<string, Buffer | NextSource>> {
  if (agentOf(state).layout === "shared") return smudgedFiles(repo, commit, paths, refused);
  const out = new Map<string, Buffer | NextSource>();
  if (paths.length === 0) return out;
  const entries = await lsTree(repo, commit, topFolders(paths));
  const cat = new CatFileBatch(repo.cwd, repo.env);
  try {
    for (const p of paths) {
      const e = entries.get(p);
      if (!e) continue;
      const a = anchorsForPath(state, p);
      if (stream && p.endsWith(".jsonl") && (e.mode === "100644" || e.mode === "100755")) {
        const info = await cat.info(e.oid);
        if (info?.type === "blob" && info.size >= STREAM_MIN_BYTES) {
          out.set(p, {
            chunks: () => localizedChunks(blobStream(repo.cwd, e.oid, repo.env), a),
            whole: async () => {
              const bytes = await readBlob(repo, e.oid);
              return a ? localize(bytes, a) : bytes;
            },
          });
          continue;
        }
      }
      const bytes = await cat.readBlob(e.oid);
      if (!bytes) continue;
      if (e.mode === "120000") refused?.push({ path: p, why: `symbolic link to '${bytes.toString("utf8")}'` });
      else out.set(p, a ? localize(bytes, a) : bytes);
    }
  } finally {
    await cat.close();
  }
  return out;
}

/**
 * Updates the work tree from the versions the files derive from (`head`, or `overrides`) to
 * `next`, in the joined folders only; sets the index entries of those paths to `next`'s blobs.
 * Updates `overrides` in place: held files keep (or get) the version they derive from.
 */
async function updateWorkTree(
  o: SyncViewOptions,
  repo: Repo,
  folders: readonly string[],
  head: string | undefined,
  next: string,
  overrides: Map<string, string>,
  report: SyncReport,
  reorder: Map<string, ReorderCandidate>,
): Promise<HeldFile[]> {
  const changed = new Set(head ? await changedPaths(repo, head, next, folders) : (await lsTree(repo, next, folders)).keys());
  for (const p of overrides.keys()) changed.add(p);
  const nextTree = await lsTree(repo, next, folders);
  for (const p of overrides.keys()) if (!nextTree.has(p)) overrides.delete(p);
  const refused: { path: string; why: string }[] = [];
  const paths: string[] = [];
  for (const p of [...changed].sort()) {
    const e = nextTree.get(p);
    if (!e) continue; // deletions never propagate
    if (e.mode === "120000") refused.push({ path: p, why: "symbolic link" });
    else if (e.mode === "160000") refused.push({ path: p, why: "submodule entry" });
    else paths.push(p);
  }
  const byBase = new Map<string, string[]>();
  for (const p of paths) {
    const base = overrides.get(p) ?? head;
    if (!base) continue;
    if (!byBase.has(base)) byBase.set(base, []);
    byBase.get(base)!.push(p);
  }
  const nextBytes = await smudgedOrStreamed(o.state, repo, next, paths, refused, true);
  for (const f of refused) {
    overrides.delete(f.path);
    const message = refusedMessage(f.path, f.why);
    if (!report.refused.some((x) => x.path === f.path)) report.refused.push({ ...f, message });
    o.log?.(message);
  }
  // a transcript is never replaced, so its old version is not needed (planFileUpdate reads
  // `expected` only for other files): not reading it keeps a large transcript's sync from holding
  // two more copies of it (issue 22, point 8)
  const expected = new Map<string, Buffer>();
  for (const [base, ps] of byBase) {
    const wanted = ps.filter((p) => !p.endsWith(".jsonl"));
    for (const [p, b] of await smudged(o.state, repo, base, wanted)) expected.set(p, b);
  }
  const updates: FileUpdate[] = paths.filter((p) => nextBytes.has(p)).map((p) => ({ path: p, expected: expected.get(p), next: nextBytes.get(p)! }));
  const applied = await applyUpdates(updates, { workTree: o.workTree, unsafeCheckout: o.unsafeCheckout, testPauseDir: o.testPauseDir });
  const held: HeldFile[] = [];
  let emptyBase: string | undefined;
  for (const a of applied) {
    if (a.plan.action === "refuse") {
      // a folder on the way is a link or not a folder (issue 22): not written, not carried
      overrides.delete(a.path);
      const why = `${a.plan.why} (${a.plan.at})`;
      const message = unsafePathMessage(a.path, a.plan.why, a.plan.at);
      if (!report.refused.some((x) => x.path === a.path)) report.refused.push({ path: a.path, why, message });
      o.log?.(message);
    } else if (a.plan.action === "hold") {
      held.push({ path: a.path, reason: a.plan.reason });
      if (!overrides.has(a.path)) {
        // A first sync (no HEAD) found a local file of the same name: it derives from nothing,
        // so the next sync merges it against an empty base (both versions are kept).
        emptyBase ??= head ?? (await commitTree(repo, await git(["hash-object", "-t", "tree", "-w", "/dev/null"], { cwd: o.workTree, env: o.env }), [], "ctx sync: empty base"));
        overrides.set(a.path, emptyBase);
      }
    } else {
      overrides.delete(a.path);
      if (a.plan.action !== "none") {
        report.updated++;
        (report.written ??= []).push(a.path);
      }
      const drop = reorder.get(a.path)?.drop;
      if (a.reorder) reorder.set(a.path, { ...a.reorder, drop });
      else if (drop) reorder.set(a.path, { drop });
      else if (a.plan.action !== "none") reorder.delete(a.path);
    }
  }
  report.held = held;
  // the files written for nobody else: their mtime is their last record's time (issue 24, point 4)
  const written = new Map<string, (st: Stats) => boolean>();
  for (const a of applied) {
    const w = a.written;
    if (w) written.set(a.path, (st) => st.ino === w.ino && st.size === w.size && st.mtimeMs === w.mtimeMs);
  }
  for (const [p, after] of stampActivity(o.workTree, agentOf(o.state), written)) {
    const c = reorder.get(p);
    if (c?.since) reorder.set(p, { ...c, since: after });
  }
  // Index: the changed paths now point at next's blobs, with no stat data (re-cleaned by the next add).
  const info = [...changed].map((p) => {
    const e = nextTree.get(p);
    return e ? `${e.mode} ${e.oid}\t${p}` : `0 ${"0".repeat(40)}\t${p}`;
  });
  if (info.length) await git(["update-index", "-z", "--index-info"], { cwd: o.workTree, env: o.env, input: info.join("\0") + "\0", indexLock: { log: o.log } });
  return held;
}

/**
 * Fixes up staged transcripts (`*.jsonl`) before the commit:
 * - a transcript written in the last {@link HOT_MS} whose staged bytes end inside a line (git
 *   read it while a writer was mid-line) is staged without that partial line; the next sync
 *   commits the line once it is complete;
 * - a transcript that holds every line of HEAD's version but not as a prefix is staged as an
 *   append to HEAD's version: HEAD's bytes, then the other lines in their order. A sync that
 *   appends missing lines (it never reorders or rewrites a transcript: a running writer could
 *   lose a line) leaves the file with HEAD's lines in another order, and committing that order
 *   would make the machines trade reorderings forever. A staged blob that lost some of HEAD's
 *   lines is left as it is (the merge driver reports such non-append changes);
 * - with `machines` (the anchors of each project's machines), re-cleaned duplicates (issue 9,
 *   src/merge/collapse.ts) are left out, so a work-tree file that still holds one does not
 *   bring it back into HEAD; they are returned in `collapsed` for the in-place rewrite.
 * Works in canonical space (blobs), no filter involved.
 * @returns `changed`: staged additions and modifications under the folders (0 = nothing to
 *   commit: sync never stages a deletion); `rewritten`: index entries rewritten; `reordered`:
 *   paths whose work-tree file holds HEAD's lines in another order (candidates for the in-place
 *   reorder at the end of the sync).
 */
export async function normalizeStagedTranscripts(
  repo: Repo,
  head: string,
  folders: readonly string[],
  log: (l: string) => void,
  now = Date.now(),
  machines?: () => Promise<ReadonlyMap<string, Anchors[]>>,
  trust?: LocalEvidence,
): Promise<{ changed: number; rewritten: number; reordered: string[]; collapsed: Map<string, CollapsedLine[]>; spared: Map<string, CollapsedLine[]> }> {
  let n = 0;
  const reordered: string[] = [];
  const collapsed = new Map<string, CollapsedLine[]>();
  const spared = new Map<string, CollapsedLine[]>();
  const mods = await stagedModifications(repo, head, folders);
  // One `git cat-file --batch-command` child for all blobs (was one `git cat-file blob` per blob:
  // ~5 ms of git start-up each, 40 for 20 changed transcripts).
  let cat: CatFileBatch | undefined;
  const read = async (oid: string): Promise<Buffer> => {
    const b = await (cat ??= new CatFileBatch(repo.cwd, repo.env)).readBlob(oid);
    return b ?? readBlob(repo, oid); // not a blob / missing: let `git cat-file blob` report it
  };
  try {
    for (const m of mods) {
      if (!m.path.endsWith(".jsonl")) continue;
      const added = /^0+$/.test(m.from);
      const before = added ? Buffer.alloc(0) : await read(m.from);
      const staged = await read(m.to);
      let next = staged;
      if (staged.length && staged[staged.length - 1] !== 0x0a && isHot(path.join(repo.cwd, m.path), now)) {
        next = staged.subarray(0, staged.lastIndexOf(0x0a) + 1);
        log(`staged ${m.path} without its unfinished last line`);
      }
      if (!added) {
        const norm = appendNormalized(before, next);
        if (norm) {
          next = norm;
          reordered.push(m.path);
        }
      }
      // the rosters are read only for a transcript that repeats a uuid at all (rare)
      const ms = machines && repeatsUuid(next) ? (await machines()).get(m.path.split("/")[0]!) : undefined;
      if (ms?.length) {
        // HEAD's lines are decided first; the lines staged now (this machine's agent's) and the
        // ones its earlier commits added are its own (issue 22, case 4)
        const inHead = new Set(before.toString("latin1").split("\n"));
        const fresh = new Set(
          next
            .toString("latin1")
            .split("\n")
            .filter((l) => l && !inHead.has(l)),
        );
        const t: LocalEvidence | undefined = trust && { ...trust, staged: () => fresh };
        const c = await collapseTrusted(
          next,
          ms,
          { self: trust?.self(m.path), held: (l) => inHead.has(l.toString("latin1")) },
          t,
          m.path,
          (cat ??= new CatFileBatch(repo.cwd, repo.env)),
        );
        if (c.spared.length) spared.set(m.path, c.spared);
        if (c.collapsed.length) {
          next = c.bytes;
          collapsed.set(m.path, c.collapsed);
          log(`staged ${m.path} without ${c.collapsed.length} re-cleaned duplicate line(s)`);
        }
      }
      if (next === staged || next.equals(staged)) continue;
      const oid = await writeBlob(repo, next);
      await git(["update-index", "--cacheinfo", `${m.mode},${oid},${m.path}`], { cwd: repo.cwd, env: repo.env, indexLock: { log } });
      n++;
    }
  } finally {
    await cat?.close();
  }
  return { changed: mods.length, rewritten: n, reordered, collapsed, spared };
}

function isHot(file: string, now: number): boolean {
  try {
    return now - lstatSync(file).mtimeMs < HOT_MS;
  } catch {
    return false;
  }
}

/**
 * Pure part of {@link normalizeStagedTranscripts}: `before + (staged lines missing from before)`
 * when `staged` holds every line of `before` but does not extend it; `undefined` when `staged`
 * already extends `before` or lacks some of its lines.
 */
export function appendNormalized(before: Buffer, staged: Buffer): Buffer | undefined {
  if (isPrefix(before, staged)) return undefined;
  if (missingLines(staged, before).length > 0) return undefined;
  const sep = before.length > 0 && before[before.length - 1] !== 0x0a ? Buffer.from("\n") : Buffer.alloc(0);
  return Buffer.concat([before, sep, missingLines(before, staged)]);
}

function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/** A transcript {@link reorderTranscripts} may rewrite: our own append's stamp; re-cleaned duplicates (canonical lines) it may drop. */
interface ReorderCandidate {
  since?: FileStamp;
  drop?: Buffer[];
}

/**
 * Where a work-tree file is saved before sync drops lines from it (issue 22):
 * `$GIT_DIR/ctx/backup/<ISO time, ':' as '-'>/<repository path>`, the whole file as it was.
 * Restore with `cp <backup> <work tree>/<repository path>` (then `git ctx sync`).
 */
export function backupPath(p: SyncPaths, repoPath: string, stamp: string): string {
  return path.join(p.ctxDir, "backup", stamp, ...repoPath.split("/"));
}

/** `$GIT_DIR/ctx/collapse-v1`: every transcript of this view was checked for issue-9 duplicates once. */
function collapseMarker(p: SyncPaths): string {
  return path.join(p.ctxDir, "collapse-v1");
}

function markCollapsed(p: SyncPaths): void {
  try {
    writeFileSync(collapseMarker(p), `${new Date().toISOString()}\n`);
  } catch {
    /* checked again next time */
  }
}

function saveCarry(p: SyncPaths, overrides: ReadonlyMap<string, string>): void {
  const c: Carry = { version: 1, files: {} };
  for (const [k, base] of overrides) c.files[k] = { base };
  writeCarry(p, c);
}
