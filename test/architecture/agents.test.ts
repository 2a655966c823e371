import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/env.js";

/**
 * Issue 11: everything agent-specific lives in that agent's module (docs/architecture.md,
 * "Agents"). This test greps the code of `src/` (comments left out) for each agent's specifics
 * and fails when one appears outside its module, and checks that only `src/agents/` itself reaches
 * into the concrete modules (the engine goes through the `Agent` interface and the registry).
 *
 * Left out, with their reason:
 * - `src/cli/`: help texts and examples name each agent's default paths for users (argument
 *   parsing only, no logic);
 * - the canonical form's definition of `{{CC_PROJECT_CONTEXT_DIR}}` in `src/sentinel/anchors.ts`
 *   (docs/cluster-format.md: the tier's default meaning is part of the format shared with
 *   context-convergence; agents pass their own, e.g. Codex's `CODEX_HOME`);
 * - `src/merge/gemini.ts`: merges are the merge layer's concern (above the agents in the layers
 *   of docs/architecture.md, like Claude Code's transcript and memory merges in `src/merge/`), and
 *   Gemini's chat merge reuses the generic line union there; it names Gemini's record fields.
 */

const SRC = path.join(REPO, "src");

const SPECIFICS: Record<"claude" | "codex" | "gemini", RegExp> = {
  // directory key, store path, config dir, hook settings, transcript field names, root inference
  claude:
    /claudeDirKey|claudePathHash|\.claude\b|CLAUDE_CONFIG_DIR|settings\.json|\bsessionId\b|parentUuid|toolUseResult|isSidechain|claudeProjectsDir|inferProjectRoot|\bStop hook/,
  // first line, store path, home, rollout names, state database
  codex: /session_meta|\.codex\b|CODEX_HOME|rollout-|state_\d|\bthreads\b|config\.toml/,
  // store path, home, registry, ownership file, chat fields
  gemini: /\.gemini\b|GEMINI_CLI_HOME|projects\.json|["'`]\.project_root|PROJECT_ROOT_FILE|projectHash|\$rewindTo/,
};
const OWN = { claude: "src/agents/claude/", codex: "src/agents/codex/", gemini: "src/agents/gemini/" } as const;
/**
 * Names two agents share are not a leak inside the other agent's own module: Gemini CLI's
 * settings file is `settings.json` too, and its chats carry a `sessionId`.
 */
const SHARED_NAMES = /settings\.json|\bsessionId\b/;
const EXEMPT = [/^src\/cli\//, /^src\/sentinel\/anchors\.ts:return \[home, "\.claude", "projects", a\.key\]\.join\(sep\);$/, /^src\/merge\/gemini\.ts/];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The code lines of a TypeScript file: block comments, JSDoc and `//` comments removed. */
function codeLines(text: string): { n: number; line: string }[] {
  const out: { n: number; line: string }[] = [];
  let inBlock = false;
  text.split("\n").forEach((raw, i) => {
    let line = raw;
    if (inBlock) {
      const end = line.indexOf("*/");
      if (end < 0) return;
      line = line.slice(end + 2);
      inBlock = false;
    }
    line = line.replace(/\/\*.*?\*\//g, "");
    const start = line.indexOf("/*");
    if (start >= 0) {
      inBlock = true;
      line = line.slice(0, start);
    }
    line = line.replace(/(^|[^:"'`])\/\/.*$/, "$1");
    if (line.trim()) out.push({ n: i + 1, line: line.trim() });
  });
  return out;
}

describe("agent boundary (issue 11)", () => {
  const all = files(SRC).map((f) => ({ rel: path.relative(REPO, f).split(path.sep).join("/"), text: readFileSync(f, "utf8") }));

  it.each(Object.keys(SPECIFICS) as ("claude" | "codex" | "gemini")[])("%s specifics appear only in its module", (agent) => {
    const hits: string[] = [];
    for (const f of all) {
      if (f.rel.startsWith(OWN[agent])) continue;
      for (const { n, line } of codeLines(f.text)) {
        if (!SPECIFICS[agent].test(line)) continue;
        const otherAgent = Object.values(OWN).some((o) => o !== OWN[agent] && f.rel.startsWith(o));
        if (otherAgent && SHARED_NAMES.test(line) && !SPECIFICS[agent].test(line.replace(new RegExp(SHARED_NAMES.source, "g"), ""))) continue;
        if (EXEMPT.some((e) => e.test(f.rel) || e.test(`${f.rel}:${line}`))) continue;
        hits.push(`${f.rel}:${n}: ${line.slice(0, 120)}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it("the grep finds what it looks for (it would fail on a leak)", () => {
    const claude = all
      .filter((f) => f.rel.startsWith(OWN.claude))
      .flatMap((f) => codeLines(f.text))
      .filter((l) => SPECIFICS.claude.test(l.line));
    const codex = all
      .filter((f) => f.rel.startsWith(OWN.codex))
      .flatMap((f) => codeLines(f.text))
      .filter((l) => SPECIFICS.codex.test(l.line));
    const gemini = all
      .filter((f) => f.rel.startsWith(OWN.gemini))
      .flatMap((f) => codeLines(f.text))
      .filter((l) => SPECIFICS.gemini.test(l.line));
    expect(claude.length).toBeGreaterThan(5);
    expect(codex.length).toBeGreaterThan(5);
    expect(gemini.length).toBeGreaterThan(5);
    expect(codeLines("const a = 1; // claudeDirKey\n/* .codex */ const b = '.claude';\n * session_meta").map((l) => l.line)).toEqual([
      "const a = 1;",
      "const b = '.claude';",
      "* session_meta",
    ]);
  });

  it("only src/agents reaches into a concrete agent module; each agent is one folder", () => {
    const reaching = all.filter((f) => !f.rel.startsWith("src/agents/") && /from "[^"]*agents\/(claude|codex|gemini)\//.test(f.text)).map((f) => f.rel);
    expect(reaching).toEqual([]);
    for (const a of ["claude", "codex", "gemini"]) expect(statSync(path.join(SRC, "agents", a, "index.ts")).isFile()).toBe(true);
    const registry = readFileSync(path.join(SRC, "agents", "registry.ts"), "utf8");
    expect(registry).toMatch(/from "\.\/claude\/index\.js"/);
    expect(registry).toMatch(/from "\.\/codex\/index\.js"/);
    expect(registry).toMatch(/from "\.\/gemini\/index\.js"/);
  });
});
