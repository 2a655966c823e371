import * as path from "node:path";
import { agentOf } from "../../agents/index.js";
import { oddEntriesUnder, skippedMessage, type SkippedEntry } from "../../git/oddfiles.js";
import { pass, warn, type Check, type ViewContext } from "../check.js";

/** At most this many odd entries are listed (the walk stops there). */
const LIMIT = 20;

/**
 * `odd files` (issue 23, point 3): entries of the joined folders (a shared-layout view: the
 * whole store) that sync leaves out — a file that cannot be read (a transcript written by `sudo
 * claude`), a folder named like a session file (`x.jsonl/`) — each named with its fix. A warning,
 * not a failure: the rest syncs. Reads only (one `readdir` per folder, one `open` per file).
 */
export async function checkOddFiles(ctx: ViewContext): Promise<Check[]> {
  const state = ctx.state;
  if (!state) return [];
  const shared = agentOf(state).layout === "shared";
  const folders = shared ? [""] : [...new Set(Object.values(state.projects).map((p) => p.key))].filter(Boolean).sort();
  const found: SkippedEntry[] = [];
  for (const f of folders) {
    if (found.length >= LIMIT) break;
    for (const e of oddEntriesUnder(path.join(ctx.workTree, f), LIMIT - found.length)) found.push({ ...e, path: f ? `${f}/${e.path}` : e.path });
  }
  if (found.length === 0) return [pass("odd files", "every entry of the joined folders is a readable file or folder")];
  const lines = found.map((e) => skippedMessage(e, path.join(ctx.workTree, e.path)));
  return [
    warn(
      "odd files",
      `${found.length}${found.length >= LIMIT ? "+" : ""} entr${found.length === 1 ? "y" : "ies"} never sync${found.length === 1 ? "s" : ""}: ${lines.join("; ")}`,
      found.some((e) => e.why === "unreadable")
        ? `give the files back to yourself: sudo chown -R $USER ${JSON.stringify(ctx.workTree)}; move folders named like a session file out of the store`
        : "move folders named like a session file out of the store (mv <folder> <folder>.d)",
    ),
  ];
}
