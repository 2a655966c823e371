import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { AGENTS, type CanonicalSession } from "../agents/index.js";
import { conversionMark, conversionMarks } from "../agents/resume.js";
import { CtxError } from "../errors.js";
import { gitRaw } from "../git/exec.js";
import {
  appendEntries,
  buildPrompts,
  cursorKey,
  formatEntry,
  formatSeen,
  knownLearnings,
  learningKey,
  modelInvocation,
  newTurns,
  normalizeLearning,
  parseBullets,
  parseSeen,
  type NewTurns,
} from "../learn/index.js";
import { LEARNINGS_FILE } from "../rules/targets.js";
import { scanBytes } from "../scan/index.js";
import { storedSessions } from "./sessions.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";

/** The model command `git ctx learn` runs by default (reads the prompt on stdin, prints bullets). */
export const DEFAULT_LEARN_COMMAND = "claude -p";
/** Where the per-session cursors are kept in the project (beside the learnings). */
export const CURSORS_FILE = ".ctx/learn-cursors.json";
/** Where the keys of every learning seen in the learnings file are kept (a deleted one stays: its tombstone). */
export const SEEN_FILE = ".ctx/learnings-seen";
/** Sessions written to more recently than this (ms) are still running and skipped. */
export const RUNNING_MS = 60_000;

/** The model command failed, or printed nothing: nothing was written and no cursor moved. */
export class LearnCommandError extends CtxError {
  readonly code = "LearnCommand" as const;
  constructor(readonly data: { command: string; why: string }) {
    super(
      `git ctx learn: '${data.command}' ${data.why}; nothing was written and the same turns are sent again next time (choose another with --command '<program that reads stdin and prints "- " bullets>')`,
    );
  }
}

/** `.ctx/learn-cursors.json` is not a JSON object of numbers. */
export class LearnCursorsError extends CtxError {
  readonly code = "LearnCursors" as const;
  constructor(readonly data: { file: string; why: string }) {
    super(`${data.file}: ${data.why}; fix it, or remove it to read every session again (learnings already written are not duplicated)`);
  }
}

/** No `--project` and the current folder is not inside a git repository: learn does not guess a project. */
export class LearnProjectError extends CtxError {
  readonly code = "LearnProject" as const;
  constructor(readonly data: { cwd: string }) {
    super(
      `git ctx learn: ${data.cwd} is not inside a git repository, so it names no project; run it in the project's repository or name the project with --project <root> (nothing was read or sent)`,
    );
  }
}

/** Options of {@link learn}. */
export interface LearnOptions {
  /** The project root (default: the git repository around `cwd`; none there is a {@link LearnProjectError}). */
  project?: string;
  /** The folder learn runs in (default: the process's). */
  cwd?: string;
  /** A shell command that reads the prompt on stdin and prints bullets (default {@link DEFAULT_LEARN_COMMAND}). */
  command?: string;
  /** Only sessions updated at or after this time. */
  since?: Date;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Context budget per call, in characters (default 60,000). */
  budget?: number;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  now?: Date;
}

/** What {@link learn} did (`--json`). */
export interface LearnReport {
  project: string;
  file: string;
  /** Sessions with new turns, and their turns. */
  sessions: number;
  turns: number;
  /** Model calls (chunks); 0 when nothing was new. */
  calls: number;
  /** Entries written (or, in a dry run, that would be sent: none are known yet). */
  added: string[];
  /** Bullets already in the file. */
  duplicates: number;
  /** Bullets deleted from the file before (in `.ctx/learnings-seen`): not written again. */
  deleted: number;
  /** Secrets the scan found in bullets: never written, shown redacted, each once a run (by fingerprint). */
  heldBack: { rule: string; redacted: string; fingerprint: string }[];
  /** Sessions `git ctx resume` wrote from another session here: the turns they share with it are not sent. */
  conversions: number;
  /** Sessions skipped because they were written to in the last minute. */
  running: number;
  dryRun: boolean;
}

function readCursors(file: string): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new LearnCursorsError({ file, why: `is not JSON (${(e as Error).message})` });
  }
  if (!v || typeof v !== "object" || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "number"))
    throw new LearnCursorsError({ file, why: "is not an object of session → number" });
  return v as Record<string, number>;
}

/**
 * Runs `command` through the shell with `input` on stdin, in an empty temp folder (never the
 * project, whose sessions learn reads), so that an agent used as the model keeps no copy of the
 * prompt (issue 23, scope 6): the agent's no-persistence flag is added ({@link modelInvocation}),
 * and the agent whose program it is prepares the rest (`Agent.modelScratch`: a throw-away home,
 * what to remove afterwards). The temp folder is removed afterwards.
 * @throws LearnCommandError (start failure, non-zero exit, empty output; it names the user's command).
 */
