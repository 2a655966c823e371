import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { gitRaw } from "../git/exec.js";
import { claudeProjectsDir } from "../roster/index.js";
import { ViewGitError } from "./errors.js";

/**
 * The view repository's folder: `dir` when given (tests, scripts), else Claude Code's projects
 * folder (`$CLAUDE_CONFIG_DIR/projects` or `~/.claude/projects`, src/roster/machine.ts).
 */
export function viewDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(dir ?? claudeProjectsDir(env));
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
 * Normalises a project root given on the command line: an absolute path in any OS's spelling
 * (`/x`, `C:\x`, `C:/x`, `\\server\x`) is kept as given (a simulated machine may name a root
 * that does not exist here); a relative path is resolved against the current directory.
 * Trailing separators are removed (Claude Code's cwd has none).
 */
export function normalizeRoot(root: string, cwd = process.cwd()): string {
  const abs = /^([A-Za-z]:[\\/]|\/|\\\\)/.test(root) ? root : path.resolve(cwd, root);
  return abs.length > 1 && !/^[A-Za-z]:[\\/]$/.test(abs) ? abs.replace(/[\\/]+$/, "") : abs;
}
