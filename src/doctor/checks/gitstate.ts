import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { hasConflictMarkers } from "../../merge/index.js";
import { operationInProgress } from "../../sync/errors.js";
import { fail, pass, type Check, type ViewContext } from "../check.js";

/**
 * The view's git state that blocks or damages a sync (issue 10, defects 5, 6, 13):
 * - `index.lock` left by a killed git (every command that writes the index fails on it; sync
 *   removes one older than 10 s itself, doctor names it with the fix);
 * - a merge, rebase, cherry-pick, revert or bisect in progress (sync refuses to commit then);
 * - memory files of joined projects that still hold conflict markers.
 * Reads only.
 */
export async function checkGitState(ctx: ViewContext): Promise<Check[]> {
  const out: Check[] = [];
  const lock = path.join(ctx.gitDir, "index.lock");
  if (existsSync(lock)) {
    const age = Math.round((Date.now() - lstatSync(lock).mtimeMs) / 1000);
    out.push(
      fail(
        "index lock",
        `${lock} exists (${age} s old): a git command is running in the view, or one was killed and left it; every sync fails on it`,
        `rm ${lock}   (only when no git command runs in ${ctx.workTree})`,
      ),
    );
  } else out.push(pass("index lock", "no index.lock"));
  const busy = operationInProgress(ctx.gitDir, existsSync);
  if (busy)
    out.push(
      fail(
        "git operation",
        `${busy.what} is in progress (${path.join(ctx.gitDir, busy.file)}): git ctx sync does not commit or push until it ends`,
        `${busy.fix}   (in ${ctx.workTree})`,
      ),
    );
  else out.push(pass("git operation", "no merge, rebase, cherry-pick, revert or bisect in progress"));
  const conflicts = Object.values(ctx.state?.projects ?? {}).flatMap((p) => memoryConflicts(ctx.workTree, p.key));
  if (conflicts.length)
    out.push(
      fail(
        "conflict markers",
        `${conflicts.length} memory file(s) hold conflict markers: ${conflicts.slice(0, 5).join(", ")}`,
        "edit them to keep what you want and remove the <<<<<<< ======= >>>>>>> lines; the next git ctx sync commits them",
      ),
    );
  else out.push(pass("conflict markers", "no memory file holds conflict markers"));
  return out;
}

/** Memory markdown files of a project folder (`<key>/memory/**.md`) holding conflict markers, as view paths. */
export function memoryConflicts(workTree: string, key: string): string[] {
  const dir = path.join(workTree, key, "memory");
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    if (!n.endsWith(".md")) continue;
    try {
      if (hasConflictMarkers(readFileSync(path.join(dir, n)))) out.push(`${key}/memory/${n.split(path.sep).join("/")}`);
    } catch {
      /* a directory or unreadable */
    }
  }
  return out;
}
