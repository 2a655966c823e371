import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { isatty } from "node:tty";
import { isCtxError } from "../errors.js";
import { git } from "../git/exec.js";
import type { MachineOs } from "../roster/machine.js";
import type { ViewState } from "../view/state.js";
import { blobStream, CatFileBatch, readIndexOids } from "./catfile.js";
import { runMergeDriver, MERGE_DRIVER_ERROR, type MergeFileFn } from "./merge.js";
import { FdByteSource } from "./pktline.js";
import { runFilterProcess, type FilterTransform } from "./process.js";
import { makeCtxTransform, type FilterAnchors, type FilterCodec } from "./transform.js";

/**
 * Entry point of `bin/git-ctx-filter`:
 * - `git-ctx-filter [process]`: git's long-running filter process (`filter.ctx.process`);
 * - `git-ctx-filter clean|smudge --root R --home H [--os O] [--key K] [--no-rewrite-home] < in > out`:
 *   one-shot, streaming, for scripts and debugging;
 * - `git-ctx-filter merge %O %A %B %L %P`: the merge driver (`merge.ctx.driver`).
 * With `GIT_CTX_FILTER_DEBUG=rss` it prints `git-ctx-filter: maxRSS=<KiB>` on stderr at exit
 * (used by bench/filter.bench.ts); `GIT_CTX_FILTER_SPILL_BYTES=<n>` lowers the size above which
 * the process mode streams a file through a temp file (tests exercise that path with small files).
 */
export async function main(argv: string[]): Promise<void> {
  // Fast path: git starts the filter process for every command that needs content (each
  // `git status`), so it must start quickly: no yargs, no zod until a project file needs the state.
  if (argv.length === 0 || (argv.length === 1 && argv[0] === "process")) {
    if (isatty(0)) {
      process.stderr.write(
        "git-ctx-filter process: git runs this (filter.ctx.process) and speaks pkt-lines on stdin; for a manual run use 'git-ctx-filter clean|smudge --root R --home H < in > out' (see --help)\n",
      );
      process.exitCode = 2;
      return;
    }
    return run(processMode);
  }
  const { default: yargs } = await import("yargs");
  const { agentById } = await import("../agents/index.js");
  const { MACHINE_OSES, platformOs } = await import("../roster/machine.js");
  const oneShot = (command: "clean" | "smudge", describe: string) => ({
    command,
    describe,
    builder: (y: import("yargs").Argv) =>
      y
        .option("root", { type: "string", demandOption: true, describe: "this machine's project root (native spelling)" })
        .option("home", { type: "string", demandOption: true, describe: "home directory as written in transcripts" })
        .option("os", { choices: MACHINE_OSES as MachineOs[], describe: "path flavour (default: GIT_CTX_OS or this platform)" })
        .option("key", { type: "string", describe: "Claude Code directory key of --root (default: computed from --root)" })
        .option("rewrite-home", { type: "boolean", default: true, describe: "also rewrite the home to {{CC_HOME}} (--no-rewrite-home to keep it)" }),
    handler: (o: { root: string; home: string; os?: MachineOs; key?: string; rewriteHome: boolean }) =>
      run(() =>
        oneShotMode(command, {
          os: o.os ?? ((process.env.GIT_CTX_OS as MachineOs) || platformOs()),
          home: o.home,
          root: o.root,
          key: o.key ?? agentById("claude").folders!.of(o.root),
          rewriteHome: o.rewriteHome,
        }),
      ),
  });
  // merge: every argument is positional (git substitutes %P, a view path starting with `-`), so
  // yargs, which would read `-home-me-p/s.jsonl` as an option, only serves `merge --help`.
  const rest = argv.slice(1);
  if (argv[0] === "merge" && rest.length >= 3 && !rest.some((a) => a === "--help" || a === "-h")) {
    const a = rest[0] === "--" ? rest.slice(1) : rest;
    const markerSize = a[3] !== undefined && /^\d+$/.test(a[3]) ? Number(a[3]) : undefined;
    return run(() => mergeMode({ base: a[0]!, ours: a[1]!, theirs: a[2]!, markerSize, path: a[4] }), MERGE_DRIVER_ERROR);
  }
  await yargs(joinKeyValue(argv))
    .scriptName("git-ctx-filter")
    .usage("git-ctx-filter: clean/smudge filter and merge driver of git-ctx (run by git; see 'git ctx install')")
    .command(
      ["process", "$0"],
      "serve git's long-running filter protocol on stdin/stdout (filter.ctx.process)",
      (y) => y,
      () => run(processMode),
    )
    .command(oneShot("clean", "machine paths → sentinels, stdin to stdout") as never)
    .command(oneShot("smudge", "sentinels → machine paths, stdin to stdout") as never)
    .command(
      "merge <base> <ours> <theirs> [markerSize] [path]",
      "merge driver: git passes %O %A %B %L %P; the result is written into %A",
      (y) =>
        y
          .positional("base", { type: "string", demandOption: true })
          .positional("ours", { type: "string", demandOption: true })
          .positional("theirs", { type: "string", demandOption: true })
          .positional("markerSize", { type: "number" })
          .positional("path", { type: "string" }),
      (o) => run(() => mergeMode({ base: o.base, ours: o.ours, theirs: o.theirs, markerSize: o.markerSize, path: o.path }), MERGE_DRIVER_ERROR),
    )
    .strict()
    .help()
    .version(false)
    .parseAsync();
}

/**
 * Directory keys start with `-` (`-home-me-proj`), which yargs reads as an option: `--key -home-x`
 * is rewritten to `--key=-home-x` so both spellings work.
 */
