import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { InvalidInputError } from "../errors.js";
import { git } from "../git/exec.js";
import { demoteHeadings, eolOf, parsePart, userText, withPart } from "../rules/part.js";
import { LEARNINGS_FILE, TARGETS, type RulesTarget } from "../rules/targets.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";

/** Options of `git ctx rules`. */
export interface RulesOptions {
  /** The project root (default: the git work tree around `cwd`, else `cwd`). */
  project?: string;
  cwd?: string;
  /** Extra targets by id (`cursor`, `copilot`, `windsurf`); the default ones are always written. */
  targets?: string[];
  /** Write nothing; the report says which targets are stale (exit 1 when any is). */
  check?: boolean;
  /** Write nothing; the report says what would change. */
  dryRun?: boolean;
  /** Replace a part that was edited by hand. */
  takeOwnership?: boolean;
}

/** What happened to one target file. */
export interface RulesFileReport {
  /** Path relative to the project root (the first name, for files reached by several names). */
  path: string;
  /** Other names of the same file (a symlink), written once. */
  aliases: string[];
  action: "unchanged" | "updated" | "created" | "would update" | "would create" | "stale" | "refused" | "nothing to share";
  /** Why a file was refused, with what to do. */
  why?: string;
}

/** The report of `git ctx rules`. */
export interface RulesReport {
  project: string;
  files: RulesFileReport[];
  /** False when a file was refused, or (`check`) when one is stale. */
  ok: boolean;
}

/** A file's text, or why it cannot be used (not UTF-8). */
function readText(file: string): { text: string } | { why: string } | undefined {
  if (!existsSync(file)) return undefined;
  const buf = readFileSync(file);
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(buf) };
  } catch {
    return { why: "not UTF-8 text: git-ctx leaves it as it is (convert it to UTF-8 to include it)" };
  }
}

/** A source's text to share: the user's own text, without a Cursor rule's frontmatter, trimmed. */
function shareable(text: string): string {
  return userText(text)
    .replace(/^\uFEFF/, "")
    .replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, "")
    .trim();
}

/**
 * `git ctx rules`: keeps every agent's project instruction file in step (issue 14, scope 2).
 * Each target (`CLAUDE.md` or `.claude/CLAUDE.md`, `AGENTS.md`, `GEMINI.md`; with `targets` also
 * Cursor, Copilot and Windsurf files) gets a part git-ctx owns (src/rules/part.ts) holding the
 * other files' own text and `.ctx/learnings.md`:
 * - bytes outside the part never change; a file's own text is not repeated in its part; a
 *   second run changes nothing; a file reached by several names (a symlink) is written once;
 *   a target that would get nothing is not created; no file is ever deleted;
 * - a part edited by hand (hash mismatch) or with damaged markers, a file that is not UTF-8 or
 *   cannot be written: that file is left as it is and named (`refused`), the others are
 *   updated, `ok` is false; `takeOwnership` replaces an edited part (never a damaged one);
 * - `check` and `dryRun` write nothing; with `check`, a stale target makes `ok` false.
 * Writes are atomic (temp file + rename, the file's mode kept).
 * @throws InvalidInputError for an unknown target id.
 */
