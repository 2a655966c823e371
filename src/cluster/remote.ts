import { GitCommandError, git, gitRaw } from "../git/exec.js";
import { ClusterUnreachableError } from "./errors.js";
import { CLUSTER_MAIN, CLUSTER_TRACKING_PREFIX, clusterTrackingRef, projectBranch, projectIdOfBranch } from "./layout.js";
import type { Plumbing } from "./plumbing.js";

/**
 * Transport to the cluster: nested `git ls-remote` / `git fetch` / `git push` against the
 * underlying URL, so every URL git supports works with the user's ssh keys, credential helpers,
 * `insteadOf` rules and proxies (GIT.md). Nested calls use `-c gc.auto=0
 * -c maintenance.auto=false`, `--no-write-fetch-head` and never force.
 */

/** What `git ls-remote` says about the cluster. */
export interface ClusterHeads {
  /** Project id → tip commit id of `project/<id>`. */
  projects: Map<string, string>;
  /** Tip of the cluster's `main` (README) branch, if any. */
  main?: string;
}

/** Options shared by the nested transport calls. */
export interface TransportOpts {
  /** Show nested git progress on stderr (`option progress true`). */
  progress?: boolean;
  /**
   * Filled by {@link fetchProjects} with the branches whose objects the cluster could not send
   * (issue 22: a hostile tree git's `pack-objects` refuses, such as an entry with an empty name,
   * fails the whole fetch): they are left out of the answer, and the others are fetched.
   */
  unfetchable?: { id: string; why: string }[];
}

/** git's words when a fetch failed on the objects (not the network): a corrupt or hostile tree on the sending side. */
const OBJECT_FAILURE = /empty filename|pack-objects died|fsck|corrupt|bad tree|badTree|invalid (?:path|mode|object)|malformed|did not send all necessary objects/i;

const QUIET_MAINT = ["-c", "gc.auto=0", "-c", "maintenance.auto=false"];

/**
 * Lists the cluster's `main` and `project/*` branches (`git ls-remote --heads <url>`).
 * @throws ClusterUnreachableError (with git's message) when git cannot list the URL.
 */
export async function lsRemote(p: Plumbing, url: string): Promise<ClusterHeads> {
  let r: Awaited<ReturnType<Plumbing["raw"]>>;
  try {
    r = await p.raw([...QUIET_MAINT, "ls-remote", "--heads", url]);
  } catch (e) {
    if (e instanceof GitCommandError) throw new ClusterUnreachableError({ url, output: e.data.stderr });
    throw e;
  }
  return parseHeads(r.stdout.toString("utf8"));
}

/** The `main` and `project/<id>` branches in `git ls-remote --heads` output. */
function parseHeads(text: string): ClusterHeads {
  const heads: ClusterHeads = { projects: new Map() };
  for (const line of text.split("\n")) {
    const [oid, ref] = line.split("\t");
    if (!oid || !ref) continue;
    if (ref === CLUSTER_MAIN) heads.main = oid;
    const id = projectIdOfBranch(ref);
    if (id) heads.projects.set(id, oid);
  }
  return heads;
}

/**
 * `git ls-remote --heads <url>` run outside any repository: checks that a cluster answers before
 * a view is created for it (`git ctx init`).
 * @returns the cluster's branches, as {@link lsRemote} gives them.
 * @throws ClusterUnreachableError with git's reason.
 */
export async function lsRemoteOutside(url: string): Promise<ClusterHeads> {
  try {
    return parseHeads(await git([...QUIET_MAINT, "ls-remote", "--heads", url], { noCtxFilter: true, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined } }));
  } catch (e) {
    if (e instanceof GitCommandError) throw new ClusterUnreachableError({ url, output: e.data.stderr });
    throw e;
  }
}

/**
 * Makes `refs/ctx/cluster/project/<id>` equal the cluster's tip for every id in `ids` that
 * exists in `heads`: one `git fetch` for the tips not already present locally, then one ref
 * transaction. Ids without a branch in the cluster are skipped. Only those branches' objects
 * are transferred (a machine never downloads projects it has not joined).
 * @returns id → tip for the ids that exist in the cluster.
 */
