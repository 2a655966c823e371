import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { dir } from "tmp-promise";
import { writeCtxConfig, writeAttributes, writeExcludes } from "../src/git/config.js";
import { NO_CTX_FILTER_ARGS } from "../src/git/exec.js";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import { writeViewState, type ViewState } from "../src/view/state.js";
import { CORPUS_CLAUDE, corpusProjects, type CorpusProject } from "./codec.bench.js";
import { median } from "./timing.js";
import type { BenchRow } from "./types.js";

/**
 * Issue 2 figures for the filter under real git, measured in one run:
 * - `git add -A` of all of corpus/claude (copied at run time into temp views, one view per
 *   recording machine, state mapping each folder to its inferred root) with the ctx filter process
 *   against the same command with the filter turned off (`-c filter.ctx.process=`), target ≤ 1.5×;
 * - peak RSS of the filter cleaning a generated 200 MB transcript, one-shot (streaming) and as
 *   git's filter process during `git add` (spilled to a temp file, cleaned as a stream), target
 *   ≤ 150 MB. RSS comes from the child itself (`GIT_CTX_FILTER_DEBUG=rss` prints
 *   `process.resourceUsage().maxRSS`).
 */
export const title = "filter under git (git add -A of the corpus; peak RSS on a 200 MB transcript)";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(REPO, "bin");
/** The protocol floor: a minimal echo filter process (bench/echo-filter.mjs, not part of git-ctx). */
const ECHO_FILTER = path.join(REPO, "bench", "echo-filter.mjs");

export function benchEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    GIT_CONFIG_GLOBAL: path.join(home, ".gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.test",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.test",
    PATH: `${BIN}${path.delimiter}${process.env.PATH}`,
  };
}

const TIME = "/usr/bin/time";
const HAS_TIME = existsSync(TIME);

/**
 * Runs a command; wall seconds, and with GNU time the CPU seconds (user + system) of the command
 * and the children it waited for (git + the filter process): on a shared machine CPU time is far
 * less noisy than wall time.
 */
