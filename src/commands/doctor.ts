import { existsSync } from "node:fs";
import * as path from "node:path";
import { gitRaw } from "../git/exec.js";
import { projectByFolder, readViewState, stateFile } from "../view/state.js";
import { formatFolderReport, doctorFolder, type Codec } from "../doctor/folder.js";
import { machineOsHome, type MachineOs } from "../roster/machine.js";
import { viewDirs } from "./viewdirs.js";
import type { ViewReport } from "../doctor/view.js";
import type { RepairResult } from "../doctor/repair.js";
import type { FolderReport } from "../doctor/report.js";
import { agentOf } from "../agents/index.js";
import { jsonText, SCHEMA_VERSION } from "../json/version.js";
import type { DoctorDocument } from "../json/schemas.js";

/** Options of {@link doctor} (the CLI maps flags onto these). */
export interface DoctorOptions {
  /** A Claude Code project folder to check; absent: check the whole view (`~/.claude/projects` or cwd's repo). */
  folder?: string;
  /** `--root`: the project root on this machine (folder mode; default: the view's state.json for a joined project's folder, else inferred). */
  root?: string;
  /** `--dir`: check only the view in this folder (whole-view mode; default: the view around `cwd` and every agent's view). */
  dir?: string;
  /** `--home`: the home as written in transcripts (default `GIT_CTX_HOME`, else `$HOME`). */
  home?: string;
  /** `--os`: this machine's OS (default `GIT_CTX_OS`, else the platform; `windows` for a Windows root). */
  os?: MachineOs;
  /** `--rewrite-home`: roster policy `rewrite_home` (default true). */
  rewriteHome?: boolean;
  /** `--json`: print the report as JSON instead of text. */
  json?: boolean;
  /** Working directory, where the view is looked for first (default `process.cwd()`). */
  cwd?: string;
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Where results go (default stdout). */
  write?: (s: string) => void;
  /** The codec; default: `src/sentinel`. */
  codec?: Codec;
  /** `--fix`: rebuild a view whose object store is corrupt from the cluster (src/doctor/repair.ts), sync it, and check again. */
  fix?: boolean;
  /** `--dry-run` (with `--fix`): say what the fix would do, change nothing. */
  dryRun?: boolean;
}

/**
 * `git ctx doctor [<folder>]`: checks a Claude Code project folder (root, rewrite counts per
 * tier, byte-exact round trip, residue) or the whole view, prints the report, and returns the
 * exit code: 0 when nothing needs attention, 1 otherwise.
 * @throws InvalidInputError for a bad `GIT_CTX_OS`; fs errors when the folder cannot be read.
 * @throws NotAViewError when `dir` is given and holds no git-ctx view (`.git/ctx/state.json`).
 */
export async function doctor(o: DoctorOptions): Promise<number> {
  const env = o.env ?? process.env;
  const write = o.write ?? ((s: string) => void process.stdout.write(s));
  const codec = o.codec ?? (await loadCodec());
  if (o.folder === undefined) {
    const { doctorView, formatViewReport } = await import("../doctor/view.js");
    const one = o.dir === undefined ? undefined : await oneView(path.resolve(o.cwd ?? process.cwd(), o.dir));
    const r = await doctorView({ env, codec, cwd: one ?? o.cwd });
    // and every other agent's view of this machine (issue 11), unless --dir named one
    const reports = [r];
    for (const dir of one ? [] : viewDirs(env)) {
      if (r.view && path.resolve(r.view.workTree) === path.resolve(dir)) continue;
      reports.push(await doctorView({ env, codec, cwd: dir }));
    }
    if (o.fix) return fixViews(reports, { env, codec, write, json: o.json === true, dryRun: o.dryRun === true });
    if (o.json) write(jsonText(doctorDocument(reports)));
    else if (reports.length === 1) write(formatViewReport(r));
    else for (const x of reports) write(`== ${x.view?.workTree ?? "(no view)"} ==\n${formatViewReport(x)}`);
    return reports.every((x) => x.ok) ? 0 : 1;
  }
  const m = machineOsHome(env);
  const abs = path.resolve(o.cwd ?? process.cwd(), o.folder);
  const joined = o.root === undefined ? await joinedProjectOf(abs, env) : undefined;
  const r = await doctorFolder(
    {
      folder: abs,
      root: o.root ?? joined?.root,
      rootSource: o.root === undefined && joined ? "state" : "option",
      home: o.home ?? joined?.home ?? m.home,
      os: o.os ?? joined?.os,
      machineOs: m.os,
      rewriteHome: o.rewriteHome ?? joined?.rewriteHome,
      rerun: `git ctx doctor ${quote(abs)}`,
    },
    codec,
  );
  write(o.json ? jsonText(doctorDocument([], r)) : formatFolderReport(r));
  return r.ok ? 0 : 1;
}

/**
 * `git ctx doctor --fix`: for each view whose "object store" check failed, rebuilds the repository
 * from the cluster ({@link repairView}: the work tree stays, the broken repository is kept), runs
 * `git ctx sync` in it (commits the local lines, fetches, merges, pushes), and checks the view
 * again. Other problems are only reported (their fixes are named). With `dryRun`, prints the
 * steps and changes nothing. Prints the reports (after the fix), or with `json` the
 * {@link doctorDocument} of them with `fixed`.
 * @returns 0 when every view passes afterwards (or, dry run: before), else 1.
 * @throws RepairRefusedError when a view cannot be rebuilt (a sync is running, no cluster).
 */
