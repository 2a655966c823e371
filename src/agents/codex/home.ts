import * as os from "node:os";
import * as path from "node:path";
import type { StoreRoot } from "../ids.js";

/*
 * Codex CLI's folders, in a module of their own with no other import: the hook path
 * (src/commands/synchook.ts, through ../stores.ts) needs them after every turn, and must not load
 * the agent registry to get them (issue 15).
 */

/** `$CODEX_HOME`, else `~/.codex` (FORMATS.md, "Codex CLI"). */
export function codexHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEX_HOME || path.join(env.HOME || os.homedir(), ".codex");
}

/** `<codex home>/sessions`: the rollouts, `YYYY/MM/DD/rollout-*.jsonl` (FORMATS.md). */
export function codexSessionsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(codexHome(env), "sessions");
}

/** This agent's entry of `STORE_ROOTS` (../stores.ts). */
export const STORE: StoreRoot = { id: "codex", root: codexSessionsDir };
