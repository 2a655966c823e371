import { lstat, readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import type { MachineOs } from "../roster/machine.js";
import { agentById } from "../agents/index.js";
import type { Anchors } from "../sentinel/index.js";
import { FolderReportSchema, MAX_HITS_PER_FILE, zeroCounts, type FileReport, type FolderReport, type Problem, type TierCounts } from "./report.js";
import { shellQuote } from "../git/shell.js";

/** The anchors doctor hands to the codec: the codec's own {@link Anchors} (`src/sentinel`). */
export type DoctorAnchors = Anchors;

/**
 * The codec functions doctor checks (interface of `src/sentinel/index.ts`), passed in so that
 * the check stays testable and the sentinel module is loaded only by the command.
 */
export interface Codec {
  canonicalizeWithCounts(input: Buffer, a: DoctorAnchors): { output: Buffer; counts: TierCounts };
  localize(input: Buffer, a: DoctorAnchors): Buffer;
  residue(canonical: Buffer, a: DoctorAnchors): { tier: string; offset: number; text: string }[];
}

/** Options of {@link doctorFolder}. */
export interface DoctorFolderOptions {
  /** The Claude Code project folder (its base name is the directory key). */
  folder: string;
  /** The project root on this machine; inferred from the transcripts' `cwd` when absent. */
  root?: string;
  /** Where `root` came from (default `option`). */
  rootSource?: "option" | "state";
  /** This machine's home as written in transcripts. */
  home: string;
  /** This machine's OS; when not given and the root is a Windows path, `windows` is used. */
  os?: MachineOs;
  /** The machine's own OS, used when `os` is not given and the root is not a Windows path. */
  machineOs: MachineOs;
  /** Roster policy `rewrite_home` (default true). */
  rewriteHome?: boolean;
  /** The command line that re-runs this check, used in fix texts (default `git ctx doctor <folder>`). */
  rerun?: string;
  /** Files larger than this are skipped (listed in `skipped`); default {@link DOCTOR_MAX_FILE_BYTES}. */
  maxFileBytes?: number;
}

/** Files bigger than this are not read (reported as skipped): doctor reads whole files. */
export const DOCTOR_MAX_FILE_BYTES = 1024 * 1024 * 1024;

const WINDOWS_PATH_RE = /^([A-Za-z]:[\\/]|\\\\)/;

/**
 * Checks one Claude Code project folder: finds the project root (given, or inferred from the
 * transcripts' `cwd` fields), canonicalizes every regular file below the folder with the
 * codec, counts the rewrites per tier, checks the byte-exact round trip
 * `localize(canonicalize(x)) == x`, and lists the residue (machine paths the canonical form
 * still holds). Every problem carries its fix.
 *
 * Effects: reads the folder; writes nothing.
 * @returns the report (validated against {@link FolderReportSchema}); `ok` false when attention is needed.
 * @throws the fs error when the folder itself cannot be read.
 */
export async function doctorFolder(o: DoctorFolderOptions, codec: Codec): Promise<FolderReport> {
  const folder = path.resolve(o.folder);
  const key = path.basename(folder);
  const rerun = o.rerun ?? `git ctx doctor ${shellQuote(o.folder)}`;
  const problems: Problem[] = [];
  let root: FolderReport["root"] = null;
  if (o.root) root = { path: o.root, source: o.rootSource ?? "option" };
  else {
    const inf = await agentById("claude").folders!.inferRoot(folder);
    if (inf) root = { path: inf.root, source: "inferred", evidence: inf.evidence, candidates: inf.candidates };
  }
  const { files: paths, skipped } = await listFiles(folder, o.maxFileBytes);
  const files: FileReport[] = [];
  const totals = { files: 0, bytes: 0, counts: zeroCounts(), roundTripFailed: 0, residue: 0 };
  let anchors: FolderReport["anchors"] = null;

  if (!root) {
    problems.push({
      kind: "no-root",
      detail: "no transcript in this folder records a cwd, so the project root is unknown",
      fix: `${rerun} --root <the project's absolute path on this machine>`,
    });
  } else {
    const os = o.os ?? (WINDOWS_PATH_RE.test(root.path) ? "windows" : o.machineOs);
    if (os !== "windows" && WINDOWS_PATH_RE.test(root.path)) {
      problems.push({ kind: "os-mismatch", detail: `the root ${root.path} is a Windows path but --os is ${os}`, fix: `${rerun} --os windows --home <C:\\Users\\you>` });
    }
    anchors = { os, home: o.home, root: root.path, key, rewriteHome: o.rewriteHome ?? true };
    const a: DoctorAnchors = { ...anchors };
    for (const rel of paths) {
      const abs = path.join(folder, ...rel.split("/"));
      let input: Buffer;
      try {
        input = await readFile(abs);
      } catch (e) {
        problems.push({ kind: "unreadable", file: rel, detail: (e as Error).message, fix: `check the file's permissions (ls -l -- '${abs}')` });
        continue;
      }
      const { output, counts } = codec.canonicalizeWithCounts(input, a);
      const back = codec.localize(output, a);
      const roundTrip = back.equals(input);
      const hits = codec.residue(output, a);
      const fr: FileReport = {
        file: rel,
        bytes: input.length,
        counts: { contextDir: counts.contextDir, root: counts.root, key: counts.key, home: counts.home },
        roundTrip,
        residue: hits.length,
        residueHits: hits.slice(0, MAX_HITS_PER_FILE).map((h) => ({ tier: h.tier, offset: h.offset, text: h.text.slice(0, 120) })),
      };
      if (!roundTrip) fr.firstDiff = firstDiff(input, back);
      files.push(fr);
      totals.files++;
      totals.bytes += input.length;
      for (const t of ["contextDir", "root", "key", "home"] as const) totals.counts[t] += counts[t];
      if (!roundTrip) {
        totals.roundTripFailed++;
        problems.push({
          kind: "round-trip",
          file: rel,
          detail: `localize(canonicalize(x)) differs from the file at byte ${fr.firstDiff}: syncing it would change your transcript`,
          fix: `keep this project out of sync and report a git-ctx bug with the output of '${rerun} --json'`,
        });
      }
      if (hits.length) {
        totals.residue += hits.length;
        const tiers = [...new Set(hits.map((h) => h.tier))].join(", ");
        problems.push({
          kind: "residue",
          file: rel,
          detail: `${hits.length} machine path(s) stay in the canonical form (${tiers}), e.g. ${JSON.stringify(hits[0]!.text.slice(0, 80))}`,
          fix: `check the anchors: ${rerun} --root <root as the transcripts spell it> --home <home as the transcripts spell it>`,
        });
      }
    }
  }
  return FolderReportSchema.parse({ folder, key, root, anchors, totals, files, skipped, problems, ok: problems.length === 0 });
}

/**
 * Regular files below `folder`, as `/`-separated relative paths sorted by code unit; symlinks and
 * special files are listed in `skipped` (a symlink could point outside the project), and so are
 * files over `maxBytes` (default {@link DOCTOR_MAX_FILE_BYTES}).
 */
export async function listFiles(folder: string, maxBytes = DOCTOR_MAX_FILE_BYTES): Promise<{ files: string[]; skipped: { file: string; why: string }[] }> {
  const files: string[] = [];
  const skipped: { file: string; why: string }[] = [];
  async function walk(rel: string): Promise<void> {
    for (const e of await readdir(path.join(folder, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) skipped.push({ file: r, why: "symbolic link" });
      else if (e.isDirectory()) await walk(r);
      else if (!e.isFile()) skipped.push({ file: r, why: "not a regular file" });
      else {
        const st = await lstat(path.join(folder, r));
        if (st.size > maxBytes) skipped.push({ file: r, why: `larger than ${maxBytes} bytes` });
        else files.push(r);
      }
    }
  }
  await walk("");
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, skipped };
}

/** Human-readable report: a short summary, then one line per problem with its fix. */
export function formatFolderReport(r: FolderReport): string {
  const out: string[] = [];
  const c = r.totals.counts;
  out.push(`folder      ${r.folder}`);
  if (r.root) {
    const how =
      r.root.source === "option"
        ? "from --root"
        : r.root.source === "state"
          ? "from the view's state.json"
          : `inferred from ${r.root.evidence} of ${Object.values(r.root.candidates ?? {}).reduce((s, n) => s + n, 0)} cwd fields`;
    out.push(`root        ${r.root.path} (${how})`);
  } else out.push("root        unknown");
  if (r.anchors) out.push(`anchors     os=${r.anchors.os} home=${r.anchors.home} key=${r.anchors.key} rewrite_home=${r.anchors.rewriteHome}`);
  out.push(`files       ${r.totals.files} (${formatBytes(r.totals.bytes)})${r.skipped.length ? `, ${r.skipped.length} skipped` : ""}`);
  out.push(`rewrites    context-dir=${c.contextDir} root=${c.root} key=${c.key} home=${c.home}`);
  out.push(`round trip  ${r.totals.files - r.totals.roundTripFailed}/${r.totals.files} byte-exact`);
  out.push(`residue     ${r.totals.residue}`);
  for (const s of r.skipped) out.push(`  skipped ${s.file}: ${s.why}`);
  if (r.ok) out.push("ok: nothing needs attention");
  else {
    out.push(`${r.problems.length} problem(s):`);
    for (const p of r.problems) out.push(`  ✗ ${p.file ? `${p.file}: ` : ""}${p.detail}\n    fix: ${p.fix}`);
  }
  return out.join("\n") + "\n";
}

function firstDiff(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Quotes `s` for a POSIX shell (src/git/shell.ts; re-exported for the doctor's checks). */
export { shellQuote };