async function fixViews(reports: ViewReport[], o: { env: NodeJS.ProcessEnv; codec: Codec; write: (s: string) => void; json: boolean; dryRun: boolean }): Promise<number> {
  const { doctorView, formatViewReport } = await import("../doctor/view.js");
  const { repairView } = await import("../doctor/repair.js");
  const fixed: RepairResult[] = [];
  const after: ViewReport[] = [];
  const say = (s: string) => {
    if (!o.json) o.write(s);
  };
  for (const r of reports) {
    const broken = r.view && r.checks.some((c) => c.name === "object store" && !c.ok);
    const state = r.view && readViewState(r.view.gitDir);
    if (!broken || !r.view || !state) {
      after.push(r);
      continue;
    }
    const res = await repairView(r.view, state, { env: o.env, dryRun: o.dryRun });
    fixed.push(res);
    if (o.dryRun) {
      say(`git ctx doctor --fix --dry-run: ${r.view.gitDir} is corrupt; the fix would:\n${res.steps.map((s) => `  - ${s}\n`).join("")}  - run git ctx sync\nnothing was changed\n`);
      after.push(r);
      continue;
    }
    say(`git ctx doctor --fix: rebuilt ${r.view.gitDir} from ctx::${res.cluster}; the broken repository is kept in ${res.backup}; the work tree was not touched\n`);
    try {
      const { sync } = await import("./sync.js");
      await sync({ dir: r.view.workTree, out: o.json ? ({ write: () => true } as unknown as NodeJS.WritableStream) : undefined });
    } catch (e) {
      say(`git ctx doctor --fix: the first sync failed: ${(e as Error).message} (your lines are still in ${r.view.workTree}; run 'git ctx sync' again)\n`);
    }
    after.push(await doctorView({ env: o.env, codec: o.codec, cwd: r.view.workTree }));
  }
  if (!fixed.length) say("git ctx doctor --fix: no view has a corrupt repository; nothing to rebuild (the other fixes are named below)\n");
  if (o.json) o.write(jsonText(doctorDocument(after, undefined, fixed)));
  else if (after.length === 1) o.write(formatViewReport(after[0]!));
  else for (const x of after) o.write(`== ${x.view?.workTree ?? "(no view)"} ==\n${formatViewReport(x)}`);
  return after.every((x) => x.ok) ? 0 : 1;
}

/**
 * The folder `--dir` names when it is a view's top (it holds `.git/ctx/state.json`; the
 * repository may be corrupt, which is what doctor is for, so git is not asked).
 * @throws NotAViewError otherwise (doctor would else check another view and say nothing of it).
 */
async function oneView(dir: string): Promise<string> {
  if (existsSync(stateFile(path.join(dir, ".git")))) return dir;
  const { NotAViewError } = await import("../sync/index.js");
  throw new NotAViewError({ dir, problem: `no ${stateFile(path.join(dir, ".git"))}` });
}

/**
 * The `git ctx doctor --json` document (src/json/schemas.ts `DoctorSchema`): each view's checks
 * (its agent read from its state; null when there is no view or no readable state), a folder's
 * report, the repairs of `--fix`. `ok`: every view and the folder pass.
 */
export function doctorDocument(reports: readonly ViewReport[], folder?: FolderReport, fixed?: readonly RepairResult[]): DoctorDocument {
  const agentOfView = (gitDir: string) => {
    try {
      const state = readViewState(gitDir);
      return state ? agentOf(state).id : null;
    } catch {
      return null; // an invalid state.json is one of the view's failed checks
    }
  };
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "doctor",
    ok: reports.every((r) => r.ok) && (folder?.ok ?? true),
    views: reports.map((r) => ({ agent: r.view ? agentOfView(r.view.gitDir) : null, dir: r.view?.workTree ?? null, gitDir: r.view?.gitDir ?? null, ok: r.ok, checks: r.checks })),
    ...(folder ? { folder } : {}),
    ...(fixed ? { fixed: fixed.map(({ workTree, ...f }) => ({ dir: workTree, ...f })) } : {}),
  };
}

/**
 * When `folder` is a top-level folder of a git-ctx view (its parent is the work tree of a
 * repository with `$GIT_DIR/ctx/state.json`) and a joined project's folder, that project's
 * anchors from the state; else `undefined`.
 */
async function joinedProjectOf(folder: string, env: NodeJS.ProcessEnv): Promise<{ root: string; home: string; os: MachineOs; rewriteHome: boolean } | undefined> {
  const parent = path.dirname(folder);
  if (!existsSync(parent)) return undefined;
  const r = await gitRaw(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { cwd: parent, env, okCodes: [0, 128] });
  if (r.code !== 0) return undefined;
  const [top, gitDir] = r.stdout.toString("utf8").trim().split("\n");
  if (!top || !gitDir || path.resolve(top) !== path.resolve(parent)) return undefined;
  let state: ReturnType<typeof readViewState>;
  try {
    state = readViewState(gitDir);
  } catch {
    return undefined; // an invalid state.json is reported by the whole-view doctor
  }
  const p = state && projectByFolder(state, path.basename(folder));
  return p && state ? { root: p.project.root, home: state.machine.home, os: state.machine.os, rewriteHome: p.project.rewriteHome } : undefined;
}

/** Loads the sentinel codec (`src/sentinel/index.ts`). */
export async function loadCodec(): Promise<Codec> {
  return await import("../sentinel/index.js");
}

function quote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+\\-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
