/**
 * The agents git-ctx syncs. Each is one module behind `Agent` (./types.ts; docs/architecture.md,
 * "Agents"); only `src/agents/registry.ts` imports the concrete modules. Its own file so that the
 * session model (./session.ts) and the interface can both name it.
 */
export type AgentId = "claude" | "codex" | "gemini";
