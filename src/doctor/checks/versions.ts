import { git } from "../../git/exec.js";
import { fail, pass, type Check, type ViewContext } from "../check.js";

/** Oldest git that has `git merge-tree --write-tree` (GIT.md), which sync and push need. */
export const MIN_GIT: readonly [number, number] = [2, 38];
/** Oldest Node from package.json `engines`. */
export const MIN_NODE: readonly [number, number] = [20, 19];

/** Parses `git version 2.39.2 (Apple Git-143)` → `[2, 39]`; undefined when unrecognised. */
export function parseVersion(s: string): [number, number] | undefined {
  const m = /(\d+)\.(\d+)/.exec(s);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const atLeast = (v: readonly [number, number], min: readonly [number, number]) => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

/** git and Node versions against {@link MIN_GIT} and {@link MIN_NODE}. */
export async function checkVersions(ctx: ViewContext, nodeVersion = process.versions.node): Promise<Check[]> {
  const out: Check[] = [];
  const gv = await git(["version"], { env: ctx.env, cwd: ctx.workTree });
  const g = parseVersion(gv);
  out.push(
    g && atLeast(g, MIN_GIT)
      ? pass("git version", gv)
      : fail("git version", `${gv}: git-ctx needs git ${MIN_GIT.join(".")} or newer (git merge-tree --write-tree)`, `upgrade git to ${MIN_GIT.join(".")} or newer`),
  );
  const n = parseVersion(nodeVersion);
  out.push(
    n && atLeast(n, MIN_NODE)
      ? pass("node version", `node ${nodeVersion}`)
      : fail("node version", `node ${nodeVersion}: git-ctx needs Node ${MIN_NODE.join(".")} or newer`, `upgrade Node.js to ${MIN_NODE.join(".")} or newer`),
  );
  return out;
}