export async function fetchProjects(p: Plumbing, url: string, ids: Iterable<string>, heads: ClusterHeads, o: TransportOpts = {}): Promise<Map<string, string>> {
  const tips = new Map<string, string>();
  for (const id of ids) {
    const tip = heads.projects.get(id);
    if (tip) tips.set(id, tip);
  }
  // every tracking ref in one for-each-ref: a project whose ref already is the tip (most of them,
  // every sync) costs no git process (was three rev-parse per project)
  const local = tips.size ? await p.refsUnder(CLUSTER_TRACKING_PREFIX) : new Map<string, string>();
  const refspecs: string[] = [];
  const fetched: string[] = [];
  const updates: { ref: string; new: string }[] = [];
  for (const [id, tip] of tips) {
    if (local.get(clusterTrackingRef(id)) === tip) continue;
    if (await p.resolve(`${tip}^{commit}`)) updates.push({ ref: clusterTrackingRef(id), new: tip });
    else {
      refspecs.push(`+${projectBranch(id)}:${clusterTrackingRef(id)}`);
      fetched.push(id);
    }
  }
  if (refspecs.length) {
    const fetch = (specs: readonly string[], progress: boolean) =>
      p.raw([...QUIET_MAINT, "fetch", "--no-write-fetch-head", "--no-tags", "--no-recurse-submodules", progress ? "--progress" : "-q", url, ...specs], {
        inheritStderr: progress,
        okCodes: o.unfetchable ? [0, 1, 128] : [0],
      });
    const all = await fetch(refspecs, !!o.progress);
    if (all.code !== 0) {
      // one branch the cluster cannot send must not stop the others: fetch them one by one, and
      // leave out (and name) those that fail on their objects; a failure of every one is the
      // network's or the cluster's, and is thrown as before
      const failed: { id: string; stderr: string }[] = [];
      for (let i = 0; i < refspecs.length; i++) {
        const one = refspecs.length === 1 ? all : await fetch([refspecs[i]!], false);
        if (one.code !== 0) failed.push({ id: fetched[i]!, stderr: one.stderr });
      }
      const objectFailures = failed.filter((f) => OBJECT_FAILURE.test(f.stderr));
      if (failed.length === refspecs.length && objectFailures.length < failed.length)
        throw new GitCommandError({ args: ["fetch", url, ...refspecs], exitCode: all.code, stderr: all.stderr, cwd: p.gitDir });
      for (const f of failed) {
        tips.delete(f.id);
        fetched.splice(fetched.indexOf(f.id), 1);
        const said = f.stderr
          .split("\n")
          .map((l) => l.replace(/^(fatal|error|remote): /, "").trim())
          .filter(Boolean)
          .slice(0, 2)
          .join("; ");
        o.unfetchable!.push({ id: f.id, why: `the cluster could not send its objects (${said || "fetch failed"})` });
      }
    }
  }
  // The fetch may have raced with another push: pin the refs to what ls-remote said when we
  // have those objects, so a caller's view of the cluster is one consistent snapshot.
  for (const id of fetched) {
    const tip = tips.get(id)!;
    if (!(await p.resolve(`${tip}^{commit}`))) {
      const got = await p.resolve(clusterTrackingRef(id));
      if (got) tips.set(id, got);
      continue;
    }
    if ((await p.resolve(clusterTrackingRef(id))) !== tip) updates.push({ ref: clusterTrackingRef(id), new: tip });
  }
  await p.updateRefs(updates, "git-ctx: fetch cluster");
  return tips;
}

/** Result of {@link pushAtomic}: pushed, or rejected because a branch moved (retry), with git's output. */
export type PushOutcome = { ok: true } | { ok: false; rejected: boolean; output: string };

/**
 * Pushes `updates` (`<commit>:<ref>`) to the cluster in one `git push --atomic` without force:
 * every branch moves or none, and a branch that moved since we read it rejects the push
 * (compare-and-swap). The push is thin by default, so an appended transcript travels as a delta
 * against the blob the cluster already has.
 */
export async function pushAtomic(p: Plumbing, url: string, updates: readonly { commit: string; ref: string }[], o: TransportOpts = {}): Promise<PushOutcome> {
  if (updates.length === 0) return { ok: true };
  const args = [
    "--git-dir",
    p.gitDir,
    ...QUIET_MAINT,
    "-c",
    "push.followTags=false",
    "-c",
    "push.gpgSign=false",
    "push",
    "--atomic",
    "--porcelain",
    "--no-verify",
    o.progress ? "--progress" : "-q",
    url,
    ...updates.map((u) => `${u.commit}:${u.ref}`),
  ];
  const r = await gitRaw(args, { okCodes: [0, 1, 128], noCtxFilter: true, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined } });
  const output = r.stdout.toString("utf8") + r.stderr;
  if (r.code === 0) return { ok: true };
  const rejected = /\[rejected\]|\(fetch first\)|non-fast-forward|\(stale info\)|atomic push failed|failed to update ref|cannot lock ref|\[remote rejected\]/i.test(output);
  return { ok: false, rejected, output };
}
