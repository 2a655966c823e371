import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { AGENTS, type Agent, type AgentId, type CanonicalSession } from "../agents/index.js";
import { CtxError } from "../errors.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";
import { skippedMessage, type SkippedEntry } from "../git/oddfiles.js";

/**
 * `git ctx sessions`, `git ctx show` and `git ctx agents` (issue 13, scope 2): every agent's
 * sessions on this machine through the canonical readers (src/agents/session.ts). Reads only.
 */

/** One line of `git ctx sessions`. */
export interface SessionSummary {
  id: string;
  agent: AgentId;
  /** The project directory the session names (Gemini: its slug folder's `.project_root`). */
  root?: string;
  /** The agent's summary or the first prompt. */
  title?: string;
  /** Messages that carry text, tool calls or results. */
  messages: number;
  /** ISO 8601: the session's last record, else the file's modification time. */
  updated: string;
  path: string;
}

/** No session of any agent has that id or id prefix. */
export class UnknownSessionError extends CtxError {
  readonly code = "UnknownSession" as const;
  constructor(readonly data: { id: string }) {
    super(`no session of Claude Code, Codex CLI or Gemini CLI on this machine has the id '${data.id}': list them with 'git ctx sessions'`);
  }
}

/** An id prefix names sessions of more than one file. */
export class AmbiguousSessionError extends CtxError {
  readonly code = "AmbiguousSession" as const;
  constructor(readonly data: { id: string; candidates: { agent: string; id: string; path: string }[] }) {
    super(`'${data.id}' names ${data.candidates.length} sessions: ${data.candidates.map((c) => `${c.agent} ${c.id}`).join(", ")}; give more of the id`);
  }
}

/** Whether the project root a session names is `root` or below it (Windows and lowercased roots compare ignoring case and separator). */
function under(sessionRoot: string | undefined, root: string): boolean {
  if (!sessionRoot) return false;
  const win = /^[A-Za-z]:[\\/]/.test(root) || /^[A-Za-z]:[\\/]/.test(sessionRoot);
  const norm = (p: string) => {
    const s = p.replace(/[\\/]+$/, "");
    return win ? s.replace(/\\/g, "/").toLowerCase() : s;
  };
  const a = norm(sessionRoot);
  const b = norm(root);
  return a === b || a.startsWith(`${b}/`);
}

function summary(s: CanonicalSession, file: string): SessionSummary {
  return {
    id: s.id,
    agent: s.agent,
    ...(s.root ? { root: s.root } : {}),
    ...(s.title ? { title: s.title } : {}),
    messages: s.messages.length,
    updated: s.updated && !Number.isNaN(Date.parse(s.updated)) ? new Date(s.updated).toISOString() : statSync(file).mtime.toISOString(),
    path: file,
  };
}

/** Told about a session file that is skipped (issue 23, point 3): absolute path and why. */
export type OnSkip = (e: SkippedEntry) => void;

/** The default {@link OnSkip}: one line on stderr naming the file and the fix. */
export const warnSkipped: OnSkip = (e) => void process.stderr.write(`git ctx: warning: ${skippedMessage(e)}\n`);

/**
 * `agent.readSession(file)`, or undefined when the file cannot be read (EACCES, EPERM) or is not
 * a file (EISDIR: a folder named like a session file), after telling `onSkip`.
 * @throws what the reader throws for any other reason.
 */
