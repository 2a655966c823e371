import * as os from "node:os";
import * as path from "node:path";
import type { StoreRoot } from "../ids.js";

/*
 * Claude Code's folders, in a module of their own with no other import: the hook path
 * (src/commands/synchook.ts, through ../stores.ts) needs them after every turn, and must not load
 * the agent registry to get them (issue 15: `git ctx sync --hook` returns in ≤ 0.1 s).
 */

/** `$CLAUDE_CONFIG_DIR`, else `~/.claude` (FORMATS.md, "Claude Code"). */
export function claudeHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), ".claude");
}

/**
 * The Claude Code projects folder: `$CLAUDE_CONFIG_DIR/projects` when set, else `~/.claude/projects`
 * (FORMATS.md: Claude Code stores a project's sessions in `~/.claude/projects/<key>/`).
 */
export function claudeProjectsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(claudeHome(env), "projects");
}

/** This agent's entry of `STORE_ROOTS` (../stores.ts). */
export const STORE: StoreRoot = { id: "claude", root: claudeProjectsDir };
