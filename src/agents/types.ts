import type { Anchors } from "../sentinel/index.js";
import type { AgentCheck, AgentCheckContext } from "./check.js";
import type { CanonicalSession } from "./session.js";
import type { JoinedProject, ViewState } from "../view/state.js";

import type { AgentId } from "./ids.js";

export type { AgentId } from "./ids.js";

/**
 * How an agent's store maps onto a view's tree (docs/architecture.md, "Agents"):
 * - `folder`: one top-level folder per project, named by this machine's key (Claude Code's
 *   `~/.claude/projects/<key>/`); the folder is the project;
 * - `shared`: one tree for every project (Codex's `sessions/YYYY/MM/DD/`); which project a file
 *   belongs to is read from the file itself ({@link Agent.projectOfFile}).
 */
export type StoreLayout = "folder" | "shared";

/** The machine fields an agent needs (a subset of `ViewState["machine"]`). */
export interface AgentMachine {
  os: "linux" | "darwin" | "windows";
  /** Home as written in session files (`/home/me`, `C:\Users\me`). */
  home: string;
}

/** A project folder chosen in a `folder`-layout store (Claude Code: the root's key, or an existing spelling of it on Windows). */
export interface FolderChoice {
  /** The folder name to use. */
  key: string;
}

/** What a `folder`-layout agent knows of its project folders (Claude Code's directory key). */
export interface FolderRules {
  /** The folder name of a project root on this machine (Claude Code: its directory key). */
  of(root: string): string;
  /** Whether two folder names are the same folder on `os` (Windows: ignoring ASCII case). */
  same(a: string, b: string, os: "linux" | "darwin" | "windows"): boolean;
  /** Whether `folder` is the folder name of root `root` (`of(root)`, or a case spelling of it for a Windows root). */
  isFolderOf(folder: string, root: string): boolean;
  /** The folder to use for `root` in store `dir` (an existing spelling of it first), given the one the state had. */
  choose(dir: string, root: string, os: "linux" | "darwin" | "windows", stateKey?: string): FolderChoice;
  /**
   * Makes the chosen folder the root's in the agent's own registry, when the agent keeps one
   * (Gemini CLI: `projects.json` and `.project_root` files); init and join call it after a
   * choice, never in a dry run. @returns notes for the user. @throws the agent's registry errors.
   */
  claim?(dir: string, root: string, choice: FolderChoice, os: "linux" | "darwin" | "windows"): Promise<string[]>;
  /** A note on other spellings of the folder that hold files, with the command that brings them in; undefined when none. */
  othersNote(dir: string, id: string, choice: FolderChoice): string | undefined;
  /** A note when the root is reached through a symlink (the agent keys by the path it was started in); undefined otherwise. */
  symlinkNote(root: string, key: string): string | undefined;
  /** The project root a folder's sessions name (never decoded from the folder name), or undefined when none does. */
  inferRoot(folder: string): Promise<{ root: string; evidence: number; candidates: Record<string, number> } | undefined>;
}

/** An agent's hook that runs `git ctx sync` after each turn (Claude Code's Stop hook, Codex's `notify`). */
export interface AgentHook {
  /** What it runs on, for messages (`Stop`, `notify`). */
  readonly event: string;
  /** The file it is configured in (`~/.claude/settings.json`, `$CODEX_HOME/config.toml`). */
  file(env: NodeJS.ProcessEnv): string;
  /** Adds git-ctx's entry, keeping every other entry (and, for Codex, chaining a user's program). @returns whether the file changed (or would, with dryRun). */
  install(file: string, o?: { dryRun?: boolean }): Promise<boolean>;
  /** Removes git-ctx's entry, restoring what it replaced. @returns whether the file changed. */
  uninstall(file: string, o?: { dryRun?: boolean }): Promise<boolean>;
  /** Whether git-ctx's entry is there. */
  installed(file: string): Promise<boolean>;
}

/**
 * The effectful capabilities (hook edits, doctor checks, `afterWrite`) are asynchronous so that a
 * module loads what they need (a TOML parser, SQLite) only when one runs: the filter and the hook
 * load the registry on every file and every turn.
 *
 * Everything agent-specific that the engine (filter, helper, sync, commands) asks about. The
 * engine receives an `Agent` value and never names an agent's paths or fields itself.
 */
