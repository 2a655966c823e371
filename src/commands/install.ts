import { AGENTS } from "../agents/index.js";
import { accessSync, constants, existsSync } from "node:fs";
import * as path from "node:path";
import { CtxError } from "../errors.js";
import { writeAttributes, writeCtxConfig, CTX_FILTER_BIN, type ConfigChange } from "../git/config.js";
import { git, GitCommandError } from "../git/exec.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";

/** Options of {@link install}. */
export interface InstallOptions {
  /** `global` (default, like `git lfs install`) or `local` (the repository around `cwd`). */
  scope: "global" | "local";
  /** Working directory (for `local`). Default: `process.cwd()`. */
  cwd?: string;
  /** Environment for git (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * Also install the agents' hooks that run the background sync after every turn (default true;
   * `--no-hooks` turns it off): today Claude Code's Stop hook in its settings.json
   * (`git ctx hook install`). Other hooks and keys are kept; invalid JSON is refused, untouched.
   */
  hooks?: boolean;
  /** Settings file for the Claude Code hook (default `$CLAUDE_CONFIG_DIR/settings.json` or `~/.claude/settings.json`). */
  settings?: string;
  /** Say what would change (`changed` flags), write nothing. */
  dryRun?: boolean;
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
  /** The agent hooks installed (empty with `hooks: false`). */
  hooks: { agent: string; event: string; file: string; changed: boolean; problem?: string }[];
}

/** `git ctx install --local` was run outside a git repository. */
export class NotInRepositoryError extends CtxError {
  readonly code = "NotInRepository" as const;
  constructor(readonly data: { cwd: string }) {
    super(
      `${data.cwd} is not inside a git repository (run 'git ctx install --local' inside the view, e.g. ${AGENTS[0]!.storeHint}, or use 'git ctx install' for the global config)`,
    );
  }
}

/**
 * `git ctx install [--global|--local]`: writes the filter and merge-driver config
 * (`ctxGitConfig`) — global by default, like `git lfs install`; with `local`, into the repository
 * around `cwd` and also writes its `info/attributes` block. Also installs the agents' hooks
 * (`hooks`, default on): Claude Code's Stop hook, so a machine set up by the README's steps is
 * healthy for `git ctx doctor` (issue 10, defect 3). Idempotent: running it twice changes
 * nothing the second time (`config[].changed`, `hooks[].changed` all false).
 * @throws NotInRepositoryError for `local` outside a repository; GitCommandError when git config
 *   fails; HookSettingsJsonError / HookSettingsShapeError when settings.json is not valid (the
 *   git config is written first; the file is left untouched).
 */
export async function install(o: InstallOptions): Promise<InstallResult> {
  const cwd = o.cwd ?? process.cwd();
  const env = o.env ?? process.env;
  const filterOnPath = onPath(CTX_FILTER_BIN, env);
  if (o.scope === "global") {
    const config = await writeCtxConfig("global", undefined, { cwd, env, dryRun: o.dryRun });
    return { scope: "global", config, filterOnPath, hooks: await installHooks(o, env) };
  }
  let gitDir: string;
  try {
    gitDir = await git(["rev-parse", "--absolute-git-dir"], { cwd, env });
  } catch (e) {
    if (e instanceof GitCommandError) throw new NotInRepositoryError({ cwd });
    throw e;
  }
  const config = await writeCtxConfig({ gitDir }, undefined, { cwd, env, dryRun: o.dryRun });
  const attributesFile = o.dryRun ? undefined : writeAttributes(gitDir);
  return { scope: "local", gitDir, config, attributesFile, filterOnPath, hooks: await installHooks(o, env) };
}

/** Claude Code's Stop hook (src/agents/claude/settings.ts), unless `hooks` is false. */
/**
 * Each agent's hook (src/agents): Claude Code's Stop hook always (`o.settings` names its file),
 * the others' when the agent is installed here (its home exists), e.g. Codex's `notify`, which
 * keeps a user's own notify program running after git-ctx's sync.
 */
async function installHooks(o: InstallOptions, env: NodeJS.ProcessEnv): Promise<InstallResult["hooks"]> {
  if (o.hooks === false) return [];
  const out: InstallResult["hooks"] = [];
  for (const a of AGENTS) {
    if (!a.hook || (a.id !== "claude" && !existsSync(a.home(env)))) continue;
    const file = a.id === "claude" && o.settings ? o.settings : a.hook.file(env);
    if (a.id === "claude") {
      out.push({ agent: a.id, event: a.hook.event, file, changed: await a.hook.install(file, { dryRun: o.dryRun }) });
      continue;
    }
    // another agent's unreadable config does not stop the install (git config and Claude Code's hook are done)
    try {
      out.push({ agent: a.id, event: a.hook.event, file, changed: await a.hook.install(file, { dryRun: o.dryRun }) });
    } catch (e) {
      out.push({ agent: a.id, event: a.hook.event, file, changed: false, problem: (e as Error).message });
    }
  }
  return out;
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

/** The `git ctx install --json` document (src/json/schemas.ts `InstallSchema`). */
export function installDocument(r: InstallResult): JsonDocument<"install"> {
  return { schemaVersion: SCHEMA_VERSION, command: "install", ok: true, ...r };
}
