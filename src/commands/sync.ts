import * as path from "node:path";
import { gitRaw } from "../git/exec.js";
import { agentById, agentOf, agentOfStorePath } from "../agents/index.js";
import { isCtxError } from "../errors.js";
import { jsonText, SCHEMA_VERSION } from "../json/version.js";
import type { SyncDocument, SyncViewDocument } from "../json/schemas.js";
import { syncHook } from "./synchook.js";
import { viewDirs } from "./viewdirs.js";
import { syncInBackground } from "../sync/background.js";
import type { HeldSecret, SyncNowOptions, SyncReport, View } from "../sync/index.js";
import { NO_PROGRESS, startProgress, type Progress } from "./progress.js";
import { paint } from "./style.js";

/** Options of {@link sync} (flags of `git ctx sync`). */
export interface SyncCommandOptions {
  /** Hook mode: a program (and its arguments) to start detached after the sync request: a user's own Codex notify program, with Codex's JSON last. */
  chain?: string[];
  /** The view (any folder inside it); default `~/.claude/projects` (`$CLAUDE_CONFIG_DIR/projects`). */
  dir?: string;
  /** Detach: record the request, spawn a background sync, return at once. */
  background?: boolean;
  /** Claude Code hook mode: read the hook JSON on stdin, start a background sync, always exit 0, print nothing. */
  hook?: boolean;
  /** Internal: the detached process spawned by `--background` / `--hook`. */
  worker?: boolean;
  /** Internal (worker): quiet window before a run, ms. */
  quietMs?: number;
  /** Print the report as JSON. */
  json?: boolean;
  /** Say what would be committed and pushed, write nothing (see `dryRun`). */
  dryRun?: boolean;
  /** Where human output goes (default process.stdout). */
  out?: NodeJS.WritableStream;
  /** `-q`: no human output on stdout, no progress; warnings and errors still on stderr. */
  quiet?: boolean;
  /** `--progress` (true) / `--no-progress` (false): the progress bar on stderr; default: when stderr is a terminal. */
  progress?: boolean;
}

/** What a foreground sync did in one view, for the final counts line ({@link countsLine}). */
interface Tally {
  /** The ids of the view's joined projects. */
  projects: string[];
  committed: number;
  updated: number;
}

/** {@link syncOne}'s options inside a foreground sync: the counts it adds to and the bar it ticks. */
type OneOptions = SyncCommandOptions & { dir: string; tally?: Tally[]; bar?: Progress };

/**
 * `git ctx sync`: commit the joined projects, fetch, merge, update the work tree without losing a
 * running session's line, push (src/sync). Foreground by default (waits for a running sync, then
 * runs); `--background` and `--hook` return at once.
 * @returns the exit code: 0, or 1 when the sync failed or the inbound gate refused something of
 *   the cluster (src/gate: named on stderr; the rest synced) (foreground only; `--hook` always 0).
 * @throws NotAViewError, ViewStateError (not in `--hook` mode).
 */
export async function sync(o: SyncCommandOptions): Promise<number> {
  if (o.hook) return syncHook(o);
  if (o.json && !o.background && !o.worker) return syncJson(o, o.dir ? [o.dir] : viewDirs());
  // every agent's view (issue 11): each is synced on its own; a failure of one does not stop the others
  const all = o.dir ? [o.dir] : viewDirs();
  const dirs = all.length ? all : [agentById("claude").storeRoot(process.env)];
  const foreground = !o.worker && !o.background && !o.dryRun;
  if (!foreground) return dirs.length > 1 ? syncEach(o, dirs) : syncOne({ ...o, dir: dirs[0]! }, "");
  // a foreground sync: a progress bar over the views on stderr (a terminal or --progress), the
  // views' lines once it is gone, then the counts (issue 24: git's conventions)
  const sink = o.out ?? process.stdout;
  const tally: Tally[] = [];
  const bar = o.json ? NO_PROGRESS : await startProgress({ label: "git ctx sync:", unit: "views", total: dirs.length, progress: o.progress, quiet: o.quiet });
  const buf: string[] = [];
  const out = { write: (x: string) => buf.push(x), isTTY: (sink as { isTTY?: boolean }).isTTY } as unknown as NodeJS.WritableStream;
  try {
    const code = dirs.length > 1 ? await syncEach({ ...o, out, tally, bar }, dirs) : await syncOne({ ...o, dir: dirs[0]!, out, tally, bar }, "");
    bar.stop();
    if (!o.json && !o.quiet) buf.push(`git ctx sync: ${paint(sink, code ? "warn" : "ok", countsLine(tally))}\n`);
    return code;
  } finally {
    bar.stop();
    if (buf.length) sink.write(buf.join(""));
  }
}