export async function rules(o: RulesOptions = {}): Promise<RulesReport> {
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const project = o.project ? path.resolve(cwd, o.project) : (await git(["rev-parse", "--show-toplevel"], { cwd, okCodes: [0, 128] }).catch(() => "")) || cwd;
  for (const t of o.targets ?? [])
    if (!TARGETS.some((x) => x.id === t))
      throw new InvalidInputError({ what: "--targets", value: t, fix: `name targets git ctx rules knows: ${TARGETS.map((x) => x.id).join(", ")}` });
  const chosen = TARGETS.filter((t) => t.byDefault || (o.targets ?? []).includes(t.id));

  // each target's file (existing candidate, else the first), grouped by the file it really is
  interface File {
    rel: string;
    abs: string;
    real: string;
    aliases: string[];
    target: RulesTarget;
    read: ReturnType<typeof readText>;
  }
  const files: File[] = [];
  for (const t of chosen) {
    const rel = t.files.find((f) => existsSync(path.join(project, f))) ?? t.files[0]!;
    const abs = path.join(project, rel);
    const real = existsSync(abs) ? realpathSync(abs) : abs;
    const same = files.find((f) => f.real === real);
    if (same) {
      same.aliases.push(rel);
      continue;
    }
    files.push({ rel, abs, real, aliases: [], target: t, read: readText(real) });
  }
  const learnings = readText(path.join(project, LEARNINGS_FILE));
  const learned = learnings && "text" in learnings ? learnings.text.trim() : "";

  const report: RulesReport = { project, files: [], ok: true };
  for (const f of files) {
    const r: RulesFileReport = { path: f.rel, aliases: f.aliases, action: "unchanged" };
    report.files.push(r);
    if (f.read && "why" in f.read) {
      r.action = "refused";
      r.why = f.read.why;
      report.ok = false;
      continue;
    }
    const sections: string[] = [];
    for (const other of files) {
      if (other === f || !other.read || !("text" in other.read)) continue;
      const text = shareable(other.read.text);
      if (text) sections.push(`## From ${[other.rel, ...other.aliases].join(" / ")}\n\n${demoteHeadings(text)}`);
    }
    if (learned) sections.push(`## Learnings (${LEARNINGS_FILE})\n\n${demoteHeadings(learned)}`);
    const current = f.read?.text;
    if (sections.length === 0 && (current === undefined || parsePart(current).kind === "none")) {
      r.action = "nothing to share";
      continue;
    }
    const body = [
      "These instructions come from this project's other agents' files and learnings, kept in step by `git ctx rules`: edit them where they come from.",
      ...sections,
    ].join("\n\n");
    const base = current ?? f.target.preamble ?? "";
    const damaged = current !== undefined ? parsePart(current) : undefined;
    const next = withPart(base, body.replace(/\n/g, eolOf(base)), { takeOwnership: o.takeOwnership });
    if (next === undefined) {
      r.action = "refused";
      r.why =
        damaged?.kind === "damaged"
          ? `${damaged.why}: git-ctx leaves the file as it is (remove the git-ctx marker lines by hand, then run it again)`
          : "git-ctx's part was edited by hand, so it is not overwritten (move the edit outside the part, or run 'git ctx rules --take-ownership' to replace it)";
      report.ok = false;
      continue;
    }
    if (next === current) continue;
    const verb = current === undefined ? "create" : "update";
    if (o.check) {
      r.action = "stale";
      report.ok = false;
      continue;
    }
    if (o.dryRun) {
      r.action = `would ${verb}`;
      continue;
    }
    try {
      if (current !== undefined && lstatSync(f.real).isFile() && !isWritable(f.real)) throw Object.assign(new Error("read-only"), { code: "EACCES" });
      mkdirSync(path.dirname(f.real), { recursive: true });
      writeFileAtomic.sync(f.real, next);
      r.action = verb === "create" ? "created" : "updated";
    } catch (e) {
      r.action = "refused";
      r.why = `cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): make it writable, then run 'git ctx rules' again`;
      report.ok = false;
    }
  }
  return report;
}

/** Whether the file's mode lets its owner write it (a read-only file stays read-only: rename would replace it anyway). */
function isWritable(file: string): boolean {
  return (lstatSync(file).mode & 0o200) !== 0;
}

/** Human-readable lines of a report. */
export function formatRules(r: RulesReport): string {
  const out = r.files.map((f) => `${f.action}: ${f.path}${f.aliases.length ? ` (also ${f.aliases.join(", ")})` : ""}${f.why ? ` — ${f.why}` : ""}`);
  return out.join("\n") + "\n";
}

/** The `git ctx rules --json` document (src/json/schemas.ts `RulesSchema`). */
export function rulesDocument(r: RulesReport): JsonDocument<"rules"> {
  return { schemaVersion: SCHEMA_VERSION, command: "rules", ...r };
}
