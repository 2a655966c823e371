/**
 * The agents git-ctx syncs. Each is one module behind `Agent` (./types.ts; docs/architecture.md,
 * "Agents"); only `src/agents/registry.ts` imports the concrete modules, and ./stores.ts their
 * `home.ts` files (the hook path's light route to the stores). Its own file so that the session
 * model (./session.ts), the interface and the `home.ts` files can all name it.
 */
export type AgentId = "claude" | "codex" | "gemini";

/**
 * Where one agent keeps its sessions on this machine, without the rest of its module:
 * `root(env)` is the absolute store folder the agent's view lives in (the same as
 * `Agent.storeRoot`, checked by test/agents/stores.test.ts).
 */
export interface StoreRoot {
  id: AgentId;
  root: (env: NodeJS.ProcessEnv) => string;
}