/**
 * The last line of a foreground sync, always printed but with `-q` (issue 24): `synced 3 projects
 * in 2 views: 2 files committed, 5 files updated`, or `…: nothing to commit, up to date`. A
 * project joined in several views (one per agent) counts once; files are counted in every view.
 */
export function countsLine(tally: readonly Tally[]): string {
  const sum = (f: (t: Tally) => number) => tally.reduce((n, t) => n + f(t), 0);
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  const projects = new Set(tally.flatMap((t) => t.projects)).size;
  const committed = sum((t) => t.committed);
  const updated = sum((t) => t.updated);
  const what = committed || updated ? `${n(committed, "file")} committed, ${n(updated, "file")} updated` : "nothing to commit, up to date";
  return `synced ${n(projects, "project")}${tally.length > 1 ? ` in ${tally.length} views` : ""}: ${what}`;
}

/**
 * {@link syncOne} for each view in `dirs`, concurrently (each view is its own repository with its
 * own lock; a race on a shared project branch is the helper's compare-and-swap retry), each
 * view's lines prefixed with its agent and printed in `dirs` order; the first error is thrown
 * after all ran.
 */
async function syncEach(o: SyncCommandOptions & { tally?: Tally[]; bar?: Progress }, dirs: readonly string[]): Promise<number> {
  const runs = await Promise.all(
    dirs.map(async (dir) => {
      const who = `${agentOfStorePath(dir).title}: `;
      const buf: string[] = [];
      const out = { write: (s: string) => buf.push(s), isTTY: (o.out as { isTTY?: boolean } | undefined)?.isTTY } as unknown as NodeJS.WritableStream;
      try {
        const code = await syncOne({ ...o, dir, out, bar: undefined }, who);
        return { dir, who, text: buf.join(""), error: undefined as unknown, code };
      } catch (e) {
        return { dir, who, text: buf.join(""), error: e as unknown, code: 1 };
      } finally {
        o.bar?.tick(who.slice(0, -2));
      }
    }),
  );
  o.bar?.stop();
  const sink = o.out ?? process.stdout;
  for (const r of runs) {
    sink.write(r.text);
    if (r.error) process.stderr.write(`${paint(process.stderr, "error", `git ctx sync: ${r.who}${(r.error as Error).message}`)}\n`);
  }
  const failed = runs.find((r) => r.error);
  if (failed) throw failed.error;
  return runs.some((r) => r.code !== 0) ? 1 : 0;
}

/**
 * `git ctx sync --json` (and `--dry-run --json`): each view in `dirs` synced concurrently (as
 * {@link syncEach}), one document for all (src/json/schemas.ts `SyncSchema`), whatever the number
 * of views. A view that fails with an expected error is an entry with `ok: false` and `error`; the
 * others still run.
 * @returns 0, or 1 when a view failed or the inbound gate refused something.
 * @throws anything that is not a {@link CtxError} (a bug).
 */
async function syncJson(o: SyncCommandOptions, dirs: readonly string[]): Promise<number> {
  const list = dirs.length ? dirs : [agentById("claude").storeRoot(process.env)];
  const views = await Promise.all(
    list.map(async (dir): Promise<SyncViewDocument> => {
      try {
        return await syncViewJson(o, dir);
      } catch (e) {
        if (!isCtxError(e)) throw e;
        return { agent: agentOfStorePath(dir).id, dir: path.resolve(dir), ok: false, error: { code: e.code, message: e.message } };
      }
    }),
  );
  for (const v of views) if (v.error) process.stderr.write(`git ctx sync: ${agentById(v.agent).title}: ${v.error.message}\n`);
  const doc: SyncDocument = { schemaVersion: SCHEMA_VERSION, command: "sync", ok: views.every((v) => v.ok), dryRun: o.dryRun === true, views };
  (o.out ?? process.stdout).write(jsonText(doc));
  return doc.ok ? 0 : 1;
}

