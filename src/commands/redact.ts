import { agentById } from "../agents/index.js";
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { CtxError, InvalidInputError } from "../errors.js";
import { gitRaw } from "../git/exec.js";
import { loadAllowlist, redactBytes, type SecretSpan } from "../scan/index.js";
import { findSession, UnknownSessionError } from "./sessions.js";
import { jsonText, SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";

/** Options of {@link redact} (`git ctx redact [--dry-run] <session|file|folder>...`). */
export interface RedactOptions {
  /** Transcript files, folders, or session ids (looked up in the view's project folders). */
  targets: string[];
  /** Only report what would be replaced. */
  dryRun?: boolean;
  /** Print the results as JSON (`{ dryRun, files: RedactedFile[] }`; never the secrets). */
  json?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  write?: (s: string) => void;
  /** Clock for the backup name (default now). */
  now?: Date;
}

/** One file's outcome. */
export interface RedactedFile {
  file: string;
  replaced: Pick<SecretSpan, "line" | "rule" | "redacted" | "fingerprint">[];
  /** Where the original was saved (absent on --dry-run or when nothing was replaced). */
  backup?: string;
}

/** The file kept changing while `git ctx redact` tried to rewrite it (a running session appending). */
export class FileBusyError extends CtxError {
  readonly code = "FileBusy" as const;
  constructor(readonly data: { file: string; tries: number }) {
    super(`${data.file} kept changing while it was being redacted (${data.tries} tries): end the Claude Code session that writes it, then run 'git ctx redact' again`);
  }
}

const TRIES = 5;

/**
 * `git ctx redact`: replaces the secrets the scanner finds in local transcripts with
 * `[REDACTED:<rule>]`, so the session can sync. Before rewriting a file its original bytes are
 * saved: inside a git work tree to `$GIT_DIR/ctx/backup/<path>.bak-<timestamp>` (never in the
 * work tree, where the next sync would commit the backup with the secret), elsewhere next to the
 * file as `<file>.bak-<timestamp>`. A file is replaced atomically and only if its size and
 * modification time did not change since it was read (a running agent appending to it): the read
 * is retried, and after 5 changes {@link FileBusyError} is thrown, so no appended line is lost.
 * Allowlisted fingerprints are left in place.
 *
 * @returns 0 (also when nothing was found)
 * @throws InvalidInputError when a target is neither a file, a folder nor a session id of the view
 * @throws FileBusyError as described above
 */
export async function redact(o: RedactOptions): Promise<number> {
  const env = o.env ?? process.env;
  const write = o.write ?? ((s: string) => void process.stdout.write(s));
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const stamp = (o.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const results: RedactedFile[] = [];
  for (const file of await resolveTargets(o.targets, cwd, env)) {
    const repo = await repoOf(path.dirname(file), env);
    const allow = repo ? (await loadAllowlist(repo.gitDir, repo.workTree)).fingerprints : new Set<string>();
    results.push(rewrite(file, allow, repo, stamp, o.dryRun ?? false));
  }
  if (o.json) {
    const files = results.map((r) => ({
      file: r.file,
      replaced: r.replaced.map((x) => ({ line: x.line, rule: x.rule, redacted: x.redacted, fingerprint: x.fingerprint })),
      ...(r.backup !== undefined ? { backup: r.backup } : {}),
    }));
    write(jsonText({ schemaVersion: SCHEMA_VERSION, command: "redact", ok: true, dryRun: o.dryRun ?? false, files } satisfies JsonDocument<"redact">));
    return 0;
  }
  let total = 0;
  for (const r of results) {
    if (r.replaced.length === 0) continue;
    total += r.replaced.length;
    const what = r.replaced.map((x) => `${x.rule} ${x.redacted} (line ${x.line})`).join(", ");
    write(`${o.dryRun ? "would redact" : "redacted"} ${r.replaced.length} secret${r.replaced.length === 1 ? "" : "s"} in ${r.file}: ${what}\n`);
    if (r.backup) write(`  original saved to ${r.backup} (it still holds the secrets: delete it once you no longer need it)\n`);
  }
  write(total === 0 ? `git ctx redact: no secrets found in ${results.length} file${results.length === 1 ? "" : "s"}\n` : "");
  return 0;
}

function rewrite(file: string, allow: ReadonlySet<string>, repo: { workTree: string; gitDir: string } | undefined, stamp: string, dryRun: boolean): RedactedFile {
  for (let tries = 1; tries <= TRIES; tries++) {
    const before = statSync(file);
    const bytes = readFileSync(file);
    const r = redactBytes(bytes, { allow });
    const replaced = r.replaced.map(({ line, rule, redacted, fingerprint }) => ({ line, rule, redacted, fingerprint }));
    if (replaced.length === 0 || dryRun) return { file, replaced };
    const backup = repo ? path.join(repo.gitDir, "ctx", "backup", `${path.relative(repo.workTree, file)}.bak-${stamp}`) : `${file}.bak-${stamp}`;
    mkdirSync(path.dirname(backup), { recursive: true });
    writeFileAtomic.sync(backup, bytes, { mode: 0o600 });
    const now = statSync(file);
    if (now.size !== before.size || now.mtimeMs !== before.mtimeMs || now.size !== bytes.length) continue;
    writeFileAtomic.sync(file, r.bytes, { mode: before.mode & 0o7777 });
    return { file, replaced, backup };
  }
  throw new FileBusyError({ file, tries: TRIES });
}

async function repoOf(dir: string, env: NodeJS.ProcessEnv): Promise<{ workTree: string; gitDir: string } | undefined> {
  const r = await gitRaw(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { cwd: dir, env, okCodes: [0, 128] }).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  const [workTree, gitDir] = r.stdout.toString("utf8").trim().split("\n");
  return { workTree: workTree!, gitDir: gitDir! };
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === ".git") continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else if (e.isFile() && !/\.bak-\d{8}T\d{6}Z$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Files, folders (recursively), or session ids: `<view>/<key>/<id>.jsonl` plus `<view>/<key>/<id>/**`. */
async function resolveTargets(targets: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (targets.length === 0) throw new InvalidInputError({ what: "arguments", fix: "name a session id, a transcript file or a project folder: git ctx redact <session>" });
  const out = new Set<string>();
  for (const t of targets) {
    const abs = path.resolve(cwd, t);
    const st = (() => {
      try {
        return lstatSync(abs);
      } catch {
        return undefined;
      }
    })();
    if (st?.isFile()) out.add(abs);
    else if (st?.isDirectory()) for (const f of filesUnder(abs)) out.add(f);
    else {
      const view = (await repoOf(cwd, env))?.workTree ?? agentById("claude").storeRoot(env);
      const found: string[] = [];
      if (/^[A-Za-z0-9._-]+$/.test(t)) {
        for (const key of safeReaddir(view)) {
          const main = path.join(view, key, `${t}.jsonl`);
          if (isFile(main)) found.push(main);
          const sub = path.join(view, key, t);
          if (isDir(sub)) found.push(...filesUnder(sub));
        }
      }
      if (found.length === 0) {
        // an id prefix, or a session of another agent, as `git ctx show` and `resume` take it
        const s = sessionByPrefix(t, env);
        if (s) {
          found.push(s.path);
          const sub = path.join(path.dirname(s.path), s.id);
          if (isDir(sub)) found.push(...filesUnder(sub));
        }
      }
      if (found.length === 0)
        throw new InvalidInputError({
          what: "session",
          value: t,
          fix: `no such file, folder, or session in ${view} (give a transcript path, or a session id or its first characters from 'git ctx sessions')`,
        });
      for (const f of found) out.add(f);
    }
  }
  return [...out].sort();
}

/**
 * The session `id` names as {@link findSession} finds it (a whole id or a unique prefix, any
 * agent), or `undefined` when none has it. @throws AmbiguousSessionError (the candidates).
 */
function sessionByPrefix(id: string, env: NodeJS.ProcessEnv): { id: string; path: string } | undefined {
  try {
    return findSession(id, env);
  } catch (e) {
    if (e instanceof UnknownSessionError) return undefined;
    throw e;
  }
}

function safeReaddir(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}
function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}
function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
