/**
 * The `--agents` option of `git ctx init` and `git ctx join` (issue 11): comma-separated or
 * repeated agent ids. It is not an array option, which would swallow the roots after it.
 */

/** A comma-separated or repeated option's values (`--x a,b --x c` → `[a, b, c]`), for yargs' `coerce`. */
export function commaList(v: string | string[]): string[] {
  return [v]
    .flat()
    .flatMap((x) => x.split(","))
    .filter(Boolean);
}

/** The yargs option spec; `what` ends its description (what happens to the named agents' stores). */
export function agentsOption(what: string) {
  return {
    type: "string" as const,
    coerce: commaList,
    describe: `the agents whose stores ${what}: claude, codex, gemini (default: every agent installed here, i.e. whose home exists)`,
  };
}

/**
 * The agent ids of a parsed `--agents` value.
 * @throws InvalidInputError naming the value and the known ids when one is not an agent git-ctx syncs.
 */
export async function parseAgents(v: string | string[] | undefined): Promise<import("../agents/index.js").AgentId[] | undefined> {
  if (v === undefined) return undefined;
  const { AGENTS, isAgentId } = await import("../agents/index.js");
  const { InvalidInputError } = await import("../errors.js");
  const ids = [v].flat();
  for (const x of ids) if (!isAgentId(x)) throw new InvalidInputError({ what: "--agents", value: x, fix: `name agents git-ctx syncs: ${AGENTS.map((g) => g.id).join(", ")}` });
  return ids as import("../agents/index.js").AgentId[];
}

/**
 * Each agent's store, the default views, as the `--dir` helps name them (src/agents/*\/home.ts:
 * Claude Code's `projects`, Codex's `sessions`, Gemini CLI's `tmp` folder, each under the home
 * its own environment variable moves).
 */
export const AGENT_STORES = "$CLAUDE_CONFIG_DIR/projects or ~/.claude/projects, $CODEX_HOME/sessions or ~/.codex/sessions, $GEMINI_CLI_HOME/.gemini/tmp or ~/.gemini/tmp";

/**
 * The `--dir` option of the commands that act on every view of this machine unless one is named;
 * `dflt` says what they act on without it, before "every agent's view: <stores>".
 */
export function viewDirOption(dflt = "") {
  return { type: "string" as const, describe: `only the view in this folder (default: ${dflt}every agent's view: ${AGENT_STORES})` };
}
