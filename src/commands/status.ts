import { agentById, agentOf, projectsOfKeys, sessionKeys, type AgentId } from "../agents/index.js";
import { memoryConflicts } from "../doctor/checks/gitstate.js";
import type { ViewState } from "../view/state.js";
import { viewDirs } from "./viewdirs.js";
import { git, gitRaw } from "../git/exec.js";
import { readHeldBack } from "../scan/index.js";
import { appendNormalized, openView, readCarry, readLastSync, type LastSync } from "../sync/index.js";
import { readRefusals, refusalMessage } from "../gate/index.js";
import { viewOutboundRefusals } from "../gate/view.js";
import { paint, type Tone } from "./style.js";
import { jsonText, SCHEMA_VERSION } from "../json/version.js";
import type { StatusDocument } from "../json/schemas.js";

/** Options of {@link status}. */
export interface StatusOptions {
  /** The view (any folder inside it); default `~/.claude/projects`. */
  dir?: string;
  json?: boolean;
  /** `-s`: one line per joined project ({@link shortStatus}). */
  short?: boolean;
  out?: NodeJS.WritableStream;
  /** Current time (ms) for "ago" texts; default `Date.now()`. */
  now?: number;
}

/** Status of one joined project (as `git ctx status --json` prints it: {@link statusDocument}). */
export interface ProjectStatus {
  id: string;
  /** View folder (this machine's directory key). */
  key: string;
  root: string;
  /** Paths (relative to the view) with changes not yet committed by a sync (`git status`). */
  uncommitted: string[];
  /** Of those, session transcripts (`*.jsonl`). */
  uncommittedSessions: number;
  /** Commits touching this folder on HEAD and not on the remote-tracking branch, and the reverse (no network). */
  ahead: number;
  behind: number;
  /** Memory files that still hold conflict markers from a merge (edit them to resolve). */
  conflicts: string[];
  /** Files the push gate quarantined (`$GIT_DIR/ctx/held-back.json`, findings of the secret scan). */
  heldBack: string[];
  /** Files whose work-tree copy the last sync left as it was (updated by a later sync). */
  syncHeld: string[];
  /** What the inbound gate refused of this project's cluster branch at the last fetch (src/gate): entries (`path`) or the whole branch. */
  refused: { path?: string; why: string }[];
  /** Files of this project's folder that are not pushed because other machines would refuse them (a symbolic link, a file the agent does not sync). */
  notPushed: { path: string; why: string }[];
}

/** The status of one view (`git ctx status --json` prints {@link statusDocument} of these). */
export interface ViewStatus {
  summary: string;
  /** Whose store the view is. */
  agent: AgentId;
  workTree: string;
  lastSync?: LastSync;
  projects: ProjectStatus[];
}

/**
 * `git ctx status [--json]`: a one-line summary, then per joined project: uncommitted files
 * (sessions), ahead/behind the remote-tracking branch (no network), last sync result and time
 * (`last-sync.json`), memory files with conflict markers, and held-back files.
 * @returns 0, or 1 when the last sync failed (scripts and prompts can test it).
 * @throws NotAViewError, ViewStateError.
 */
export async function status(o: StatusOptions = {}): Promise<number> {
  const out = o.out ?? process.stdout;
  // every agent's view (issue 11), or the one --dir names
  const dirs = o.dir ? [o.dir] : viewDirs();
  const all = await Promise.all((dirs.length ? dirs : [agentById("claude").storeRoot(process.env)]).map((d) => viewStatus(d, o.now ?? Date.now())));
  // like `git status --porcelain` users script on: a failed last sync is not a healthy state (issue 10, 13)
  // and neither is a cluster branch the inbound gate refused (issue 22: never only a log line)
  const code = all.some((s) => (s.lastSync && !s.lastSync.ok) || s.projects.some((p) => p.refused.length)) ? 1 : 0;
  if (o.json) {
    out.write(jsonText(statusDocument(all, code)));
    return code;
  }
  if (o.short) {
    const tone = { "!": "error", "*": "warn", "=": "ok" } as const;
    out.write(all.flatMap((s) => shortStatus(s).map((l) => `${paint(out, tone[l[0] as keyof typeof tone], l[0]!)}${l.slice(1)}\n`)).join(""));
    return code;
  }
  out.write(all.map((s) => statusText(s, all.length > 1, (t, x) => paint(out, t, x))).join("\n"));
  return code;
}

/**
 * `git ctx status -s`: one line per joined project of the view, for a prompt or an agent's status
 * line (issue 24; like `git status -s`, no network). Fields separated by one space (none holds one):
 * `<state> <agent> <project-id> uncommitted=<n> ahead=<n> behind=<n>`, then only when not zero
 * `conflicts=<n>`, `held=<n>` (secret scan and files the last sync left), `refused=<n>` (inbound
 * gate), `not-pushed=<n>`, and `last-sync=failed`. `<state>` is `=` (in sync), `*` (something to
 * sync: uncommitted, ahead or behind) or `!` (needs you: any of the optional fields).
 */