export interface Agent {
  readonly id: AgentId;
  /** Name shown to users ("Claude Code", "Codex CLI"). */
  readonly title: string;
  /** The agent's executable (`claude`, `codex`, `gemini`), for its version and the resume command. */
  readonly command: string;
  /** Folder of a cluster branch `project/<id>` that holds this agent's canonical files (`context`, `codex`). */
  readonly clusterDir: string;
  readonly layout: StoreLayout;
  /** Files (view paths, `/`-separated) of this agent's store that are never synced, as a predicate. */
  neverSynced(viewPath: string): boolean;
  /**
   * The inbound gate's allowlist (issue 22, src/gate): whether a file at `rel` — a path relative to
   * this agent's folder of a cluster branch ({@link Agent.clusterDir}), which is the project
   * folder of a `folder`-layout view and the store root of a `shared` one — is one the agent's
   * store syncs (a transcript, a subagent's, a tool result, a memory file, a chat, a prompt log).
   * Anything else on a branch never reaches a view, and is never pushed either. Asked only for
   * names the gate's name check admits (`pathProblem`, src/gate/names.ts: no empty, `.` or `..`
   * component, no backslash), which is where glob lists (./globs.ts) and regular expressions
   * agree. Pure.
   */
  syncedPath(rel: string): boolean;
  /**
   * A view path of a session file this agent syncs for the project whose folder key is `key`
   * (`""` for a `shared` layout), as probes use it (`git ctx doctor` asks git which attributes and
   * excludes apply there): it need not exist. Undefined: `<key>/<name>`, a file directly in the
   * project folder. Codex's rollouts live under `YYYY/MM/DD/`, not in a project folder.
   * @param name the probe's file name, ending in `.jsonl`.
   */
  probePath?(key: string, name: string): string;
  /** The agent's home on this machine (`~/.claude`, `$CODEX_HOME`…), from `env`. */
  home(env: NodeJS.ProcessEnv): string;
  /**
   * The agent's home when the environment moves it from its default (Codex: `CODEX_HOME`), as
   * sessions write it; recorded in the view state (`agentHome`) for the anchors. Undefined: default.
   */
  customHome?(env: NodeJS.ProcessEnv): string | undefined;
  /** The folder that becomes this agent's view (a git work tree): `~/.claude/projects`, `~/.codex/sessions`. */
  storeRoot(env: NodeJS.ProcessEnv): string;
  /**
   * The codec's anchors for one joined project on this machine.
   * @param agentHome the agent's home recorded in the view state (`ViewState.agentHome`), if any.
   */
  anchors(project: JoinedProject, machine: AgentMachine, agentHome: string | undefined): Anchors;
  /**
   * `shared` layout only: the joined project a session file belongs to, from the file's first
   * line (`first`, without its newline), or `undefined` when it belongs to none (never synced).
   */
  projectOfFile?(first: string, state: ViewState): string | undefined;
  /**
   * `shared` layout only: what in a file's first line decides its project (Codex: the
   * `session_meta` cwd), or `undefined` when the line decides nothing. It never changes for a
   * file, so callers may keep it per path ({@link Agent.projectOfKey} applies the joined roots).
   */
  fileKey?(first: string): string | undefined;
  /** `shared` layout only: the session files of a store (view paths, sorted). */
  sessionFiles?(workTree: string): string[];
  /** `shared` layout only: a session file's first line (without the newline), or `undefined` when it has no complete one. @throws fs errors. */
  readFirstLine?(file: string): string | undefined;
  /** `shared` layout only: the joined project of a {@link Agent.fileKey}, or `undefined`. */
  projectOfKey?(key: string, state: ViewState): string | undefined;
  /**
   * Whether `dir` (absolute) is this agent's store by its path, for a view made without saying
   * which agent it is for (`git clone ctx::<url> <dir>` without `-c ctx.agent=…`).
   */
  isStorePath(dir: string, env: NodeJS.ProcessEnv): boolean;
  /**
   * What the agent needs after git-ctx wrote session files into its store (sync, join): Codex
   * registers them in its state database. `workTree` is the view's folder (absolute), `files`
   * view paths. Never throws.
   * @returns warnings, each naming the fix.
   */
  afterWrite?(workTree: string, files: readonly string[]): Promise<string[]>;
  /**
   * The agent's project instruction file, relative to the project root: the candidates it reads,
   * the first that exists is the one; the first is created when none does (`git ctx rules`).
   */
  readonly rulesFiles: readonly string[];
  /** The store's default place, as users write it (`~/.claude/projects`), for messages and help. */
  readonly storeHint: string;
  /**
   * `folder` layout only: the entries of a project folder that are synced (`chats/`, `logs.json`
   * for Gemini CLI), a trailing `/` marking a folder; undefined: every entry. The view's excludes
   * keep the others out.
   */
  readonly folderEntries?: readonly string[];
  /**
   * Whether the view's folder name is the roster's `encoded_dir` (Claude Code's directory key,
   * the field context-convergence reads). Other agents' pushes keep the entry's value, or write
   * the root's Claude Code key.
   */
  readonly rosterFolder?: boolean;
  /** `folder` layout only: the rules of its project folders. */
  readonly folders?: FolderRules;
  /** `git ctx doctor`'s checks of this agent's view (its hook, its store's files), beside the engine's own. */
  doctorChecks?(ctx: AgentCheckContext): Promise<AgentCheck[]>;
  /** The hook that runs `git ctx sync` after each turn, if the agent has one. */
  readonly hook?: AgentHook;
  /** `shared` layout only: whether a view path names one of the agent's session files. */
  isSessionPath?(viewPath: string): boolean;
  /**
   * The time of a session file's latest record (ms since the epoch), read from the file's last
   * bytes `tail` (`whole`: the tail is the whole file; otherwise its first line may be cut): what
   * git-ctx sets as the file's mtime after writing it, so that the agent's own picker (Claude
   * Code's `/resume` sorts by mtime) and `git ctx sessions` order by real recency (issue 24,
   * point 4). `rel` is the path as {@link Agent.syncedPath} takes it (below the project folder
   * for a `folder` layout). Undefined for a file that is not a session transcript, or when no
   * record of the tail carries a time. Pure.
   */
  activityTime?(rel: string, tail: Buffer, whole: boolean): number | undefined;
  /**
   * Whether `rel` (as {@link Agent.syncedPath} takes it) is a session's own transcript: not a
   * subagent's, not memory, an index or a log. What `init` counts as the sessions it adopted.
   */
  isSession?(rel: string): boolean;
  /** The shell command that continues this agent's session `id` of project `root` in the agent itself (`cd <root> && claude --resume <id>`). Pure. */
  resumeCommand?(id: string, root: string): string;
  /**
   * `git ctx learn` runs this agent's CLI as its model (the command's program is {@link command}):
   * what keeps the run from leaving a copy of the prompt in the agent's store (issue 23, scope 6),
   * beyond a flag learn adds itself (src/learn `modelInvocation`). `scratch` is a throw-away folder
   * learn removes afterwards, `cwd` the run's working folder inside it. @returns the environment to
   * run in and what to remove after the run (never throws; best effort).
   */
  modelScratch?(o: { env: NodeJS.ProcessEnv; scratch: string; cwd: string }): { env: NodeJS.ProcessEnv; cleanup(): void };
  /**
   * Every session file of the agent's store on this machine (absolute paths; subagent files
   * left out): what `git ctx sessions` and `show` read. A missing store gives `[]`.
   */
  sessionPaths(env: NodeJS.ProcessEnv): string[];
  /**
   * A session file read into the canonical model (src/agents/session.ts).
   * @returns undefined when the file is not a session the agent could load.
   * @throws fs errors.
   */
  readSession(file: string): CanonicalSession | undefined;
  /** The session id a file name tells, without reading it (Gemini's names hold only the id's first 8 characters: a prefix). */
  idOfPath(file: string): string;
  /**
   * Writes a canonical session as a new native session of this agent for project root `root`,
   * reads it back and checks it against the agent's loader rules; on any failure nothing is left.
   * Undefined for an agent git-ctx cannot write yet. @throws ResumeWriteError (what failed).
   */
  writeSession?(s: CanonicalSession, root: string, env: NodeJS.ProcessEnv, o: WriteSessionOptions): Promise<WrittenSession>;
}

/**
 * How {@link Agent.writeSession} writes. The new session's id is derived from the source session
 * and the target agent (src/agents/resume.ts `conversionId`), so converting the same session again
 * finds the first conversion: refused (ResumeExistsError) unless `force`, which moves the old file
 * aside to `<file>.bak` and writes the new one in its place.
 */
export interface WriteSessionOptions {
  /** Say what would be written; write nothing. */
  dryRun?: boolean;
  /** Replace an earlier conversion of the same session (kept as `.bak`). */
  force?: boolean;
}

/** What {@link Agent.writeSession} wrote (or, in a dry run, would write). */
export interface WrittenSession {
  /** The new session's id. */
  id: string;
  /** The new file (absolute). */
  path: string;
  /** The command that continues it (`cd <root> && claude --resume <id>`). */
  command: string;
  warnings: string[];
  /** Where the earlier conversion that `force` replaced was moved (`<path>.bak`). */
  replaced?: string;
}