async function runModel(command: string, input: string, env: NodeJS.ProcessEnv): Promise<string> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "git-ctx-learn-"));
  const cwd = path.join(scratch, "cwd");
  mkdirSync(cwd);
  const run = modelInvocation(command);
  const prepared = AGENTS.find((a) => a.command === run.program)?.modelScratch?.({ env, scratch, cwd });
  try {
    return await runIn(run.command, input, prepared?.env ?? env, cwd).catch((e: unknown) => {
      throw e instanceof LearnCommandError ? new LearnCommandError({ command, why: e.data.why }) : e;
    });
  } finally {
    prepared?.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The root of the git repository around `cwd`, or undefined outside one. */
async function repositoryRoot(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await gitRaw(["rev-parse", "--show-toplevel"], { cwd, env, okCodes: [0, 128] }).catch(() => undefined);
  const top = r && r.code === 0 ? r.stdout.toString().trim() : "";
  return top ? path.resolve(top) : undefined;
}

function runIn(command: string, input: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(command, { shell: true, env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", (e) => reject(new LearnCommandError({ command, why: `could not start (${e.message})` })));
    p.on("close", (code) => {
      if (code !== 0) reject(new LearnCommandError({ command, why: `exited ${code}${err.trim() ? `: ${err.trim().split("\n").slice(-3).join(" | ")}` : ""}` }));
      else if (!out.trim()) reject(new LearnCommandError({ command, why: "printed nothing" }));
      else resolve(out);
    });
    p.stdin.on("error", () => {}); // a command that does not read stdin closes it early
    p.stdin.end(input);
  });
}

/**
 * `git ctx learn` (issue 14, scope 1; issue 23, scope 6): reads the turns not read before of every
 * agent's sessions of the project on this machine (through the canonical readers; user and
 * assistant text only; sessions written to in the last minute are skipped; a session
 * `git ctx resume` wrote from another one here sends only the turns its source does not hold),
 * sends them with the extraction prompt to the model command in chunks (run so that it keeps no
 * session of its own: {@link runModel}), and appends each new learning once to
 * `.ctx/learnings.md` with its day, agent and session (no host name). The project is `--project`,
 * else the git repository around the current folder (none: {@link LearnProjectError}, nothing
 * read). `.ctx/learnings-seen` keeps a hash of every learning seen in the file: one the user
 * deleted is not written again (here, or on a machine the project's git brings the file to). A
 * bullet the secret scan flags is never written: each secret is reported once, redacted (the
 * command then exits 1). Per-session cursors in `.ctx/learn-cursors.json` move only after every
 * call succeeded; a rerun with nothing new runs no command and writes nothing. Writes are atomic.
 * `.ctx/.gitattributes` names git-ctx's merge driver for the learnings and cursors and git's
 * `union` for the seen keys, so two machines' learn merge in the project's own git.
 * @throws LearnProjectError, LearnCommandError, LearnCursorsError; fs errors.
 */
export async function learn(o: LearnOptions = {}): Promise<LearnReport> {
  const env = o.env ?? process.env;
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const project = o.project ? path.resolve(cwd, o.project) : await repositoryRoot(cwd, env);
  if (!project) throw new LearnProjectError({ cwd });
  const command = o.command ?? DEFAULT_LEARN_COMMAND;
  const now = o.now ?? new Date();
  const file = path.join(project, LEARNINGS_FILE);
  const cursorsFile = path.join(project, CURSORS_FILE);
  const seenFile = path.join(project, SEEN_FILE);
  const cursors = readCursors(cursorsFile);
  const progress = o.progress ?? (() => {});
  let running = 0;
  const stored = [...storedSessions({ env, project })];
  const fresh: { s: CanonicalSession; t: NewTurns }[] = [];
  // the sessions here each conversion `git ctx resume` could have written was made from
  const sourcesOf = new Map<string, CanonicalSession[]>();
  for (const { session: x } of stored) for (const k of conversionMarks(x)) sourcesOf.set(k, [...(sourcesOf.get(k) ?? []), x]);
  let conversions = 0;
  for (const { session: s, mtimeMs } of stored) {
    if (now.getTime() - mtimeMs < RUNNING_MS) {
      running++;
      continue;
    }
    const updated = s.updated && !Number.isNaN(Date.parse(s.updated)) ? Date.parse(s.updated) : mtimeMs;
    if (o.since && updated < o.since.getTime()) continue;
    const t = newTurns(s, cursors[cursorKey(s)] ?? 0);
    if (t.cursor === (cursors[t.key] ?? 0)) continue;
    // a session resume wrote from another one here: the turns they share are the source's
    const sources = sourcesOf.get(conversionMark(s)) ?? [];
    if (sources.length) {
      conversions++;
      const theirs = new Set(sources.flatMap((x) => newTurns(x).turns.map((u) => `${u.role}:${normalizeLearning(u.text)}`)));
      t.turns = t.turns.filter((u) => !theirs.has(`${u.role}:${normalizeLearning(u.text)}`));
    }
    fresh.push({ s, t });
  }
  const prompts = buildPrompts(
    fresh.map((x) => x.t),
    o.budget,
  );
  const report: LearnReport = {
    project,
    file,
    sessions: fresh.filter((x) => x.t.turns.length).length,
    turns: fresh.reduce((n, x) => n + x.t.turns.length, 0),
    calls: prompts.length,
    added: [],
    duplicates: 0,
    deleted: 0,
    heldBack: [],
    conversions,
    running,
    dryRun: o.dryRun === true,
  };
  if (o.dryRun || fresh.length === 0) return report;
  const bullets: string[] = [];
  for (const [i, prompt] of prompts.entries()) {
    progress(`git ctx learn: ${i + 1}/${prompts.length}: ${command} (${prompt.length} characters)`);
    bullets.push(...parseBullets(await runModel(command, prompt, env)));
  }
  const text = readText(file);
  const known = knownLearnings(text);
  // every learning the file holds now is seen; one seen before and not in the file was deleted
  const seen = parseSeen(readText(seenFile));
  const seenBefore = seen.size;
  for (const k of known) seen.add(learningKey(k));
  const heldBack = new Set<string>();
  // provenance: the session with the most new turns among those sent (one call may cover several)
  const main = [...fresh].sort((a, b) => b.t.turns.length - a.t.turns.length)[0]!;
  const entries: string[] = [];
  for (const b of bullets) {
    const findings = scanBytes(Buffer.from(b, "utf8"), LEARNINGS_FILE);
    if (findings.length) {
      for (const f of findings) {
        if (heldBack.has(f.fingerprint)) continue;
        heldBack.add(f.fingerprint);
        report.heldBack.push({ rule: f.rule, redacted: f.redacted, fingerprint: f.fingerprint });
      }
      continue;
    }
    const key = normalizeLearning(b);
    if (known.has(key)) {
      report.duplicates++;
      continue;
    }
    if (seen.has(learningKey(key))) {
      report.deleted++;
      continue;
    }
    known.add(key);
    seen.add(learningKey(key));
    entries.push(formatEntry(b, { date: now, agent: main.s.agent, session: main.s.id }));
    report.added.push(b);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  if (entries.length) await writeFileAtomic(file, appendEntries(text, entries));
  if (seen.size !== seenBefore) await writeFileAtomic(seenFile, formatSeen(seen));
  const next: Record<string, number> = { ...cursors };
  for (const x of fresh) next[x.t.key] = x.t.cursor;
  const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFileAtomic(cursorsFile, `${JSON.stringify(sorted, null, 2)}\n`);
  ensureAttributes(path.join(project, ".ctx", ".gitattributes"));
  return report;
}

/** A file's text, or "" when it cannot be read. */
function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** The lines of `.ctx/.gitattributes` that name git-ctx's merge driver (`git ctx install`) for learn's files, and git's own `union` driver for the seen keys (gitattributes(5): a set of lines, so both sides' lines are kept). */
export const LEARN_ATTRIBUTES = ["learnings.md merge=ctx", "learn-cursors.json merge=ctx", "learnings-seen merge=union"] as const;

/**
 * Adds {@link LEARN_ATTRIBUTES} to the project's `.ctx/.gitattributes`, keeping every line there:
 * two machines that learned at once then merge by entry on a plain `git pull` (src/merge/learnings.ts).
 */
function ensureAttributes(file: string): void {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = "";
  }
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = LEARN_ATTRIBUTES.filter((l) => !have.has(l));
  if (!missing.length) return;
  writeFileAtomic.sync(file, `${text}${text && !text.endsWith("\n") ? "\n" : ""}${missing.join("\n")}\n`);
}

