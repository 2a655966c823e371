import { CatFileBatch } from "../../filter/catfile.js";
import { gitRaw } from "../../git/exec.js";
import { collapseSplitDuplicates } from "../../merge/collapse.js";
import { projectMachines } from "../../sync/collapse.js";
import { fail, pass, type Check, type ViewContext } from "../check.js";

/**
 * Issue 9, scope 4: transcripts in HEAD that hold re-cleaned duplicates (same `uuid`, the same
 * text on one machine of the project; src/merge/collapse.ts), listed per session with the number
 * of extra lines. `git ctx sync` removes them. Reads HEAD only (one `ls-tree`, one
 * `cat-file --batch-command` child), never the work tree.
 */
export async function checkDuplicates(ctx: ViewContext): Promise<Check[]> {
  const st = ctx.state;
  if (!st || Object.keys(st.projects).length === 0) return [];
  const repo = { cwd: ctx.workTree, env: ctx.env };
  const head = await gitRaw(["rev-parse", "--verify", "-q", "HEAD^{commit}"], { cwd: ctx.workTree, env: ctx.env, okCodes: [0, 1, 128], noCtxFilter: true });
  if (head.code !== 0) return [];
  const machines = await projectMachines(repo, st);
  const out: Check[] = [];
  const cat = new CatFileBatch(ctx.workTree, ctx.env);
  try {
    for (const [id, p] of Object.entries(st.projects).sort(([a], [b]) => a.localeCompare(b))) {
      const ms = machines.get(p.key) ?? [];
      const ls = await gitRaw(["--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", `${p.key}/`], { cwd: ctx.workTree, env: ctx.env, noCtxFilter: true });
      const found: string[] = [];
      let total = 0;
      for (const f of ls.stdout.toString("utf8").split("\0")) {
        if (!f.endsWith(".jsonl")) continue;
        const blob = await cat.readBlob(`HEAD:${f}`);
        if (!blob) continue;
        const n = collapseSplitDuplicates(blob, ms).collapsed.length;
        if (n) {
          found.push(`${f} (${n} extra line${n === 1 ? "" : "s"})`);
          total += n;
        }
      }
      const name = `project ${id}: duplicated lines`;
      if (found.length === 0) out.push(pass(name, "no transcript holds a re-cleaned copy of a line"));
      else
        out.push(
          fail(
            name,
            `${total} line(s) in ${found.length} session(s) are copies of another line with another machine's paths re-cleaned (an earlier git-ctx's defect): ${found.slice(0, 10).join(", ")}${found.length > 10 ? ", …" : ""}`,
            "git ctx sync   (removes the copies from the cluster, HEAD and the work tree; the original lines stay)",
          ),
        );
    }
  } finally {
    await cat.close();
  }
  return out;
}
