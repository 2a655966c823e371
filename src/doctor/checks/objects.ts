import { gitRaw } from "../../git/exec.js";
import { corruptionLines, fsckProblems, saysCorrupt } from "../../git/corrupt.js";
import { readLastSync, syncPaths } from "../../sync/files.js";
import { fail, pass, type Check, type ViewContext } from "../check.js";

/** The command that rebuilds a corrupt view from the cluster (`git ctx doctor --fix`, src/doctor/repair.ts). */
export const REPAIR_COMMAND = "git ctx doctor --fix";

/** The result of {@link fsckView}: the problems git fsck named (empty: whole) and how it was run. */
export interface FsckResult {
  problems: string[];
  /** `connectivity`: `--connectivity-only` (every reachable object is present and its header reads); `full`: every object's content hashed too. */
  mode: "connectivity" | "full";
  ms: number;
}

/**
 * `git fsck --no-dangling --no-progress` in the view: the objects reachable from the refs, the
 * index and the reflogs. Unless `full`, `--connectivity-only` (reads commits and trees and only
 * asks whether each blob exists) plus `git cat-file --batch-check --batch-all-objects`, which
 * inflates every object's header (a loose object overwritten or truncated is found): about
 * 0.2 s + 0.1 s for a 2,700-object view of ~270 MB of transcripts. The full run hashes every
 * version of every blob (1.6–2.5 s for that view, and it grows with the history), which also
 * finds a damaged pack entry or a blob whose body alone is broken. Reads only.
 * @throws Error (ENOENT) when git is not installed.
 */
export async function fsckView(gitDir: string, workTree: string, env: NodeJS.ProcessEnv, full = false): Promise<FsckResult> {
  const t0 = Date.now();
  const args = ["fsck", "--no-dangling", "--no-progress", ...(full ? [] : ["--connectivity-only"])];
  const r = await gitRaw(args, { cwd: workTree, env: { ...env, GIT_DIR: gitDir, GIT_WORK_TREE: workTree, LC_ALL: "C" }, okCodes: Array.from({ length: 256 }, (_, i) => i) });
  const problems = fsckProblems(r.stdout.toString("utf8") + "\n" + r.stderr);
  if (!full) {
    // the connectivity walk only asks whether a blob's file exists: read every object's header
    // (a loose object that does not inflate says so on stderr; the exit code stays 0)
    const h = await gitRaw(["cat-file", "--batch-check", "--batch-all-objects", "--unordered"], {
      cwd: workTree,
      env: { ...env, GIT_DIR: gitDir, GIT_WORK_TREE: workTree, LC_ALL: "C" },
      okCodes: Array.from({ length: 256 }, (_, i) => i),
    });
    for (const l of corruptionLines(h.stderr)) if (!problems.includes(l)) problems.push(l);
  }
  // a non-zero exit with nothing left to name is only the empty tree (see fsckProblems)
  return { problems, mode: full ? "full" : "connectivity", ms: Date.now() - t0 };
}

/**
 * The view's object store is whole (issue 22, point 8): `git fsck --connectivity-only` (cheap),
 * and a full `git fsck` when the last sync failed on git's words for a damaged object (a damaged
 * pack entry only shows when its content is read). A damaged store fails every sync with raw
 * `inflate` errors; the fix rebuilds the repository from the cluster and keeps every local line
 * ({@link REPAIR_COMMAND}). Reads only.
 */
export async function checkObjects(ctx: ViewContext): Promise<Check[]> {
  const last = readLastSync(syncPaths(ctx.gitDir));
  const suspect = !!last && !last.ok && saysCorrupt(last.error ?? "");
  let r = await fsckView(ctx.gitDir, ctx.workTree, ctx.env);
  if (!r.problems.length && suspect) r = await fsckView(ctx.gitDir, ctx.workTree, ctx.env, true);
  if (r.problems.length)
    return [
      fail(
        "object store",
        `${ctx.gitDir} is corrupt: git fsck says ${r.problems
          .slice(0, 3)
          .map((p) => `'${p.length > 160 ? p.slice(0, 157) + "..." : p}'`)
          .join(", ")}${r.problems.length > 3 ? ` and ${r.problems.length - 3} more` : ""}; every sync fails until it is rebuilt`,
        `${REPAIR_COMMAND}   (rebuilds ${ctx.gitDir} from the cluster; the work tree and its local lines stay, the broken repository is kept under ${ctx.gitDir}/ctx/backup/)`,
      ),
    ];
  return [pass("object store", `git fsck${r.mode === "connectivity" ? " --connectivity-only" : ""}: every reachable object is present (${r.ms} ms)`)];
}
