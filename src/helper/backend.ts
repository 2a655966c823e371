import { AGENTS, isAgentId, type AgentId } from "../agents/index.js";
import { gitRaw } from "../git/exec.js";
import { currentMachine, type Machine } from "../roster/index.js";
import { readViewState, type ViewState } from "../view/state.js";
import { crashPoint } from "../cluster/crash.js";
import { VIEW_BRANCH, VIEW_LAST_REF } from "../cluster/layout.js";
import type { Plumbing } from "../cluster/plumbing.js";
import { pushView } from "../cluster/push.js";
import { fetchProjects, lsRemote, type ClusterHeads } from "../cluster/remote.js";
import { configureView } from "../cluster/setup.js";
import { buildView } from "../cluster/view.js";
import { anyReleasable } from "../scan/index.js";
import { refusalMessage, writeInboundRefusals } from "../gate/index.js";
import type { AdvertisedRef, HelperBackend, HelperOptions, PushCommand, RefResult } from "./protocol.js";

/** Records branches refused whole outside the view build (the cluster could not send them); a read-only `$GIT_DIR` only loses the record, the warning is said anyway. */
function recordRefusals(gitDir: string, refused: readonly { id: string; why: string }[]): void {
  try {
    writeInboundRefusals(gitDir, new Set(refused.map((r) => r.id)), refused);
  } catch {
    /* the warnings reach stderr */
  }
}

/**
 * How long (ms) a `list` of the cluster stands in for the listing a push would do: a sync's
 * fetch, merge and push take seconds; a push later than this lists again.
 */
export const LISTED_FOR_MS = 60_000;

/** What the cluster backend of the helper is built from (src/helper/main.ts passes the real ones). */
export interface ClusterBackendDeps {
  p: Plumbing;
  /** Cluster URL (absolute when it is a local path). */
  url: string;
  machine?: Machine;
  /** Diagnostics on stderr, gated by `option verbosity`. */
  stderr?: (s: string) => void;
}

/**
 * The helper's backend over src/cluster (docs/architecture.md, "The view and the cluster"):
 * - `list`: fetch the joined projects' branches and advertise the deterministic view commit as
 *   `refs/heads/main` (and `HEAD` → main);
 * - `list for-push`: advertise `refs/ctx/view/last` without network, so a plain `git push` of
 *   work based on the last exchanged view is a fast-forward for git;
 * - `push`: only non-force updates of `refs/heads/main`; force and deletion are refused
 *   (the cluster is append-only);
 * - `option cloning`: configure the new view repository.
 */
export class ClusterBackend implements HelperBackend {
  constructor(private readonly d: ClusterBackendDeps) {}

  /**
   * The cluster's branches as the last `list` (not for-push) of this backend read them, and
   * when (ms since the epoch): a push by the same backend soon after (the in-process sync: fetch,
   * merge, push) builds on them instead of listing again (see `PushContext.heads`). Used once.
   */
  private listed: { heads: ClusterHeads; at: number } | undefined;

  private log(o: HelperOptions, level: number, msg: string): void {
    if (o.verbosity >= level) (this.d.stderr ?? ((s) => process.stderr.write(s)))(msg + "\n");
  }

  private state(): ViewState {
    const machine = this.d.machine ?? currentMachine();
    return readViewState(this.d.p.gitDir) ?? { version: 1, cluster: this.d.url, machine: { id: machine.id, os: machine.os, home: machine.home }, projects: {} };
  }

