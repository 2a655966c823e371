import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globList } from "../../src/agents/globs.js";
import { agentById } from "../../src/agents/index.js";
import { pathProblem } from "../../src/gate/index.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 24, point 10: Claude Code's and Gemini's synced-entry lists (`Agent.syncedPath`) are glob
 * lists matched with micromatch instead of hand-written regular expressions. The gate asks them
 * only for names `pathProblem` admits; on every such name they decide exactly as the regular
 * expressions of the previous release did (kept here as the reference).
 */

const OLD_CLAUDE = [/^[^/]+\.jsonl$/, /^[^/]+\/subagents\/[^/]+\.(jsonl|json)$/, /^[^/]+\/tool-results\/[^/]+$/, /^memory\/([^/]+\/)*[^/]+\.md$/, /^sessions-index\.json$/];
const oldClaude = (rel: string) => OLD_CLAUDE.some((r) => r.test(rel));
const oldGemini = (rel: string) => /^chats\/([^/]+\/)?[^/]+\.jsonl?$/.test(rel) || rel === "logs.json";
const claude = agentById("claude");
const gemini = agentById("gemini");

/** Paths built from the lists' own words, separators, dots and glob metacharacters (a cluster's names are data, never patterns). */
const token = fc.constantFrom(
  ...["a", "Z", "0", "-", "_", ".", "/", "//", "..", "memory", "subagents", "tool-results", "chats", "sessions-index", "logs", "session-1"],
  ...[".jsonl", ".json", ".md", "jsonl", "json", "md", ".meta", " ", "é", "\u200c", "\\", "*", "?", "[", "]", "{", "}", ",", "!", "(", ")", "+", "@", "$", "^", "|", "#", "~"],
);
const rel = fc.array(token, { minLength: 1, maxLength: 10 }).map((t) => t.join(""));

describe("synced-entry lists as micromatch globs", () => {
  it.each([
    ["s.jsonl", true, false],
    [".a.jsonl", true, false],
    [".jsonl", false, false],
    ["id/subagents/agent-1.jsonl", true, false],
    ["id/subagents/agent-1.meta.json", true, false],
    ["id/subagents/x/agent-1.jsonl", false, false],
    ["id/tool-results/out.txt", true, false],
    ["memory/MEMORY.md", true, false],
    ["memory/topic/deep/x.md", true, false],
    ["memory/x.txt", false, false],
    ["sessions-index.json", true, false],
    ["a/sessions-index.json", false, false],
    ["chats/session-2026-01-01T00-00-ab12cd34.jsonl", false, true],
    ["chats/parent/sub.json", false, true],
    ["chats/a/b/c.json", false, false],
    ["chats/.json", false, false],
    ["logs.json", false, true],
    ["checkpoints/x.json", false, false],
  ])("%j: Claude Code %s, Gemini %s", (p, c, g) => {
    expect(claude.syncedPath(p)).toBe(c);
    expect(gemini.syncedPath(p)).toBe(g);
    expect(oldClaude(p)).toBe(c);
    expect(oldGemini(p)).toBe(g);
  });

  it("on every name the gate admits, the globs decide as the old regular expressions did", () => {
    let admitted = 0;
    fc.assert(
      fc.property(rel, (p) => {
        if (pathProblem(p)) return;
        admitted++;
        expect([p, claude.syncedPath(p)]).toEqual([p, oldClaude(p)]);
        expect([p, gemini.syncedPath(p)]).toEqual([p, oldGemini(p)]);
      }),
      { numRuns: NUM_RUNS * 4 },
    );
    expect(admitted).toBeGreaterThan(NUM_RUNS);
  });

  it("a glob metacharacter in a name is a character, and a `\\` is never a separator", () => {
    const t = globList(["?*/tool-results/?*"]);
    expect(t("a/tool-results/[x]*")).toBe(true);
    expect(t("a\\tool-results\\x")).toBe(false);
    expect(globList(["!x.md"])("x.md")).toBe(false);
  });
});
