import { existsSync } from "node:fs";
import type { ViewState } from "../view/state.js";
import { claude } from "./claude/index.js";
import { codex } from "./codex/index.js";
import { gemini } from "./gemini/index.js";
import type { Agent, AgentId } from "./types.js";

/**
 * Every agent git-ctx syncs, in the order commands visit them. Adding an agent is one module
 * under `src/agents/<id>/` and one line here (docs/architecture.md, "Agents").
 */
export const AGENTS: readonly Agent[] = [claude, codex, gemini];

/** The agent with id `id`. @throws Error for an unknown id (a caller validates user input first). */
export function agentById(id: AgentId): Agent {
  const a = AGENTS.find((x) => x.id === id);
  if (!a) throw new Error(`unknown agent '${id}'`);
  return a;
}

/** The agent whose store a view holds (`ViewState.agent`; views made before issue 11 are Claude Code's). */
export function agentOf(state: Pick<ViewState, "agent"> | undefined): Agent {
  return agentById(state?.agent ?? "claude");
}

/** Whether `s` is an agent id. */
export function isAgentId(s: string): s is AgentId {
  return AGENTS.some((a) => a.id === s);
}

/**
 * The agent a new view at `dir` is for when nobody said: the agent whose store `dir` is by its
 * path ({@link Agent.isStorePath}: `…/.codex/sessions` is Codex's), else Claude Code (the
 * store git-ctx synced first).
 */
export function agentOfStorePath(dir: string, env: NodeJS.ProcessEnv = process.env): Agent {
  return AGENTS.find((a) => a.id !== "claude" && a.isStorePath(dir, env)) ?? agentById("claude");
}

/**
 * The agents installed on this machine: those whose home exists (`~/.claude` or
 * `$CLAUDE_CONFIG_DIR`, `~/.codex` or `$CODEX_HOME`, `~/.gemini` or `$GEMINI_CLI_HOME/.gemini`; issue 11, scope 1), in {@link AGENTS} order;
 * Claude Code when none is (git-ctx's behaviour before it knew other agents).
 */
export function presentAgents(env: NodeJS.ProcessEnv = process.env): Agent[] {
  const found = AGENTS.filter((a) => existsSync(a.home(env)));
  return found.length ? found : [agentById("claude")];
}
