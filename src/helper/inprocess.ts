import { Plumbing } from "../cluster/plumbing.js";
import { absoluteClusterUrl } from "../cluster/setup.js";
import { VIEW_BRANCH } from "../cluster/layout.js";
import type { PushResult } from "../sync/gitops.js";
import type { SyncTransport } from "../sync/run.js";
import { ClusterBackend } from "./backend.js";
import type { AdvertisedRef, HelperOptions } from "./protocol.js";

/**
 * The remote helper's work for `git ctx sync`, done in the sync's own process (issue 15: each
 * `git fetch` / `git push` of a `ctx::` remote started a Node process for git-remote-ctx, about
 * 0.14 s each on the path that runs after every turn). The same backend (`ClusterBackend`, over
 * src/cluster) answers; what git itself adds around a helper is done here the way git does it
 * (`git help gitremote-helpers`, git-fetch(1), git-push(1)):
 * - fetch: `list` builds the view commit from the cluster; the remote-tracking ref
 *   `refs/remotes/<remote>/<branch>` is set to it (the default fetch refspec's effect);
 * - push: `list for-push` gives the last exchanged view; a HEAD that does not descend from it is
 *   rejected as git rejects a non-fast-forward (a race: sync fetches, merges and retries); else
 *   the backend's `push` of HEAD to `refs/heads/main` (no force); on success the remote-tracking
 *   ref moves to HEAD, as after `git push`.
 * A plain `git fetch` / `git push` / `git pull` still goes through git and git-remote-ctx.
 * @param o.url the remote's URL (`ctx::<cluster>`); any other URL gets no transport (undefined).
 * @param o.log where the helper's diagnostics go (the sync log).
 */
export function ctxTransport(o: { gitDir: string; url: string; remote: string; branch: string; log?: (line: string) => void }): SyncTransport | undefined {
  if (!o.url.startsWith("ctx::")) return undefined;
  const p = new Plumbing(o.gitDir);
  const backend = new ClusterBackend({ p, url: absoluteClusterUrl(o.url.slice("ctx::".length)), stderr: (s) => o.log?.(s.trimEnd()) });
  const opts: HelperOptions = { progress: false, verbosity: 1, dryRun: false, cloning: false };
  const tracking = `refs/remotes/${o.remote}/${o.branch}`;
  return {
    async fetch(): Promise<void> {
      const refs = await backend.list(false, opts);
      const main = oidOf(refs, VIEW_BRANCH);
      if (main) await p.run(["update-ref", "-m", `fetch ${o.remote} (git-ctx sync)`, tracking, main]);
    },
    async push(): Promise<PushResult> {
      const head = await p.resolve("HEAD^{commit}");
      if (!head) return { ok: false, race: false, why: "HEAD names no commit" };
      const advertised = oidOf(await backend.list(true, opts), VIEW_BRANCH);
      if (advertised === head) return { ok: true };
      if (advertised) {
        const r = await p.raw(["merge-base", "--is-ancestor", advertised, head], { okCodes: [0, 1, 128] });
        if (r.code !== 0) return { ok: false, race: true, why: `[rejected] main -> main (non-fast-forward)` };
      }
      const [res] = await backend.push([{ src: head, dst: VIEW_BRANCH, force: false }], opts);
      if (!res || !res.ok) {
        const why = res ? res.why : "no answer from the cluster backend";
        return /fetch first|non-fast-forward|stale info/i.test(why) ? { ok: false, race: true, why } : { ok: false, race: false, why };
      }
      await p.run(["update-ref", "-m", `push ${o.remote} (git-ctx sync)`, tracking, head]);
      return { ok: true };
    },
  };
}

/** The object id advertised for `name` (not a symref), if any. */
function oidOf(refs: readonly AdvertisedRef[], name: string): string | undefined {
  for (const r of refs) if (r.name === name && "oid" in r) return r.oid;
  return undefined;
}
