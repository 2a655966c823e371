import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import writeFileAtomic from "write-file-atomic";
import { InvalidInputError } from "../errors.js";
import { git, GitCommandError, gitRaw, type GitOpts } from "./exec.js";
import { shellQuote } from "./shell.js";
import { parseAddErrors, sessionNamedFolderOf, type SkippedEntry } from "./oddfiles.js";

/**
 * Writing git-ctx's git configuration, attributes and excludes. Used by `git ctx install`, by the
 * remote helper on `option cloning true`, and by `git ctx init`.
 *
 * Filter and merge-driver commands can only come from git config, never from the repository
 * (GIT.md, "Where configuration can live"); attributes live in `$GIT_DIR/info/attributes` (highest
 * precedence, not versioned) and the view's excludes in `$GIT_DIR/info/exclude`.
 */

/** Name of the filter/merge-driver program (`bin/git-ctx-filter`, on `PATH` after `npm install -g git-ctx`). */
export const CTX_FILTER_BIN = "git-ctx-filter";

/**
 * The folder of the git-ctx package this code runs from: the nearest folder above `from` (default:
 * this module, in `src/git/`, `dist/src/git/` or a `dist/bundle/` chunk) that holds
 * `bin/git-ctx-filter`; undefined when there is none (e.g. a bundle copied elsewhere).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = path.dirname(from);
  for (;;) {
    if (existsSync(path.join(dir, "bin", CTX_FILTER_BIN))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The shell command that starts the filter, as git config holds it (git runs filter and merge
 * driver commands through `sh -c`, gitattributes "Long Running Filter Process" and "Defining a
 * custom merge driver"): the absolute path of this Node (`process.execPath`) and of this package's
 * `bin/git-ctx-filter`, each quoted for the shell, so `git add` in a view works whatever `PATH`
 * git has (GUI git clients, cron, a shell without nvm: issue 24, point 9). The bare name
 * {@link CTX_FILTER_BIN} when the package's folder is not found. Pure apart from the file lookup.
 * @param root the package folder (default {@link packageRoot}); @param node the Node binary.
 */
export function filterCommand(root: string | undefined = packageRoot(), node: string = process.execPath): string {
  if (!root) return CTX_FILTER_BIN;
  return `${shellQuote(node)} ${shellQuote(path.join(root, "bin", CTX_FILTER_BIN))}`;
}

/**
 * The git config entries git-ctx needs, as `[key, value]` pairs (`cmd`: {@link filterCommand}):
 * - `filter.ctx.process = <cmd> process`: the long-running clean/smudge filter;
 * - `filter.ctx.required = true`: a failing filter fails the git command instead of committing the
 *   raw content (GIT.md: without it, absolute paths leaked into a commit);
 * - `merge.ctx.name`, `merge.ctx.driver = <cmd> merge %O %A %B %L %P` (gitattributes,
 *   "Defining a custom merge driver").
 */
export function ctxGitConfig(cmd: string = filterCommand()): [key: string, value: string][] {
  return [
    ["filter.ctx.process", `${cmd} process`],
    ["filter.ctx.required", "true"],
    ["merge.ctx.name", "git-ctx merge of transcripts (JSONL union), memory and rosters"],
    ["merge.ctx.driver", `${cmd} merge %O %A %B %L %P`],
  ];
}

/** Where config is written: the user's global config, the repository around `cwd`, or a given git dir's `config` file. */
export type ConfigScope = "global" | "local" | { gitDir: string };

/** One entry written by {@link writeCtxConfig}. */
export interface ConfigChange {
  key: string;
  value: string;
  /** The values the key had before (empty when unset). */
  previous: string[];
  /** False when the key already held exactly this one value (nothing was written). */
  changed: boolean;
}

function scopeArgs(scope: ConfigScope): string[] {
  if (scope === "global") return ["--global"];
  if (scope === "local") return ["--local"];
  return ["--file", path.join(scope.gitDir, "config")];
}

