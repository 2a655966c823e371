import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rules } from "../../src/commands/rules.js";
import { cleanEnv, ensureClaudeCode, type ClaudeCode } from "./claude.js";
import { codexExec, ensureCodex, type Codex } from "./codex.js";
import { ensureGemini, geminiRun, offlineSettings, startGeminiRecorder, type Gemini } from "./gemini.js";
import { run } from "./install.js";
import { startRecorder } from "./recorder.js";
import { startResponsesRecorder } from "./responses.js";

/**
 * Issue 14, scope 2, proved by the real clients ("a file git-ctx writes must be one the real
 * client loads"): after `git ctx rules`, each agent's own instruction file carries what the other
 * agents' files and the learnings say, and the real Claude Code, Codex CLI and Gemini CLI, started
 * in the project against local recorders, send that text to the model. A control run without
 * `git ctx rules` shows the client does not read the other agents' files by itself.
 */

let claude: ClaudeCode = { ok: false, why: "not installed yet" };
let codex: Codex = { ok: false, why: "not installed yet" };
let gemini: Gemini = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  [claude, codex, gemini] = await Promise.all([ensureClaudeCode(), ensureCodex(), ensureGemini()]);
}, 30 * 60_000);
afterAll(() => {
  for (const [n, c] of [
    ["claude", claude],
    ["codex", codex],
    ["gemini", gemini],
  ] as const)
    if (!c.ok) console.warn(`real ${n} rules test skipped: ${c.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const MARK = { claude: "CLAUDE-RULE-7f3a", codex: "CODEX-RULE-91bd", gemini: "GEMINI-RULE-c04e", learned: "LEARNED-FACT-5e21" };

/** A project whose three instruction files each hold one agent's own rule, plus a learning; `git ctx rules` run in it. */
async function project(withRules = true): Promise<{ root: string; home: string }> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-rules-real-" });
  cleanups.push(t.cleanup);
  const root = path.join(t.path, "proj");
  const home = path.join(t.path, "home");
  mkdirSync(path.join(root, ".ctx"), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(root, "CLAUDE.md"), `# Claude\n\nAlways say ${MARK.claude}.\n`);
  writeFileSync(path.join(root, "AGENTS.md"), `# Codex\n\nAlways say ${MARK.codex}.\n`);
  writeFileSync(path.join(root, "GEMINI.md"), `# Gemini\n\nAlways say ${MARK.gemini}.\n`);
  writeFileSync(path.join(root, ".ctx", "learnings.md"), `- ${MARK.learned} holds.\n`);
  await run("git", ["init", "-q", root], { timeoutMs: 30_000 });
  if (withRules) expect((await rules({ project: root })).ok).toBe(true);
  return { root, home };
}

describe("instruction files written by git ctx rules, as the real clients load them", () => {
  it("Claude Code sends what AGENTS.md, GEMINI.md and the learnings say, from CLAUDE.md", async (t) => {
    if (!claude.ok) t.skip(claude.why);
    if (!claude.ok) return;
    const bin = claude.bin;
    const rec = await startRecorder();
    cleanups.push(() => rec.close());
    const send = async (withRules: boolean) => {
      const { root, home } = await project(withRules);
      const r = await run(bin, ["-p", "hello"], {
        cwd: root,
        timeoutMs: 120_000,
        env: cleanEnv({ HOME: home, ANTHROPIC_API_KEY: "test-key-not-real", ANTHROPIC_BASE_URL: rec.url }),
      });
      expect(r.code, r.stderr.slice(-800)).toBe(0);
      return JSON.stringify(rec.take().map((p) => p.body));
    };
    const control = await send(false);
    expect(control).toContain(MARK.claude);
    for (const m of [MARK.codex, MARK.gemini, MARK.learned]) expect(control, m).not.toContain(m);
    const sent = await send(true);
    for (const m of [MARK.claude, MARK.codex, MARK.gemini, MARK.learned]) expect(sent, m).toContain(m);
  }, 300_000);

  it("Codex CLI sends what CLAUDE.md, GEMINI.md and the learnings say, from AGENTS.md", async (t) => {
    if (!codex.ok) t.skip(codex.why);
    if (!codex.ok) return;
    const bin = codex.bin;
    const rec = await startResponsesRecorder();
    cleanups.push(() => rec.close());
    const send = async (withRules: boolean) => {
      const { root, home } = await project(withRules);
      rec.posts.length = 0;
      const r = await codexExec({ bin, home, cwd: root, baseUrl: rec.baseUrl, args: ["hello"] });
      expect(r.code, r.stderr.slice(-800)).toBe(0);
      return JSON.stringify(rec.posts.map((p) => p.body));
    };
    const control = await send(false);
    expect(control).toContain(MARK.codex);
    for (const m of [MARK.claude, MARK.gemini, MARK.learned]) expect(control, m).not.toContain(m);
    const sent = await send(true);
    for (const m of [MARK.claude, MARK.codex, MARK.gemini, MARK.learned]) expect(sent, m).toContain(m);
  }, 300_000);

  it("Gemini CLI sends what CLAUDE.md, AGENTS.md and the learnings say, from GEMINI.md", async (t) => {
    if (!gemini.ok) t.skip(gemini.why);
    if (!gemini.ok) return;
    const entry = gemini.entry;
    const rec = await startGeminiRecorder();
    cleanups.push(() => rec.close());
    const send = async (withRules: boolean) => {
      const { root, home } = await project(withRules);
      offlineSettings(home);
      rec.streams.length = 0;
      const r = await geminiRun({ entry, home, cwd: root, baseUrl: rec.baseUrl, args: ["-p", "hello"] });
      expect(r.code, r.stderr.slice(-800)).toBe(0);
      return JSON.stringify(rec.streams.map((x) => x.body));
    };
    const control = await send(false);
    expect(control).toContain(MARK.gemini);
    for (const m of [MARK.claude, MARK.codex, MARK.learned]) expect(control, m).not.toContain(m);
    const sent = await send(true);
    for (const m of [MARK.claude, MARK.codex, MARK.gemini, MARK.learned]) expect(sent, m).toContain(m);
  }, 300_000);
});
