/**
 * Agents (issue 11): one module per agent behind the {@link Agent} interface; the engine asks
 * an `Agent` value and never names an agent's paths or fields itself.
 */
export type { AgentCheck, AgentCheckContext } from "./check.js";
export type { Agent, AgentHook, AgentId, AgentMachine, FolderChoice, FolderRules, StoreLayout } from "./types.js";
export { keysFile, projectsOfKeys, sessionKeys } from "./keys.js";
export { emptyMessage, spanOf, titleOf, unpairedTools, type CanonicalMessage, type CanonicalSession, type ToolCall, type ToolResult } from "./session.js";
export { AGENTS, agentById, agentOf, agentOfStorePath, isAgentId, presentAgents } from "./registry.js";
export { claude } from "./claude/index.js";
export { readGeminiChat, readGeminiJsonl, readGeminiJsonlChat, type GeminiChat, type GeminiMessage } from "./gemini/index.js";
export {
  gemini,
  geminiHome,
  geminiChats,
  GEMINI_SYNCED,
  chooseGeminiSlug,
  claimGeminiSlug,
  geminiProjectHash,
  normalizeGeminiRoot,
  readGeminiProjects,
  slugify,
  GeminiProjectsFileError,
  GeminiSlugTakenError,
} from "./gemini/index.js";
export { codex, codexHome, listRollouts, projectForCwd, readFirstLine, rootHolds, sessionMetaOf, ROLLOUT_PATH, type SessionMeta } from "./codex/index.js";
// Claude Code's hook input (stdin JSON) and the settings editing behind `git ctx hook --agent claude`
export { parseHookInput, readStdinWithin, type HookInput } from "./claude/hookInput.js";
export * as claudeSettings from "./claude/settings.js";