export function shortStatus(s: ViewStatus): string[] {
  const failed = s.lastSync !== undefined && !s.lastSync.ok;
  return s.projects.map((p) => {
    const extra: [string, number][] = [
      ["conflicts", p.conflicts.length],
      ["held", p.heldBack.length + p.syncHeld.length],
      ["refused", p.refused.length],
      ["not-pushed", p.notPushed.length],
    ];
    const attention = failed || extra.some(([, n]) => n > 0);
    const state = attention ? "!" : p.uncommitted.length || p.ahead || p.behind ? "*" : "=";
    const fields = [state, s.agent, p.id, `uncommitted=${p.uncommitted.length}`, `ahead=${p.ahead}`, `behind=${p.behind}`];
    for (const [k, n] of extra) if (n) fields.push(`${k}=${n}`);
    if (failed) fields.push("last-sync=failed");
    return fields.join(" ");
  });
}

/**
 * The `git ctx status --json` document (src/json/schemas.ts `StatusSchema`) of the views'
 * statuses: the summary line left out (prose; every number in it is in the projects).
 */
export function statusDocument(all: readonly ViewStatus[], code: number): StatusDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "status",
    ok: code === 0,
    views: all.map((s) => ({
      agent: s.agent,
      dir: s.workTree,
      lastSync: s.lastSync ? { time: s.lastSync.time, ok: s.lastSync.ok, ...(s.lastSync.error !== undefined ? { message: s.lastSync.error } : {}) } : null,
      projects: s.projects.map((p) => ({
        ...p,
        refused: p.refused.map((r) => (r.path === undefined ? { message: r.why } : { path: r.path, message: r.why })),
        notPushed: p.notPushed.map((n) => ({ path: n.path, message: n.why })),
      })),
    })),
  };
}

/** The text of one view's status; `named` prefixes the agent (several views); `paint` colours a line (git's colours). */
function statusText(s: ViewStatus, named: boolean, paint: (tone: Tone, text: string) => string): string {
  const lines = [named ? `${agentById(s.agent).title} (${s.workTree}): ${s.summary}` : s.summary];
  for (const p of s.projects) {
    lines.push(``, `${p.key || s.workTree}  (project ${p.id}, root ${p.root})`);
    lines.push(`  uncommitted: ${p.uncommitted.length} file(s), ${p.uncommittedSessions} session(s)`);
    lines.push(`  ahead ${p.ahead}, behind ${p.behind}`);
    for (const c of p.conflicts) lines.push(`  ${paint("error", `conflict: ${c}`)} (holds conflict markers: edit it, the next sync commits it)`);
    for (const h of p.heldBack) lines.push(`  ${paint("warn", `held back by the secret scan: ${h}`)} (see 'git ctx scan')`);
    for (const h of p.syncHeld) lines.push(`  not yet updated in the work tree: ${h} (the next sync catches up)`);
    for (const r of p.refused) lines.push(`  ${paint("error", refusalMessage({ id: p.id, ...r }))}`);
    for (const n of p.notPushed) lines.push(`  ${paint("warn", `not pushed: ${n.path}`)} (${n.why}; other machines would refuse it: replace it with a regular file or remove it)`);
  }
  if (s.lastSync && !s.lastSync.ok)
    lines.push(``, `${paint("error", `last sync failed: ${s.lastSync.error ?? "?"}`)} (run 'git ctx sync' to retry; 'git ctx doctor' for the cause)`);
  return lines.join("\n") + "\n";
}