  async list(forPush: boolean, _o: HelperOptions): Promise<AdvertisedRef[]> {
    const { p, url } = this.d;
    if (forPush) {
      const last = await p.resolve(VIEW_LAST_REF);
      if (!last) return [];
      // Files the push gate held back that may go now (allowed, or redacted) must reach the
      // cluster with the next plain `git push` even when nothing else changed: advertise last's
      // parent, so git sees the view as ahead and hands the push to us (pushView offers them).
      if (await anyReleasable(p.gitDir, async (f) => (await p.entry("HEAD", f))?.oid)) {
        const parent = await p.resolve(`${last}^1`);
        return parent
          ? [
              { oid: parent, name: VIEW_BRANCH },
              { symref: VIEW_BRANCH, name: "HEAD" },
            ]
          : [];
      }
      return [
        { oid: last, name: VIEW_BRANCH },
        { symref: VIEW_BRANCH, name: "HEAD" },
      ];
    }
    const state = this.state();
    const heads = await lsRemote(p, url);
    this.listed = { heads, at: Date.now() };
    const unfetchable: { id: string; why: string }[] = [];
    const tips = await fetchProjects(p, url, Object.keys(state.projects), heads, { progress: _o.progress, unfetchable });
    crashPoint("list:after-fetch");
    const view = await buildView(p, state, tips);
    // a branch the cluster could not send is refused whole, like one the gate refuses (issue 22)
    if (unfetchable.length) recordRefusals(p.gitDir, unfetchable);
    for (const x of unfetchable) this.log(_o, 0, `git-ctx: warning: ${x.id} was not updated: ${x.why}`);
    for (const x of view.skipped) this.log(_o, 0, `git-ctx: warning: ${x.id} was not updated: ${x.why}`);
    for (const x of view.refused) this.log(_o, 0, `git-ctx: warning: ${refusalMessage(x)}`);
    if (view.created) this.log(_o, 2, `git-ctx: new view ${view.commit.slice(0, 12)} from ${[...view.tips.keys()].join(", ") || "no project"}`);
    return [
      { oid: view.commit, name: VIEW_BRANCH },
      { symref: VIEW_BRANCH, name: "HEAD" },
    ];
  }

  async fetch(oids: string[], _o: HelperOptions): Promise<void> {
    for (const oid of oids) {
      if (!(await this.d.p.resolve(`${oid}^{commit}`))) throw new Error(`git-remote-ctx: asked to fetch ${oid}, which 'list' did not build; run the fetch again`);
    }
  }

  async push(cmds: PushCommand[], o: HelperOptions): Promise<RefResult[]> {
    const results: RefResult[] = [];
    for (const c of cmds) {
      if (c.src === "") results.push({ ref: c.dst, ok: false, why: "deleting is refused: the ctx cluster is append-only" });
      else if (c.force) results.push({ ref: c.dst, ok: false, why: "force push is refused: the ctx cluster is append-only (git pull, then git push)" });
      else if (c.dst !== VIEW_BRANCH) results.push({ ref: c.dst, ok: false, why: `only ${VIEW_BRANCH} (the view) can be pushed to a ctx cluster` });
      else results.push(await this.pushMain(c, o));
    }
    return results;
  }

  private async pushMain(c: PushCommand, o: HelperOptions): Promise<RefResult> {
    const { p } = this.d;
    const state = readViewState(p.gitDir);
    if (!state) return { ref: c.dst, ok: false, why: "this repository is not a git-ctx view (no .git/ctx/state.json): use git ctx init" };
    const commit = await p.resolve(`${c.src}^{commit}`);
    if (!commit) return { ref: c.dst, ok: false, why: `cannot resolve ${c.src}` };
    const machine = this.d.machine ?? { ...state.machine };
    const attempts = Number(process.env.GIT_CTX_PUSH_ATTEMPTS) || undefined; // tuning/test knob, default 5
    const heads = this.listed && Date.now() - this.listed.at < LISTED_FOR_MS ? this.listed.heads : undefined;
    this.listed = undefined;
    const r = await pushView(
      { p, url: this.d.url, state, machine, dryRun: o.dryRun, progress: o.progress, maxAttempts: attempts, heads, log: (l, m) => this.log(o, l, m) },
      commit,
    );
    return r.ok ? { ref: c.dst, ok: true } : { ref: c.dst, ok: false, why: r.why };
  }

  /**
   * `git clone ctx::<url> <dir>`: the new repository becomes a view. Which agent's store it is
   * comes from `git clone -c ctx.agent=<id>` (git writes `-c` values into the new repository's
   * config before fetching, git-clone(1)), else from the folder's path (`…/.codex/sessions` is
   * Codex's), else Claude Code.
   * @throws Error naming the fix when `ctx.agent` is not an agent id.
   */
  async cloning(_o: HelperOptions): Promise<void> {
    const r = await gitRaw(["--git-dir", this.d.p.gitDir, "config", "--get", "ctx.agent"], { okCodes: [0, 1], noCtxFilter: true });
    const said = r.stdout.toString("utf8").trim();
    if (said && !isAgentId(said))
      throw new Error(`git-remote-ctx: ctx.agent=${said} names no agent git-ctx syncs (${AGENTS.map((a) => a.id).join(", ")}): clone again with -c ctx.agent=<one of them>`);
    await configureView(this.d.p.gitDir, this.d.url, this.d.machine ?? currentMachine(), said ? (said as AgentId) : undefined);
  }
}
