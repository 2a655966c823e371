import { agentById, agentOf, type Agent } from "../agents/index.js";
import { Placement } from "./shared.js";
import { InvalidRosterError, newRoster, participantFor, serializeRoster, upsertParticipant, type Machine, type Participant, type Roster } from "../roster/index.js";
import type { JoinedProject, ViewState } from "../view/state.js";
import { crashPoint, pausePoint } from "./crash.js";
import {
  CLUSTER_MAIN,
  CLUSTER_README,
  CONTEXT_DIR,
  FORMAT_FILE,
  FORMAT_OID,
  FORMAT_TEXT,
  CTX_IDENTITY,
  ROSTER_FILE,
  VIEW_LAST_REF,
  clusterTrackingRef,
  projectBranch,
  projectBranchShort,
} from "./layout.js";
import { EMPTY_TREE, type Plumbing, type Signature, type TreeChange } from "./plumbing.js";
import { fetchProjects, lsRemote, pushAtomic, type ClusterHeads } from "./remote.js";
import { heldSummary, readHeldEntries, scanCandidate, type HeldEntry } from "./gate.js";
import { loadAllowlist, scanBytes, scanPath, writeHeldBack } from "../scan/index.js";
import { readTipRoster, tipContext } from "./view.js";
import { NewerClusterFormatError, RefusedBranchError } from "./errors.js";
import { assertNotRefusedWhole, outboundProblems } from "./inbound.js";
import type { OutboundRefusal } from "../gate/index.js";

/** Everything {@link pushView} needs besides the commit: injected so tests can vary it. */
export interface PushContext {
  p: Plumbing;
  /** The cluster URL (no `ctx::`). */
  url: string;
  state: ViewState;
  machine: Machine;
  /** Clock for `last_converged` (default: `new Date()`). */
  now?: () => Date;
  /** Compute and report, push nothing, move no ref (`git push -n`). */
  dryRun?: boolean;
  progress?: boolean;
  /** Attempts before answering `fetch first` (default 5). */
  maxAttempts?: number;
  /** Diagnostics (stderr, gated by verbosity in the helper). */
  log?: (level: number, msg: string) => void;
  /** Waits between attempts (default: 50–300 ms × attempt, random jitter). */
  sleep?: (attempt: number) => Promise<void>;
  /** Called when an attempt was rejected because the cluster moved (tests, diagnostics). */
  onRetry?: (attempt: number) => void;
  /**
   * The cluster's branches as this process listed them moments ago (the sync's own fetch): the
   * first attempt builds on them instead of listing again, one `ls-remote` (a network round trip
   * on a real host) fewer per sync. Safe because the push is a compare-and-swap: a branch that
   * moved since makes the push non-fast-forward, rejected like any race, and the next attempt
   * lists afresh.
   */
  heads?: ClusterHeads;
}

/** What happened to one project in a push. */
export interface ProjectPushReport {
  id: string;
  /**
   * `pushed`: a new commit went to `project/<id>`; `unchanged`: the cluster already had it all;
   * `skipped`: the cluster branch is invalid (`why`), nothing was pushed for it.
   */
  action: "pushed" | "unchanged" | "would push" | "skipped";
  /** Why the project was skipped. */
  why?: string;
  /** The new cluster commit (when pushed or would push). */
  commit?: string;
  /** Number of added/modified files taken from the pushed commit. */
  files: number;
  /** git merge-tree reported conflicts (the merged tree keeps both sides). */
  conflict?: boolean;
  /** Whether the commit merged concurrent cluster changes. */
  merged?: boolean;
}

/** Outcome of a push, as a value (STYLE.md: per-ref results are values). */
export type PushResult =
  | { ok: true; projects: ProjectPushReport[]; attempts: number; held: HeldEntry[]; notSent?: OutboundRefusal[] }
  | { ok: false; why: string; projects: ProjectPushReport[]; attempts: number; held: HeldEntry[]; notSent?: OutboundRefusal[] };

