import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import type { ViewState } from "../view/state.js";
import type { Agent } from "./types.js";

/**
 * The one reader of "which project does each session file of a shared-layout store belong to"
 * (Codex: a rollout's first line names its cwd), used by sync, init, join, status, leave and
 * doctor alike. A file's key (`Agent.fileKey` of its first line) never changes, so keys are kept
 * per path in `$GIT_DIR/ctx/file-keys.json` of the view: a store full of other projects'
 * rollouts is read once, not on every sync. The joined roots are applied anew on each call
 * ({@link projectsOfKeys}), so a later join picks the files up.
 */

/** The cache file of a view whose work tree is `workTree` (views are always `<dir>/.git`). */
export function keysFile(workTree: string): string {
  return path.join(workTree, ".git", "ctx", "file-keys.json");
}

function readCache(file: string): Record<string, string> {
  try {
    const j = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return j && typeof j === "object" && !Array.isArray(j) ? (j as Record<string, string>) : {};
  } catch {
    return {}; // none yet, or unreadable: the files are read again
  }
}

/**
 * Each session file of the store (`agent.sessionFiles`) with its key: the key of its first line,
 * `""` when the line decides nothing (no `session_meta`: never staged, named by doctor), or
 * `undefined` when the file has no complete first line yet (still being written, or unreadable:
 * read again next time, never cached).
 * @param o.write whether to update the cache (commands that only read pass false; so does a
 *   store that is not a view yet).
 * @param o.skip files whose key is not needed (sync: the tracked ones): listed with `undefined`,
 *   never read, not kept in the cache.
 */
export function sessionKeys(agent: Agent, workTree: string, o: { write?: boolean; skip?: ReadonlySet<string> } = {}): Map<string, string | undefined> {
  const file = keysFile(workTree);
  const cache = readCache(file);
  const next: Record<string, string> = {};
  const out = new Map<string, string | undefined>();
  for (const f of agent.sessionFiles?.(workTree) ?? []) {
    if (o.skip?.has(f)) {
      out.set(f, undefined);
      continue;
    }
    let key = cache[f];
    if (key === undefined) {
      let first: string | undefined;
      try {
        first = agent.readFirstLine?.(path.join(workTree, f));
      } catch {
        first = undefined; // vanished or unreadable
      }
      if (first === undefined) {
        out.set(f, undefined);
        continue;
      }
      key = agent.fileKey?.(first) ?? "";
    }
    next[f] = key;
    out.set(f, key);
  }
  if (o.write !== false && JSON.stringify(next) !== JSON.stringify(cache)) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic.sync(file, JSON.stringify(next));
    } catch {
      /* a cache: the next call reads the files again */
    }
  }
  return out;
}

/** The joined project of each keyed file (files of no joined project are left out). */
export function projectsOfKeys(agent: Agent, keys: ReadonlyMap<string, string | undefined>, state: Pick<ViewState, "projects">): Map<string, string> {
  const out = new Map<string, string>();
  for (const [f, key] of keys) {
    const id = key ? agent.projectOfKey?.(key, state as ViewState) : undefined;
    if (id) out.set(f, id);
  }
  return out;
}
