import type { Stats } from "node:fs";
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CtxError } from "../errors.js";
import { git, gitRaw, type GitOpts } from "../git/exec.js";

/**
 * Thin plumbing wrappers used by `git ctx sync` (all through `src/git/exec.ts`). Each takes the
 * view's work tree as `cwd`; none touches the work tree except where it says so.
 */
export interface Repo {
  /** Absolute work tree of the view (`~/.claude/projects`). */
  cwd: string;
  /** Extra environment for every git call (tests pass a simulated machine's). */
  env?: Record<string, string | undefined>;
}

const o = (r: Repo, extra: GitOpts = {}): GitOpts => ({ cwd: r.cwd, env: { ...r.env, ...extra.env }, ...stripEnv(extra) });
function stripEnv(e: GitOpts): GitOpts {
  const { env: _env, ...rest } = e;
  return rest;
}

/** `git rev-parse --verify -q <rev>^{commit|tree|...}`: the object id, or `undefined` if absent. */
export async function revParse(r: Repo, rev: string): Promise<string | undefined> {
  const res = await gitRaw(["rev-parse", "--verify", "-q", rev], { ...o(r), okCodes: [0, 1, 128] });
  const s = res.stdout.toString("utf8").trim();
  return res.code === 0 && s ? s : undefined;
}

/** True when `a` is an ancestor of (or equal to) `b` (`git merge-base --is-ancestor`). */
export async function isAncestor(r: Repo, a: string, b: string): Promise<boolean> {
  const res = await gitRaw(["merge-base", "--is-ancestor", a, b], { ...o(r), okCodes: [0, 1] });
  return res.code === 0;
}

/** Creates a commit object (no ref moves) with `git commit-tree`. */
export async function commitTree(r: Repo, tree: string, parents: readonly string[], message: string): Promise<string> {
  return git(["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-m", message], o(r));
}

/**
 * Moves `HEAD` (its branch) from `old` to `next` as a compare-and-swap (`git update-ref HEAD
 * <next> <old>`; `old` undefined = must not exist yet).
 * @throws GitCommandError when HEAD moved meanwhile (someone ran git in the view).
 */
export async function moveHead(r: Repo, next: string, old: string | undefined, reason: string): Promise<void> {
  await git(["update-ref", "-m", reason, "HEAD", next, old ?? "0".repeat(next.length)], o(r));
}

/** Result of {@link mergeCommits}. */
export interface MergeResult {
  commit: string;
  /** Paths git reported as conflicted (committed with conflict markers so sync never blocks). */
  conflicts: string[];
}

/**
 * Merges commit `theirs` into `ours` in the object store only (`git merge-tree --write-tree`,
 * git ≥ 2.38; the configured merge driver applies, e.g. our JSONL union) and records the result
 * with `git commit-tree` (parents ours, theirs). A conflicted merge is committed as git wrote it,
 * with markers in the conflicted files; the paths are returned.
 */
export async function mergeCommits(r: Repo, ours: string, theirs: string, message: string): Promise<MergeResult> {
  const res = await gitRaw(["merge-tree", "--write-tree", "--allow-unrelated-histories", "--name-only", "-z", ours, theirs], {
    ...o(r),
    okCodes: [0, 1],
  });
  const parts = res.stdout.toString("utf8").split("\0");
  const tree = parts[0]!.trim();
  const conflicts: string[] = [];
  if (res.code === 1) {
    for (const p of parts.slice(1)) {
      if (p === "") break; // end of the conflicted-file list
      conflicts.push(p);
    }
  }
  const commit = await commitTree(r, tree, [ours, theirs], message);
  return { commit, conflicts: [...new Set(conflicts)] };
}

/** One entry of `git ls-tree -r`. */
export interface TreeEntry {
  mode: string;
  oid: string;
  path: string;
}

/** All blobs (recursively) of `treeish` under the given top-level folders. */
export async function lsTree(r: Repo, treeish: string, folders: readonly string[]): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  if (folders.length === 0) return out;
  const res = await gitRaw(["--literal-pathspecs", "ls-tree", "-r", "-z", treeish, "--", ...folders.map((f) => f + "/")], o(r));
  for (const rec of res.stdout.toString("utf8").split("\0")) {
    if (!rec) continue;
    const tab = rec.indexOf("\t");
    const [mode, type, oid] = rec.slice(0, tab).split(" ");
    if (type !== "blob") continue;
    out.set(rec.slice(tab + 1), { mode: mode!, oid: oid!, path: rec.slice(tab + 1) });
  }
  return out;
}

/** Paths (blobs) that differ between two commits under the given folders (`git diff-tree -r`). */
export async function changedPaths(r: Repo, a: string, b: string, folders: readonly string[]): Promise<string[]> {
  if (folders.length === 0) return [];
  const res = await gitRaw(["--literal-pathspecs", "diff-tree", "-r", "-z", "--no-renames", "--name-only", a, b, "--", ...folders.map((f) => f + "/")], o(r));
  return res.stdout.toString("utf8").split("\0").filter(Boolean);
}

/**
 * Returns the work-tree form (smudged by the view's configured filter, i.e. `git-ctx-filter`)
 * of `commit:path` for each path, by checking them out of a temporary index into a temporary
 * directory (`git read-tree` + `git checkout-index --prefix`): one git process and one filter
 * process for all files. (git 2.39's `cat-file --batch --filters` loses the path and dies,
 * observed, hence this route.) Paths absent from `commit` are absent from the map, and so are
 * symbolic links and other non-regular entries: they are never followed (lstat), only listed in
 * `refused` when given.
 */