/** One view's entry of `git ctx sync --json` (see {@link syncJson}); what the gate refused is also said on stderr. */
async function syncViewJson(o: SyncCommandOptions, dir: string): Promise<SyncViewDocument> {
  const { openView } = await import("../sync/index.js");
  const view = await openView(dir);
  const head = { agent: agentOf(view.state).id, dir: view.workTree };
  if (o.dryRun) {
    const d = await dryRunReport(view);
    return { ...head, ok: true, wouldCommit: d.wouldCommit, remote: d.remote, secrets: d.secrets };
  }
  const { r, refused, notSent, refusalMessage } = await syncForeground(view, { quiet: o.quiet });
  sayRefusals(`${agentOf(view.state).title}: `, notSent, refused, refusalMessage);
  const error = r.error ? { code: isCtxError(r.error) ? r.error.code : "SyncFailed", message: r.error.message } : undefined;
  return {
    ...head,
    ok: !error && refused.length === 0,
    ...(error ? { error } : {}),
    runs: r.runs,
    deferred: r.deferred,
    ...(r.report ? { report: reportDocument(r.report) } : {}),
    refused: refused.map((x) => ({ id: x.id, ...(x.path !== undefined ? { path: x.path } : {}), message: x.why })),
    notPushed: notSent.map((x) => ({ path: x.path, message: x.why })),
  };
}

/** A {@link SyncReport} as `git ctx sync --json` prints it (`report` of a view): every list present, reasons in `message`. */
function reportDocument(r: SyncReport): NonNullable<SyncViewDocument["report"]> {
  return {
    committed: r.committed,
    incoming: r.incoming,
    pushed: r.pushed,
    attempts: r.attempts,
    updated: r.updated,
    held: r.held.map((h) => ({ path: h.path, reason: h.reason })),
    conflicts: r.conflicts,
    skipped: (r.skipped ?? []).map((x) => ({ path: x.path, reason: x.why })),
    refused: (r.refused ?? []).map((f) => ({ path: f.path, message: f.message })),
    reordered: r.reordered,
    collapsed: r.collapsed ?? [],
    secrets: r.secrets ?? [],
    written: r.written ?? [],
    backups: r.backups ?? [],
    warnings: (r.warnings ?? []).map((message) => ({ message })),
  };
}

/**
 * A foreground sync of `view` (waits for a running one), with what the inbound gate refused of
 * the joined projects (recorded by the view build) and what the push left out for the same rule.
 * The slow steps are named on stderr (issue 10) unless a progress bar shows them (`o.bar`) or
 * `o.quiet`; the bar is ticked when the sync ends.
 */
async function syncForeground(view: View, o: { quiet?: boolean; bar?: Progress }) {
  const { syncNow } = await import("../sync/index.js");
  const transport = await inProcessTransport(view);
  const say = (l: string) => void (o.quiet ? undefined : process.stderr.write(`git ctx sync: ${l}\n`));
  const slow = o.bar?.shown ? { step: o.bar.step, stop: () => {} } : slowSteps(say);
  const r = await syncNow(view, { waitForLock: true, onWait: say, progress: slow.step, transport }).finally(() => {
    slow.stop();
    o.bar?.tick();
  });
  const gate = await import("../gate/index.js");
  const refused = r.error ? [] : gate.readRefusals(view.gitDir).inbound.filter((x) => view.state.projects[x.id]);
  const notSent = r.error || !r.report?.committed ? [] : await (await import("../gate/view.js")).viewOutboundRefusals(view.workTree, view.state);
  return { r, refused, notSent, refusalMessage: gate.refusalMessage };
}

/** Names on stderr what the push left out (`notSent`, a warning) and what the inbound gate refused (`refused`, an error), each line prefixed with `who`. */
function sayRefusals<R>(who: string, notSent: readonly { path: string; why: string }[], refused: readonly R[], message: (x: R) => string): void {
  const err = process.stderr;
  for (const x of notSent) err.write(`git ctx sync: ${who}${paint(err, "warn", `warning: not pushed: ${x.path} (${x.why}; other machines would refuse it)`)}\n`);
  for (const x of refused) err.write(`git ctx sync: ${who}${paint(err, "error", message(x))}\n`);
}

