import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { codex, listRollouts, readFirstLine, sessionMetaOf } from "../src/agents/index.js";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import { simulatedMachineEnv } from "../src/roster/machine.js";
import { canonicalize, localize, type Anchors } from "../src/sentinel/index.js";
import { corpusProjects } from "./codec.bench.js";
import { median, time, timedRun } from "./timing.js";
import type { BenchRow } from "./types.js";

/** Title of this benchmark module (bench/run.ts). */
export const title = "Codex CLI (issue 11): rewriting throughput on corpus rollouts; sync of both views vs the Claude Code view alone";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, "../../bin");
const CODEX_CORPUS = path.resolve(HERE, "../../../shared/corpus/codex");

/** The machine a corpus rollout was recorded on, from its cwd: OS and home (`C:\\Users\\me`, `/Users/me`, `/home/me`; WSL `/mnt/<drive>/…` roots get a Linux home). Also used by test/codex/corpus.test.ts. */
export function machineOf(cwd: string): { os: "windows" | "darwin" | "linux"; home: string } {
  const win = /^([A-Za-z]:\\Users\\[^\\]+)/.exec(cwd);
  if (win) return { os: "windows", home: win[1]! };
  const mac = /^(\/Users\/[^/]+)/.exec(cwd);
  if (mac) return { os: "darwin", home: mac[1]! };
  const lin = /^(\/home\/[^/]+)/.exec(cwd);
  return { os: "linux", home: lin ? lin[1]! : "/home/wsl" };
}

/** canonicalize/localize MB/s on every corpus rollout (Codex anchors), against the same codec on the Claude Code corpus in the same run. */
async function throughput(): Promise<BenchRow[]> {
  if (!existsSync(CODEX_CORPUS)) return [{ name: "Codex rewriting", value: Number.NaN, unit: "", note: `${CODEX_CORPUS} absent: skipped` }];
  const items: { a: Anchors; buf: Buffer }[] = [];
  for (const repo of readdirSync(CODEX_CORPUS)) {
    for (const rel of listRollouts(path.join(CODEX_CORPUS, repo))) {
      const file = path.join(CODEX_CORPUS, repo, rel);
      const meta = sessionMetaOf(readFirstLine(file) ?? "");
      if (meta) items.push({ a: codex.anchors({ root: meta.cwd, key: "", rewriteHome: true }, machineOf(meta.cwd), undefined), buf: readFileSync(file) });
    }
  }
  const claude = (await corpusProjects()).flatMap((p) => p.files.map((f) => ({ a: p.anchors, buf: readFileSync(f) })));
  const mb = (xs: { buf: Buffer }[]) => xs.reduce((n, x) => n + x.buf.length, 0) / 1e6;
  let sink = 0;
  const reps = 7;
  const cx = mb(items);
  const canon = items.map((x) => ({ a: x.a, buf: canonicalize(x.buf, x.a) }));
  const tC = time(() => {
    for (const x of items) sink += canonicalize(x.buf, x.a).length;
  }, reps);
  const tL = time(() => {
    for (const x of canon) sink += localize(x.buf, x.a).length;
  }, reps);
  const rows: BenchRow[] = [];
  let baseC = Number.NaN;
  let baseL = Number.NaN;
  if (claude.length) {
    const cc = claude.map((x) => ({ a: x.a, buf: canonicalize(x.buf, x.a) }));
    baseC =
      mb(claude) /
      time(() => {
        for (const x of claude) sink += canonicalize(x.buf, x.a).length;
      }, reps);
    baseL =
      mb(claude) /
      time(() => {
        for (const x of cc) sink += localize(x.buf, x.a).length;
      }, reps);
  }
  const note = `${items.length} corpus rollouts (${cx.toFixed(1)} MB: Windows, macOS, WSL, Linux), best of ${reps}; baseline: the same codec on the Claude Code corpus`;
  if (sink < 0) rows.push({ name: "unreachable", value: sink, unit: "" }); // keeps the work observable
  rows.push({ name: "clean (canonicalize) Codex rollouts", value: cx / tC, unit: "MB/s", baseline: baseC, note });
  rows.push({ name: "smudge (localize) Codex rollouts", value: cx / tL, unit: "MB/s", baseline: baseL, note });
  return rows;
}

/** A simulated machine with Claude Code and Codex stores. */
function machine(root: string, name: string): { home: string; env: NodeJS.ProcessEnv; projects: string; sessions: string } {
  const home = path.join(root, name);
  const projects = path.join(home, ".claude", "projects");
  const sessions = path.join(home, ".codex", "sessions");
  mkdirSync(projects, { recursive: true });
  mkdirSync(sessions, { recursive: true });
  return { home, env: simulatedMachineEnv({ home, id: name, binDir: BIN }), projects, sessions };
}

