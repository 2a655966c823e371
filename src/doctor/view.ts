import { existsSync } from "node:fs";
import * as path from "node:path";
import { gitRaw } from "../git/exec.js";
import { AGENTS, agentOf, type Agent } from "../agents/index.js";
import { machineOsHome } from "../roster/machine.js";
import { readViewState, stateFile, type ViewState } from "../view/state.js";
import { CheckSchema, fail, pass, type Check, type CheckFn, type ViewContext } from "./check.js";
import { checkAttributes } from "./checks/attributes.js";
import { checkConfig, checkFilterInView } from "./checks/config.js";
import { checkDuplicates } from "./checks/duplicates.js";
import { checkGitState } from "./checks/gitstate.js";
import { checkProjects } from "./checks/projects.js";
import { checkSizes } from "./checks/sizes.js";
import { checkSyncState } from "./checks/syncstate.js";
import { checkGate } from "./checks/gate.js";
import { checkObjects } from "./checks/objects.js";
import { checkOddFiles } from "./checks/oddfiles.js";
import { checkVersions } from "./checks/versions.js";
import type { Codec } from "./folder.js";
import * as z from "zod/mini";

/** `--json` shape of `git ctx doctor` for the whole view. */
export const ViewReportSchema = z.object({
  view: z.nullable(z.object({ workTree: z.string(), gitDir: z.string() })),
  checks: z.array(CheckSchema),
  /** True when no check failed (exit code 0); warnings do not count. */
  ok: z.boolean(),
});
export type ViewReport = z.infer<typeof ViewReportSchema>;

/** Options of {@link doctorView}. */
export interface DoctorViewOptions {
  env: NodeJS.ProcessEnv;
  codec: Codec;
  /** Where to look for the view first (default `process.cwd()`). */
  cwd?: string;
  /** The checks to run (default {@link VIEW_CHECKS}); tests pass a subset. */
  checks?: readonly CheckFn[];
}

/** The view's agent's own checks (src/agents: Claude Code's Stop hook; Codex's filter probe, notify hook and rollouts). */
async function agentChecks(ctx: ViewContext): Promise<Check[]> {
  return (await agentOf(ctx.state).doctorChecks?.(ctx)) ?? [];
}

/** The checks every view ends with, whatever its agent: file sizes, entries sync leaves out (unreadable, not files), what sync left, the inbound gate's findings, the object store, git's own state. */
const STATE_CHECKS: readonly CheckFn[] = [checkSizes, checkOddFiles, checkSyncState, checkGate, checkObjects, checkGitState];

/** The checks of a view of a shared-layout agent (Codex): no project folders, no Claude Code transcripts. */
export const SHARED_VIEW_CHECKS: readonly CheckFn[] = [(c) => checkVersions(c), checkConfig, checkAttributes, agentChecks, ...STATE_CHECKS];

/**
 * The checks of a folder-layout view whose folders are not Claude Code's (Gemini CLI): the
 * engine's, and the agent's own instead of the transcript and roster-folder checks, which read
 * Claude Code transcripts and compare the folder with the roster's `encoded_dir`.
 */
export const FOLDER_VIEW_CHECKS: readonly CheckFn[] = [(c) => checkVersions(c), checkConfig, checkAttributes, checkFilterInView, agentChecks, ...STATE_CHECKS];

/** The checks of a view of `agent`: {@link SHARED_VIEW_CHECKS}, {@link VIEW_CHECKS} (the folder is the roster's key) or {@link FOLDER_VIEW_CHECKS}. */
export function viewChecksOf(agent: Agent): readonly CheckFn[] {
  return agent.layout === "shared" ? SHARED_VIEW_CHECKS : agent.rosterFolder ? VIEW_CHECKS : FOLDER_VIEW_CHECKS;
}

/** Every check of a folder-layout view (Claude Code), in report order. */
export const VIEW_CHECKS: readonly CheckFn[] = [
  (c) => checkVersions(c),
  checkConfig,
  checkAttributes,
  checkFilterInView,
  agentChecks,
  checkProjects,
  checkDuplicates,
  ...STATE_CHECKS,
];