/** Computes the {@link ViewStatus} of the view at `dir` (no network). */
export async function viewStatus(dir: string, now = Date.now()): Promise<ViewStatus> {
  const view = await openView(dir);
  const cwd = view.workTree;
  const branch = (await git(["symbolic-ref", "--short", "-q", "HEAD"], { cwd, okCodes: [0, 1] })) || "main";
  const upstream = (await gitRaw(["rev-parse", "--verify", "-q", `refs/remotes/origin/${branch}`], { cwd, okCodes: [0, 1] })).code === 0;
  const hasHead = (await gitRaw(["rev-parse", "--verify", "-q", "HEAD"], { cwd, okCodes: [0, 1] })).code === 0;
  const lastSync = readLastSync(view.paths);
  let heldBackAll: string[] = [];
  try {
    heldBackAll = readHeldBack(view.gitDir).map((h) => h.path);
  } catch {
    heldBackAll = [];
  }
  const carried = Object.keys(readCarry(view.paths).files);
  const inbound = readRefusals(view.gitDir).inbound;
  const outbound = hasHead ? await viewOutboundRefusals(cwd, view.state) : [];
  const projects: ProjectStatus[] = [];
  const agent = agentOf(view.state);
  // a shared-layout view (Codex): each project's files are the rollouts whose first line names it
  const byProject = agent.layout === "shared" ? await sharedByProject(view.workTree, view.state) : undefined;
  for (const [id, p] of Object.entries(view.state.projects).sort((a, b) => a[1].key.localeCompare(b[1].key) || a[0].localeCompare(b[0]))) {
    const files = byProject?.get(id) ?? [];
    const under = (x: string) => (byProject ? files.includes(x) : x.startsWith(p.key + "/"));
    const specs = byProject ? files.map((f) => `:(literal)${f}`) : [p.key + "/"];
    if (byProject && specs.length === 0) specs.push(":(literal)no-such-file");
    const st = await gitRaw(["status", "--porcelain=v1", "-z", "--untracked-files=all", ...(byProject ? ["--ignored=matching"] : []), "--", ...specs], { cwd });
    const uncommitted = await withoutReorderedTranscripts(cwd, parsePorcelain(st.stdout.toString("utf8")), hasHead);
    let ahead = 0;
    let behind = 0;
    if (upstream && hasHead) {
      const c = await git(["rev-list", "--left-right", "--count", `HEAD...refs/remotes/origin/${branch}`, "--", ...specs], { cwd });
      [ahead, behind] = c.split(/\s+/).map(Number) as [number, number];
    } else if (hasHead) {
      ahead = Number(await git(["rev-list", "--count", "HEAD", "--", ...specs], { cwd }));
    }
    projects.push({
      id,
      key: p.key,
      root: p.root,
      uncommitted,
      uncommittedSessions: uncommitted.filter((f) => f.endsWith(".jsonl")).length,
      ahead,
      behind,
      conflicts: p.key ? memoryConflicts(cwd, p.key) : [],
      heldBack: heldBackAll.filter(under),
      syncHeld: carried.filter(under),
      refused: inbound.filter((r) => r.id === id).map((r) => (r.path === undefined ? { why: r.why } : { path: r.path, why: r.why })),
      notPushed: outbound.filter((r) => r.id === id).map((r) => ({ path: r.path, why: r.why })),
    });
  }
  const sum = (f: (p: ProjectStatus) => number) => projects.reduce((a, p) => a + f(p), 0);
  const last = lastSync ? `last sync ${ago(now - Date.parse(lastSync.time))} ${lastSync.ok ? "ok" : "FAILED"}` : "never synced";
  const summary =
    `git ctx: ${projects.length} project(s); ${sum((p) => p.uncommitted.length)} uncommitted (${sum((p) => p.uncommittedSessions)} session(s)); ` +
    `ahead ${sum((p) => p.ahead)}, behind ${sum((p) => p.behind)}; ${last}; ${sum((p) => p.conflicts.length)} conflict(s); ` +
    `${sum((p) => p.heldBack.length + p.syncHeld.length)} held back` +
    (sum((p) => p.refused.length) ? `; ${sum((p) => p.refused.length)} refused from the cluster` : "");
  return { summary, agent: agent.id, workTree: cwd, lastSync, projects };
}

/** The session files of a shared-layout view's work tree by joined project (first line), sorted. */
async function sharedByProject(workTree: string, state: ViewState): Promise<Map<string, string[]>> {
  const agent = agentOf(state);
  const out = new Map<string, string[]>();
  // status reads only: the key cache is used, not written
  for (const [f, id] of projectsOfKeys(agent, sessionKeys(agent, workTree, { write: false }), state)) {
    if (!out.has(id)) out.set(id, []);
    out.get(id)!.push(f);
  }
  return out;
}

/**
 * Drops modified transcripts whose only difference from HEAD is the order of lines: a sync that
 * appended missing lines leaves such a file (it never reorders a transcript a writer may be
 * appending to), and the next sync stages it as HEAD's version (`appendNormalized`), so it has
 * nothing to commit.
 */
async function withoutReorderedTranscripts(cwd: string, paths: string[], hasHead: boolean): Promise<string[]> {
  if (!hasHead) return paths;
  const out: string[] = [];
  for (const p of paths) {
    if (p.endsWith(".jsonl")) {
      const head = await gitRaw(["cat-file", "blob", `HEAD:${p}`], { cwd, okCodes: [0, 128] });
      if (head.code === 0) {
        const oid = await git(["hash-object", "-w", `--path=${p}`, "--", p], { cwd, okCodes: [0, 128] }).catch(() => "");
        if (oid) {
          const work = (await gitRaw(["cat-file", "blob", oid], { cwd })).stdout;
          const normalized = appendNormalized(head.stdout, work);
          if (normalized?.equals(head.stdout)) continue;
        }
      }
    }
    out.push(p);
  }
  return out;
}

/** Paths from `git status --porcelain=v1 -z` (rename entries carry a second path, skipped). */
export function parsePorcelain(z: string): string[] {
  const out: string[] = [];
  const recs = z.split("\0");
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    if (r.length < 4) continue;
    out.push(r.slice(3));
    if (r[0] === "R" || r[0] === "C") i++;
  }
  return out;
}

function ago(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