const N = 200;
const line = (root: string, i: number, k: string) =>
  JSON.stringify({
    type: "user",
    uuid: `${i}-${k}`,
    sessionId: `s${i}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    cwd: root,
    message: { content: `${k} ${root}/src/f${i}.ts` },
  });
const rollLine = (root: string, i: number, k: string) =>
  JSON.stringify({
    timestamp: new Date(Date.UTC(2026, 0, 2) + i * 1000).toISOString(),
    type: "event_msg",
    payload: { type: "agent_message", message: `${k} read ${root}/src/f${i}.ts` },
  });
const rid = (i: number) => `019b0000-0000-7000-8000-${String(i).padStart(12, "0")}`;
const rel = (i: number) => `2026/01/02/rollout-2026-01-02T10-00-00-${rid(i)}.jsonl`;

/**
 * One project with {@link N} Claude Code sessions and {@link N} Codex rollouts on machine A (two
 * views), pushed to a local bare cluster. Rounds alternate: append to 10 sessions, then time
 * `git ctx sync --dir ~/.claude/projects` (the Claude Code view alone) against `git ctx sync`
 * (every view) after the same appends; and 5 sessions + 5 rollouts synced by `git ctx sync`
 * against 10 sessions in the Claude Code view alone. Medians of 5 rounds, files cold (> 2 s).
 */
async function bothViews(): Promise<BenchRow[]> {
  const t = path.join(os.tmpdir(), `gitctx-codex-bench-${process.pid}`);
  rmSync(t, { recursive: true, force: true });
  mkdirSync(t, { recursive: true });
  try {
    const A = machine(t, "A");
    const root = "/home/al/proj";
    const folder = path.join(A.projects, claudeDirKey(root));
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < N; i++) {
      writeFileSync(path.join(folder, `s${i}.jsonl`), [0, 1, 2, 3].map((k) => line(root, i, `l${k}`)).join("\n") + "\n");
      const f = path.join(A.sessions, rel(i));
      mkdirSync(path.dirname(f), { recursive: true });
      const meta = JSON.stringify({
        timestamp: "2026-01-02T10:00:00.000Z",
        type: "session_meta",
        payload: { id: rid(i), timestamp: "2026-01-02T10:00:00.000Z", cwd: root, originator: "bench", cli_version: "0.169.0" },
      });
      writeFileSync(f, [meta, ...[0, 1, 2].map((k) => rollLine(root, i, `r${k}`))].join("\n") + "\n");
    }
    const o = { cwd: A.home, env: A.env };
    const cluster = path.join(t, "cluster.git");
    timedRun("git", ["ctx", "install"], o);
    timedRun("git", ["ctx", "init", "--remote", cluster, "--id", "proj", root], o);
    const cool = () => spawnSync("sleep", ["2.2"]);
    const claudeAlone: number[] = [];
    const bothAfterClaude: number[] = [];
    const bothMixed: number[] = [];
    let k = 0; // each append call touches other sessions with a new tag
    const appendClaude = (n: number) => {
      for (let i = 0; i < n; i++) appendFileSync(path.join(folder, `s${(k * 10 + i) % N}.jsonl`), line(root, (k * 10 + i) % N, `a${k}`) + "\n");
      k++;
    };
    const appendCodex = (n: number) => {
      for (let i = 0; i < n; i++) appendFileSync(path.join(A.sessions, rel((k * 10 + i) % N)), rollLine(root, (k * 10 + i) % N, `a${k}`) + "\n");
      k++;
    };
    for (let round = 0; round < 5; round++) {
      appendClaude(10);
      cool();
      claudeAlone.push(timedRun("git", ["ctx", "sync", "--dir", A.projects], o));
      appendClaude(10);
      cool();
      bothAfterClaude.push(timedRun("git", ["ctx", "sync"], o));
      appendClaude(5);
      appendCodex(5);
      cool();
      bothMixed.push(timedRun("git", ["ctx", "sync"], o));
    }
    const base = median(claudeAlone);
    const note = `one project, ${N} sessions + ${N} rollouts on a local bare cluster; medians of 5 rounds, files cold; baseline: git ctx sync --dir ~/.claude/projects after appending to 10 sessions`;
    return [
      {
        name: "git ctx sync (both views), 10 Claude Code sessions appended",
        value: median(bothAfterClaude),
        unit: "s",
        baseline: base,
        target: "≤ 1.5×",
        ok: median(bothAfterClaude) <= 1.5 * base,
        note,
      },
      {
        name: "git ctx sync (both views), 5 sessions + 5 rollouts appended",
        value: median(bothMixed),
        unit: "s",
        baseline: base,
        target: "≤ 1.5×",
        ok: median(bothMixed) <= 1.5 * base,
        note,
      },
    ];
  } finally {
    rmSync(t, { recursive: true, force: true });
  }
}

/** Runs both parts. */
export async function run_(): Promise<BenchRow[]> {
  return [...(await throughput()), ...(await bothViews())];
}
export { run_ as run };
