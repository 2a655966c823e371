import { spawn, type SpawnOptions } from "node:child_process";
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
 * @throws GitCommandError when the exit code is not in `opts.okCodes` (default `[0]`).
 * @throws Error (ENOENT) when git is not installed.
 */
export async function gitRaw(args: readonly string[], opts: GitOpts = {}): Promise<GitResult> {
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
