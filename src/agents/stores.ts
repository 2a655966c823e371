import { STORE as claudeStore } from "./claude/home.js";
import { STORE as codexStore } from "./codex/home.js";
import { STORE as geminiStore } from "./gemini/home.js";
import type { StoreRoot } from "./ids.js";

/*
 * The light route to what the hook needs after every agent turn (src/commands/synchook.ts):
 * each agent's store folder and the hook's input, without the registry, the readers, the
 * settings editor or zod (issue 15: `git ctx sync --hook` returns in ≤ 0.1 s;
 * test/hook/hook-imports.test.ts checks what it loads).
 */

export type { StoreRoot } from "./ids.js";
export { parseHookInput, readStdinWithin, type HookInput } from "./claude/hookInput.js";

/** Each agent's store folder, in the registry's order (`AGENTS`, ./registry.ts). */
export const STORE_ROOTS: readonly StoreRoot[] = [claudeStore, codexStore, geminiStore];