/** One project's share of the pushed commit. */
interface ProjectWork {
  id: string;
  proj: JoinedProject;
  /** Folder tree in the base view (last), or EMPTY_TREE. */
  base: string;
  /** base + the pushed additions/modifications; undefined = roster-only update. */
  ours?: string;
  files: number;
  /** Shared layout: the view paths sent (a skipped project's are restored to last's versions). */
  paths?: string[];
}

/** The fields of a participant entry that identify where the project lives on that machine. */
function sameParticipant(a: Participant | undefined, b: Participant): boolean {
  return !!a && a.os === b.os && a.home === b.home && a.project_root === b.project_root && a.encoded_dir === b.encoded_dir;
}

/** What the push gate needs: the allowlist, the files held back before, and the time. */
interface Gate {
  allow: ReadonlySet<string>;
  prior: readonly HeldEntry[];
  now: Date;
}

/**
 * Splits the changes of the joined folders between `refs/ctx/view/last` and `commit` into the
 * per-project content to push: additions and modifications only (`diff-tree --no-renames`,
 * status A/M/T). Deletions never propagate: Claude Code deletes old transcripts locally after
 * `cleanupPeriodDays` (FORMATS.md), which must not erase them on every machine.
 * Folders of projects this machine has not joined are ignored.
 * Every file to send passes the push gate ({@link scanCandidate}); files held back before are
 * offered again (a user may have allowed or redacted them). Files with findings are left out
 * and returned in `held`.
 */
async function splitCommit(
  p: Plumbing,
  state: ViewState,
  last: string | undefined,
  commit: string,
  gate: Gate,
  log: (level: number, msg: string) => void,
): Promise<{ work: ProjectWork[]; held: HeldEntry[]; notSent: OutboundRefusal[] }> {
  const agent = agentOf(state);
  if (agent.layout === "shared") return splitShared(p, state, agent, last, commit, gate, log);
  const work: ProjectWork[] = [];
  const held: HeldEntry[] = [];
  const notSent: OutboundRefusal[] = [];
  for (const id of Object.keys(state.projects).sort()) {
    const proj = state.projects[id]!;
    const base = (last && (await p.resolve(`${last}:${proj.key}`))) || EMPTY_TREE;
    const mine = (await p.resolve(`${commit}:${proj.key}`)) || EMPTY_TREE;
    const changes = base === mine ? [] : (await p.diffTrees(base, mine)).filter((c: TreeChange) => c.status !== "D");
    // Files held back before are offered again (their findings may be allowed now, or the file
    // redacted). `last` holds them as this machine has them (the view pins them), but the cluster
    // does not: their base is the cluster's version (or none), so the merge sees a change.
    const baseFix: { mode: string; oid: string; path: string }[] = [];
    for (const h of gate.prior) {
      if (!h.path.startsWith(proj.key + "/")) continue;
      const rel = h.path.slice(proj.key.length + 1);
      const inCluster = await p.entry(clusterTrackingRef(id), `${CONTEXT_DIR}/${rel}`);
      const changed = changes.find((c) => c.path === rel);
      if (changed)
        changed.srcOid = inCluster?.oid ?? ""; // edited (e.g. redacted) since it was held
      else {
        const e = await p.entry(commit, h.path);
        if (!e || e.type !== "blob" || inCluster?.oid === e.oid) continue;
        changes.push({ status: "M", mode: e.mode, oid: e.oid, srcOid: inCluster?.oid ?? "", path: rel });
      }
      baseFix.push({ mode: inCluster?.mode ?? "000000", oid: inCluster?.oid ?? "0".repeat(40), path: rel });
    }
    const kept: TreeChange[] = [];
    // the outbound side of the inbound gate: what another machine would refuse is not sent
    const refused = await outboundProblems(p, agent, changes, (c) => c.path);
    for (const c of changes) {
      const baseOid = /^0+$/.test(c.srcOid) || !c.srcOid ? undefined : c.srcOid;
      if (baseOid === c.oid) continue;
      const viewPath = `${proj.key}/${c.path}`;
      const no = refused.get(c);
      if (no) {
        notSent.push({ id, path: viewPath, why: no });
        log(0, `git-ctx: warning: ${viewPath} was not sent: ${no} (other machines would refuse it)`);
        continue;
      }
      // the path too: a tool-results file may be named after a token (issue 10, defect 7)
      const findings = [...scanPath(viewPath, { allow: gate.allow }), ...(await scanCandidate(p, { ...c, baseOid }, viewPath, gate.allow))];
      if (findings.length) {
        const since = gate.prior.find((h) => h.path === viewPath)?.since ?? gate.now.toISOString();
        held.push({ path: viewPath, findings: findings as HeldEntry["findings"], since, oid: c.oid, mode: c.mode });
      } else kept.push(c);
    }
    if (kept.length === 0) continue;
    const fixed = baseFix.filter((f) => kept.some((k) => k.path === f.path));
    const b = fixed.length ? await p.overlay(base, fixed) : base;
    const ours = await p.overlay(b, kept);
    if (ours === b) continue;
    work.push({ id, proj, base: b, ours, files: kept.length });
  }
  return { work, held, notSent };
}