/**
 * Writes `entries` (default {@link ctxGitConfig}) into git config at `scope`. Idempotent: a key
 * that already holds exactly the value is left alone; a key with other or several values is
 * replaced (`--replace-all`).
 * @param opts `cwd` (for `local`: a directory inside the repository) and `env` (e.g. a test's HOME).
 * @returns one {@link ConfigChange} per entry, in order.
 * @throws GitCommandError when git config fails (e.g. `local` outside a repository).
 */
export async function writeCtxConfig(
  scope: ConfigScope,
  entries: readonly [string, string][] = ctxGitConfig(),
  opts: Pick<GitOpts, "cwd" | "env"> & { dryRun?: boolean } = {},
): Promise<ConfigChange[]> {
  const s = scopeArgs(scope);
  const out: ConfigChange[] = [];
  // One `--list` for every key (was one `--get-all` per key: each git start counts when a clone
  // configures the view). A scope whose file does not exist yet fails to list: nothing is set.
  const listed = await gitRaw(["config", ...s, "-z", "--list"], { ...opts, okCodes: [0, 1, 128] });
  const current = new Map<string, string[]>();
  if (listed.code === 0) {
    for (const rec of listed.stdout.toString("utf8").split("\0")) {
      if (!rec) continue;
      const nl = rec.indexOf("\n");
      const k = (nl < 0 ? rec : rec.slice(0, nl)).toLowerCase();
      current.set(k, [...(current.get(k) ?? []), nl < 0 ? "" : rec.slice(nl + 1)]);
    }
  }
  for (const [key, value] of entries) {
    const previous = current.get(key.toLowerCase()) ?? [];
    const changed = !(previous.length === 1 && previous[0] === value);
    if (changed && !opts.dryRun) await git(["config", ...s, "--replace-all", key, value], { cwd: opts.cwd, env: opts.env });
    out.push({ key, value, previous, changed });
  }
  return out;
}

/** First and last line of the block git-ctx manages inside `info/attributes` and `info/exclude`. */
export const BLOCK_BEGIN = "# >>> git-ctx: managed by 'git ctx' (lines up to the end marker are rewritten)";
export const BLOCK_END = "# <<< git-ctx";

/**
 * Returns `text` with git-ctx's marked block replaced by `lines` (or appended when there is none).
 * Lines outside the block are kept byte for byte. Pure.
 */
export function replaceBlock(text: string, lines: readonly string[]): string {
  const block = [BLOCK_BEGIN, ...lines, BLOCK_END].join("\n") + "\n";
  const b = text.indexOf(BLOCK_BEGIN + "\n");
  if (b >= 0) {
    const e = text.indexOf(BLOCK_END, b);
    if (e >= 0) {
      let after = e + BLOCK_END.length;
      if (text[after] === "\n") after++;
      return text.slice(0, b) + block + text.slice(after);
    }
  }
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  return text + sep + block;
}

/**
 * The attribute lines of a view (`git help gitattributes`):
 * - `* -ident !working-tree-encoding !eol !diff !merge`: whatever a `.gitattributes` inside the
 *   view says (none should reach it: the inbound gate refuses them, issue 22) is neutralized —
 *   `$GIT_DIR/info/attributes` takes precedence over every `.gitattributes`, so no file gets
 *   re-encoded (a hostile `working-tree-encoding=UTF-16LE` emptied a transcript in the cluster),
 *   `$Id$`-expanded, or a diff or merge driver other than git's default and git-ctx's own;
 * - `* filter=ctx -text`: every file goes through the filter (which passes root-level files and
 *   folders that are not joined projects through unchanged) and never through end-of-line
 *   conversion, so bytes round-trip exactly;
 * - the merge driver (src/merge `mergeFile` picks the strategy by path) for transcripts
 *   (`*.jsonl`), JSON files (`*.json`: `roster.json` per machine entry, others newer side wins,
 *   e.g. subagent `*.meta.json`) and memory files at any depth (`**\/memory/*.md`: `<key>/memory/`
 *   in the view, `context/memory/` on a cluster branch). Other files (tool results `*.txt`) use
 *   git's default text merge.
 */
