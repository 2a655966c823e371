import { existsSync, readFileSync } from "node:fs";
import { codexResumeCommand } from "./cli.js";
import { latestRecordTime, stringOf } from "../records.js";
import * as path from "node:path";
import type { Anchors } from "../../sentinel/index.js";
import type { JoinedProject, ViewState } from "../../view/state.js";
import type { Agent, AgentMachine } from "../types.js";
import { ROLLOUT_PATH, listRollouts, projectForCwd, readFirstLine, sessionMetaOf } from "./rollout.js";
import { readCodexSession } from "./read.js";
import { codexHome, codexSessionsDir } from "./home.js";

/**
 * The Codex CLI module (FORMATS.md, "Codex CLI", verified with `@openai/codex` 0.169.0).
 *
 * Store: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<local time>-<uuid>.jsonl` (default
 * `CODEX_HOME` = `~/.codex`). Rollouts are not keyed by project: a rollout belongs to the project
 * whose root holds its first line's `session_meta.payload.cwd`. Everything else in `CODEX_HOME`
 * (`state_<N>.sqlite`, `auth.json`, `config.toml`, `history.jsonl`, …) is outside the view and is
 * never synced.
 */

export { FIRST_LINE_MAX, ROLLOUT_PATH, listRollouts, projectForCwd, readFirstLine, rootHolds, sessionMetaOf, type SessionMeta } from "./rollout.js";

export { codexHome, codexSessionsDir } from "./home.js";

/** The Codex CLI agent (see the module comment). */
export const codex: Agent = {
  id: "codex",
  title: "Codex CLI",
  resumeCommand: codexResumeCommand,
  isSession: (rel) => ROLLOUT_PATH.test(rel),
  /** A rollout's latest record `timestamp` (in the file's last bytes) (every rollout line has one). */
  activityTime: (rel, tail, whole) => (ROLLOUT_PATH.test(rel) ? latestRecordTime(tail, whole, (r) => stringOf(r.timestamp)) : undefined),
  command: "codex",
  clusterDir: "codex",
  layout: "shared",
  neverSynced: (p) => !ROLLOUT_PATH.test(p),
  syncedPath: (rel) => ROLLOUT_PATH.test(rel),
  /** A rollout-shaped path ({@link ROLLOUT_PATH}): a Codex project has no folder (its key is `""`). */
  probePath: (_key, name) => `2026/01/01/rollout-2026-01-01T00-00-00-${name}`,
  home: codexHome,
  customHome: (env) => env.CODEX_HOME || undefined,
  storeRoot: codexSessionsDir,
  /**
   * Tiers: `{{CC_PROJECT_ROOT}}` = the project root, `{{CC_PROJECT_CONTEXT_DIR}}` = this machine's
   * `CODEX_HOME` (rollouts name `~/.codex/…` files), `{{CC_HOME}}` = home; no directory-key tier.
   */
  anchors(project: JoinedProject, machine: AgentMachine, agentHome: string | undefined): Anchors {
    const sep = machine.os === "windows" ? "\\" : "/";
    const home = agentHome ?? [machine.home.replace(/[\\/]+$/, ""), ".codex"].join(sep);
    return { os: machine.os, home: machine.home, root: project.root, key: "", contextDir: home, rewriteHome: project.rewriteHome };
  },
  projectOfFile(first: string, state: ViewState): string | undefined {
    const meta = sessionMetaOf(first);
    return meta ? projectForCwd(meta.cwd, state.projects) : undefined;
  },
  fileKey: (first) => sessionMetaOf(first)?.cwd,
  projectOfKey: (cwd, state) => projectForCwd(cwd, state.projects),
  isSessionPath: (p) => ROLLOUT_PATH.test(p),
  sessionFiles: listRollouts,
  readFirstLine,
  /** Registers the written rollouts in `CODEX_HOME/state_<N>.sqlite` (the view is `CODEX_HOME/sessions`): ./threads.ts. */
  async afterWrite(workTree: string, files: readonly string[]): Promise<string[]> {
    const rollouts = files.filter((f) => ROLLOUT_PATH.test(f)).map((f) => path.join(workTree, f));
    if (rollouts.length === 0) return [];
    const { registerRollouts } = await import("./threads.js");
    return registerRollouts(path.dirname(workTree), rollouts).warnings;
  },
  storeHint: "~/.codex/sessions",
  rulesFiles: ["AGENTS.md"],
  async doctorChecks(ctx) {
    const { checkCodexFilter, checkCodexHook, checkCodexRollouts } = await import("./doctor.js");
    return [...(await checkCodexFilter(ctx, codex)), ...(await checkCodexHook(ctx, codex)), ...(await checkCodexRollouts(ctx, codex))];
  },
  hook: {
    event: "notify",
    file: (env) => path.join(codexHome(env), "config.toml"),
    install: async (file, o) => {
      const n = await import("./notify.js");
      return n.editCodexConfig(file, n.withNotify, o);
    },
    uninstall: async (file, o) => {
      const n = await import("./notify.js");
      return n.editCodexConfig(file, n.withoutNotify, o);
    },
    installed: async (file) => {
      const n = await import("./notify.js");
      return existsSync(file) && n.isOurNotify(n.readNotify(readFileSync(file, "utf8"), file));
    },
  },
  sessionPaths: (env) => listRollouts(path.join(codexHome(env), "sessions")).map((r) => path.join(codexHome(env), "sessions", r)),
  readSession: (file) => readCodexSession(file),
  /** A new rollout under today's folder (./write.ts), checked, atomically written, registered in `threads`. */
  async writeSession(s, root, env, o) {
    const { writeCodexSession } = await import("./resume.js");
    return writeCodexSession(s, root, codexHome(env), o);
  },
  idOfPath: (file) => /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(file)?.[1] ?? path.basename(file, ".jsonl"),
  /** `$CODEX_HOME/sessions`, or any `…/.codex/sessions`. */
  isStorePath: (dir, env) => path.resolve(dir) === path.resolve(codexHome(env), "sessions") || /[\\/]\.codex[\\/]sessions[\\/]?$/.test(dir),
};