/**
 * {@link splitCommit} for a `shared`-layout view (Codex): every added or modified file of the
 * view (`diff-tree` last → commit, no deletions) goes to the project its {@link Placement} names;
 * a file no joined project holds is not sent (and said so at verbosity 1). Per project, `base`
 * holds last's version of exactly those files and `ours` the pushed ones: the three-way merge
 * with the tip's `codex/` then keeps every other file of the tip as it is. The push gate and the
 * re-offer of held files work as for folder views, on view paths.
 */
async function splitShared(
  p: Plumbing,
  state: ViewState,
  agent: Agent,
  last: string | undefined,
  commit: string,
  gate: Gate,
  log: (level: number, msg: string) => void,
): Promise<{ work: ProjectWork[]; held: HeldEntry[]; notSent: OutboundRefusal[] }> {
  const placement = new Placement(p, state, agent, Placement.workTreeOf(p.gitDir));
  const changes = (await p.diffTrees(last ?? EMPTY_TREE, commit)).filter((c: TreeChange) => c.status !== "D");
  const notSent: OutboundRefusal[] = [];
  for (const h of gate.prior) {
    const e = await p.entry(commit, h.path);
    if (!e || e.type !== "blob" || changes.some((c) => c.path === h.path)) continue;
    changes.push({ status: "M", mode: e.mode, oid: e.oid, srcOid: "", path: h.path });
  }
  const byProject = new Map<string, { kept: TreeChange[]; base: { mode: string; oid: string; path: string }[] }>();
  const held: HeldEntry[] = [];
  const refused = await outboundProblems(p, agent, changes, (c) => c.path);
  for (const c of changes) {
    const id = await placement.projectOf(c.path);
    if (!id) {
      log(1, `git-ctx: ${c.path} belongs to no joined project: not sent`);
      continue;
    }
    const no = refused.get(c);
    if (no) {
      notSent.push({ id, path: c.path, why: no });
      log(0, `git-ctx: warning: ${c.path} was not sent: ${no} (other machines would refuse it)`);
      continue;
    }
    const inCluster = await p.entry(clusterTrackingRef(id), `${agent.clusterDir}/${c.path}`);
    if (inCluster?.oid === c.oid) continue;
    const findings = [...scanPath(c.path, { allow: gate.allow }), ...(await scanCandidate(p, { ...c, baseOid: inCluster?.oid }, c.path, gate.allow))];
    if (findings.length) {
      const since = gate.prior.find((h) => h.path === c.path)?.since ?? gate.now.toISOString();
      held.push({ path: c.path, findings: findings as HeldEntry["findings"], since, oid: c.oid, mode: c.mode });
      continue;
    }
    const w = byProject.get(id) ?? { kept: [], base: [] };
    byProject.set(id, w);
    w.kept.push(c);
    // the merge base: the cluster's version as last fetched (a held file's last entry is this machine's own)
    if (inCluster) w.base.push({ mode: inCluster.mode, oid: inCluster.oid, path: c.path });
  }
  const work: ProjectWork[] = [];
  for (const [id, w] of [...byProject].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const base = await p.overlay(EMPTY_TREE, w.base);
    const ours = await p.overlay(base, w.kept);
    if (ours !== base) work.push({ id, proj: state.projects[id]!, base, ours, files: w.kept.length, paths: w.kept.map((c) => c.path) });
  }
  return { work, held, notSent };
}

