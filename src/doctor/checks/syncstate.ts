import { existsSync } from "node:fs";
import lockfile from "proper-lockfile";
import { readHeldBack } from "../../scan/heldback.js";
import { ALLOW_CONFIG_KEY } from "../../scan/allowlist.js";
import { readLastSync, syncPaths } from "../../sync/files.js";
import { LOCK_STALE_MS } from "../../sync/coalesce.js";
import { saysCorrupt } from "../../git/corrupt.js";
import { fail, pass, warn, type Check, type ViewContext } from "../check.js";
import { REPAIR_COMMAND } from "./objects.js";

/**
 * What the remote helper's push gate and `git ctx sync` left in `$GIT_DIR/ctx/`:
 * - `held-back.json` (src/scan): files quarantined for secrets → fail, with the fixes;
 * - `last-sync.json` (src/sync): the last sync's result → fail when it failed, warn when there
 *   was none or it left files behind in the work tree;
 * - `sync.lock` (proper-lockfile): a running sync, or a stale lock the next sync takes over.
 * Each is skipped gracefully when its file is absent. Reads only (creates nothing).
 */
export async function checkSyncState(ctx: ViewContext): Promise<Check[]> {
  const out: Check[] = [];
  const p = syncPaths(ctx.gitDir);
  try {
    const held = readHeldBack(ctx.gitDir);
    if (held.length) {
      const list = held
        .slice(0, 5)
        .map((h) => `${h.path} (${[...new Set(h.findings.map((f) => f.rule))].join(", ")})`)
        .join("; ");
      out.push(
        fail(
          "held back",
          `${held.length} file(s) held back from the cluster because they hold secrets: ${list}`,
          `git ctx scan   (shows the findings redacted); then 'git ctx redact <session>' to remove a secret, or 'git config --add ${ALLOW_CONFIG_KEY} <fingerprint>' to release a false positive`,
        ),
      );
    } else out.push(pass("held back", "no file held back for secrets"));
  } catch (e) {
    out.push(fail("held back", (e as Error).message, "delete the file: the next 'git push' or 'git ctx sync' writes it again"));
  }

  const last = readLastSync(p);
  if (!last) {
    out.push(warn("last sync", existsSync(p.lastSync) ? `${p.lastSync} is unreadable` : "no sync has run in this view yet", "git ctx sync"));
  } else if (!last.ok) {
    // a damaged object store fails every sync until it is rebuilt (the "object store" check)
    const fix = saysCorrupt(last.error ?? "") ? `${REPAIR_COMMAND}   (the view's repository is corrupt; log: ${p.log})` : `git ctx sync   (log: ${p.log})`;
    out.push(fail("last sync", `failed at ${last.time}: ${last.error ?? last.summary}`, fix));
  } else {
    out.push(pass("last sync", `${last.time}: ${last.summary}`));
    if (last.heldBack.length) {
      out.push(
        warn(
          "last sync",
          `${last.heldBack.length} file(s) not updated in the work tree (in use when it ran): ${last.heldBack
            .slice(0, 5)
            .map((h) => `${h.path} (${h.reason})`)
            .join(", ")}`,
          "git ctx sync   (the next sync catches up)",
        ),
      );
    }
  }

  if (existsSync(p.lock)) {
    let running = false;
    try {
      running = await lockfile.check(p.ctxDir, { lockfilePath: p.lock, stale: LOCK_STALE_MS, realpath: false });
    } catch {
      /* unreadable lock: treat as stale */
    }
    out.push(running ? warn("sync lock", "a sync is running now") : warn("sync lock", `stale lock ${p.lock} (its sync died); the next sync takes it over`, `git ctx sync`));
  }
  return out;
}
