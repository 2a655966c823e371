import * as path from "node:path";
import { claudeResumeCommand } from "./cli.js";
import { latestRecordTime, stringOf } from "../records.js";
import type { Anchors } from "../../sentinel/index.js";
import type { JoinedProject } from "../../view/state.js";
import type { Agent, AgentMachine } from "../types.js";
import { readdirSync, realpathSync, rmSync } from "node:fs";
import { readClaudeSession } from "./read.js";
import { claudeDirKey } from "./dirkey.js";
import { claudeHome, claudeProjectsDir } from "./home.js";
import { chooseProjectFolder, otherFoldersNote, sameFolder, symlinkRootNote, type FolderChoice as ClaudeFolderChoice } from "./folder.js";
import { inferProjectRoot, sameKey } from "./infer.js";
import { countOurs, defaultSettingsPath, editSettings, readSettings, withHook, withoutHook } from "./settings.js";
import { globList } from "../globs.js";

export { claudeHome, claudeProjectsDir } from "./home.js";

/**
 * What a Claude Code project folder syncs (FORMATS.md, "Files in a project directory"): session
 * transcripts `<id>.jsonl` (and 2.0.x's `agent-<id>.jsonl`) at the top, subagent transcripts and
 * their `.meta.json` in `<id>/subagents/`, large tool outputs in `<id>/tool-results/`, the memory
 * (`memory/*.md`, topic files in folders below it) and `sessions-index.json` of some versions.
 * Globs (../globs.ts); `?*` is a name of at least one character (a bare `.jsonl` is no transcript).
 */
const CLAUDE_SYNCED = globList(["?*.jsonl", "?*/subagents/?*.{jsonl,json}", "?*/tool-results/?*", "memory/**/?*.md", "sessions-index.json"]);

/**
 * The Claude Code module (FORMATS.md, "Claude Code"): the store is `~/.claude/projects`
 * (`$CLAUDE_CONFIG_DIR/projects`), one folder per project named by the project directory key;
 * the cluster keeps it under `context/` (the layout context-convergence reads).
 */
export const claude: Agent = {
  id: "claude",
  title: "Claude Code",
  resumeCommand: claudeResumeCommand,
  /**
   * learn's model run: `--no-session-persistence` (added by learn) still leaves an empty
   * `projects/<key>/memory/` for the run's folder in Claude Code 2.1.330, and a client without the
   * flag its session: the store folder of that folder (only this run used it) is removed after.
   */
  modelScratch: ({ env, cwd }) => ({
    env,
    cleanup: () => {
      for (const p of new Set([cwd, realpathOr(cwd)])) rmSync(path.join(claudeProjectsDir(env), claudeDirKey(p)), { recursive: true, force: true });
    },
  }),
  /** `<session id>.jsonl` at the top of the project folder (subagents live in `<id>/subagents/`). */
  isSession: (rel) => /^[^/]+\.jsonl$/.test(rel),
  /** A transcript's (`<id>.jsonl`, a subagent's) latest record `timestamp` (in the file's last bytes). */
  activityTime: (rel, tail, whole) => (rel.endsWith(".jsonl") ? latestRecordTime(tail, whole, (r) => stringOf(r.timestamp)) : undefined),
  command: "claude",
  clusterDir: "context",
  layout: "folder",
  rosterFolder: true,
  neverSynced: () => false,
  syncedPath: CLAUDE_SYNCED,
  home: claudeHome,
  storeRoot: (env) => claudeProjectsDir(env),
  storeHint: "~/.claude/projects",
  rulesFiles: ["CLAUDE.md", ".claude/CLAUDE.md"],
  folders: {
    of: claudeDirKey,
    same: sameFolder,
    isFolderOf: (folder, root) => sameKey(claudeDirKey(root), folder, root),
    choose: chooseProjectFolder,
    othersNote: (dir, id, choice) => otherFoldersNote(dir, id, choice as ClaudeFolderChoice),
    symlinkNote: (root, key) => symlinkRootNote(root, key),
    inferRoot: inferProjectRoot,
  },
  doctorChecks: async (ctx) => {
    const d = await import("./doctor.js");
    return [...(await d.checkHook(ctx)), ...(await d.checkRetention(ctx))];
  },
  hook: {
    event: "Stop",
    file: (env) => defaultSettingsPath(env),
    install: async (file, o) => editSettings(file, (s) => withHook(s, "Stop", file), o) === "changed",
    uninstall: async (file, o) => editSettings(file, (s) => withoutHook(s, "Stop"), o) === "changed",
    installed: async (file) => countOurs(readSettings(file).settings, "Stop") > 0,
  },
  isStorePath: (dir, env) => path.resolve(dir) === path.resolve(claudeProjectsDir(env)),
  /** `<store>/<key>/<session id>.jsonl` (subagent transcripts sit in `<session id>/subagents/`). */
  sessionPaths(env) {
    const store = claudeProjectsDir(env);
    const out: string[] = [];
    let keys: string[] = [];
    try {
      keys = readdirSync(store);
    } catch {
      return out;
    }
    for (const k of keys) {
      if (k.startsWith(".")) continue;
      let names: string[] = [];
      try {
        names = readdirSync(path.join(store, k));
      } catch {
        continue;
      }
      for (const n of names) if (n.endsWith(".jsonl")) out.push(path.join(store, k, n));
    }
    return out;
  },
  readSession: (file) => readClaudeSession(file),
  /** A new transcript in the root's project folder (./write.ts), read back and checked, atomically written. */
  async writeSession(s, root, env, o) {
    const { writeClaudeSession } = await import("./resume.js");
    return writeClaudeSession(s, root, env, o);
  },
  idOfPath: (file) => path.basename(file, ".jsonl"),
  /** All four tiers; `{{CC_PROJECT_CONTEXT_DIR}}` is `<home>/.claude/projects/<key>` (src/sentinel `contextDirOf`). */
  anchors(project: JoinedProject, machine: AgentMachine): Anchors {
    return { os: machine.os, home: machine.home, root: project.root, key: project.key, rewriteHome: project.rewriteHome };
  },
};

/** `p` with its links resolved, or `p` when it no longer exists. */
function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