/**
 * Pushes the view commit `commit` to the cluster (docs/architecture.md): for each joined
 * project whose folder gained or changed files since `refs/ctx/view/last`, builds one commit
 * on `project/<id>` whose `context/` is the cluster tip's context merged (in canonical space,
 * `git merge-tree --write-tree` with the ctx merge driver) with the pushed changes and whose
 * `roster.json` lists this machine; author, committer and message are the pushed commit's.
 * All branches go in one `git push --atomic` without force; when a branch moved meanwhile, it
 * fetches and redoes the merge, up to `maxAttempts` times, then answers `fetch first`.
 * A push whose content the cluster already has creates no commit (a crashed push redone is a
 * no-op). On success the cluster tracking refs move and `refs/ctx/view/last` becomes `commit`.
 * `extraRosterIds`: projects whose roster must list this machine even with no file change
 * (`git ctx join`/`init`). With `commit` undefined only those roster updates are pushed.
 * @throws InvalidRosterError when a cluster roster is invalid; GitCommandError for a broken repository.
 */
export async function pushView(ctx: PushContext, commit: string | undefined, extraRosterIds: readonly string[] = []): Promise<PushResult> {
  const { p, state } = ctx;
  const log = ctx.log ?? (() => {});
  const now = ctx.now ?? (() => new Date());
  await pausePoint("push:start"); // tests: another machine pushes after this one listed the cluster
  const last = await p.resolve(VIEW_LAST_REF);
  const prior = readHeldEntries(p.gitDir);
  const gate: Gate = { allow: commit ? (await loadAllowlist(p.gitDir)).fingerprints : new Set(), prior, now: now() };
  const { work, held, notSent } = commit
    ? await p.withBlobReader(() => splitCommit(p, state, last, commit, gate, log))
    : { work: [] as ProjectWork[], held: prior as HeldEntry[], notSent: [] as OutboundRefusal[] };
  const saveHeld = () => {
    if (commit && !ctx.dryRun && (held.length || prior.length)) writeHeldBack(p.gitDir, held);
  };
  if (commit && held.length) log(0, `git-ctx: warning: ${heldSummary(held)}`);
  if (commit && held.length && work.length === 0 && extraRosterIds.length === 0) {
    saveHeld();
    return { ok: false, why: heldSummary(held), projects: [], attempts: 0, held, notSent };
  }
  for (const id of extraRosterIds) {
    const proj = state.projects[id];
    if (proj && !work.some((w) => w.id === id)) work.push({ id, proj, base: EMPTY_TREE, files: 0 });
  }
  if (work.length === 0) {
    // Nothing for the cluster (only deletions, unjoined folders, or held-back files): no network.
    if (commit && !ctx.dryRun) {
      await p.updateRefs([{ ref: VIEW_LAST_REF, new: commit }], "git-ctx: push (nothing to send)");
      saveHeld();
    }
    return { ok: true, projects: [], attempts: 0, held, notSent };
  }
  const max = ctx.maxAttempts ?? 5;
  const sleep = ctx.sleep ?? ((n: number) => new Promise<void>((r) => setTimeout(r, (50 + Math.random() * 250) * n)));
  const info = commit ? await p.commitInfo(commit) : undefined;
  let reports: ProjectPushReport[] = [];
  for (let attempt = 1; attempt <= max; attempt++) {
    const heads = attempt === 1 && ctx.heads ? ctx.heads : await lsRemote(p, ctx.url);
    const unfetchable: { id: string; why: string }[] = [];
    const tips = await fetchProjects(
      p,
      ctx.url,
      work.map((w) => w.id),
      heads,
      { progress: ctx.progress, unfetchable },
    );
    crashPoint("push:after-fetch");
    reports = [];
    const updates: { commit: string; ref: string }[] = [];
    const trackUpdates: { ref: string; new: string }[] = [];
    const skipped: ProjectWork[] = [];
    for (const w of work) {
      let r: Awaited<ReturnType<typeof projectCommit>>;
      try {
        // a branch the cluster could not send (a hostile tree its pack-objects refuses) gets none of this machine's lines
        const lost = unfetchable.find((u) => u.id === w.id);
        if (lost) throw new RefusedBranchError({ branch: projectBranchShort(w.id), why: lost.why });
        r = await projectCommit(ctx, w, tips.get(w.id), info, now());
      } catch (e) {
        // one project's broken branch must not block the others (issue 10, defect 10)
        if (!(e instanceof InvalidRosterError || e instanceof NewerClusterFormatError || e instanceof RefusedBranchError)) throw e;
        log(0, `git-ctx: warning: ${projectBranchShort(w.id)} was not pushed: ${e.message}`);
        reports.push({ id: w.id, action: "skipped", files: w.files, conflict: false, merged: false, why: e.message });
        skipped.push(w);
        continue;
      }
      reports.push(r.report);
      if (r.commit) {
        updates.push({ commit: r.commit, ref: projectBranch(w.id) });
        trackUpdates.push({ ref: clusterTrackingRef(w.id), new: r.commit });
      }
    }
    if (updates.length && !heads.main) updates.push({ commit: await readmeCommit(p), ref: CLUSTER_MAIN });
    crashPoint("push:after-commit");
    await pausePoint("push:after-commit");
    if (ctx.dryRun) {
      for (const r of reports) if (r.action === "pushed") r.action = "would push";
      for (const r of reports) log(1, `git-ctx: ${projectBranchShort(r.id)}: ${r.action}${r.files ? ` (${r.files} file(s))` : ""}`);
      return { ok: true, projects: reports, attempts: attempt, held, notSent };
    }
    const out = await pushAtomic(p, ctx.url, updates, { progress: ctx.progress });
    if (out.ok) {
      crashPoint("push:after-remote");
      const refs: { ref: string; new: string }[] = [...trackUpdates];
      // A skipped project's folder stays as it was in last, so its changes are offered again.
      if (commit)
        refs.push({
          ref: VIEW_LAST_REF,
          new: skipped.some((w) => w.paths)
            ? await withPathsOf(
                p,
                commit,
                last,
                skipped.flatMap((w) => w.paths ?? []),
              )
            : skipped.length
              ? await withFoldersOf(
                  p,
                  commit,
                  last,
                  skipped.map((w) => w.proj.key),
                )
              : commit,
        });
      await p.updateRefs(refs, "git-ctx: push");
      saveHeld();
      crashPoint("push:after-refs");
      for (const r of reports) log(1, `git-ctx: ${projectBranchShort(r.id)}: ${r.action}${r.merged ? " (merged with changes from other machines)" : ""}`);
      return { ok: true, projects: reports, attempts: attempt, held, notSent };
    }
    if (!out.rejected) {
      const first = out.output
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-3)
        .join("; ");
      return { ok: false, why: `cluster push failed: ${first}`.replace(/\s+/g, " ").slice(0, 300), projects: reports, attempts: attempt, held, notSent };
    }
    log(2, `git-ctx: the cluster moved during the push (attempt ${attempt}/${max}); fetching and merging again`);
    ctx.onRetry?.(attempt);
    if (attempt < max) await sleep(attempt);
  }
  return { ok: false, why: "fetch first", projects: reports, attempts: max, held, notSent };
}

