import { AGENTS } from "../agents/index.js";

/**
 * The instruction files `git ctx rules` keeps in step (issue 14, scope 2; where each tool reads
 * them: CROSS-AGENT.md, "Rules files"). The synced agents' files come from their modules
 * (`Agent.rulesFiles`); the others are tools git-ctx does not sync sessions of.
 */
export interface RulesTarget {
  /** `claude`, `codex`, `gemini`, `cursor`, `copilot`, `windsurf`. */
  id: string;
  /** Candidates relative to the project root: the first that exists, else the first is created. */
  files: readonly string[];
  /** Text put before git-ctx's part when git-ctx creates the file (Cursor's rule frontmatter). */
  preamble?: string;
  /** Whether the target is written without `--targets` naming it. */
  byDefault: boolean;
}

/** Every target: the synced agents' files (Claude Code, Codex, Gemini), then the opt-in tools. */
export const TARGETS: readonly RulesTarget[] = [
  ...AGENTS.map((a) => ({ id: a.id, files: a.rulesFiles, byDefault: true })),
  {
    id: "cursor",
    files: [".cursor/rules/git-ctx.mdc"],
    preamble: "---\ndescription: Project instructions shared with the other coding agents (git ctx rules)\nalwaysApply: true\n---\n\n",
    byDefault: false,
  },
  { id: "copilot", files: [".github/copilot-instructions.md"], byDefault: false },
  { id: "windsurf", files: [".windsurf/rules/git-ctx.md"], byDefault: false },
];

/** The learnings file (`git ctx learn` writes it), relative to the project root. */
export const LEARNINGS_FILE = ".ctx/learnings.md";
