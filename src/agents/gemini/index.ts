import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { geminiResumeCommand } from "./cli.js";
import * as path from "node:path";
import type { Anchors } from "../../sentinel/index.js";
import type { JoinedProject } from "../../view/state.js";
import type { Agent, AgentMachine, FolderRules } from "../types.js";
import { chooseGeminiSlug, claimGeminiSlug, geminiProjectHash, ownerOf, slugify } from "./slug.js";
import { readGeminiSession } from "./read.js";
import { chatActivityTime } from "./chat.js";
import { geminiHome, geminiTmpDir } from "./home.js";
import { globList } from "../globs.js";

/**
 * The Gemini CLI module (FORMATS.md, "Gemini CLI", verified with `@google/gemini-cli` 0.61.0).
 *
 * Store: `~/.gemini/tmp/<slug>/` per project (`$GEMINI_CLI_HOME/.gemini` when set), the slug
 * found and claimed by Gemini's own rules (./slug.ts). The view is `~/.gemini/tmp`: a folder-layout
 * store like Claude Code's, the slug standing for the directory key. Of a slug folder only
 * `chats/` (JSONL and legacy `.json` chats, subagent chats in `chats/<parent id>/`) and
 * `logs.json` (prompt history) are synced; `.project_root`, `checkpoints/` (hashes of a
 * machine-local shadow repository), `logs/`, `plans/`, `tracker/`, `tasks/`, `memory/` and
 * `shell_history` stay on the machine, as does everything outside `tmp/` (`projects.json`,
 * `history/`, settings).
 */

export { readGeminiChat, readGeminiJsonl, readGeminiJsonlChat, type GeminiChat, type GeminiMessage } from "./chat.js";
export { chooseGeminiSlug, claimGeminiSlug, geminiProjectHash, normalizeGeminiRoot, readGeminiProjects, slugify, GeminiProjectsFileError, GeminiSlugTakenError } from "./slug.js";

export { geminiHome, geminiTmpDir } from "./home.js";

/** The entries of a slug folder that are synced; everything else in it is machine-local. */
export const GEMINI_SYNCED = ["chats/", "logs.json"] as const;

/** Whether a view path (`<slug>/…`) is one git-ctx never syncs. */
function neverSynced(viewPath: string): boolean {
  const rest = viewPath.split("/").slice(1).join("/");
  return !(rest.startsWith("chats/") || rest === "logs.json");
}

const folders: FolderRules = {
  /** The slug Gemini gives a root no other project took (its last name, slugified); {@link FolderRules.choose} reads the machine's registry. */
  of: (root) => slugify(root.split(/[\\/]/).filter(Boolean).pop() ?? ""),
  same: (a, b) => a === b,
  /** Whether `folder` is the root's slug or one Gemini numbered on a collision (`<slug>-<n>`). */
  isFolderOf: (folder, root) => new RegExp(`^${slugify(root.split(/[\\/]/).filter(Boolean).pop() ?? "")}(-\\d+)?$`).test(folder),
  choose: (dir, root, machineOs, stateKey) => ({ key: chooseGeminiSlug(path.dirname(dir), root, machineOs, stateKey).key }),
  claim: (dir, root, choice, machineOs) => claimGeminiSlug(path.dirname(dir), root, choice.key, machineOs),
  othersNote: () => undefined,
  symlinkNote: () => undefined,
  async inferRoot(folder) {
    const owner = ownerOf(folder);
    return owner === undefined ? undefined : { root: owner, evidence: 1, candidates: { [owner]: 1 } };
  },
};

/**
 * What a Gemini slug folder syncs (FORMATS.md, "Gemini CLI"): chats `chats/session-….json(l)`,
 * subagent chats one folder below (`chats/<parent>/…`), and the prompt log `logs.json`. `?*`
 * is a name of at least one character (a bare `.json` is no chat).
 */
const GEMINI_SYNCED_PATH = globList(["chats/?*.{json,jsonl}", "chats/?*/?*.{json,jsonl}", "logs.json"]);