/**
 * A commit whose tree is `commit`'s with the top-level folders `keys` as they are in `last`
 * (absent when `last` lacks them); parent `last`. Used as `refs/ctx/view/last` after a push that
 * skipped projects: their changes stay "not yet exchanged" and are offered again.
 */
async function withFoldersOf(p: Plumbing, commit: string, last: string | undefined, keys: readonly string[]): Promise<string> {
  const entries = new Map((await p.lsTree(commit)).map((e) => [e.name, e]));
  const old = new Map((last ? await p.lsTree(last) : []).map((e) => [e.name, e]));
  for (const k of keys) {
    const e = old.get(k);
    if (e) entries.set(k, e);
    else entries.delete(k);
  }
  const tree = entries.size ? await p.mktree([...entries.values()]) : EMPTY_TREE;
  const info = await p.commitInfo(commit);
  return p.commitTree(tree, last ? [last] : [], info.author, info.committer, `${info.message.trimEnd()}\n\n(git-ctx: not pushed: ${keys.join(", ")})\n`);
}

/**
 * {@link withFoldersOf} for a shared-layout view: `commit`'s tree with the files `paths` as they
 * are in `last` (removed when `last` lacks them); parent `last`.
 */
async function withPathsOf(p: Plumbing, commit: string, last: string | undefined, paths: readonly string[]): Promise<string> {
  const changes: { mode: string; oid: string; path: string }[] = [];
  for (const f of paths) {
    const e = last ? await p.entry(last, f) : undefined;
    changes.push(e ? { mode: e.mode, oid: e.oid, path: f } : { mode: "000000", oid: "", path: f });
  }
  const tree = await p.overlay(await p.treeOf(commit), changes);
  const info = await p.commitInfo(commit);
  return p.commitTree(tree, last ? [last] : [], info.author, info.committer, `${info.message.trimEnd()}\n\n(git-ctx: not pushed: ${paths.length} file(s) of a skipped project)\n`);
}