/** One view's sync (`o.dir`); output lines start with `who` (the agent, when several views are synced). */
async function syncOne(o: OneOptions, who: string): Promise<number> {
  const out = o.out ?? process.stdout;
  const { openView, syncNow } = await import("../sync/index.js"); // zod and friends: not on the hook path
  const view = await openView(o.dir);
  if (o.dryRun) return dryRun(view, out);
  if (o.worker) {
    await syncNow(view, { quietMs: o.quietMs ?? 0, waitForLock: false, request: false, transport: await inProcessTransport(view) });
    return 0;
  }
  if (o.background) {
    const spawned = await syncInBackground(view);
    if (!o.quiet)
      out.write(
        spawned
          ? `git ctx sync: ${who}started in the background (log: ${view.paths.log})\n`
          : `git ctx sync: ${who}a sync is running; it will run again for this request (log: ${view.paths.log})\n`,
      );
    return 0;
  }
  // what the inbound gate refused (recorded by the view build) and what the push left out for
  // the same rule: said on stderr, and a refusal from the cluster is a non-zero exit (issue 22)
  const { r, refused, notSent, refusalMessage } = await syncForeground(view, o);
  o.tally?.push({ projects: Object.keys(view.state.projects), committed: r.report?.committed ?? 0, updated: r.report?.updated ?? 0 });
  if (r.error) throw r.error;
  const err = process.stderr;
  sayRefusals(who, notSent, refused, refusalMessage);
  const code = refused.length ? 1 : 0;
  if (r.deferred || !r.report) {
    if (!o.quiet) out.write(`git ctx sync: ${who}served by a concurrent sync (see 'git ctx status')\n`);
    return code;
  }
  const parts = summaryParts(r.report);
  // -q: only what needs the user, on stderr; else the view's line unless it has nothing to say
  // beyond the counts line (a no-op sync said "nothing to commit" once per view: issue 24)
  if (o.quiet) for (const p of parts.filter((x) => x.warn)) err.write(`git ctx sync: ${who}${paint(err, "warn", p.text)}\n`);
  else if (!o.tally || !isNoop(r.report, parts)) out.write(`git ctx sync: ${who}${parts.map((p) => (p.warn ? paint(out, "warn", p.text) : p.text)).join("; ")}\n`);
  return code;
}

/**
 * The sync's route to a `ctx::` remote: the remote helper's work in this process
 * (src/helper/inprocess.ts), saving a Node start-up for each fetch and push. `GIT_CTX_TRANSPORT=git`
 * makes a sync use `git fetch` / `git push` (through git-remote-ctx) as a plain command does.
 */
async function inProcessTransport(view: { gitDir: string }): Promise<SyncNowOptions["transport"]> {
  if (process.env.GIT_CTX_TRANSPORT === "git") return undefined;
  const { ctxTransport } = await import("../helper/inprocess.js");
  return (remote, log) => ctxTransport({ gitDir: view.gitDir, url: remote.url, remote: remote.name, branch: remote.branch, log });
}

/**
 * Progress of a long foreground sync (issue 10, defect 13: a 30 MB line took 12 s in silence):
 * once a run has taken `afterMs`, each step that is running is named once on stderr with the
 * seconds so far. Quick syncs print nothing.
 */
function slowSteps(write: (line: string) => void, afterMs = 1000): { step: (s: string) => void; stop: () => void } {
  const start = Date.now();
  let current = "";
  let shown = "";
  const timer = setInterval(() => {
    if (current && current !== shown && Date.now() - start >= afterMs) {
      write(`${current}… (${Math.round((Date.now() - start) / 1000)} s)`);
      shown = current;
    }
  }, 200);
  timer.unref();
  return { step: (s) => void (current = s), stop: () => clearInterval(timer) };
}

/**
 * `git ctx sync --dry-run` (issue 10, conveniences): what a sync would commit (the joined
 * folders' new and modified files, `git --no-optional-locks status`, so not even the index is
 * refreshed), which files the secret gate holds back, and where it would fetch from and push to.
 * No fetch (it moves refs), no lock, nothing written.
 */
