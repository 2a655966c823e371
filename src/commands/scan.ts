import { lstatSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { AGENTS, agentById, agentOf, type AgentId } from "../agents/index.js";
import { gitRaw } from "../git/exec.js";
import { viewDirs } from "./viewdirs.js";
import { ALLOW_CONFIG_KEY, ALLOW_FILE, loadAllowlist, readHeldBack, scanBytes, scanPath, type Finding, type HeldBack, type IgnoredAllowEntry } from "../scan/index.js";
import { NotAViewError, openView } from "../sync/index.js";
import { viewOutboundRefusals } from "../gate/view.js";
import { readViewState } from "../view/state.js";
import { jsonText, SCHEMA_VERSION } from "../json/version.js";
import type { ScanDocument } from "../json/schemas.js";

/** Options of {@link scan} (the CLI maps `git ctx scan [--json] [--all] [<path>...]` onto these). */
export interface ScanCommandOptions {
  /** Pathspecs limiting the scan (repo-relative or relative to `cwd`, as git takes them). */
  paths?: string[];
  /** `--all`: every tracked and untracked-not-ignored file, not only what changed since the last push. */
  all?: boolean;
  /** `--json`: print {@link ScanReport} as JSON. */
  json?: boolean;
  /** `--dir`: scan only the view in this folder (default: the repository around `cwd`, else every agent's view); `paths` are then relative to it, as with `git -C`. */
  dir?: string;
  /** Where the view is looked for (default `process.cwd()`, then `~/.claude/projects`). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where results go (default stdout). */
  write?: (s: string) => void;
  /** Reads a file (default `fs.readFileSync`); tests inject one that loses the file mid-read. */
  readFile?: (abs: string) => Buffer;
}

/** What the scan of one repository found (`git ctx scan --json` prints {@link scanDocument} of these). Holds no secret: findings are redacted. */
export interface ScanReport {
  /** True when nothing was found (exit code 0). */
  ok: boolean;
  /** Work tree of the scanned repository. */
  workTree: string;
  /** Whose store the repository is (null: no git-ctx view, or its state cannot be read). */
  agent: AgentId | null;
  /** What the default scan compared against: `refs/ctx/view/last`, or null (everything tracked: never pushed, or `--all`). */
  base: string | null;
  /** Number of files read. */
  scanned: number;
  /** Findings not released by the allowlist, by file then position. */
  findings: Finding[];
  /** Files the push gate quarantined (`$GIT_DIR/ctx/held-back.json`). */
  heldBack: HeldBack[];
  /** Allowlist entries that are not fingerprints (they release nothing). */
  ignoredAllowEntries: IgnoredAllowEntry[];
  /** Files listed by git that could not be read (vanished, unreadable), with the reason. */
  skipped: { path: string; reason: string }[];
  /** Problems that did not stop the scan (e.g. an unreadable held-back list). */
  warnings: string[];
  /** Files of a view's commit that a push leaves out because other machines would refuse them (issue 22: a symbolic link, a file the agent does not sync). */
  notPushed: { path: string; why: string }[];
}

/** The last view this machine exchanged with the cluster (architecture.md, "Where state lives"). */
export const LAST_VIEW_REF = "refs/ctx/view/last";

/**
 * `git ctx scan`: scans what a push would send for credentials and prints the findings redacted,
 * the held-back (quarantined) files and how to release a false positive.
 *
 * Files: by default those that differ between the work tree (and index) and the last pushed view
 * `refs/ctx/view/last` — or every tracked file when that ref does not exist (nothing was pushed
 * yet, so a push would send everything; comparing with `HEAD` would miss committed secrets) —
 * plus untracked files that are not ignored and the files currently held back; `--all` scans every tracked and untracked-not-ignored
 * file (the view's excludes limit both to joined project folders). The work-tree bytes are
 * scanned: the clean filter only rewrites paths, which never creates or removes a credential.
 * Allowlisted fingerprints (git config `ctx.allow`, `.ctxallow`) are skipped.
 *
 * @returns exit code: 1 when there are findings, 0 when none
 * @throws NotAViewError when neither `cwd` nor `~/.claude/projects` is inside a git work tree, or
 *   `dir` is given and is not a git-ctx view
 * @throws GitCommandError when git fails on the repository (e.g. a bad pathspec)
 */
export async function scan(o: ScanCommandOptions = {}): Promise<number> {
  const env = o.env ?? process.env;
  const write = o.write ?? ((s: string) => void process.stdout.write(s));
  // inside a repository: that one; elsewhere every agent's view (issue 11)
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const reports: ScanReport[] = [];
  if (o.dir !== undefined) {
    // the view --dir names (openView refuses a folder that is not one); pathspecs are relative to it, as with git -C
    const dir = path.resolve(cwd, o.dir);
    await openView(dir, env);
    reports.push(await scanView({ ...o, cwd: dir }, env));
  } else {
    const inRepo = (await gitRaw(["rev-parse", "--show-toplevel"], { cwd, env, okCodes: [0, 128] }).catch(() => undefined))?.code === 0;
    const dirs = inRepo ? [cwd] : viewDirs(env);
    for (const d of dirs.length ? dirs : [cwd]) reports.push(await scanView({ ...o, cwd: d }, env));
  }
  if (o.json) write(jsonText(scanDocument(reports)));
  else for (const r of reports) write((reports.length > 1 ? `== ${r.workTree} ==\n` : "") + formatScanReport(r));
  return reports.every((r) => r.ok) ? 0 : 1;
}

/**
 * The `git ctx scan --json` document (src/json/schemas.ts `ScanSchema`) of the reports, one
 * entry per scanned repository; reasons in `message` fields.
 */
export function scanDocument(reports: readonly ScanReport[]): ScanDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "scan",
    ok: reports.every((r) => r.ok),
    views: reports.map((r) => ({
      agent: r.agent,
      dir: r.workTree,
      ok: r.ok,
      base: r.base,
      scanned: r.scanned,
      findings: r.findings.map(finding),
      heldBack: r.heldBack.map((h) => ({ path: h.path, since: h.since, findings: h.findings.map(finding) })),
      ignoredAllowEntries: r.ignoredAllowEntries.map((i) => ({ source: i.source, line: i.line, text: i.text })),
      skipped: r.skipped.map((x) => ({ path: x.path, message: x.reason })),
      warnings: r.warnings.map((message) => ({ message })),
      notPushed: r.notPushed.map((n) => ({ path: n.path, message: n.why })),
    })),
  };
}