/** The report as text: what was sent, added, skipped and held back. */
export function formatLearn(r: LearnReport): string {
  const lines: string[] = [];
  if (r.dryRun) lines.push(`git ctx learn: would send ${r.turns} new turn(s) of ${r.sessions} session(s) in ${r.calls} call(s); nothing written (dry run)`);
  else if (r.calls === 0) lines.push("git ctx learn: nothing new to read");
  else
    lines.push(
      `git ctx learn: ${r.added.length} new learning(s) in ${path.relative(r.project, r.file)} from ${r.turns} turn(s) of ${r.sessions} session(s); ${r.duplicates} already known${r.deleted ? `; ${r.deleted} deleted before, not written again` : ""}`,
    );
  for (const a of r.added) lines.push(`  + ${a}`);
  for (const h of r.heldBack) lines.push(`  held back (secret, ${h.rule}): ${h.redacted}`);
  if (r.conversions) lines.push(`  ${r.conversions} session(s) written by git ctx resume: their source's turns were not sent again`);
  if (r.running) lines.push(`  ${r.running} session(s) written to in the last minute were skipped (still running)`);
  return lines.join("\n") + "\n";
}

/** The `git ctx learn --json` document (src/json/schemas.ts `LearnSchema`); `ok` false when a bullet was held back (exit 1). */
export function learnDocument(r: LearnReport): JsonDocument<"learn"> {
  return { schemaVersion: SCHEMA_VERSION, command: "learn", ok: r.heldBack.length === 0, ...r };
}