/**
 * Builds the new cluster commit of one project, or none when the cluster already holds
 * everything (content and this machine's roster entry).
 */
async function projectCommit(
  ctx: PushContext,
  w: ProjectWork,
  tip: string | undefined,
  info: { author: Signature; committer: Signature; message: string } | undefined,
  now: Date,
): Promise<{ commit?: string; report: ProjectPushReport }> {
  const { p } = ctx;
  const agent = agentOf(ctx.state);
  const tipCtx = (await tipContext(p, tip, agent.clusterDir)) ?? EMPTY_TREE;
  // a branch the inbound gate refuses whole gets none of this machine's lines merged into it
  await assertNotRefusedWhole(p, tipCtx, agent, projectBranchShort(w.id));
  let merged = tipCtx;
  let conflict = false;
  let didMerge = false;
  if (w.ours !== undefined) {
    if (!tip || tipCtx === w.base) merged = w.ours;
    else if (w.ours === w.base) merged = tipCtx;
    else {
      // placed under a folder so that the view's attributes (`*.jsonl merge=ctx`) pick our driver
      const key = w.proj.key || agent.clusterDir;
      const m = await p.mergeTrees(await p.wrap(key, w.base), await p.wrap(key, w.ours), await p.wrap(key, tipCtx));
      merged = (await p.resolve(`${m.tree}:${key}`)) ?? EMPTY_TREE;
      conflict = m.conflict;
      didMerge = merged !== w.ours;
      if (m.conflict) ctx.log?.(0, `git-ctx: warning: ${projectBranchShort(w.id)}: merge conflicts kept with both sides: ${m.messages.split("\n").slice(0, 5).join("; ")}`);
    }
  }
  const roster: Roster = tip ? await readTipRoster(p, w.id, tip) : newRoster(w.id, w.proj.rewriteHome);
  const mine = roster.participants.find((x) => x.machine_id === ctx.machine.id);
  // only Claude Code's folder is the entry's key: other agents' views keep the Claude Code key
  // the roster has for this root (context-convergence reads it), or write the root's key
  const key = agent.rosterFolder ? w.proj.key : mine && mine.project_root === w.proj.root ? mine.encoded_dir : agentById("claude").folders!.of(w.proj.root);
  const me = participantFor(ctx.machine, w.proj.root, key, now);
  const rosterCurrent = sameParticipant(mine, me);
  const report: ProjectPushReport = { id: w.id, action: "unchanged", files: w.files, conflict, merged: didMerge };
  if (tip && merged === tipCtx && rosterCurrent) return { report };
  const rosterBlob = await p.hashBlob(serializeRoster(upsertParticipant(roster, me)));
  const top = tip ? await p.lsTree(tip) : [];
  const entries = top.filter((e) => e.name !== ROSTER_FILE && e.name !== agent.clusterDir && e.name !== FORMAT_FILE);
  entries.push({ mode: "100644", type: "blob", oid: rosterBlob, name: ROSTER_FILE });
  // every commit this release writes names its format (readTipRoster refused newer ones); the
  // blob is written only when the tip does not have it already
  const fmt = top.find((e) => e.name === FORMAT_FILE && e.oid === FORMAT_OID)?.oid ?? (await p.hashBlob(FORMAT_TEXT));
  entries.push({ mode: "100644", type: "blob", oid: fmt, name: FORMAT_FILE });
  if (merged !== EMPTY_TREE) entries.push({ mode: "040000", type: "tree", oid: merged, name: agent.clusterDir });
  const tree = await p.mktree(entries);
  const nowSig: Signature = { ...CTX_IDENTITY, date: `@${Math.floor(now.getTime() / 1000)} +0000` };
  const author = info?.author ?? nowSig;
  const committer = info?.committer ?? nowSig;
  // The pushed commit's message goes to the cluster too: one that holds a secret (a token typed
  // into 'git commit -m' in the view) is replaced by git-ctx's own (issue 10, defect 7).
  const own = `git-ctx: ${ctx.machine.id} joins ${projectBranchShort(w.id)}\n`;
  const message =
    info && scanBytes(Buffer.from(info.message, "utf8"), "commit message").length === 0
      ? info.message
      : info
        ? `git-ctx: changes from ${ctx.machine.id} (the commit message held a secret and was not sent)\n`
        : own;
  const commit = await p.commitTree(tree, tip ? [tip] : [], author, committer, message);
  report.action = "pushed";
  report.commit = commit;
  return { commit, report };
}

