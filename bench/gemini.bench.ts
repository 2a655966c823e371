import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { gemini, geminiChats } from "../src/agents/index.js";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import { mergeGeminiChatJson, mergeGeminiJsonl, mergeJsonl } from "../src/merge/index.js";
import { simulatedMachineEnv } from "../src/roster/machine.js";
import { canonicalize, localize, type Anchors } from "../src/sentinel/index.js";
import { machineOf } from "./codex.bench.js";
import { median, time, timedRun } from "./timing.js";
import type { BenchRow } from "./types.js";

/** Title of this benchmark module (bench/run.ts). */
export const title = "Gemini CLI (issue 12): rewriting and merge throughput on corpus chats; sync of three views vs one";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, "../../bin");
const GEMINI_CORPUS = path.resolve(HERE, "../../../shared/corpus/gemini");
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** A Gemini project folder of the corpus: its files (relative: chats, then `logs.json`) and the root its chats name. */
export interface GeminiCorpusFolder {
  dir: string;
  slug: string;
  root: string;
  files: string[];
}

/** Every prefix of every absolute path a text names (Windows and posix, JSON-escaped or not). */
function rootCandidates(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?:[A-Za-z]:(?:\\\\|\\)|\/)(?:[^"\s\\/:*?<>|]+(?:\\\\|\\|\/)?){1,8}/g)) {
    const p = m[0].replace(/\\\\/g, "\\");
    const parts = p.split(/[\\/]/);
    for (let i = 1; i <= parts.length; i++)
      out.add(
        parts
          .slice(0, i)
          .join(p.includes("\\") ? "\\" : "/")
          .replace(/[\\/]+$/, ""),
      );
  }
  return out;
}

/**
 * The project folders of the Gemini corpus (`<corpus>/<repo>/<slug or hash>/`), each with the root
 * whose sha256 is its chats' `projectHash` (a slug folder) or its name (a legacy hash folder),
 * found among the paths the files name. Also used by test/gemini/corpus.test.ts.
 * @throws Error naming a folder whose root cannot be found.
 */
export function geminiCorpusFolders(corpus = GEMINI_CORPUS): GeminiCorpusFolder[] {
  const out: GeminiCorpusFolder[] = [];
  for (const repo of readdirSync(corpus)) {
    for (const slug of readdirSync(path.join(corpus, repo))) {
      const dir = path.join(corpus, repo, slug);
      const files = [...geminiChats(dir), ...(existsSync(path.join(dir, "logs.json")) ? ["logs.json"] : [])];
      const text = files.map((f) => readFileSync(path.join(dir, f), "utf8")).join("\n");
      const hash = /^[0-9a-f]{64}$/.test(slug) ? slug : /"projectHash": "([0-9a-f]{64})"/.exec(text)?.[1];
      const root = [...rootCandidates(text)].find((c) => sha(c) === hash);
      if (!root) throw new Error(`${dir}: no path its files name hashes to ${hash}`);
      out.push({ dir, slug, root, files });
    }
  }
  return out;
}

/** The anchors of a corpus folder: its root, the home its Windows or posix root implies, its folder name. */
export function corpusAnchors(f: GeminiCorpusFolder): Anchors {
  return gemini.anchors({ root: f.root, key: f.slug, rewriteHome: true }, machineOf(f.root.replace(/^c:/, "C:")), undefined);
}

/** Every corpus chat and logs.json with its folder's anchors. */
function corpusItems(): { a: Anchors; buf: Buffer; file: string }[] {
  return geminiCorpusFolders().flatMap((f) => f.files.map((file) => ({ a: corpusAnchors(f), buf: readFileSync(path.join(f.dir, file)), file })));
}

