import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { claude, codex, gemini, type AgentId, type CanonicalSession } from "../../src/agents/index.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { canonicalize, localize } from "../../src/sentinel/index.js";
import { machineOf } from "../../bench/codex.bench.js";
import { corpusAnchors, geminiCorpusFolders } from "../../bench/gemini.bench.js";
import { node, type Node } from "../cluster/harness.js";
import { geminiProject } from "../gemini/chats.js";
import { CORPUS } from "../helpers/env.js";
import { ensureClaudeCode, resume as claudeResume, type ClaudeCode } from "./claude.js";
import { codexExec, ensureCodex, type Codex } from "./codex.js";
import { ensureGemini, geminiRun, offlineSettings, startGeminiRecorder, type Gemini } from "./gemini.js";
import { startRecorder } from "./recorder.js";
import { startResponsesRecorder } from "./responses.js";

/**
 * Issue 13, scope 4, on corpus sessions: one real session per source agent, each with tool calls
 * (a Linux Claude Code transcript, a Windows Codex rollout, a Windows Gemini chat), relocated to one
 * Linux test machine with real paths by git-ctx's own codec (the source machine's anchors out, the
 * test machine's in). Each is converted into the two other agents with `git ctx resume --in`, and
 * the target's real client (offline, against a local recorder) resumes it: its request holds every
 * user and assistant text of the source in order, and the source's tool calls as native tool calls
 * (same names, same order), each followed by its result.
 */

const CLAUDE_SRC = path.join(CORPUS, "claude", "HillviewCap__Personal_AI_Infrastructure", "-home-jenkins-Personal-AI-Infrastructure", "155715ec-f4e9-47ea-859c-2e4cfcceab6f.jsonl");
const CODEX_SRC = path.join(
  CORPUS,
  "codex",
  "Python-AI-Solutions__agentic-neurodata-conversion",
  "2025",
  "09",
  "26",
  "rollout-2025-09-26T17-01-04-019985ca-7ef7-7580-a921-c20ac619f40b.jsonl",
);
const GEMINI_DIR = path.join(CORPUS, "gemini", "LAF-US__IDAHO-VAULT", "idaho-vault");
const GEMINI_CHAT = "session-2026-03-31T01-22-8bb72f01.json";
const HAS = existsSync(CLAUDE_SRC) && existsSync(CODEX_SRC) && existsSync(path.join(GEMINI_DIR, "chats", GEMINI_CHAT));

