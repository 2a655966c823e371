import { AGENTS } from "../agents/index.js";
import { accessSync, constants, existsSync } from "node:fs";
import * as path from "node:path";
import { CtxError } from "../errors.js";
import { writeAttributes, writeCtxConfig, CTX_FILTER_BIN, type ConfigChange } from "../git/config.js";
import { git, GitCommandError } from "../git/exec.js";
import { viewDirs } from "./viewdirs.js";
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
  /** Whether `git-ctx-filter` was found on `PATH` (for information only: git config names it by absolute path, `filterCommand`). */
  filterOnPath: boolean;
  /** The agent hooks installed (empty with `hooks: false`). */
  hooks: { agent: string; event: string; file: string; changed: boolean; problem?: string }[];
  /** Agents whose hook was not installed because the agent's home folder does not exist here (install never creates it). */
  skipped: { agent: string; home: string }[];
  /**
   * `global` only: this machine's views (`viewDirs`), whose own config (written when the view was
   * made) overrides the global one; their filter and merge-driver entries are brought up to date
   * too, e.g. a bare `git-ctx-filter` of an older release replaced by absolute paths.
   */
  views: { dir: string; config: ConfigChange[] }[];
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
 * (`hooks`, default on) of the agents installed here, e.g. Claude Code's Stop hook, so a machine
 * set up by the README's steps is healthy for `git ctx doctor` (issue 10, defect 3); an agent
 * whose home does not exist is skipped (`skipped`), its home never created. `global` also updates
 * the filter and merge-driver entries in the config of this machine's views (`views`). Idempotent: running it twice changes
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
    const views: InstallResult["views"] = [];
    for (const dir of viewDirs(env)) views.push({ dir, config: await writeCtxConfig({ gitDir: path.join(dir, ".git") }, undefined, { cwd, env, dryRun: o.dryRun }) });
    return { scope: "global", config, filterOnPath, ...(await installHooks(o, env)), views };
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
  return { scope: "local", gitDir, config, attributesFile, filterOnPath, ...(await installHooks(o, env)), views: [] };
}

/**
 * Each agent's hook (src/agents), unless `hooks` is false: Claude Code's Stop hook, Codex's
 * `notify` (which keeps a user's own notify program running after git-ctx's sync), Gemini's
 * AfterAgent hook — each only when the agent is installed here (its home exists: `~/.claude`,
 * `~/.codex`, `~/.gemini` or their variables). An absent agent is skipped, never given a home:
 * a created `~/.claude` would make Claude Code count as installed (`presentAgents`) on a machine
 * with only Codex or Gemini (issue 24, point 9). `o.settings` (a file the user named) is written
 * for Claude Code whatever exists.
 */
async function installHooks(o: InstallOptions, env: NodeJS.ProcessEnv): Promise<Pick<InstallResult, "hooks" | "skipped">> {
  const out: InstallResult["hooks"] = [];
  const skipped: InstallResult["skipped"] = [];
  if (o.hooks === false) return { hooks: out, skipped };
  for (const a of AGENTS) {
    if (!a.hook) continue;
    const named = a.id === "claude" && o.settings !== undefined;
    if (!named && !existsSync(a.home(env))) {
      skipped.push({ agent: a.id, home: a.home(env) });
      continue;
    }
    const file = named ? o.settings! : a.hook.file(env);
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
  return { hooks: out, skipped };
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