export function ctxAttributeLines(): string[] {
  return ["* -ident !working-tree-encoding !eol !diff !merge", "* filter=ctx -text", "*.jsonl merge=ctx", "*.json merge=ctx", "**/memory/*.md merge=ctx"];
}

function updateInfoFile(gitDir: string, name: string, lines: readonly string[]): string {
  const file = path.join(gitDir, "info", name);
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const next = replaceBlock(text, lines);
  if (next !== text) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic.sync(file, next);
  }
  return file;
}

/**
 * Writes {@link ctxAttributeLines} as git-ctx's block of `$GIT_DIR/info/attributes` (other lines
 * kept; idempotent; atomic).
 * @param gitDir absolute git dir.
 * @returns the path of the attributes file.
 */
export function writeAttributes(gitDir: string): string {
  return updateInfoFile(gitDir, "attributes", ctxAttributeLines());
}

/**
 * Escapes a folder name for a gitignore pattern (`git help gitignore`): a backslash before the
 * glob characters `*`, `?`, `[` and `\`, and before a trailing space. (A leading `!` or `#` needs no
 * escape here: the name always follows `/`.)
 * @throws InvalidInputError for an empty name, or one with `/`, a newline or a NUL byte.
 */
export function gitignoreEscape(name: string): string {
  if (name === "" || /[/\n\r\0]/.test(name))
    throw new InvalidInputError({ what: "view folder name", value: name, fix: "a directory key is one path component (letters, digits and '-')" });
  return name.replace(/[*?[\\]/g, (c) => "\\" + c).replace(/ $/, "\\ ");
}

/**
 * The exclude lines of a view: `/*` (ignore every top-level entry), then `!/<key>/` for each joined
 * project's folder, then `*.git-ctx-*.tmp` (the temp copies `git ctx sync` creates next to a new
 * file, src/sync/worktree.ts: never committed, even one left by a killed sync), `.gitignore` and
 * `*.bak`, `*.bak.<n>` (the backups `git ctx resume --force` keeps: this machine's, never synced). Keys start with
 * `-` (Claude Code directory keys), which has no meaning in gitignore. Sorted and deduplicated,
 * so the block does not depend on the order of `keys`. With `inside` (an agent's synced entries,
 * `Agent.folderEntries`: `chats/`, `logs.json`), each folder is followed by `/<key>/*` and
 * `!/<key>/<entry>`: the rest of the folder stays out (gitignore: the last matching line wins).
 */
export function ctxExcludeLines(keys: readonly string[], inside?: readonly string[]): string[] {
  const folder = (k: string) => {
    const e = `/${gitignoreEscape(k)}/`;
    // only the listed entries of the folder (last match wins: ignore all, then re-include them)
    return inside ? [`!${e}`, `${e}*`, ...inside.map((n) => `!${e}${n}`)] : [`!${e}`];
  };
  return ["/*", ...[...new Set(keys)].sort().flatMap(folder), "*.git-ctx-*.tmp", ".gitignore", "*.bak", "*.bak.[0-9]*"];
}

/** Files the view never syncs, whatever ignore rules say: `.gitignore`, macOS `.DS_Store`, sync's temp files, `resume --force`'s backups. */
const NEVER_SYNCED = /(^|\/)(\.gitignore|\.DS_Store|[^/]*\.git-ctx-[^/]*\.tmp|[^/]*\.bak(\.[0-9]+)?)$/;

/**
 * Stages the joined folders (sync, init, join): `git add --ignore-removal -- <folder>/…` (a
 * deletion is never staged), then the files a `.gitignore` inside a joined folder hides — one that
 * someone put there, or that an earlier release synced to every machine — with `--force`, so it
 * never hides sessions from sync (issue 10, defect 9). `.gitignore` files themselves (also in the
 * view's excludes), `.DS_Store` and sync's temp files are never staged. Exclusion pathspecs are
 * not used for this: git 2.39 skips a whole untracked folder when an `:(exclude)` pathspec matches
 * a file in it (observed). `skip`: view paths to leave out (sync's carried files).
 *
 * Odd entries never stop the others (issue 23, point 3; src/git/oddfiles.ts): a file git cannot
 * open (EACCES, EPERM) is left out by `git add --ignore-errors` and named from git's own words
 * (nothing is checked beforehand: no cost when every file is readable); everything below a
 * folder named like a session file (`x.jsonl/`) is found by one `git ls-files` with a glob
 * pathspec, set back to HEAD's version in the index after the add (so never committed unless it
 * already was; the push gate leaves such a path out anyway), and the folder named.
 * @returns the entries left out, each once, view paths.
 * @throws GitCommandError when git fails for another reason.
 */
export async function addJoinedFolders(folders: readonly string[], o: GitOpts, skip: ReadonlySet<string> = new Set()): Promise<SkippedEntry[]> {
  if (folders.length === 0) return [];
  const specs = folders.map((f) => `${f}/`);
  const through = await pathsThroughSessionNamedFolders(folders, o);
  const odd = new Set(through.map((p) => sessionNamedFolderOf(p)!));
  const unreadable = await addIgnoringUnreadable(["add", "--ignore-removal", "--ignore-errors", "--", ...specs, ...[...skip].map((p) => `:(exclude,literal)${p}`)], o);
  if (through.length) await unstage(through, o);
  const r = await gitRaw(["--literal-pathspecs", "ls-files", "-z", "--others", "--ignored", "--exclude-per-directory=.gitignore", "--", ...specs], o);
  const hidden: string[] = [];
  for (const p of r.stdout.toString("utf8").split("\0")) {
    if (!p || NEVER_SYNCED.test(p) || skip.has(p)) continue;
    const f = sessionNamedFolderOf(p);
    if (f) odd.add(f);
    else hidden.push(p);
  }
  if (hidden.length)
    unreadable.push(
      ...(await addIgnoringUnreadable(["--literal-pathspecs", "add", "--force", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul"], {
        ...o,
        input: hidden.join("\0") + "\0",
      })),
    );
  return skippedOf(unreadable, odd);
}

function skippedOf(unreadable: readonly string[], odd: ReadonlySet<string>): SkippedEntry[] {
  return [...[...new Set(unreadable)].sort().map((p) => ({ path: p, why: "unreadable" as const })), ...[...odd].sort().map((p) => ({ path: p, why: "not-a-file" as const }))];
}

/** The files git sees (tracked, or untracked and not ignored) below a folder named like a session file under `folders` (`<folder>/…/x.jsonl/…`). */
async function pathsThroughSessionNamedFolders(folders: readonly string[], o: GitOpts): Promise<string[]> {
  const glob = (f: string) => `:(glob)${f.replace(/[*?[\\]/g, (c) => "\\" + c)}/**/*.jsonl/**`;
  const r = await gitRaw(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...folders.map(glob)], { ...o, input: undefined });
  return [...new Set(r.stdout.toString("utf8").split("\0"))].filter((p) => p && sessionNamedFolderOf(p));
}