function readOrSkip(agent: Agent, file: string, onSkip: OnSkip): CanonicalSession | undefined {
  try {
    return agent.readSession(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") onSkip({ path: file, why: "unreadable" });
    else if (code === "EISDIR") onSkip({ path: file, why: "not-a-file" });
    else throw e;
    return undefined;
  }
}

/** A session read from a store, with its file's modification time (ms). */
export interface StoredSession {
  session: CanonicalSession;
  mtimeMs: number;
}

/**
 * Every agent's sessions on this machine, newest first (by file modification time), each file
 * read once as it is reached: `agent` keeps one agent's, `project` those whose root is that
 * folder or below it. A file the agent could not load, or one without messages, is left out; one
 * that cannot be read or is not a file (a folder `x.jsonl`) is left out and told to `onSkip`
 * (default {@link warnSkipped}: a line on stderr; issue 23, point 3).
 * @throws fs errors other than a vanished, unreadable or non-file entry.
 */
export function* storedSessions(o: { env?: NodeJS.ProcessEnv; agent?: AgentId; project?: string; onSkip?: OnSkip } = {}): Generator<StoredSession> {
  const env = o.env ?? process.env;
  const onSkip = o.onSkip ?? warnSkipped;
  const files: { agent: Agent; file: string; mtime: number }[] = [];
  for (const a of AGENTS) {
    if (o.agent && a.id !== o.agent) continue;
    for (const file of a.sessionPaths(env)) {
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(file);
      } catch {
        continue; /* gone since it was listed */
      }
      if (st.isFile()) files.push({ agent: a, file, mtime: st.mtimeMs });
      else onSkip({ path: file, why: "not-a-file" });
    }
  }
  files.sort((x, y) => y.mtime - x.mtime || (x.file < y.file ? -1 : 1));
  const project = o.project ? path.resolve(o.project) : undefined;
  for (const { agent, file, mtime } of files) {
    if (!existsSync(file)) continue;
    const s = readOrSkip(agent, file, onSkip);
    if (!s || s.messages.length === 0) continue;
    if (project && !under(s.root, project)) continue;
    yield { session: s, mtimeMs: mtime };
  }
}

/** {@link storedSessions} as `git ctx sessions` lists them, at most `limit` (read no further). */
export function listSessions(o: { env?: NodeJS.ProcessEnv; agent?: AgentId; project?: string; limit?: number; onSkip?: OnSkip } = {}): SessionSummary[] {
  const out: SessionSummary[] = [];
  if (o.limit !== undefined && o.limit <= 0) return out;
  for (const { session } of storedSessions(o)) {
    out.push(summary(session, session.path));
    if (o.limit !== undefined && out.length >= o.limit) break;
  }
  return out;
}

/**
 * The session with id `id` or a unique id prefix, of any agent. File names are matched first
 * (Claude Code's and Codex's hold the whole id, Gemini's its first 8 characters); only the
 * candidates are read; a candidate that cannot be read or is not a file is told to `onSkip`
 * (default: a line on stderr) and left out. @throws UnknownSessionError, AmbiguousSessionError.
 */
export function findSession(id: string, env: NodeJS.ProcessEnv = process.env, onSkip: OnSkip = warnSkipped): CanonicalSession {
  const want = id.trim().toLowerCase();
  if (!want) throw new UnknownSessionError({ id });
  const found: CanonicalSession[] = [];
  for (const a of AGENTS) {
    for (const file of a.sessionPaths(env)) {
      const named = a.idOfPath(file).toLowerCase();
      if (!named.startsWith(want) && !want.startsWith(named)) continue;
      const s = readOrSkip(a, file, onSkip);
      if (s && s.id.toLowerCase().startsWith(want)) found.push(s);
    }
  }
  const exact = found.filter((s) => s.id.toLowerCase() === want);
  const pick = exact.length ? exact : found;
  if (pick.length === 0) throw new UnknownSessionError({ id });
  if (pick.length > 1) throw new AmbiguousSessionError({ id, candidates: pick.map((s) => ({ agent: s.agent, id: s.id, path: s.path })) });
  return pick[0]!;
}

/** One line of `git ctx agents`. */
export interface AgentSummary {
  id: AgentId;
  title: string;
  /** Whether its home exists on this machine. */
  installed: boolean;
  home: string;
  store: string;
  sessions: number;
  /** What `<command> --version` printed (first line), or undefined when it is not on PATH or failed within 10 s. */
  version?: string;
}

/** The first line `cmd --version` prints, or undefined (not on PATH, failed, or slower than 10 s). */
function versionOf(cmd: string, env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(cmd, ["--version"], { env, encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] });
  const line = r.status === 0 ? r.stdout.trim().split("\n")[0] : undefined;
  return line || undefined;
}

/** The agents git-ctx knows, with their home, store, number of session files and version on this machine. */
export function listAgents(env: NodeJS.ProcessEnv = process.env): AgentSummary[] {
  return AGENTS.map((a) => {
    const version = versionOf(a.command, env);
    return {
      id: a.id,
      title: a.title,
      installed: existsSync(a.home(env)),
      home: a.home(env),
      store: a.storeRoot(env),
      sessions: a.sessionPaths(env).length,
      ...(version ? { version } : {}),
    };
  });
}