async function repoOf(dir: string, env: NodeJS.ProcessEnv): Promise<{ workTree: string; gitDir: string } | undefined> {
  if (!existsSync(dir)) return undefined;
  const r = await gitRaw(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { cwd: dir, env, okCodes: [0, 128] });
  if (r.code !== 0) return undefined;
  const [workTree, gitDir] = r.stdout.toString("utf8").trim().split("\n");
  return workTree && gitDir ? { workTree, gitDir } : undefined;
}

/**
 * Finds the view: the repository around `cwd` when it has `$GIT_DIR/ctx/state.json`, else the
 * first agent store (src/agents: Claude Code's `~/.claude/projects`, then Codex's
 * `~/.codex/sessions`) that is a repository's top, else the repository around `cwd`.
 * `undefined` when none is a repository.
 */
export async function findView(cwd: string, env: NodeJS.ProcessEnv): Promise<{ workTree: string; gitDir: string } | undefined> {
  const here = await repoOf(cwd, env);
  if (here && existsSync(stateFile(here.gitDir))) return here;
  for (const a of AGENTS) {
    const store = a.storeRoot(env);
    const home = await repoOf(store, env);
    if (home && path.resolve(home.workTree) === path.resolve(store)) return home;
  }
  return here;
}

/**
 * `git ctx doctor` without a folder: runs every view check (each returns `{name, ok, detail,
 * fix?}`; a check that throws becomes a failed check naming the error) and reports whether
 * anything needs attention. Reads only; spawns git and the configured filter program.
 */
export async function doctorView(o: DoctorViewOptions): Promise<ViewReport> {
  const cwd = o.cwd ?? process.cwd();
  const view = await findView(cwd, o.env);
  const checks: Check[] = [];
  if (!view) {
    checks.push(
      fail(
        "view",
        `neither ${cwd} nor an agent's store (${AGENTS.map((a) => a.storeRoot(o.env)).join(", ")}) is a git repository`,
        `git clone ctx::<cluster-url> ${AGENTS[0]!.storeRoot(o.env)}   (or, to adopt existing sessions: git ctx init --remote <cluster-url> <project root>...)`,
      ),
    );
    return ViewReportSchema.parse({ view: null, checks, ok: false });
  }
  let state: ViewState | undefined;
  try {
    state = readViewState(view.gitDir);
    checks.push(
      state
        ? pass(
            "view",
            `${view.workTree}: machine ${state.machine.id} (${state.machine.os}), cluster ${state.cluster || "(none)"}, ${Object.keys(state.projects).length} joined project(s)`,
          )
        : fail(
            "view",
            `${view.workTree} has no ${stateFile(view.gitDir)}: it is not a git-ctx view`,
            `git ctx init --remote <cluster-url> <project root>...   (adopts ${view.workTree} as a view)`,
          ),
    );
  } catch (e) {
    checks.push(fail("view", (e as Error).message, `repair ${stateFile(view.gitDir)}, or remove it and run: git ctx init --remote <cluster-url> <project root>...`));
  }
  const machine = state ? { os: state.machine.os, home: state.machine.home } : machineOsHome(o.env);
  const ctx: ViewContext = { env: o.env, workTree: view.workTree, gitDir: view.gitDir, state, machine, codec: o.codec };
  for (const fn of o.checks ?? viewChecksOf(agentOf(state))) {
    try {
      checks.push(...(await fn(ctx)));
    } catch (e) {
      checks.push(fail("doctor", `a check could not run: ${(e as Error).message}`, "report this git-ctx bug with the output of 'git ctx doctor --json'"));
    }
  }
  return ViewReportSchema.parse({ view, checks, ok: checks.every((c) => c.ok) });
}

/** Human-readable view report: one line per check (`✓`, `!` warning, `✗` failure) and the fix under each problem. */
export function formatViewReport(r: ViewReport): string {
  const lines: string[] = [];
  for (const c of r.checks) {
    const mark = !c.ok ? "✗" : c.warning ? "!" : "✓";
    lines.push(`${mark} ${c.name}: ${c.detail}`);
    if (c.fix && (!c.ok || c.warning)) lines.push(`    fix: ${c.fix}`);
  }
  const failed = r.checks.filter((c) => !c.ok).length;
  lines.push(failed ? `${failed} problem(s) need attention` : "ok: nothing needs attention");
  return lines.join("\n") + "\n";
}