/** Codec MB/s on every corpus chat; merge MB/s of the Gemini merges against the line union on the same bytes. */
function throughput(): BenchRow[] {
  if (!existsSync(GEMINI_CORPUS)) return [{ name: "Gemini rewriting", value: Number.NaN, unit: "", note: `${GEMINI_CORPUS} absent: skipped` }];
  const items = corpusItems();
  const mb = items.reduce((n, x) => n + x.buf.length, 0) / 1e6;
  let sink = 0;
  const reps = 7;
  const canon = items.map((x) => ({ a: x.a, buf: canonicalize(x.buf, x.a), file: x.file }));
  const tC = time(() => {
    for (const x of items) sink += canonicalize(x.buf, x.a).length;
  }, reps);
  const tL = time(() => {
    for (const x of canon) sink += localize(x.buf, x.a).length;
  }, reps);
  // merges: each chat against a copy that lost its last two messages (the other side appended them)
  const chats = canon.filter((x) => x.file !== "logs.json");
  const pairs = chats.map((x) => {
    const doc = JSON.parse(x.buf.toString("utf8")) as { messages: unknown[] };
    const fewer = Buffer.from(JSON.stringify({ ...doc, messages: doc.messages.slice(0, -2) }, null, 2));
    return { base: fewer, full: x.buf };
  });
  const jsonMb = pairs.reduce((n, p) => n + p.full.length, 0) / 1e6;
  const tJson = time(() => {
    for (const p of pairs) sink += mergeGeminiChatJson(p.base, p.full, p.base).merged.length;
  }, reps);
  // JSONL: the same messages as records, one side with a rewind (the arrangement check runs)
  const jsonl = chats.map((x) => {
    const doc = JSON.parse(x.buf.toString("utf8")) as { sessionId: string; projectHash: string; messages: { id?: string }[] };
    const head = JSON.stringify({ sessionId: doc.sessionId, projectHash: doc.projectHash });
    const lines = doc.messages.map((m) => JSON.stringify(m));
    const cut = Math.max(1, lines.length - 4);
    const base = Buffer.from([head, ...lines.slice(0, cut)].join("\n") + "\n");
    const ours = Buffer.from([head, ...lines, JSON.stringify({ $rewindTo: doc.messages[cut]?.id ?? "x" })].join("\n") + "\n");
    const theirs = Buffer.from([head, ...lines.slice(0, cut), JSON.stringify({ id: "theirs-1", type: "user", content: "from B" })].join("\n") + "\n");
    return { base, ours, theirs };
  });
  const jsonlMb = jsonl.reduce((n, p) => n + p.ours.length, 0) / 1e6;
  const tGl = time(() => {
    for (const p of jsonl) sink += mergeGeminiJsonl(p.base, p.ours, p.theirs).merged.length;
  }, reps);
  const tUnion = time(() => {
    for (const p of jsonl) sink += mergeJsonl(p.base, p.ours, p.theirs).merged.length;
  }, reps);
  // the common case: both sides only appended records (Gemini's own $set of lastUpdated included)
  const appended = jsonl.map((p) => ({
    ...p,
    ours: Buffer.from(p.ours.toString("utf8").replace(/\{"\$rewindTo":[^\n]*\n$/, '{"$set":{"lastUpdated":"2026-01-02T00:00:00.000Z"}}\n')),
  }));
  const tApp = time(() => {
    for (const p of appended) sink += mergeGeminiJsonl(p.base, p.ours, p.theirs).merged.length;
  }, reps);
  const tAppUnion = time(() => {
    for (const p of appended) sink += mergeJsonl(p.base, p.ours, p.theirs).merged.length;
  }, reps);
  const rows: BenchRow[] = [];
  if (sink < 0) rows.push({ name: "unreachable", value: sink, unit: "" });
  const note = `${items.length} corpus files (${mb.toFixed(1)} MB: Windows slug and legacy hash folders, legacy .json, logs.json), best of ${reps}`;
  rows.push({ name: "clean (canonicalize) Gemini chats", value: mb / tC, unit: "MB/s", note });
  rows.push({ name: "smudge (localize) Gemini chats", value: mb / tL, unit: "MB/s", note });
  rows.push({ name: "merge legacy .json chats by message id", value: jsonMb / tJson, unit: "MB/s", note: `${pairs.length} corpus chats against a copy two messages shorter` });
  rows.push({
    name: "merge JSONL chats (one side rewound)",
    value: jsonlMb / tGl,
    unit: "MB/s",
    baseline: jsonlMb / tUnion,
    note: "the corpus chats as JSONL records; baseline: the plain line union (mergeJsonl) on the same inputs, which Gemini would read with messages lost",
  });
  rows.push({
    name: "merge JSONL chats (both sides appended)",
    value: jsonlMb / tApp,
    unit: "MB/s",
    baseline: jsonlMb / tAppUnion,
    note: "the same chats, one side's last record a $set of lastUpdated instead of the rewind: no replay is needed; baseline: mergeJsonl",
  });
  return rows;
}

/** A simulated machine with Claude Code, Codex and Gemini CLI stores. */
function machine(root: string, name: string) {
  const home = path.join(root, name);
  const projects = path.join(home, ".claude", "projects");
  const sessions = path.join(home, ".codex", "sessions");
  const tmp = path.join(home, ".gemini", "tmp");
  for (const d of [projects, sessions, tmp]) mkdirSync(d, { recursive: true });
  return { home, env: simulatedMachineEnv({ home, id: name, binDir: BIN }), projects, sessions, tmp };
}

const N = 200;
const ts = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
const claudeLine = (root: string, i: number, k: string) =>
  JSON.stringify({ type: "user", uuid: `${i}-${k}`, sessionId: `s${i}`, timestamp: ts(i), cwd: root, message: { content: `${k} ${root}/src/f${i}.ts` } });
const rollLine = (root: string, i: number, k: string) =>
  JSON.stringify({ timestamp: ts(i), type: "event_msg", payload: { type: "agent_message", message: `${k} read ${root}/src/f${i}.ts` } });
const chatLine = (root: string, i: number, k: string) => JSON.stringify({ id: `${i}-${k}`, timestamp: ts(i), type: "user", content: [{ text: `${k} ${root}/src/f${i}.ts` }] });
const rid = (i: number) => `019b0000-0000-7000-8000-${String(i).padStart(12, "0")}`;
const rel = (i: number) => `2026/01/02/rollout-2026-01-02T10-00-00-${rid(i)}.jsonl`;
const chat = (i: number) => `session-2026-01-02T10-00-${String(i).padStart(8, "0")}.jsonl`;

/**
 * One project with {@link N} sessions in each of the three stores on machine A (three views),
 * pushed to a local bare cluster. Rounds: append to 10 Claude Code sessions and time
 * `git ctx sync --dir ~/.claude/projects` (one view) against `git ctx sync` (all three) after the
 * same appends; then 4 + 3 + 3 files appended across the three stores, synced by `git ctx sync`.
 * Medians of 5 rounds, files cold (> 2 s).
 */
function threeViews(): BenchRow[] {
  const t = path.join(os.tmpdir(), `gitctx-gemini-bench-${process.pid}`);
  rmSync(t, { recursive: true, force: true });
  mkdirSync(t, { recursive: true });
  try {
    const A = machine(t, "A");
    const root = "/home/al/proj";
    const folder = path.join(A.projects, claudeDirKey(root));
    const slug = path.join(A.tmp, "proj", "chats");
    mkdirSync(folder, { recursive: true });
    mkdirSync(slug, { recursive: true });
    for (let i = 0; i < N; i++) {
      writeFileSync(path.join(folder, `s${i}.jsonl`), [0, 1, 2, 3].map((k) => claudeLine(root, i, `l${k}`)).join("\n") + "\n");
      const f = path.join(A.sessions, rel(i));
      mkdirSync(path.dirname(f), { recursive: true });
      const meta = JSON.stringify({ timestamp: ts(0), type: "session_meta", payload: { id: rid(i), timestamp: ts(0), cwd: root, originator: "bench", cli_version: "0.169.0" } });
      writeFileSync(f, [meta, ...[0, 1, 2].map((k) => rollLine(root, i, `r${k}`))].join("\n") + "\n");
      const head = JSON.stringify({ sessionId: `g${i}`, projectHash: sha(root), startTime: ts(0), lastUpdated: ts(0), kind: "main" });
      writeFileSync(path.join(slug, chat(i)), [head, ...[0, 1, 2].map((k) => chatLine(root, i, `c${k}`))].join("\n") + "\n");
    }
    const o = { cwd: A.home, env: A.env };
    const cluster = path.join(t, "cluster.git");
    timedRun("git", ["ctx", "install"], o);
    timedRun("git", ["ctx", "init", "--remote", cluster, "--id", "proj", root], o);
    const cool = () => spawnSync("sleep", ["2.2"]);
    const alone: number[] = [];
    const threeAfterClaude: number[] = [];
    const threeMixed: number[] = [];
    let k = 0;
    const at = (i: number) => (k * 10 + i) % N;
    const append = (claude: number, codex: number, gem: number) => {
      for (let i = 0; i < claude; i++) appendFileSync(path.join(folder, `s${at(i)}.jsonl`), claudeLine(root, at(i), `a${k}`) + "\n");
      for (let i = 0; i < codex; i++) appendFileSync(path.join(A.sessions, rel(at(i))), rollLine(root, at(i), `a${k}`) + "\n");
      for (let i = 0; i < gem; i++) appendFileSync(path.join(slug, chat(at(i))), chatLine(root, at(i), `a${k}`) + "\n");
      k++;
    };
    for (let round = 0; round < 5; round++) {
      append(10, 0, 0);
      cool();
      alone.push(timedRun("git", ["ctx", "sync", "--dir", A.projects], o));
      append(10, 0, 0);
      cool();
      threeAfterClaude.push(timedRun("git", ["ctx", "sync"], o));
      append(4, 3, 3);
      cool();
      threeMixed.push(timedRun("git", ["ctx", "sync"], o));
    }
    const base = median(alone);
    const note = `one project, ${N} sessions in each of Claude Code, Codex and Gemini CLI on a local bare cluster; medians of 5 rounds, files cold; baseline: git ctx sync --dir ~/.claude/projects after appending to 10 sessions`;
    const a = median(threeAfterClaude);
    const b = median(threeMixed);
    return [
      { name: "git ctx sync (three views), 10 Claude Code sessions appended", value: a, unit: "s", baseline: base, target: "≤ 1.5×", ok: a <= 1.5 * base, note },
      { name: "git ctx sync (three views), 4 + 3 + 3 files appended across the views", value: b, unit: "s", baseline: base, target: "≤ 1.5×", ok: b <= 1.5 * base, note },
    ];
  } finally {
    rmSync(t, { recursive: true, force: true });
  }
}

/** Runs both parts. */
export async function run_(): Promise<BenchRow[]> {
  return [...throughput(), ...threeViews()];
}
export { run_ as run };