/** The Gemini CLI agent (see the module comment). */
export const gemini: Agent = {
  id: "gemini",
  title: "Gemini CLI",
  resumeCommand: geminiResumeCommand,
  modelScratch: geminiModelScratch,
  /** A chat at the top of `chats/` (a subfolder holds a chat's subagents' chats). */
  isSession: (rel) => /^chats\/[^/]+\.jsonl?$/.test(rel),
  activityTime: chatActivityTime,
  command: "gemini",
  clusterDir: "gemini",
  layout: "folder",
  folderEntries: GEMINI_SYNCED,
  neverSynced,
  syncedPath: GEMINI_SYNCED_PATH,
  home: geminiHome,
  customHome: (env) => (env.GEMINI_CLI_HOME ? geminiHome(env) : undefined),
  storeRoot: geminiTmpDir,
  storeHint: "~/.gemini/tmp",
  rulesFiles: ["GEMINI.md"],
  folders,
  /**
   * Tiers: `{{CC_PROJECT_CONTEXT_DIR}}` = this machine's slug folder (`~/.gemini/tmp/<slug>`,
   * named by tool output), `{{CC_PROJECT_ROOT}}`, `{{CC_ENCODED_DIR}}` = `projectHash`
   * (sha256 of the root: a derived value, recomputed for each machine; a chat whose hash is of
   * another spelling of the root keeps its hash, which resume does not check), `{{CC_HOME}}`.
   */
  anchors(project: JoinedProject, machine: AgentMachine, agentHome: string | undefined): Anchors {
    const sep = machine.os === "windows" ? "\\" : "/";
    const home = agentHome ?? [machine.home.replace(/[\\/]+$/, ""), ".gemini"].join(sep);
    return {
      os: machine.os,
      home: machine.home,
      root: project.root,
      key: geminiProjectHash(project.root),
      contextDir: [home, "tmp", project.key].join(sep),
      rewriteHome: project.rewriteHome,
    };
  },
  /**
   * `AfterAgent` in `~/.gemini/settings.json` `hooks` (fires after each turn; its stdin JSON has
   * Claude Code's `session_id`, `transcript_path`, `cwd`; 0.61.0's hook runner). Gemini's hook
   * entries have Claude Code's shape: the shared editor (../hooksettings.ts) serves (timeout in ms).
   */
  hook: {
    event: "AfterAgent",
    file: (env) => path.join(geminiHome(env), "settings.json"),
    install: async (file, o) => {
      const s = await import("../hooksettings.js");
      return s.editSettings(file, (x) => s.withHook(x, "AfterAgent", file, s.HOOK_COMMAND, s.HOOK_TIMEOUT_S * 1000), o) === "changed";
    },
    uninstall: async (file, o) => {
      const s = await import("../hooksettings.js");
      return s.editSettings(file, (x) => s.withoutHook(x, "AfterAgent"), o) === "changed";
    },
    installed: async (file) => {
      const s = await import("../hooksettings.js");
      return s.countOurs(s.readSettings(file).settings, "AfterAgent") > 0;
    },
  },
  /** Each joined project's slug agrees with Gemini's registry; the AfterAgent hook; chats Gemini's retention will delete (./doctor.ts). */
  async doctorChecks(ctx) {
    const { checkGemini } = await import("./doctor.js");
    const settingsFile = gemini.hook!.file(ctx.env);
    const hookInstalled = await gemini.hook!.installed(settingsFile).catch(() => false);
    return checkGemini(ctx, { home: geminiHome(ctx.env), settingsFile, hookInstalled, chats: geminiChats });
  },
  /** `~/.gemini/tmp/<slug>/chats/session-*.json(l)` (subagent chats sit in `chats/<parent id>/`). */
  sessionPaths(env) {
    const tmp = path.join(geminiHome(env), "tmp");
    let slugs: string[] = [];
    try {
      slugs = readdirSync(tmp);
    } catch {
      return [];
    }
    return slugs.flatMap((s) =>
      geminiChats(path.join(tmp, s))
        .filter((c) => /^chats\/[^/]+\.jsonl?$/.test(c))
        .map((c) => path.join(tmp, s, c)),
    );
  },
  readSession: (file) => readGeminiSession(file),
  /** A new JSONL chat in the root's slug folder (./write.ts), checked, atomically written, the slug claimed. */
  async writeSession(s, root, env, o) {
    const { writeGeminiSession } = await import("./resume.js");
    const { machineOsHome } = await import("../../roster/machine.js");
    return writeGeminiSession(s, root, geminiHome(env), machineOsHome(env).os, o);
  },
  idOfPath: (file) => /-([0-9a-f]{8})\.jsonl?$/i.exec(file)?.[1] ?? path.basename(file).replace(/\.jsonl?$/, ""),
  isStorePath: (dir, env) => path.resolve(dir) === path.resolve(geminiHome(env), "tmp") || /[\\/]\.gemini[\\/]tmp[\\/]?$/.test(dir),
};

/** The chat files of a slug folder (absolute folder), relative to it, sorted: what `doctor` and status count. */
export function geminiChats(folder: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(path.join(folder, rel));
    } catch {
      return;
    }
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      if (/\.jsonl?$/.test(n)) out.push(r);
      else if (existsSync(path.join(folder, r)) && !n.includes(".")) walk(r);
    }
  };
  walk("chats");
  return out.sort();
}

/** Entries of Gemini CLI's home that hold its chats and their registry: left out of learn's throw-away home. */
const GEMINI_RECORDS = new Set(["tmp", "history", "projects.json"]);

/**
 * learn's model run of Gemini CLI (0.61.0 has no option to keep a chat from being recorded): a
 * throw-away `$GEMINI_CLI_HOME` in `scratch` whose `.gemini/` links every entry of the real one
 * (settings, credentials) except {@link GEMINI_RECORDS}, and `$TMPDIR` there too (Gemini CLI 0.61
 * writes a failed request, the prompt, as an error report into it). learn removes `scratch`.
 */
function geminiModelScratch(o: { env: NodeJS.ProcessEnv; scratch: string }): { env: NodeJS.ProcessEnv; cleanup(): void } {
  const home = path.join(o.scratch, "home");
  const to = path.join(home, ".gemini");
  mkdirSync(to, { recursive: true });
  let names: string[] = [];
  try {
    names = readdirSync(geminiHome(o.env));
  } catch {
    names = [];
  }
  for (const n of names) if (!GEMINI_RECORDS.has(n)) symlinkSync(path.join(geminiHome(o.env), n), path.join(to, n));
  const tmp = path.join(o.scratch, "tmp");
  mkdirSync(tmp, { recursive: true });
  return { env: { ...o.env, GEMINI_CLI_HOME: home, TMPDIR: tmp }, cleanup: () => {} };
}