/**
 * Sets the index entries of `paths` back to HEAD's (removed when HEAD has none): what `git add`
 * staged there is undone. (An `:(exclude)` pathspec in the add itself would be cheaper, but git
 * 2.39 then skips the whole untracked folder around the excluded files: observed.)
 */
async function unstage(paths: readonly string[], o: GitOpts): Promise<void> {
  const head = await gitRaw(["ls-tree", "-z", "--full-tree", "HEAD", "--", ...paths], { ...o, input: undefined, okCodes: [0, 128], env: { ...o.env, GIT_LITERAL_PATHSPECS: "1" } });
  const inHead = new Map<string, string>();
  if (head.code === 0)
    for (const rec of head.stdout.toString("utf8").split("\0")) {
      const m = /^(\d+) blob ([0-9a-f]+)\t(.*)$/s.exec(rec);
      if (m) inHead.set(m[3]!, `${m[1]} ${m[2]}`);
    }
  const info = paths.map((p) => `${inHead.get(p) ?? `0 ${"0".repeat(40)}`}\t${p}`);
  await git(["update-index", "-z", "--index-info"], { ...o, input: info.join("\0") + "\0" });
}

/**
 * Runs a `git add --ignore-errors …`: exit 0, or exit 1 when every error is a file git could not
 * open (those are returned, as git named them).
 * @throws GitCommandError for any other failure (as `git` would).
 */
