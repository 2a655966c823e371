import { existsSync } from "node:fs";
import * as path from "node:path";
import { STORE_ROOTS } from "../agents/stores.js";

/**
 * The views of this machine: each agent's store folder (absolute) that is a git repository with a
 * git-ctx state file (`.git/ctx/state.json`), in the registry's order. Reads no state and loads
 * neither the agent registry nor zod: the hook path (./synchook.ts) uses it after every turn.
 */
export function viewDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return STORE_ROOTS.map((s) => path.resolve(s.root(env))).filter((d) => existsSync(path.join(d, ".git", "ctx", "state.json")));
}