async function dryRun(view: View, out: NodeJS.WritableStream): Promise<number> {
  const { wouldCommit, remote, secrets } = await dryRunReport(view);
  out.write(
    `git ctx sync --dry-run: would commit ${wouldCommit.length} file(s)${wouldCommit.length ? `: ${wouldCommit.slice(0, 10).join(", ")}${wouldCommit.length > 10 ? ", …" : ""}` : ""}; would fetch and merge from ${remote} and push; nothing was written\n`,
  );
  for (const h of secrets) out.write(`  held back for secrets (would stay here): ${h.path} (${h.rules.join(", ")})\n`);
  return 0;
}

/** What {@link dryRun} says, as data: the files a sync would commit, its remote, the files held back for secrets. */
async function dryRunReport(view: View): Promise<{ wouldCommit: string[]; remote: string; secrets: HeldSecret[] }> {
  const { heldSecrets, sharedCandidates } = await import("../sync/index.js");
  // a shared-layout view (Codex) has no project folders: its candidates are the rollouts a sync
  // would stage (tracked, or naming a joined project in their first line), hidden by the view's
  // excludes until staged (hence --ignored); its key "" would be the pathspec "/", outside the repository
  const shared = agentOf(view.state).layout === "shared";
  const specs = shared
    ? (await sharedCandidates({ cwd: view.workTree }, view.workTree, view.state, { write: false })).sort()
    : [...new Set(Object.values(view.state.projects).map((p) => p.key))].sort().map((f) => `${f}/`);
  const r = specs.length
    ? await gitRaw(
        ["--no-optional-locks", "--literal-pathspecs", "status", "--porcelain=v1", "-z", "--untracked-files=all", ...(shared ? ["--ignored=matching"] : []), "--", ...specs],
        { cwd: view.workTree },
      )
    : undefined;
  const wouldCommit = (r?.stdout.toString("utf8").split("\0") ?? []).filter((x) => x.length > 3 && x[1] !== "D" && x[0] !== "D").map((x) => x.slice(3));
  return { wouldCommit, remote: view.state.cluster ? `ctx::${view.state.cluster}` : "origin", secrets: heldSecrets(view.gitDir, view.workTree) };
}

/**
 * The parts of a view's sync line, in order; `warn` marks those that need the user (conflicts,
 * refusals, secrets held back, warnings, backups of dropped lines): `-q` prints only these.
 */
function summaryParts(report: SyncReport): { text: string; warn: boolean }[] {
  const parts: { text: string; warn: boolean }[] = [];
  const info = (text: string) => parts.push({ text, warn: false });
  const warn = (text: string) => parts.push({ text, warn: true });
  info(report.committed ? `committed ${report.committed} file(s)` : "nothing to commit");
  if (report.incoming !== "none") info(`pulled (${report.incoming}), ${report.updated} file(s) updated`);
  if (report.pushed) info("pushed");
  if (report.held.length) info(`${report.held.length} held back until the next sync: ${report.held.map((h) => `${h.path} (${h.reason})`).join(", ")}`);
  if (report.conflicts.length) warn(`conflict markers in ${report.conflicts.join(", ")} (edit them; see 'git ctx status')`);
  for (const f of report.refused ?? []) warn(f.message);
  for (const w of report.warnings ?? []) warn(`warning: ${w}`);
  for (const h of report.secrets ?? []) warn(`held back for secrets, not sent: ${h.path} (${h.rules.join(", ")}; fingerprint ${h.fingerprints.join(", ")}) — ${h.fix}`);
  const dups = (report.collapsed ?? []).reduce((n, c) => n + c.uuids.length, 0);
  if (dups)
    info(
      `${dups} duplicated line${dups === 1 ? "" : "s"} collapsed (copies an earlier git-ctx made of another machine's lines) in ${report.collapsed.map((c) => c.path).join(", ")}`,
    );
  for (const b of report.backups ?? []) warn(`the file as it was before lines were dropped is saved in ${b} (restore: copy it back over the work-tree file, then 'git ctx sync')`);
  return parts;
}

/** A view's sync that committed, pulled and pushed nothing and has nothing else to say. */
function isNoop(report: SyncReport, parts: readonly unknown[]): boolean {
  return !report.committed && report.incoming === "none" && !report.pushed && parts.length === 1;
}