/** The cluster's first `main` commit: README.md only, fixed identity and date (deterministic). */
export async function readmeCommit(p: Plumbing): Promise<string> {
  const blob = await p.hashBlob(CLUSTER_README);
  const tree = await p.mktree([{ mode: "100644", type: "blob", oid: blob, name: "README.md" }]);
  const sig: Signature = { ...CTX_IDENTITY, date: "@0 +0000" };
  return p.commitTree(tree, [], sig, sig, "git-ctx cluster\n");
}

/**
 * Removes machine `machineId`'s entry from the roster of `project/<id>` on the cluster (`git ctx
 * leave`): one commit on the tip whose tree differs only in `roster.json`, pushed without force
 * (compare-and-swap), retried when the branch moved. Other participants and `context/` are kept.
 * @returns false when the branch does not exist or does not list the machine (nothing to do).
 * @throws InvalidRosterError for a broken roster; Error when the push keeps failing.
 */
export async function removeParticipant(p: Plumbing, url: string, id: string, machineId: string, now: Date = new Date()): Promise<boolean> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const heads = await lsRemote(p, url);
    const tips = await fetchProjects(p, url, [id], heads);
    const tip = tips.get(id);
    if (!tip) return false;
    const roster = await readTipRoster(p, id, tip);
    if (!roster.participants.some((x) => x.machine_id === machineId)) return false;
    const next: Roster = { ...roster, participants: roster.participants.filter((x) => x.machine_id !== machineId) };
    const entries = (await p.lsTree(tip)).filter((e) => e.name !== ROSTER_FILE);
    entries.push({ mode: "100644", type: "blob", oid: await p.hashBlob(serializeRoster(next)), name: ROSTER_FILE });
    const sig: Signature = { ...CTX_IDENTITY, date: `@${Math.floor(now.getTime() / 1000)} +0000` };
    const commit = await p.commitTree(await p.mktree(entries), [tip], sig, sig, `git-ctx: ${machineId} leaves ${projectBranchShort(id)}\n`);
    const out = await pushAtomic(p, url, [{ commit, ref: projectBranch(id) }]);
    if (out.ok) {
      await p.updateRefs([{ ref: clusterTrackingRef(id), new: commit }], "git-ctx: leave");
      return true;
    }
    if (!out.rejected) throw new Error(`could not update ${projectBranchShort(id)}'s roster: ${out.output.trim().split("\n").slice(-2).join("; ")}`);
  }
  throw new Error(`${projectBranchShort(id)} kept moving while its roster was updated; run 'git ctx leave' again`);
}
