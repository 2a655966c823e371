import { closeSync, constants, fstatSync, futimesSync, openSync, readSync, type Stats } from "node:fs";
import * as path from "node:path";
import type { Agent } from "../agents/index.js";
import { verifiedFolder } from "./worktree.js";

/**
 * Transcript mtimes that say when a session was last active (issue 24, point 4). A file git-ctx
 * writes (a join's checkout, a sync's appends) gets the time of the write as its mtime, so after
 * a join every session looks as new as every other, and the agents' pickers that sort by mtime
 * (Claude Code's `/resume`, `git ctx sessions`) show them in a random order. After writing, the
 * mtime is set back to the time of the file's latest record ({@link Agent.activityTime}).
 *
 * Only files nobody else wrote since git-ctx did are touched: the caller names, per file, what
 * the file must still look like (`expect`, the stat right after git-ctx's own write); a file
 * that changed since (an agent appending) keeps its mtime. The mtime only moves back, never
 * into the future (a clock ahead on another machine). git's index: a sync leaves the entries it
 * writes without stat data (they are compared by content on the next `git add` anyway); a join
 * refreshes the index after stamping (see src/commands/join.ts), so `git status` stays clean.
 */

/** How many bytes of a file's end are read to find its latest record's time. */
export const ACTIVITY_TAIL_BYTES = 256 * 1024;

/**
 * Sets each file's mtime to its latest record's time. `files`: view path → a check the file's stat
 * (taken through the opened descriptor) must pass, e.g. "same inode, size and mtime as right
 * after our write"; `undefined` accepts any stat. `rel` for the agent is the view path below the
 * project folder for a `folder` layout. Paths through a link or a non-folder, links, and files
 * that are not the agent's transcripts are skipped. Never throws for one file (a vanished or
 * unreadable file is skipped).
 * @returns view path → the file's stat after the change (`ino`, `size`, `mtimeMs`), for the
 *   files whose mtime was set.
 */
export function stampActivity(
  workTree: string,
  agent: Agent,
  files: ReadonlyMap<string, ((st: Stats) => boolean) | undefined>,
  now: number = Date.now(),
): Map<string, { ino: number; size: number; mtimeMs: number }> {
  const out = new Map<string, { ino: number; size: number; mtimeMs: number }>();
  if (!agent.activityTime) return out;
  for (const [viewPath, expect] of files) {
    const rel = agent.layout === "folder" ? viewPath.slice(viewPath.indexOf("/") + 1) : viewPath;
    const dir = path.posix.dirname(viewPath);
    if (!verifiedFolder(workTree, dir === "." ? "" : dir, { create: false }).ok) continue;
    let fd: number;
    try {
      fd = openSync(path.join(workTree, viewPath), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      continue;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || (expect && !expect(st))) continue;
      const n = Math.min(st.size, ACTIVITY_TAIL_BYTES);
      const tail = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, tail, got, n - got, st.size - n + got);
        if (r === 0) break;
        got += r;
      }
      const t = agent.activityTime(rel, tail.subarray(0, got), n === st.size);
      if (t === undefined || t <= 0 || t > now || t >= st.mtimeMs) continue;
      // the same file still? (a writer that appended since the check keeps its mtime)
      if (fstatSync(fd).size !== st.size) continue;
      futimesSync(fd, st.atime, new Date(t));
      const after = fstatSync(fd);
      out.set(viewPath, { ino: after.ino, size: after.size, mtimeMs: after.mtimeMs });
    } catch {
      /* unreadable, or not ours to change: it keeps its mtime */
    } finally {
      closeSync(fd);
    }
  }
  return out;
}
