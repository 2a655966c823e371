import { accessSync, constants } from "node:fs";
import * as path from "node:path";
import { CtxError } from "../errors.js";
import { writeAttributes, writeCtxConfig, CTX_FILTER_BIN, type ConfigChange } from "../git/config.js";
import { git, GitCommandError } from "../git/exec.js";

/** Options of {@link install}. */
export interface InstallOptions {
  /** `global` (default, like `git lfs install`) or `local` (the repository around `cwd`). */
  scope: "global" | "local";
  /** Working directory (for `local`). Default: `process.cwd()`. */
  cwd?: string;
  /** Environment for git (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** What {@link install} did. */
export interface InstallResult {
  scope: "global" | "local";
  /** Absolute git dir, for `local`. */
  gitDir?: string;
  /** One entry per config key (see `ctxGitConfig`). */
  config: ConfigChange[];
  /** The attributes file written (`local` only). */
  attributesFile?: string;
  /** Whether `git-ctx-filter` was found on `PATH` (git runs it by that name). */
  filterOnPath: boolean;
}

/** `git ctx install --local` was run outside a git repository. */
export class NotInRepositoryError extends CtxError {
  readonly code = "NotInRepository" as const;
  constructor(readonly data: { cwd: string }) {
    super(`${data.cwd} is not inside a git repository (run 'git ctx install --local' inside the view, e.g. ~/.claude/projects, or use 'git ctx install' for the global config)`);
  }
}

/**
 * `git ctx install [--global|--local]`: writes the filter and merge-driver config
 * (`ctxGitConfig`) — global by default, like `git lfs install`; with `local`, into the repository
 * around `cwd` and also writes its `info/attributes` block. Idempotent: running it twice changes
 * nothing the second time (`config[].changed` all false).
 * @throws NotInRepositoryError for `local` outside a repository; GitCommandError when git config fails.
 */
export async function install(o: InstallOptions): Promise<InstallResult> {
  const cwd = o.cwd ?? process.cwd();
  const env = o.env ?? process.env;
  const filterOnPath = onPath(CTX_FILTER_BIN, env);
  if (o.scope === "global") {
    const config = await writeCtxConfig("global", undefined, { cwd, env });
    return { scope: "global", config, filterOnPath };
  }
  let gitDir: string;
  try {
    gitDir = await git(["rev-parse", "--absolute-git-dir"], { cwd, env });
  } catch (e) {
    if (e instanceof GitCommandError) throw new NotInRepositoryError({ cwd });
    throw e;
  }
  const config = await writeCtxConfig({ gitDir }, undefined, { cwd, env });
  const attributesFile = writeAttributes(gitDir);
  return { scope: "local", gitDir, config, attributesFile, filterOnPath };
}

/** True when an executable named `name` is found in `env.PATH`. */
function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const d of (env.PATH ?? "").split(path.delimiter)) {
    if (!d) continue;
    try {
      accessSync(path.join(d, name), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}