function joinKeyValue(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") return [...out, ...argv.slice(i)];
    if (argv[i] === "--key" && i + 1 < argv.length) out.push(`--key=${argv[++i]}`);
    else out.push(argv[i]!);
  }
  return out;
}

/** Runs a mode, maps failures to messages on stderr and an exit code. */
async function run(fn: () => Promise<number | void>, errorCode = 1): Promise<void> {
  let code: number;
  try {
    code = (await fn()) ?? 0;
  } catch (e) {
    if (isCtxError(e)) {
      process.stderr.write(`git-ctx-filter: ${e.message}\n`);
      code = errorCode;
    } else {
      process.stderr.write(`git-ctx-filter: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
      code = errorCode === 1 ? 70 : errorCode;
    }
  }
  if (/\brss\b/.test(process.env.GIT_CTX_FILTER_DEBUG ?? "")) process.stderr.write(`git-ctx-filter: maxRSS=${process.resourceUsage().maxRSS} KiB\n`);
  process.exitCode = code;
}

async function loadCodec(): Promise<FilterCodec & { createCanonicalizeStream: typeof import("../sentinel/index.js").createCanonicalizeStream }> {
  return import("../sentinel/index.js");
}

/**
 * The long-running filter process. The git dir is found once at start
 * (`git rev-parse --absolute-git-dir`; cwd = work-tree top, GIT_DIR unset: GIT.md); the view state
 * is read once, the index's blob ids once (`git ls-files -s`), and index blobs through one
 * persistent `git cat-file --batch-command` child, all lazily on the first file that needs them.
 */
async function processMode(): Promise<void> {
  const cwd = process.cwd();
  let cat: CatFileBatch | undefined;
  let index: Promise<Map<string, string>> | undefined;
  const oidOf = async (p: string) => (await (index ??= readIndexOids(cwd))).get(p);
  let placed: Promise<(p: string) => string | undefined> | undefined;
  // Module loading and `git rev-parse` run while the handshake is exchanged; the first request waits for them.
  const ready = Promise.all([loadCodec(), import("../view/state.js"), git(["rev-parse", "--absolute-git-dir"], { cwd, noCtxFilter: true })]).then(
    ([codec, { readViewState }, gitDir]) => {
      let state: { value: ViewState | undefined } | undefined;
      return makeCtxTransform({
        codec,
        gitDir,
        state: () => (state ??= { value: readViewState(gitDir) }).value,
        readIndexBlob: async (p) => {
          const oid = await oidOf(p);
          return oid ? (cat ??= new CatFileBatch(cwd)).readBlob(oid) : undefined;
        },
        streamIndexBlob: async (p) => {
          const oid = await oidOf(p);
          return oid ? blobStream(cwd, oid) : undefined;
        },
        placeShared: async (p, st) => (placed ??= sharedPlacement(cwd, st)).then((f) => f(p)),
      });
    },
  );
  ready.catch(() => {}); // reported per file by the transform below
  const transform: FilterTransform = async (req, input) => (await ready)(req, input);
  try {
    const spill = Number(process.env.GIT_CTX_FILTER_SPILL_BYTES);
    // stdin read into one reusable buffer (no per-chunk garbage; see FdByteSource)
    await runFilterProcess(new FdByteSource(0), process.stdout, { transform, spillThreshold: spill > 0 ? spill : undefined });
  } finally {
    await cat?.close();
  }
}

/**
 * Where each file of a shared-layout view (Codex) belongs, for the filter (the remote helper's
 * `Placement` rules, src/cluster/shared.ts): a path a joined project's fetched cluster branch
 * holds (`git ls-tree -r refs/ctx/cluster/project/<id>:<dir>`, read once per process), else the
 * work-tree file's first line under a joined root.
 */
async function sharedPlacement(cwd: string, state: ViewState): Promise<(p: string) => string | undefined> {
  const { agentOf, readFirstLine } = await import("../agents/index.js");
  const { clusterTrackingRef } = await import("../view/refs.js");
  const agent = agentOf(state);
  const known = new Map<string, string>();
  for (const id of Object.keys(state.projects).sort()) {
    const out = await git(["ls-tree", "-r", "-z", "--name-only", "--full-tree", `${clusterTrackingRef(id)}:${agent.clusterDir}`], { cwd, noCtxFilter: true, okCodes: [0, 128] });
    for (const name of out.split("\0")) if (name && !known.has(name)) known.set(name, id);
  }
  return (p) => {
    const id = known.get(p);
    if (id) return id;
    try {
      const first = readFirstLine(path.join(cwd, p));
      return first === undefined ? undefined : agent.projectOfFile?.(first, state);
    } catch {
      return undefined;
    }
  };
}

/** One-shot clean/smudge of stdin to stdout, streaming (bounded memory for any size). */
async function oneShotMode(command: "clean" | "smudge", anchors: FilterAnchors): Promise<void> {
  const codec = await loadCodec();
  const t = command === "clean" ? codec.createCanonicalizeStream(anchors) : codec.createLocalizeStream(anchors);
  await pipeline(process.stdin, t, process.stdout);
}

/** The merge driver, with src/merge's `mergeFile`. */
async function mergeMode(args: { base: string; ours: string; theirs: string; markerSize?: number; path?: string }): Promise<number> {
  const { mergeFile } = await import("../merge/index.js");
  const fn: MergeFileFn = (p, base, ours, theirs) => mergeFile(p, base, ours, theirs, { markerSize: args.markerSize });
  return runMergeDriver(args, fn);
}