/** A finding with exactly the documented fields (a stored one may carry more). */
function finding(f: Finding): Finding {
  return { file: f.file, line: f.line, rule: f.rule, redacted: f.redacted, fingerprint: f.fingerprint };
}

/** Locates the repository: `cwd` first, then `~/.claude/projects`. */
async function findRepo(cwd: string, env: NodeJS.ProcessEnv): Promise<{ workTree: string; gitDir: string; cwd: string }> {
  for (const dir of [cwd, ...viewDirs(env), agentById("claude").storeRoot(env)]) {
    const r = await gitRaw(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { cwd: dir, env, okCodes: [0, 128] }).catch(() => undefined);
    if (r && r.code === 0) {
      const [workTree, gitDir] = r.stdout.toString("utf8").trim().split("\n");
      return { workTree: workTree!, gitDir: gitDir!, cwd: dir };
    }
  }
  throw new NotAViewError({ dir: cwd, problem: `not inside a git work tree (and no agent's store is one: ${AGENTS.map((a) => a.storeHint).join(", ")})` });
}

async function revOk(ref: string, cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await gitRaw(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd, env, okCodes: [0, 1, 128] });
  return r.code === 0;
}

function zList(b: Buffer): string[] {
  return b
    .toString("utf8")
    .split("\0")
    .filter((s) => s.length > 0);
}