/** `git ctx sessions` as text: one line per session (agent, id, updated, messages, root, title). */
export function formatSessions(list: readonly SessionSummary[]): string {
  if (!list.length) return `no sessions found (${AGENTS.map((a) => `${a.title} ${a.storeHint}`).join(", ")})\n`;
  return (
    list
      .map((s) => `${s.agent.padEnd(6)} ${s.id}  ${s.updated.slice(0, 16).replace("T", " ")}  ${String(s.messages).padStart(4)} msgs  ${s.root ?? "-"}  ${s.title ?? ""}`.trimEnd())
      .join("\n") + "\n"
  );
}

/** `git ctx show` as text: the session's facts, then each message: role, its whole text (continuation lines indented 10 spaces), tools. */
export function formatSession(s: CanonicalSession): string {
  const head = [
    `session ${s.id} (${s.agent})`,
    `file     ${s.path}`,
    ...(s.root ? [`root     ${s.root}`] : []),
    ...(s.title ? [`title    ${s.title}`] : []),
    ...(s.started ? [`started  ${s.started}`] : []),
    ...(s.updated ? [`updated  ${s.updated}`] : []),
    ...(s.model ? [`model    ${s.model}`] : []),
    ...(s.gitBranch ? [`branch   ${s.gitBranch}`] : []),
    `messages ${s.messages.length}`,
    "",
  ];
  // the whole text of each message (issue 24: it was cut at 100 characters); its own line breaks
  // are kept, indented under the first line; wrapping long lines is the terminal's job
  const body = s.messages.map((m) => {
    const text = m.text
      .join("\n")
      .trim()
      .split(/\r?\n/)
      .map((l, i) => (i === 0 || !l.trim() ? l.trimEnd() : `${" ".repeat(10)}${l.trimEnd()}`))
      .join("\n");
    const tools = [...m.toolCalls.map((c) => `→ ${c.name}`), ...m.toolResults.map((r) => (r.isError ? "← error" : "← result"))];
    return `${m.role === "user" ? "user     " : "assistant"} ${text}${tools.length ? `  [${tools.join(", ")}]` : ""}`.trimEnd();
  });
  return [...head, ...body].join("\n") + "\n";
}

/** `git ctx agents` as text. */
export function formatAgents(list: readonly AgentSummary[]): string {
  return (
    list
      .map((a) => `${a.id.padEnd(6)} ${a.title.padEnd(12)} ${a.installed ? "installed" : "not found"}${a.version ? ` (${a.version})` : ""}  ${a.sessions} session(s) in ${a.store}`)
      .join("\n") + "\n"
  );
}

/** The `git ctx sessions --json` document (src/json/schemas.ts `SessionsSchema`). */
export function sessionsDocument(list: readonly SessionSummary[]): JsonDocument<"sessions"> {
  return { schemaVersion: SCHEMA_VERSION, command: "sessions", ok: true, sessions: [...list] };
}

/** The `git ctx show --json` document (src/json/schemas.ts `ShowSchema`): the canonical session without the native records. */
export function showDocument(s: CanonicalSession): JsonDocument<"show"> {
  const strip = (m: CanonicalSession["messages"][number]) => ({
    role: m.role,
    text: m.text,
    ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
    toolCalls: m.toolCalls.map((c) => ({ id: c.id, name: c.name, input: c.input })),
    toolResults: m.toolResults.map((r) => ({ callId: r.callId, output: r.output, isError: r.isError })),
  });
  const { messages, compaction, ...facts } = s;
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "show",
    ok: true,
    ...facts,
    messages: messages.map(strip),
    ...(compaction
      ? { compaction: { at: compaction.at, history: compaction.history.map(strip), ...(compaction.timestamp !== undefined ? { timestamp: compaction.timestamp } : {}) } }
      : {}),
  };
}

/** The `git ctx agents --json` document (src/json/schemas.ts `AgentsSchema`). */
export function agentsDocument(list: readonly AgentSummary[]): JsonDocument<"agents"> {
  return { schemaVersion: SCHEMA_VERSION, command: "agents", ok: true, agents: [...list] };
}
