/**
 * A doctor check result as agent modules return them (the same shape as `git ctx doctor`'s
 * checks, src/doctor/check.ts): `ok` false needs attention, `warning` marks an ok-but-notable
 * result, `fix` is a command or step that repairs it.
 */
export interface AgentCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  warning?: boolean;
}

/** What an agent's doctor checks read: the environment, the view and its state. */
export interface AgentCheckContext {
  env: NodeJS.ProcessEnv;
  workTree: string;
  gitDir: string;
  state: import("../view/state.js").ViewState | undefined;
}

/** A passing check. */
export const pass = (name: string, detail: string): AgentCheck => ({ name, ok: true, detail });
/** A failing check with its fix. */
export const fail = (name: string, detail: string, fix: string): AgentCheck => ({ name, ok: false, detail, fix });
/** A passing check that deserves attention. */
export const warn = (name: string, detail: string, fix?: string): AgentCheck => ({ name, ok: true, warning: true, detail, ...(fix ? { fix } : {}) });