/** Does the work, returns the report (see {@link scan}). */
export async function scanView(o: ScanCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<ScanReport> {
  const repo = await findRepo(path.resolve(o.cwd ?? process.cwd()), env);
  // pathspecs are taken relative to where the user stands; git runs at the top with full paths
  const spec = (o.paths ?? []).map((p) => path.relative(repo.workTree, path.resolve(repo.cwd, p)) || ".");
  const top = { cwd: repo.workTree, env };
  const warnings: string[] = [];
  let base: string | null = null;
  const files = new Set<string>();
  const untracked = await gitRaw(["ls-files", "-z", "--others", "--exclude-standard", "--", ...spec], top);
  if (o.all) {
    for (const f of zList((await gitRaw(["ls-files", "-z", "--cached", "--", ...spec], top)).stdout)) files.add(f);
  } else {
    // never pushed (no refs/ctx/view/last): a push would send every tracked file
    base = (await revOk(LAST_VIEW_REF, repo.workTree, env)) ? LAST_VIEW_REF : null;
    const changed = base
      ? await gitRaw(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", base, "--", ...spec], top)
      : await gitRaw(["ls-files", "-z", "--cached", "--", ...spec], top);
    for (const f of zList(changed.stdout)) files.add(f);
  }
  for (const f of zList(untracked.stdout)) files.add(f);

  let heldBack: HeldBack[] = [];
  try {
    heldBack = readHeldBack(repo.gitDir);
  } catch (e) {
    warnings.push((e as Error).message);
  }
  if (!o.all) for (const h of heldBack) if (spec.length === 0 || spec.some((s) => s === "." || h.path === s || h.path.startsWith(s.replace(/\/?$/, "/")))) files.add(h.path);

  const allow = await loadAllowlist(repo.gitDir, repo.workTree);
  const findings: Finding[] = [];
  const skipped: { path: string; reason: string }[] = [];
  let scanned = 0;
  for (const rel of [...files].sort()) {
    const abs = path.join(repo.workTree, rel);
    let bytes: Buffer;
    try {
      const st = lstatSync(abs);
      if (!st.isFile()) {
        if (st.isSymbolicLink()) skipped.push({ path: rel, reason: "symbolic link (git stores the link text, not the target)" });
        continue;
      }
      bytes = (o.readFile ?? readFileSync)(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") continue; // deleted: nothing to send
      skipped.push({ path: rel, reason: `${code ?? "error"}: ${(e as Error).message}` });
      continue;
    }
    scanned++;
    findings.push(...scanPath(rel, { allow: allow.fingerprints }), ...scanBytes(bytes, rel, { allow: allow.fingerprints }));
  }
  let state: ReturnType<typeof readViewState>;
  try {
    state = readViewState(repo.gitDir);
  } catch (e) {
    warnings.push((e as Error).message);
  }
  const notPushed = state ? (await viewOutboundRefusals(repo.workTree, state, "HEAD", env)).map((r) => ({ path: r.path, why: r.why })) : [];
  return {
    ok: findings.length === 0,
    workTree: repo.workTree,
    agent: state ? agentOf(state).id : null,
    base,
    scanned,
    findings,
    heldBack,
    ignoredAllowEntries: allow.ignored ?? [],
    skipped,
    warnings,
    notPushed,
  };
}

/** Human text of a report: one line per finding (`file:line: rule redacted [fingerprint]`), then the fixes. */
export function formatScanReport(r: ScanReport): string {
  const out: string[] = [];
  for (const f of r.findings) out.push(`${f.file}:${f.line}: ${f.rule} ${f.redacted} [${f.fingerprint}]`);
  const nFiles = new Set(r.findings.map((f) => f.file)).size;
  const what = r.base ? `new or changed since ${r.base}` : "tracked or untracked";
  if (r.findings.length) {
    out.push(
      ``,
      `git ctx scan: ${r.findings.length} finding${r.findings.length === 1 ? "" : "s"} in ${nFiles} file${nFiles === 1 ? "" : "s"} (${r.scanned} ${what} files scanned).`,
      `A push holds these files back until the secret is gone. Fix: remove the secret from the file (or 'git ctx redact -- <file>'),`,
      `or, for a false positive, release its fingerprint:`,
      `  git config --add ${ALLOW_CONFIG_KEY} <fingerprint>      (or add the fingerprint to ${ALLOW_FILE} at the view root)`,
    );
  } else {
    out.push(`git ctx scan: no findings (${r.scanned} ${what} files scanned).`);
  }
  if (r.heldBack.length) {
    out.push(``, `Held back by the last push (not sent to the cluster):`);
    for (const h of r.heldBack)
      out.push(`  ${h.path}  since ${h.since} (${h.findings.length} finding${h.findings.length === 1 ? "" : "s"}: ${[...new Set(h.findings.map((f) => f.rule))].join(", ")})`);
  }
  for (const i of r.ignoredAllowEntries) out.push(`warning: ${i.source}${i.line ? `:${i.line}` : ""}: '${i.text}' is not a fingerprint (16 hex characters); it releases nothing`);
  for (const s of r.skipped) out.push(`warning: ${s.path}: not scanned (${s.reason})`);
  for (const n of r.notPushed ?? []) out.push(`not pushed: ${n.path} (${n.why}; other machines would refuse it)`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join("\n") + "\n";
}