export async function smudgedFiles(r: Repo, commit: string, paths: readonly string[], refused?: { path: string; why: string }[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (paths.length === 0) return out;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "git-ctx-smudge-"));
  try {
    const env = { GIT_INDEX_FILE: path.join(tmp, "index") };
    await git(["read-tree", commit], o(r, { env }));
    const dest = path.join(tmp, "wt") + path.sep;
    const res = await gitRaw(["checkout-index", "-z", "--stdin", `--prefix=${dest}`], {
      ...o(r, { env }),
      input: paths.join("\0") + "\0",
      okCodes: [0, 1],
    });
    void res; // exit 1 = some paths are not in the index (absent from the commit): not an error
    for (const p of paths) {
      const f = path.join(dest, p);
      let st: Stats;
      try {
        st = lstatSync(f);
      } catch {
        continue; // absent from commit
      }
      // Never follow a symlink (mode 120000): reading through it would copy whatever local file
      // it names into the view, and the next sync would commit and push it.
      if (st.isSymbolicLink()) refused?.push({ path: p, why: `symbolic link to '${safeReadlink(f)}'` });
      else if (!st.isFile()) refused?.push({ path: p, why: "not a regular file" });
      else out.set(p, readFileSync(f));
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function safeReadlink(f: string): string {
  try {
    return readlinkSync(f);
  } catch {
    return "?";
  }
}

/**
 * Builds a commit on top of `base` in which each `files[path]` (a blob id) replaces the path,
 * using a temporary index. Used to record work-tree bytes that a sync held back as a change of
 * the version they derive from, so that merging it with HEAD keeps both sides.
 */
export async function commitOnto(r: Repo, base: string, files: ReadonlyMap<string, { oid: string; mode: string }>, message: string): Promise<string> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "git-ctx-idx-"));
  try {
    const env = { GIT_INDEX_FILE: path.join(tmp, "index") };
    await git(["read-tree", base], o(r, { env }));
    const info = [...files].map(([p, f]) => `${f.mode} ${f.oid}\t${p}`).join("\0") + "\0";
    await git(["update-index", "-z", "--index-info"], { ...o(r, { env }), input: info });
    const tree = await git(["write-tree"], o(r, { env }));
    return commitTree(r, tree, [base], message);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Result of {@link push}: accepted, rejected because the remote moved (retry), or failed. */
export type PushResult = { ok: true } | { ok: false; race: true; why: string } | { ok: false; race: false; why: string };

/** A push refusal that is not a race (e.g. the secret gate of the remote helper). */
export class SyncPushError extends CtxError {
  readonly code = "SyncPush" as const;
  constructor(readonly data: { remote: string; why: string }) {
    super(`git push to '${data.remote}' was refused: ${data.why} (see 'git ctx status'; fix the cause, then run 'git ctx sync' again)`);
  }
}

/**
 * `git push --porcelain <remote> HEAD:refs/heads/<branch>` without force: the remote accepts
 * only a fast-forward, so the push is a compare-and-swap. A rejection for "fetch first" /
 * "non-fast-forward" / "stale info" is reported as a race (fetch, merge, retry).
 */
export async function push(r: Repo, remote: string, branch: string): Promise<PushResult> {
  const res = await gitRaw(["push", "--porcelain", "--quiet", remote, `HEAD:refs/heads/${branch}`], { ...o(r), okCodes: [0, 1, 128] });
  if (res.code === 0) return { ok: true };
  const text = res.stdout.toString("utf8") + "\n" + res.stderr;
  if (/fetch first|non-fast-forward|stale info|\[rejected\]/i.test(text)) return { ok: false, race: true, why: oneLine(text) };
  return { ok: false, race: false, why: oneLine(text) };
}

function oneLine(s: string): string {
  return s
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^(To |Done$)/.test(l))
    .join("; ")
    .slice(0, 500);
}

/** Raw (repository-form) bytes of a blob: `git cat-file blob <oid>`. */
export async function readBlob(r: Repo, oid: string): Promise<Buffer> {
  return (await gitRaw(["cat-file", "blob", oid], o(r))).stdout;
}

/** Writes raw repository-form bytes as a blob (no filters): `git hash-object -w --no-filters --stdin`. */
export async function writeBlob(r: Repo, bytes: Buffer): Promise<string> {
  return git(["hash-object", "-w", "--no-filters", "--stdin"], { ...o(r), input: bytes });
}

/** Staged additions and modifications against `head` under the folders (`from` is all zeros for an addition). */
export async function stagedModifications(r: Repo, head: string, folders: readonly string[]): Promise<{ path: string; from: string; to: string; mode: string }[]> {
  if (folders.length === 0) return [];
  const res = await gitRaw(["--literal-pathspecs", "diff-index", "--cached", "-z", "--no-renames", "--diff-filter=AM", head, "--", ...folders.map((f) => f + "/")], o(r));
  const parts = res.stdout.toString("utf8").split("\0");
  const out: { path: string; from: string; to: string; mode: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = parts[i]!;
    if (!meta.startsWith(":")) break;
    const [, newMode, from, to] = meta.slice(1).split(" ");
    out.push({ path: parts[i + 1]!, from: from!, to: to!, mode: newMode! });
  }
  return out;
}