async function addIgnoringUnreadable(args: readonly string[], o: GitOpts): Promise<string[]> {
  const r = await gitRaw(args, { ...o, okCodes: [0, 1] });
  const { unreadable, other } = parseAddErrors(r.stderr);
  const failed = other.some((l) => /^(error|fatal):/.test(l));
  if (failed || (r.code !== 0 && unreadable.length === 0)) throw new GitCommandError({ args, exitCode: r.code, stderr: r.stderr, cwd: o.cwd ?? process.cwd() });
  return unreadable;
}

/**
 * Stages exactly the files `paths` (view paths) of a shared-layout view (Codex), also when the
 * excludes hide them (`git add --force`: the view's excludes hide every file that is not staged
 * by git-ctx, so rollouts of unjoined projects never show as untracked). Never stages a deletion
 * (`--ignore-removal`); paths are literal and passed on stdin (any count). A file git cannot open
 * and a path through a folder named like a session file are left out (as {@link addJoinedFolders}).
 * @returns the entries left out.
 * @throws GitCommandError when git fails for another reason.
 */
export async function addFiles(paths: readonly string[], o: GitOpts): Promise<SkippedEntry[]> {
  const odd = new Set<string>();
  const ok = paths.filter((p) => {
    const f = sessionNamedFolderOf(p);
    if (f) odd.add(f);
    return !f;
  });
  if (ok.length === 0) return skippedOf([], odd);
  const unreadable = await addIgnoringUnreadable(
    ["--literal-pathspecs", "add", "--force", "--ignore-removal", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul"],
    {
      ...o,
      input: ok.join("\0") + "\0",
    },
  );
  return skippedOf(unreadable, odd);
}

/**
 * Writes {@link ctxExcludeLines} as git-ctx's block of `$GIT_DIR/info/exclude` (other lines kept;
 * idempotent; atomic). Folders of projects this machine has not joined stay invisible to git.
 * @param gitDir absolute git dir. @param joinedKeys this machine's directory keys of the joined projects.
 * @returns the path of the exclude file.
 * @throws InvalidInputError for a key that is not one path component.
 */
export function writeExcludes(gitDir: string, joinedKeys: readonly string[], inside?: readonly string[]): string {
  return updateInfoFile(gitDir, "exclude", ctxExcludeLines(joinedKeys, inside));
}

/** The line that marks a git hook script git-ctx wrote (and may rewrite). */
export const GIT_HOOK_MARK = "# git-ctx: managed hook";

/**
 * Writes the git hook `$GIT_DIR/hooks/<name>` (executable) running `command`, unless a hook of
 * that name exists that git-ctx did not write (a user's hook is never replaced).
 * @returns `written`, `kept` (ours, unchanged) or `user` (a user's hook: left as it is).
 */
export function writeGitHook(gitDir: string, name: string, command: string): "written" | "kept" | "user" {
  const file = path.join(gitDir, "hooks", name);
  const text = `#!/bin/sh\n${GIT_HOOK_MARK} (git ctx writes and rewrites it; a hook of your own in its place is left alone)\n${command}\n`;
  let old: string | undefined;
  try {
    old = readFileSync(file, "utf8");
  } catch {
    old = undefined;
  }
  if (old !== undefined && !old.includes(GIT_HOOK_MARK)) return "user";
  if (old === text) return "kept";
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, text, { mode: 0o755 });
  return "written";
}
