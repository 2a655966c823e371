import * as os from "node:os";
import * as path from "node:path";
import type { StoreRoot } from "../ids.js";

/*
 * Gemini CLI's folders, in a module of their own with no other import: the hook path
 * (src/commands/synchook.ts, through ../stores.ts) needs them after every turn, and must not load
 * the agent registry to get them (issue 15).
 */

/** `$GEMINI_CLI_HOME/.gemini`, else `~/.gemini` (Gemini CLI's `Storage.getGlobalGeminiDir`). */
export function geminiHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.GEMINI_CLI_HOME || env.HOME || os.homedir(), ".gemini");
}

/** `<gemini home>/tmp`: one folder per project slug, its chats in `chats/` (FORMATS.md, "Gemini CLI"). */
export function geminiTmpDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(geminiHome(env), "tmp");
}

/** This agent's entry of `STORE_ROOTS` (../stores.ts). */
export const STORE: StoreRoot = { id: "gemini", root: geminiTmpDir };
