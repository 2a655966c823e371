import * as z from "zod/mini";
import type { MachineOs } from "../roster/machine.js";
import type { ViewState } from "../view/state.js";
import type { Codec } from "./folder.js";

/**
 * The result of one `git ctx doctor` check. `ok: false` means attention is needed (exit 1) and
 * `fix` holds the command or step that fixes it; `warning: true` marks a finding that is
 * worth knowing but needs no action (`ok` stays true).
 */
export const CheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  fix: z.optional(z.string()),
  warning: z.optional(z.boolean()),
});
export type Check = z.infer<typeof CheckSchema>;

/** Everything a view check needs, resolved once by `doctorView` (effects stay in the checks). */
export interface ViewContext {
  env: NodeJS.ProcessEnv;
  /** Absolute work-tree top of the view (e.g. `~/.claude/projects`). */
  workTree: string;
  /** Absolute git dir of the view. */
  gitDir: string;
  /** `$GIT_DIR/ctx/state.json`, when present and valid. */
  state: ViewState | undefined;
  /** This machine's OS and transcript home (state's machine when present). */
  machine: { os: MachineOs; home: string };
  codec: Codec;
}

/** A check function: never throws for an expected fault (it returns `ok: false`). */
export type CheckFn = (ctx: ViewContext) => Promise<Check[]>;

/** Shorthands. */
/** Check constructors (shared with the agent modules' own checks, src/agents/check.ts). */
export { fail, pass, warn } from "../agents/check.js";
