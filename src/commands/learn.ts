import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import type { CanonicalSession } from "../agents/index.js";
import { CtxError } from "../errors.js";
import { appendEntries, buildPrompts, cursorKey, formatEntry, knownLearnings, newTurns, normalizeLearning, parseBullets, type NewTurns } from "../learn/index.js";
import { LEARNINGS_FILE } from "../rules/targets.js";
import { scanBytes } from "../scan/index.js";
import { storedSessions } from "./sessions.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";

/** The model command `git ctx learn` runs by default (reads the prompt on stdin, prints bullets). */
export const DEFAULT_LEARN_COMMAND = "claude -p";
/** Where the per-session cursors are kept in the project (beside the learnings). */
export const CURSORS_FILE = ".ctx/learn-cursors.json";
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

/** Options of {@link learn}. */
export interface LearnOptions {
  /** The project root (default: the current directory). */
  project?: string;
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
  /** Bullets the secret scan flagged: never written, shown redacted. */
  heldBack: { rule: string; redacted: string }[];
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
 * Runs `command` through the shell with `input` on stdin, in an empty temp folder: an agent used
 * as the model (`claude -p`) records its own session under its cwd, which must not be the
 * project's (the next learn would read it). The folder is removed afterwards.
 * @throws LearnCommandError (start failure, non-zero exit, empty output).
 */
async function runModel(command: string, input: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "git-ctx-learn-"));
  try {
    return await runIn(command, input, env, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
 * `git ctx learn` (issue 14, scope 1): reads the turns not read before of every agent's sessions
 * of the project on this machine (through the canonical readers; user and assistant text only;
 * sessions written to in the last minute are skipped), sends them with the extraction prompt to
 * the model command in chunks, and appends each new learning once to `.ctx/learnings.md` with its
 * day, agent and session (no host name). A bullet the secret scan flags is never written: it is
 * reported redacted (the command then exits 1). Per-session cursors in `.ctx/learn-cursors.json`
 * move only after every call succeeded; a rerun with nothing new runs no command and writes
 * nothing. Writes are atomic. `.ctx/.gitattributes` names git-ctx's merge driver for both files, so
 * two machines' learnings merge by entry in the project's own git.
 * @throws LearnCommandError, LearnCursorsError; fs errors.
 */
export async function learn(o: LearnOptions = {}): Promise<LearnReport> {
  const env = o.env ?? process.env;
  const project = path.resolve(o.project ?? process.cwd());
  const command = o.command ?? DEFAULT_LEARN_COMMAND;
  const now = o.now ?? new Date();
  const file = path.join(project, LEARNINGS_FILE);
  const cursorsFile = path.join(project, CURSORS_FILE);
  const cursors = readCursors(cursorsFile);
  const progress = o.progress ?? (() => {});
  let running = 0;
  const fresh: { s: CanonicalSession; t: NewTurns }[] = [];
  for (const { session: s, mtimeMs } of storedSessions({ env, project })) {
    if (now.getTime() - mtimeMs < RUNNING_MS) {
      running++;
      continue;
    }
    const updated = s.updated && !Number.isNaN(Date.parse(s.updated)) ? Date.parse(s.updated) : mtimeMs;
    if (o.since && updated < o.since.getTime()) continue;
    const t = newTurns(s, cursors[cursorKey(s)] ?? 0);
    if (t.cursor !== (cursors[t.key] ?? 0)) fresh.push({ s, t });
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
    heldBack: [],
    running,
    dryRun: o.dryRun === true,
  };
  if (o.dryRun || fresh.length === 0) return report;
  const bullets: string[] = [];
  for (const [i, prompt] of prompts.entries()) {
    progress(`git ctx learn: ${i + 1}/${prompts.length}: ${command} (${prompt.length} characters)`);
    bullets.push(...parseBullets(await runModel(command, prompt, env)));
  }
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = "";
  }
  const known = knownLearnings(text);
  // provenance: the session with the most new turns among those sent (one call may cover several)
  const main = [...fresh].sort((a, b) => b.t.turns.length - a.t.turns.length)[0]!;
  const entries: string[] = [];
  for (const b of bullets) {
    const findings = scanBytes(Buffer.from(b, "utf8"), LEARNINGS_FILE);
    if (findings.length) {
      for (const f of findings) report.heldBack.push({ rule: f.rule, redacted: f.redacted });
      continue;
    }
    const key = normalizeLearning(b);
    if (known.has(key)) {
      report.duplicates++;
      continue;
    }
    known.add(key);
    entries.push(formatEntry(b, { date: now, agent: main.s.agent, session: main.s.id }));
    report.added.push(b);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  if (entries.length) await writeFileAtomic(file, appendEntries(text, entries));
  const next: Record<string, number> = { ...cursors };
  for (const x of fresh) next[x.t.key] = x.t.cursor;
  const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFileAtomic(cursorsFile, `${JSON.stringify(sorted, null, 2)}\n`);
  ensureAttributes(path.join(project, ".ctx", ".gitattributes"));
  return report;
}

/** The lines of `.ctx/.gitattributes` that name git-ctx's merge driver (`git ctx install`) for learn's files. */
export const LEARN_ATTRIBUTES = ["learnings.md merge=ctx", "learn-cursors.json merge=ctx"] as const;

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
      `git ctx learn: ${r.added.length} new learning(s) in ${path.relative(r.project, r.file)} from ${r.turns} turn(s) of ${r.sessions} session(s); ${r.duplicates} already known`,
    );
  for (const a of r.added) lines.push(`  + ${a}`);
  for (const h of r.heldBack) lines.push(`  held back (secret, ${h.rule}): ${h.redacted}`);
  if (r.running) lines.push(`  ${r.running} session(s) written to in the last minute were skipped (still running)`);
  return lines.join("\n") + "\n";
}

/** The `git ctx learn --json` document (src/json/schemas.ts `LearnSchema`); `ok` false when a bullet was held back (exit 1). */
export function learnDocument(r: LearnReport): JsonDocument<"learn"> {
  return { schemaVersion: SCHEMA_VERSION, command: "learn", ok: r.heldBack.length === 0, ...r };
}
