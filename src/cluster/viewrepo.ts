import { addJoinedFolders } from "../git/config.js";
import { skippedMessage } from "../git/oddfiles.js";
import { isHeldBackRefusal } from "../scan/index.js";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { gitRaw } from "../git/exec.js";
import { agentById } from "../agents/index.js";
import { ViewGitError } from "./errors.js";

/**
 * The view repository's folder: `dir` when given (tests, scripts), else Claude Code's projects
 * folder (`$CLAUDE_CONFIG_DIR/projects` or `~/.claude/projects`, src/roster/machine.ts).
 */
export function viewDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(dir ?? agentById("claude").storeRoot(env));
}

/** `<dir>/.git` when `dir` is itself the top of a repository, else undefined (a parent repo does not count). */
export function viewGitDir(dir: string): string | undefined {
  const g = path.join(dir, ".git");
  return existsSync(path.join(g, "HEAD")) ? g : undefined;
}

/** True when `folder` exists and holds at least one entry. */
export function hasFiles(folder: string): boolean {
  try {
    return readdirSync(folder).length > 0;
  } catch {
    return false;
  }
}

const ALL_CODES = Array.from({ length: 256 }, (_, i) => i);

/**
 * Runs porcelain git in the view's work tree (filters on: `git add` cleans, checkout smudges),
 * echoing git's output to stderr when `echo` is set.
 * @returns exit code and output.
 * @throws ViewGitError when the exit code is not in `okCodes` (default `[0]`).
 */
export async function viewGit(dir: string, step: string, args: readonly string[], o: { okCodes?: number[]; echo?: boolean } = {}): Promise<{ code: number; output: string }> {
  const r = await gitRaw(args, { cwd: dir, okCodes: ALL_CODES, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined } });
  const output = (r.stdout.toString("utf8") + r.stderr).trim();
  if (o.echo && output) process.stderr.write(output + "\n");
  if (!(o.okCodes ?? [0]).includes(r.code)) throw new ViewGitError({ step, dir, output });
  return { code: r.code, output };
}

/**
 * `git push -q origin main` in the view, where a refusal only because the secret gate held back
 * every new file is not a failure (issue 10, defect 2): the files stay here, listed in
 * `$GIT_DIR/ctx/held-back.json`, and git's message (which names the fix) is shown.
 * @returns whether files were held back (true) or the push went through (false).
 * @throws ViewGitError for any other failure.
 */
export async function pushView(dir: string): Promise<boolean> {
  const r = await viewGit(dir, "git push", ["push", "-q", "origin", "main"], { okCodes: [0, 1], echo: true });
  if (r.code === 0) return false;
  if (isHeldBackRefusal(r.output)) return true;
  throw new ViewGitError({ step: "git push", dir, output: r.output });
}

/**
 * Normalises a project root given on the command line: an absolute path in any OS's spelling
 * (`/x`, `C:\x`, `C:/x`, `\\server\x`) is kept as given (a simulated machine may name a root
 * that does not exist here); a relative path is resolved against the current directory.
 * Trailing separators are removed (Claude Code's cwd has none).
 */
export function normalizeRoot(root: string, cwd = process.cwd()): string {
  const abs = /^([A-Za-z]:[\\/]|\/|\\\\)/.test(root) ? root : path.resolve(cwd, root);
  return abs.length > 1 && !/^[A-Za-z]:[\\/]$/.test(abs) ? abs.replace(/[\\/]+$/, "") : abs;
}

/**
 * A joined project moves to another root (and so another folder): the old folder stops being
 * synced, so what it holds now (sessions appended since the last sync) is committed
 * (`git add --ignore-removal`: never a deletion) and pushed first, while the state still names the
 * old folder, so the clean filter uses the old root's anchors. The caller then switches the state
 * and pulls, which brings these sessions into the new folder. The old folder is left as it is.
 * No-op when the old folder is empty or has nothing new.
 * @throws ViewGitError when the commit or the push fails (nothing switched yet: safe to re-run).
 */
export async function pushMovedFolder(dir: string, id: string, before: { root: string; key: string }, root: string): Promise<void> {
  if (!hasFiles(path.join(dir, before.key))) return;
  // an entry that cannot be read or is not a file stays behind (issue 23, 3): the rest moves
  const skipped = await addJoinedFolders([before.key], { cwd: dir, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined } });
  for (const e of skipped) process.stderr.write(`git ctx: warning: ${skippedMessage(e, path.join(dir, e.path))}\n`);
  const staged = await viewGit(dir, "git diff --cached", ["diff", "--cached", "--quiet"], { okCodes: [0, 1] });
  if (staged.code === 0) return;
  await viewGit(dir, "git commit", ["commit", "-q", "-m", `git ctx: last sessions of ${before.root} before moving project/${id} to ${root}`]);
  await pushView(dir);
}