let cc: ClaudeCode = { ok: false, why: "not installed yet" };
let cx: Codex = { ok: false, why: "not installed yet" };
let gm: Gemini = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  if (!HAS) return;
  [cc, cx, gm] = await Promise.all([ensureClaudeCode(), ensureCodex(), ensureGemini()]);
}, 30 * 60_000);
afterAll(() => {
  for (const [name, c] of [
    ["Claude Code", cc],
    ["Codex", cx],
    ["Gemini CLI", gm],
  ] as const)
    if (HAS && !c.ok) console.warn(`real ${name} corpus resume test skipped: ${c.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The test machine and the three corpus sessions placed in its stores, relocated to `root`. */
async function machine(): Promise<{ m: Node; root: string; ids: Record<AgentId, string>; sources: Record<AgentId, CanonicalSession> }> {
  const m = await node("B");
  cleanups.push(m.cleanup);
  const root = path.join(m.home, "work", "proj");
  mkdirSync(root, { recursive: true });
  const here = { os: "linux" as const, home: m.home };
  // Claude Code: a Linux transcript
  const claudeRoot = claude.readSession(CLAUDE_SRC)!.root!;
  const cFrom = claude.anchors({ root: claudeRoot, key: claudeDirKey(claudeRoot), rewriteHome: true }, machineOf(claudeRoot), undefined);
  const cTo = claude.anchors({ root, key: claudeDirKey(root), rewriteHome: true }, here, undefined);
  const cFile = path.join(m.projects, claudeDirKey(root), path.basename(CLAUDE_SRC));
  mkdirSync(path.dirname(cFile), { recursive: true });
  writeFileSync(cFile, localize(canonicalize(readFileSync(CLAUDE_SRC), cFrom), cTo));
  // Codex: a Windows rollout
  const codexRoot = codex.readSession(CODEX_SRC)!.root!;
  const xFrom = codex.anchors({ root: codexRoot, key: "", rewriteHome: true }, machineOf(codexRoot), undefined);
  const xTo = codex.anchors({ root, key: "", rewriteHome: true }, here, undefined);
  const xFile = path.join(m.home, ".codex", "sessions", "2025", "09", "26", path.basename(CODEX_SRC));
  mkdirSync(path.dirname(xFile), { recursive: true });
  writeFileSync(xFile, localize(canonicalize(readFileSync(CODEX_SRC), xFrom), xTo));
  // Gemini CLI: a Windows chat in a slug folder
  const f = geminiCorpusFolders(path.join(CORPUS, "gemini")).find((x) => x.dir === GEMINI_DIR)!;
  const gTo = gemini.anchors({ root, key: "proj", rewriteHome: true }, here, undefined);
  mkdirSync(path.join(m.home, ".gemini"), { recursive: true });
  const folder = geminiProject(path.join(m.home, ".gemini"), root, "proj");
  const gFile = path.join(folder, "chats", GEMINI_CHAT);
  mkdirSync(path.dirname(gFile), { recursive: true });
  writeFileSync(gFile, localize(canonicalize(readFileSync(path.join(GEMINI_DIR, "chats", GEMINI_CHAT)), corpusAnchors(f)), gTo));
  offlineSettings(m.home);
  const sources = { claude: claude.readSession(cFile)!, codex: codex.readSession(xFile)!, gemini: gemini.readSession(gFile)! };
  for (const s of Object.values(sources)) {
    // relocated: the session names this machine's root, and has tool calls
    expect(s.root).toBe(root);
    expect(s.messages.reduce((n, x) => n + x.toolCalls.length, 0)).toBeGreaterThan(1);
  }
  return { m, root, ids: { claude: sources.claude.id, codex: sources.codex.id, gemini: sources.gemini.id }, sources };
}

/** Every text of `s`, in order, is in `flat` (a request's JSON), as JSON escapes it. */
function expectTextsInOrder(flat: string, s: CanonicalSession, label: string): number {
  let at = 0;
  let n = 0;
  for (const m of s.messages)
    for (const t of m.text) {
      const needle = JSON.stringify(t).slice(1, -1);
      const i = flat.indexOf(needle, at);
      expect(i, `${label}: ${m.role} text '${t.slice(0, 80)}' not sent in order`).toBeGreaterThanOrEqual(at);
      at = i;
      n++;
    }
  return n;
}

/** The source's tool call names, in order. */
const callNames = (s: CanonicalSession) => s.messages.flatMap((m) => m.toolCalls.map((c) => c.name || "tool"));

/** Converts `id` into `target` on `m`, returning the new session id. */
async function convert(m: Node, root: string, id: string, target: AgentId): Promise<string> {
  const r = JSON.parse((await m.ctx(["resume", id, "--in", target, "--json"], { cwd: root })).stdout) as { id: string; cwd: string };
  expect(r.cwd).toBe(root);
  return r.id;
}

describe.skipIf(!HAS)("corpus sessions resumed in the other agents' real clients (issue 13, scope 4)", () => {
  it("into Claude Code: the Codex and the Gemini session", async (t) => {
    if (!cc.ok) t.skip(cc.why);
    if (!cc.ok) return;
    const { m, root, ids, sources } = await machine();
    const rec = await startRecorder();
    cleanups.push(() => rec.close());
    for (const from of ["codex", "gemini"] as const) {
      const id = await convert(m, root, ids[from], "claude");
      const run = await claudeResume({ bin: cc.bin, home: m.home, cwd: root, sessionId: id, baseUrl: rec.url });
      expect(run.code, run.stderr.slice(-1000) + run.stdout.slice(-500)).toBe(0);
      const posts = rec.take();
      const msgs = (posts[posts.length - 1]!.body?.messages ?? []) as { role: string; content: unknown }[];
      expect(expectTextsInOrder(JSON.stringify(msgs), sources[from], `${from} → claude`)).toBeGreaterThan(2);
      const uses: string[] = [];
      msgs.forEach((mm, i) => {
        for (const b of Array.isArray(mm.content) ? (mm.content as { type: string; id?: string; name?: string }[]) : [])
          if (b.type === "tool_use") {
            uses.push(b.name!);
            const next = msgs[i + 1]!;
            expect(next.role).toBe("user");
            expect(
              (next.content as { type: string; tool_use_id?: string }[]).some((r) => r.type === "tool_result" && r.tool_use_id === b.id),
              `${from} → claude: result of ${b.id}`,
            ).toBe(true);
          }
      });
      expect(uses, `${from} → claude: tool calls`).toEqual(callNames(sources[from]));
    }
  }, 600_000);

  it("into Codex: the Claude Code and the Gemini session", async (t) => {
    if (!cx.ok) t.skip(cx.why);
    if (!cx.ok) return;
    const { m, root, ids, sources } = await machine();
    const rec = await startResponsesRecorder();
    cleanups.push(() => rec.close());
    for (const from of ["claude", "gemini"] as const) {
      const id = await convert(m, root, ids[from], "codex");
      rec.posts.length = 0;
      const run = await codexExec({ bin: cx.bin, home: m.home, cwd: root, baseUrl: rec.baseUrl, args: ["resume", id, "continue"] });
      expect(run.code, run.stderr.slice(-1200)).toBe(0);
      const input = (rec.posts[rec.posts.length - 1]!.body?.input ?? []) as { type: string; call_id?: string; name?: string }[];
      expect(expectTextsInOrder(JSON.stringify(input), sources[from], `${from} → codex`)).toBeGreaterThan(2);
      const calls = input.filter((x) => x.type === "function_call");
      expect(
        calls.map((c) => c.name),
        `${from} → codex: tool calls`,
      ).toEqual(callNames(sources[from]));
      for (const c of calls) {
        const i = input.indexOf(c);
        expect(
          input.findIndex((x) => x.type === "function_call_output" && x.call_id === c.call_id),
          `${from} → codex: output of ${c.call_id}`,
        ).toBeGreaterThan(i);
      }
    }
  }, 600_000);

  it("into Gemini CLI: the Claude Code and the Codex session", async (t) => {
    if (!gm.ok) t.skip(gm.why);
    if (!gm.ok) return;
    const { m, root, ids, sources } = await machine();
    const rec = await startGeminiRecorder();
    cleanups.push(() => rec.close());
    for (const from of ["claude", "codex"] as const) {
      const id = await convert(m, root, ids[from], "gemini");
      rec.streams.length = 0;
      const run = await geminiRun({ entry: gm.entry, home: m.home, cwd: root, baseUrl: rec.baseUrl, args: ["--resume", id, "-p", "continue"] });
      expect(run.code, run.stderr.slice(-1500)).toBe(0);
      const contents = rec.streams[rec.streams.length - 1]!.body?.contents ?? [];
      expect(expectTextsInOrder(JSON.stringify(contents), sources[from], `${from} → gemini`)).toBeGreaterThan(2);
      const names: string[] = [];
      contents.forEach((e, i) => {
        for (const p of e.parts) {
          const call = p.functionCall as { id?: string; name?: string } | undefined;
          if (!call) continue;
          names.push(call.name!);
          expect(
            contents[i + 1]!.parts.some((q) => (q.functionResponse as { id?: string } | undefined)?.id === call.id),
            `${from} → gemini: response of ${call.id}`,
          ).toBe(true);
        }
      });
      expect(names, `${from} → gemini: tool calls`).toEqual(callNames(sources[from]));
    }
  }, 600_000);
});
