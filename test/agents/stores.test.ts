import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AGENTS } from "../../src/agents/index.js";
import { STORE_ROOTS } from "../../src/agents/stores.js";

/**
 * The hook path's light list of stores (src/agents/stores.ts) is the registry's, in its order:
 * a new agent, or a changed store folder, cannot reach one and not the other.
 */
describe("STORE_ROOTS", () => {
  it("names the registry's agents in its order", () => {
    expect(STORE_ROOTS.map((s) => s.id)).toEqual(AGENTS.map((a) => a.id));
  });

  it("gives each agent's storeRoot for any environment", () => {
    const value = fc.option(fc.constantFrom("/h/a", "/h/b c", "/tmp/x"), { nil: undefined });
    fc.assert(
      fc.property(fc.record({ HOME: value, CLAUDE_CONFIG_DIR: value, CODEX_HOME: value, GEMINI_CLI_HOME: value }), (vars) => {
        const env = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
        expect(STORE_ROOTS.map((s) => s.root(env))).toEqual(AGENTS.map((a) => a.storeRoot(env)));
      }),
    );
  });
});
