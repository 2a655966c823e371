import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { dir } from "tmp-promise";
import { writeAttributes, writeCtxConfig, writeExcludes, ctxGitConfig } from "../../src/git/config.js";
import { writeViewState } from "../../src/view/state.js";
import { BIN, makeMachine, type TestMachine } from "../helpers/env.js";

const pexec = promisify(execFile);

/** A simulated machine with a view repository at `$HOME/.claude/projects` joined to one project. */
export interface ViewMachine extends TestMachine {
  /** Absolute git dir of the view. */
  gitDir: string;
  /** The joined project's folder (directory key) in this view. */
  key: string;
  /** Absolute folder of the joined project. */
  folder: string;
  /** Runs `git ctx <args>` with this machine's environment (real bin). */
  ctx(args: string[], o?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs git in the view. */
  git(args: string[]): Promise<string>;
}

export const PROJECT_ID = "proj-1";
/** Folder name used in plain-remote tests (the same on both machines: no remote helper maps it). */
export const PLAIN_KEY = "-work-proj";

/**
 * Creates a view at `m.projects` with `origin` = `remote` (a plain bare repository), the
 * git-ctx merge driver and attributes from src/git/config.ts (the clean/smudge filter only when
 * `filter` is true), the excludes and `$GIT_DIR/ctx/state.json` with one joined project.
 */
export async function makeViewMachine(name: string, remote: string, o: { filter?: boolean; key?: string } = {}): Promise<ViewMachine> {
  const m = await makeMachine(name);
  const key = o.key ?? PLAIN_KEY;
  const run = (args: string[]) => pexec("git", args, { cwd: m.projects, env: m.env, maxBuffer: 1 << 28 }).then((r) => r.stdout.replace(/\n$/, ""));
  await run(["init", "-q", "--initial-branch=main"]);
  const gitDir = path.join(m.projects, ".git");
  const entries = ctxGitConfig().filter(([k]) => o.filter || !k.startsWith("filter."));
  await writeCtxConfig({ gitDir }, entries, { env: m.env });
  if (await driverMisreadsDashPaths()) {
    // Work-around while `git-ctx-filter merge` parses a %P that starts with '-' (every view path)
    // as options: hand it "./<path>" (mergeStrategy only looks at the last two components).
    await run(["config", "merge.ctx.driver", `sh -c 'exec git-ctx-filter merge "$1" "$2" "$3" "$4" "./$5"' git-ctx-merge %O %A %B %L %P`]);
  }
  writeAttributes(gitDir);
  if (!o.filter) {
    // no clean/smudge filter in plain mode: drop the filter attribute, keep the merge driver
    const f = path.join(gitDir, "info", "attributes");
    writeFileSync(f, readFileSync(f, "utf8").replace(/^\* filter=ctx -text$/m, "* -text"));
  }
  writeExcludes(gitDir, [key]);
  await run(["config", "pull.rebase", "false"]);
  await run(["remote", "add", "origin", remote]);
  writeViewState(gitDir, {
    version: 1,
    cluster: remote,
    machine: { id: name, os: m.os, home: m.pathHome },
    projects: { [PROJECT_ID]: { root: "/work/proj", key, rewriteHome: true } },
  });
  const folder = path.join(m.projects, key);
  mkdirSync(folder, { recursive: true });
  const ctx = async (args: string[], x: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(BIN, "git-ctx"), ...args], { cwd: m.projects, env: { ...m.env, ...x.env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (b) => (stdout += b));
      child.stderr.on("data", (b) => (stderr += b));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? 128, stdout, stderr }));
      child.stdin.end(x.input ?? "");
    });
  return { ...m, gitDir, key, folder, ctx, git: run };
}

let misreads: boolean | undefined;
/** Whether the built merge driver fails on a path starting with '-' (checked once per test file). */
async function driverMisreadsDashPaths(): Promise<boolean> {
  if (misreads !== undefined) return misreads;
  const t = await dir({ unsafeCleanup: true });
  try {
    for (const f of ["O", "A", "B"]) writeFileSync(path.join(t.path, f), "");
    const r = await pexec(process.execPath, [path.join(BIN, "git-ctx-filter"), "merge", "O", "A", "B", "7", "-k/x.jsonl"], { cwd: t.path }).then(
      () => 0,
      (e: { code?: number }) => e.code ?? 1,
    );
    misreads = r !== 0;
  } finally {
    await t.cleanup();
  }
  return misreads;
}

/** A bare repository acting as the remote, plus its cleanup. */
export async function makeBareRemote(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-remote-" });
  const url = path.join(t.path, "remote.git");
  await pexec("git", ["init", "-q", "--bare", "--initial-branch=main", url]);
  return { url, cleanup: t.cleanup };
}

/**
 * Machines A and B sharing a fresh bare remote (the two-machine setup of most sync tests); their
 * cleanups and the remote's are pushed onto `cleanups` (run them in `afterEach`).
 */
export async function makeMachinePair(cleanups: (() => void | Promise<void>)[], o: { filter?: boolean } = {}): Promise<{ A: ViewMachine; B: ViewMachine; remote: string }> {
  const remote = await makeBareRemote();
  const A = await makeViewMachine("A", remote.url, o);
  const B = await makeViewMachine("B", remote.url, o);
  cleanups.push(remote.cleanup, A.cleanup, B.cleanup);
  return { A, B, remote: remote.url };
}

/** Runs `git ctx sync` and fails the test with its output when it does not exit 0. */
export async function syncOk(m: ViewMachine, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await m.ctx(["sync", ...extra], { env });
  if (r.code !== 0) throw new Error(`git ctx sync on ${m.name} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Non-empty lines of a file. */
export function linesOf(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

/** Counts of each line (to check "exactly once"). */
export function lineCounts(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/**
 * Starts a child process that appends `{"type":"user","writer":"<tag>","n":<i>,...}` lines to
 * `file` every `everyMs` ms, like Claude Code does: `open-append-close` per line (mode
 * `"per-line"`) or one `O_APPEND` descriptor held open (mode `"held-fd"`). Stop it with
 * `stop()`, which resolves with the number of lines written.
 */
export function startWriter(file: string, tag: string, o: { everyMs: number; mode: "per-line" | "held-fd" }): { child: ChildProcess; stop: () => Promise<number> } {
  const script = `
    const fs = require("fs");
    const [file, tag, every, mode] = process.argv.slice(1);
    let n = 0, stop = false, fd = mode === "held-fd" ? fs.openSync(file, "a") : -1;
    process.stdin.on("data", () => { stop = true; });
    process.stdin.on("end", () => { stop = true; }); // the test process died: stop too
    setTimeout(() => { stop = true; }, 15 * 60 * 1000).unref();
    const line = () => JSON.stringify({ type: "user", writer: tag, n, timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 0) + n).toISOString(), pad: "x".repeat(16) }) + "\\n";
    function tick() {
      if (stop) { if (fd >= 0) fs.closeSync(fd); process.stdout.write(String(n)); return; }
      if (mode === "held-fd") fs.writeSync(fd, line()); else fs.appendFileSync(file, line());
      n++;
      setTimeout(tick, Number(every));
    }
    tick();`;
  const child = spawn(process.execPath, ["-e", script, file, tag, String(o.everyMs), o.mode], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  const done = new Promise<number>((resolve) => child.on("close", () => resolve(Number(out))));
  return {
    child,
    stop: async () => {
      child.stdin!.end("stop\n");
      return done;
    },
  };
}