function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, stdin?: number): { code: number | null; stderr: string; seconds: number; cpu: number } {
  const cpuFile = path.join(cwd, "..", `.cpu-${process.pid}`);
  const [c, a] = HAS_TIME ? [TIME, ["-f", "%U %S", "-o", cpuFile, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { cwd, env, stdio: [stdin ?? "ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}) in ${cwd}: ${r.stderr?.toString()}`);
  let cpu = NaN;
  if (HAS_TIME) {
    const [u, sy] = readFileSync(cpuFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
    cpu = (u ?? NaN) + (sy ?? NaN);
    rmSync(cpuFile, { force: true });
  }
  return { code: r.status, stderr: r.stderr?.toString() ?? "", seconds, cpu };
}

/** Where a corpus project's files start (its key folder, or the repo folder for flattened ones). */
export function projectBase(p: CorpusProject): string {
  const [repo, leaf] = p.name.split("/") as [string, string];
  const f = p.files[0]!;
  const repoDir = f.slice(0, f.indexOf(`${path.sep}${repo}${path.sep}`) + repo.length + 1);
  return leaf.endsWith(".jsonl") ? repoDir : path.join(repoDir, leaf);
}

interface View {
  top: string;
  bytes: number;
  files: number;
  machine: string;
}

/**
 * One view holding every corpus project `copies` times (copy n > 0 under the folder `<key>-c<n>`),
 * its state mapping each folder to the project's inferred root. A view has one machine: the
 * (os, home) that recorded most projects; the others keep their own roots and keys.
 */
export async function buildView(projects: CorpusProject[], top: string, copies: number, env: NodeJS.ProcessEnv): Promise<View> {
  const votes = new Map<string, number>();
  for (const p of projects) votes.set(`${p.anchors.os}|${p.anchors.home}`, (votes.get(`${p.anchors.os}|${p.anchors.home}`) ?? 0) + 1);
  const [os, home] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0].split("|") as [ViewState["machine"]["os"], string];
  mkdirSync(top, { recursive: true });
  sh("git", ["-c", "init.defaultBranch=main", "init", "-q"], top, env);
  const gitDir = path.join(top, ".git");
  await writeCtxConfig({ gitDir }, undefined, { env });
  writeAttributes(gitDir);
  const state: ViewState = { version: 1, cluster: "", machine: { id: "bench", os, home }, projects: {} };
  let bytes = 0;
  let files = 0;
  for (let c = 0; c < copies; c++) {
    projects.forEach((p, j) => {
      const key0 = p.anchors.key || claudeDirKey(p.anchors.root);
      const key = c === 0 ? key0 : `${key0}-c${c}`;
      if (Object.values(state.projects).some((x) => x.key === key)) return; // same folder twice (flattened files)
      state.projects[`p${j}c${c}`] = { root: p.anchors.root, key, rewriteHome: true };
      const base = projectBase(p);
      for (const f of p.files) {
        const dst = path.join(top, key, path.relative(base, f));
        mkdirSync(path.dirname(dst), { recursive: true });
        copyFileSync(f, dst);
        bytes += statSync(f).size;
        files++;
      }
    });
  }
  writeViewState(gitDir, state);
  writeExcludes(
    gitDir,
    Object.values(state.projects).map((x) => x.key),
  );
  return { top, bytes, files, machine: `${os} ${home}` };
}

/** Drops the index and all objects, so the next `git add -A` does the full work again. */
export function resetRepo(top: string): void {
  rmSync(path.join(top, ".git", "index"), { force: true });
  rmSync(path.join(top, ".git", "objects"), { recursive: true, force: true });
  mkdirSync(path.join(top, ".git", "objects", "info"), { recursive: true });
  mkdirSync(path.join(top, ".git", "objects", "pack"), { recursive: true });
}

async function corpusAdd(rows: BenchRow[], root: string, env: NodeJS.ProcessEnv, copies: number, reps: number): Promise<void> {
  const projects = await corpusProjects();
  if (!projects.length) {
    rows.push({ name: "git add -A of the corpus: corpus missing", value: NaN, unit: "", note: `no ${CORPUS_CLAUDE}` });
    return;
  }
  const v = await buildView(projects, path.join(root, `corpus-x${copies}`), copies, env);
  const withF: number[] = [];
  const without: number[] = [];
  const cpuWith: number[] = [];
  const cpuWithout: number[] = [];
  const floor: number[] = [];
  for (let r = 0; r < reps; r++) {
    // alternate, so load changes on the (shared) machine hit all sides alike
    for (const mode of r % 2 ? ["without", "floor", "with"] : ["with", "floor", "without"]) {
      resetRepo(v.top);
      const args = mode === "without" ? NO_CTX_FILTER_ARGS : mode === "floor" ? ["-c", `filter.ctx.process=node ${ECHO_FILTER}`] : [];
      const t = sh("git", [...args, "add", "-A"], v.top, env);
      if (mode === "floor") floor.push(t.seconds);
      else {
        (mode === "with" ? withF : without).push(t.seconds);
        (mode === "with" ? cpuWith : cpuWithout).push(t.cpu);
      }
    }
  }
  const w = median(withF);
  const wo = median(without);
  const what = `corpus/claude${copies > 1 ? ` ×${copies}` : ""}`;
  const note = `${v.files} files, ${(v.bytes / 1e6).toFixed(1)} MB in one view (machine ${v.machine}), one filter process (its Node start-up included); median of ${reps}, alternating; baseline: same view with \`-c filter.ctx.process=\` (NO_CTX_FILTER_ARGS)`;
  rows.push({ name: `git add -A of ${what}, with the filter (wall)`, value: w, unit: "s", baseline: wo, target: "≤ 1.5×", ok: w / wo <= 1.5, note });
  rows.push({
    name: `git add -A of ${what}, minimal echo filter process (wall)`,
    value: median(floor),
    unit: "s",
    baseline: wo,
    note: "floor of any Node.js long-running filter under git: bench/echo-filter.mjs answers every request with its content unchanged (no rewriting); git and the filter alternate per file",
  });
  if (HAS_TIME) {
    const cw = median(cpuWith);
    const cwo = median(cpuWithout);
    rows.push({
      name: `git add -A of ${what}, with the filter (CPU user+sys, git + filter)`,
      value: cw,
      unit: "s",
      baseline: cwo,
      target: "≤ 1.5×",
      ok: cw / cwo <= 1.5,
      note: "CPU time from GNU time: steadier than wall time on a shared machine",
    });
  }
  rmSync(v.top, { recursive: true, force: true });
}

/** Writes a transcript of about `mb` MB whose lines carry the root, subdirectories and the home. */
function generateTranscript(file: string, mb: number, root: string, home: string): number {
  const fd = openSync(file, "w");
  let size = 0;
  let i = 0;
  const target = mb * 1e6;
  try {
    while (size < target) {
      const lines: string[] = [];
      for (let k = 0; k < 200; k++, i++) {
        const ts = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
        lines.push(
          JSON.stringify({
            parentUuid: `p${i}`,
            isSidechain: false,
            type: i % 2 ? "assistant" : "user",
            cwd: i % 7 ? root : `${root}/src`,
            sessionId: "0b8e5c1e-0000-4000-8000-000000000000",
            message: {
              role: "user",
              content: [{ type: "tool_result", content: `read ${root}/src/file${i % 97}.ts (${home}/.cache/x) ${"lorem ipsum dolor sit amet ".repeat(1 + (i % 13))}` }],
            },
            uuid: `u${i}`,
            timestamp: ts,
          }) + "\n",
        );
      }
      const buf = Buffer.from(lines.join(""));
      writeSync(fd, buf);
      size += buf.length;
    }
  } finally {
    closeSync(fd);
  }
  return size;
}

function maxRssMb(stderr: string): number {
  const m = /git-ctx-filter: maxRSS=(\d+) KiB/.exec(stderr);
  if (!m) throw new Error(`no maxRSS line in: ${stderr.slice(-500)}`);
  return Number(m[1]) / 1024;
}

async function bigFile(rows: BenchRow[], root: string, env: NodeJS.ProcessEnv): Promise<void> {
  const home = "/home/bench";
  const projRoot = "/home/bench/work/proj";
  const key = claudeDirKey(projRoot);
  const top = path.join(root, "big");
  mkdirSync(path.join(top, key), { recursive: true });
  const file = path.join(top, key, "big.jsonl");
  const size = generateTranscript(file, 200, projRoot, home);
  const mb = size / 1e6;
  const dbg = { ...env, GIT_CTX_FILTER_DEBUG: "rss" };

  // one-shot, streaming
  const fd = openSync(file, "r");
  let one: Awaited<ReturnType<typeof sh>>;
  try {
    one = sh(path.join(BIN, "git-ctx-filter"), ["clean", "--root", projRoot, "--home", home, "--os", "linux"], top, dbg, fd);
  } finally {
    closeSync(fd);
  }
  const rssOne = maxRssMb(one.stderr);
  rows.push({
    name: "peak RSS, git-ctx-filter clean (one-shot) of a 200 MB transcript",
    value: rssOne,
    unit: "MB",
    target: "≤ 150 MB",
    ok: rssOne <= 150,
    note: `${mb.toFixed(0)} MB generated transcript, ${(mb / one.seconds).toFixed(0)} MB/s end to end (stdin → stdout)`,
  });

  // git's filter process during `git add`
  sh("git", ["-c", "init.defaultBranch=main", "init", "-q"], top, env);
  const gitDir = path.join(top, ".git");
  await writeCtxConfig({ gitDir }, undefined, { env });
  writeAttributes(gitDir);
  writeViewState(gitDir, { version: 1, cluster: "", machine: { id: "bench", os: "linux", home }, projects: { p: { root: projRoot, key, rewriteHome: true } } });
  const add = sh("git", ["add", "-A"], top, dbg);
  const rssProc = maxRssMb(add.stderr);
  resetRepo(top);
  const plain = sh("git", [...NO_CTX_FILTER_ARGS, "add", "-A"], top, env);
  rows.push({
    name: "peak RSS, filter process during git add of a 200 MB transcript",
    value: rssProc,
    unit: "MB",
    target: "≤ 150 MB",
    ok: rssProc <= 150,
    note: `content above 16 MiB is spilled to a temp file and cleaned as a stream; git add took ${add.seconds.toFixed(1)} s (${plain.seconds.toFixed(1)} s without the filter)`,
  });
  writeFileSync(file, "");
}

/** Runs the measurements (see the module comment). */
export async function run(): Promise<BenchRow[]> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-filter-bench-" });
  const rows: BenchRow[] = [];
  try {
    const home = path.join(t.path, "home");
    mkdirSync(home, { recursive: true });
    const env = benchEnv(home);
    await corpusAdd(rows, t.path, env, 1, 7);
    await corpusAdd(rows, t.path, env, 10, 5);
    await bigFile(rows, t.path, env);
  } finally {
    await t.cleanup();
  }
  return rows;
}
