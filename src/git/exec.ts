import { spawn, type SpawnOptions } from "node:child_process";
import { lstatSync, rmSync } from "node:fs";
import { CtxError } from "../errors.js";

/** Options for {@link git}. */
export interface GitOpts {
  /** Working directory of the git process (default: `process.cwd()`). */
  cwd?: string;
  /** Extra environment (merged over `process.env`); a value of `undefined` removes the variable. */
  env?: Record<string, string | undefined>;
  /** Bytes written to git's stdin, then stdin is closed. */
  input?: string | Buffer;
  /** Exit codes that are not failures (default `[0]`), e.g. `[0, 1]` for `git diff --quiet`. */
  okCodes?: readonly number[];
  /**
   * Turn git-ctx's own filter and merge driver off in this git process
   * (`-c filter.ctx.process= -c filter.ctx.required=false ...`), like git-lfs does, so that
   * plumbing run by the filter or the remote helper never re-enters us. Default false.
   */
  noCtxFilter?: boolean;
  /** Inherit stderr instead of capturing it (progress output of nested fetch/push). */
  inheritStderr?: boolean;
  /**
   * For a command that writes the index and runs while no other git-ctx process may (sync under
   * its lock): when git fails because `index.lock` exists, wait for it ({@link waitForIndexLock}:
   * gone, or stale and removed) and run the command again, instead of failing with git's
   * "remove the file manually" text. `log` is told when a stale lock is removed. Off by default:
   * a git run by the filter inside a git that holds the lock must not wait for (or remove) it.
   */
  indexLock?: { log?: (line: string) => void };
}

/** An `index.lock` whose mtime is older than this (ms) is a killed git's: git holds it for the length of one command. */
export const INDEX_LOCK_STALE_MS = 10_000;

/** How long {@link gitRaw} with `indexLock` waits in all for a held `index.lock` (ms): until it is stale, and a little more. */
export const INDEX_LOCK_WAIT_MS = INDEX_LOCK_STALE_MS + 2_000;

/** git could not take the index lock: another git holds `index.lock` (or a killed one left it, and it could not be removed). */
export class IndexLockedError extends CtxError {
  readonly code = "IndexLocked" as const;
  constructor(readonly data: { lock: string; waitedMs: number; args: readonly string[] }) {
    super(
      `git's index lock ${data.lock} is held by another git process and was not released within ${Math.round(data.waitedMs / 1000)} s (git ${data.args.join(" ")}) — let a git command running in the view finish; if none runs (a killed git left it), remove ${data.lock}; then run 'git ctx sync' again`,
    );
  }
}

/** git's message when `index.lock` exists ("Unable to create '<path>/index.lock': File exists."): the lock's path. */
export function heldIndexLock(stderr: string): string | undefined {
  return /Unable to create '([^']*index\.lock)': File exists/.exec(stderr)?.[1];
}

/**
 * Waits (polling every 100 ms, until `deadline`, a `Date.now()` value) for a held `index.lock`
 * to be released. A lock whose mtime is {@link INDEX_LOCK_STALE_MS} old was left by a killed git
 * (git holds it for one command and writes it as it goes): it is removed (and `log` told).
 * @returns `"free"` when the lock is gone or was removed, `"held"` when the deadline passed first
 *   or the stale lock could not be removed.
 */
export async function waitForIndexLock(lock: string, deadline: number, log?: (line: string) => void): Promise<"free" | "held"> {
  for (;;) {
    let mtimeMs: number;
    try {
      mtimeMs = lstatSync(lock).mtimeMs;
    } catch {
      return "free";
    }
    const age = Date.now() - mtimeMs;
    if (age >= INDEX_LOCK_STALE_MS) {
      try {
        rmSync(lock, { force: true });
      } catch {
        return "held";
      }
      log?.(`removed ${lock}, left ${Math.round(age / 1000)} s ago by a git process that was killed`);
      return "free";
    }
    if (Date.now() >= deadline) return "held";
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Result of {@link gitRaw}. */
export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** git exited with a code not in `okCodes`. Message holds the args and git's stderr. */
export class GitCommandError extends CtxError {
  readonly code = "GitCommand" as const;
  constructor(readonly data: { args: readonly string[]; exitCode: number; stderr: string; cwd: string }) {
    super(`git ${data.args.join(" ")} failed (exit ${data.exitCode}) in ${data.cwd}: ${data.stderr.trim() || "(no stderr)"}`);
  }
}

/** The `-c` arguments that disable our filter and merge driver for one nested git call. */
export const NO_CTX_FILTER_ARGS: readonly string[] = ["-c", "filter.ctx.process=", "-c", "filter.ctx.clean=", "-c", "filter.ctx.smudge=", "-c", "filter.ctx.required=false"];

/**
 * Runs `git <args>` and resolves with raw stdout bytes, stderr text and exit code.
 * This is the one place git-ctx spawns git (STYLE.md example 4).
 *
 * With `opts.indexLock`, a failure on a held `index.lock` waits for it (at most
 * {@link INDEX_LOCK_WAIT_MS} in all) and runs the command again (git takes the lock before it
 * changes anything, so the failed run did nothing).
 *
 * @throws GitCommandError when the exit code is not in `opts.okCodes` (default `[0]`).
 * @throws IndexLockedError (only with `opts.indexLock`) when `index.lock` stays held.
 * @throws Error (ENOENT) when git is not installed.
 */
export async function gitRaw(args: readonly string[], opts: GitOpts = {}): Promise<GitResult> {
  if (!opts.indexLock) return gitOnce(args, opts);
  const start = Date.now();
  for (;;) {
    try {
      return await gitOnce(args, opts);
    } catch (e) {
      const lock = e instanceof GitCommandError ? heldIndexLock(e.data.stderr) : undefined;
      if (!lock) throw e;
      if ((await waitForIndexLock(lock, start + INDEX_LOCK_WAIT_MS, opts.indexLock.log)) === "held") {
        throw new IndexLockedError({ lock, waitedMs: Date.now() - start, args: e instanceof GitCommandError ? e.data.args : args });
      }
    }
  }
}

async function gitOnce(args: readonly string[], opts: GitOpts): Promise<GitResult> {
  const fullArgs = opts.noCtxFilter ? [...NO_CTX_FILTER_ARGS, ...args] : [...args];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const spawnOpts: SpawnOptions = {
    cwd: opts.cwd,
    env,
    stdio: ["pipe", "pipe", opts.inheritStderr ? "inherit" : "pipe"],
  };
  return new Promise((resolve, reject) => {
    const child = spawn("git", fullArgs, spawnOpts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const res = { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8"), code: code ?? 128 };
      if (!(opts.okCodes ?? [0]).includes(res.code)) {
        reject(new GitCommandError({ args: fullArgs, exitCode: res.code, stderr: res.stderr, cwd: opts.cwd ?? process.cwd() }));
      } else resolve(res);
    });
    child.stdin!.on("error", () => {}); // git may exit before reading all input
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}

/**
 * Runs `git <args>` and resolves with stdout as UTF-8 text with the trailing newline removed.
 * @throws GitCommandError as {@link gitRaw}.
 */
export async function git(args: readonly string[], opts: GitOpts = {}): Promise<string> {
  const r = await gitRaw(args, opts);
  return r.stdout.toString("utf8").replace(/\n$/, "");
}
