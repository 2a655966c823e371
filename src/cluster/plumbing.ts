import { rmSync } from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { NO_CTX_FILTER_ARGS, git, gitRaw, type GitOpts } from "../git/exec.js";

/** SHA-1 of the empty tree (a constant of git's object format). */
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** One entry of a tree as `git ls-tree` prints it. */
export interface TreeEntry {
  /** Octal mode: `100644`, `100755`, `120000` (symlink), `040000` (tree), `160000` (gitlink). */
  mode: string;
  type: "blob" | "tree" | "commit";
  oid: string;
  /** Entry name (one path component for a flat listing, a `/`-separated path for `-r`). */
  name: string;
}

/** Identity and date for `git commit-tree` (date in git's raw form `@<seconds> <+hhmm>`). */
export interface Signature {
  name: string;
  email: string;
  date: string;
}

/** One changed path of `git diff-tree -r --no-renames`. */
export interface TreeChange {
  /** `A` added, `M` modified, `D` deleted, `T` type changed. */
  status: string;
  /** Mode and object of the new side (`000000`/zeros for a deletion). */
  mode: string;
  oid: string;
  /** Object of the old side (zeros for an addition). */
  srcOid: string;
  /** Path relative to the compared trees, `/`-separated. */
  path: string;
}

/**
 * A revision that starts with a full object id (`<oid>`, `<oid>:<path>`, `<oid>^{tree}`,
 * `<oid>^1`): what git answers for it can never change, because an object's id is the hash of
 * its content (gitrevisions(7); `git help hash-function-transition` for the 64-digit form).
 */
const OID_ROOTED = /^(?:[0-9a-f]{64}|[0-9a-f]{40})(?=$|[:^~])/;

/** Most answers {@link remembered} keeps per process (oldest forgotten first). */
const IMMUTABLE_MAX = 512;
/** Blobs larger than this (bytes) are not remembered (rosters and format files are small). */
const IMMUTABLE_BLOB_MAX = 64 * 1024;
const immutable = new Map<string, unknown>();

/**
 * Answers about objects named by full object ids, kept for the life of the process: a sync asks
 * the same question in its fetch, its merge and its push (the same tip's tree, roster and
 * context folder), each a git process of ~5–10 ms. Only answers that exist are kept (a missing
 * object may arrive later); keyed by repository.
 */
async function remembered<T>(gitDir: string, rev: string, query: string, answer: () => Promise<T>, keep: (v: T) => boolean = (v) => v !== undefined): Promise<T> {
  if (!OID_ROOTED.test(rev)) return answer();
  const key = `${gitDir}\0${query}\0${rev}`;
  if (immutable.has(key)) return immutable.get(key) as T;
  const v = await answer();
  if (keep(v)) {
    if (immutable.size >= IMMUTABLE_MAX) immutable.delete(immutable.keys().next().value as string);
    immutable.set(key, v);
  }
  return v;
}

/**
 * Git plumbing bound to one repository (`gitDir`, absolute). Every call runs git with
 * `--git-dir=<gitDir>` and our filter turned off (`noCtxFilter`): nothing here needs a work tree,
 * and plumbing run by the remote helper must never re-enter the filter. The merge driver stays
 * configured (see {@link mergeTrees}).
 */
export class Plumbing {
  constructor(readonly gitDir: string) {}

  /** Runs `git --git-dir=<gitDir> <args>` and returns trimmed stdout. @throws GitCommandError */
  run(args: readonly string[], o: GitOpts = {}): Promise<string> {
    return git(["--git-dir", this.gitDir, ...args], { noCtxFilter: true, ...o, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined, ...o.env } });
  }

  /** As {@link run}, with raw stdout bytes. */
  raw(args: readonly string[], o: GitOpts = {}) {
    return gitRaw(["--git-dir", this.gitDir, ...args], { noCtxFilter: true, ...o, env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined, ...o.env } });
  }

  /** The object id `rev` names, or `undefined` when it names nothing (`rev-parse --verify -q`). */
  async resolve(rev: string): Promise<string | undefined> {
    return remembered(this.gitDir, rev, "resolve", async () => {
      const r = await this.raw(["rev-parse", "--verify", "-q", "--end-of-options", rev], { okCodes: [0, 1, 128] });
      const out = r.stdout.toString("utf8").trim();
      return r.code === 0 && out ? out : undefined;
    });
  }

  /**
   * Every ref under `prefix` (e.g. `refs/ctx/cluster/project/`) with the object it points at, in
   * one `git for-each-ref` (a sync asked `rev-parse` once per project before).
   * @returns full ref name → object id; empty when there is none.
   */
  async refsUnder(prefix: string): Promise<Map<string, string>> {
    const out = await this.run(["for-each-ref", "--format=%(objectname) %(refname)", prefix]);
    const refs = new Map<string, string>();
    for (const line of out.split("\n")) {
      const sp = line.indexOf(" ");
      if (sp > 0) refs.set(line.slice(sp + 1), line.slice(0, sp));
    }
    return refs;
  }

  /** Tree id of a commit (or tree-ish). @throws GitCommandError when it does not exist. */
  treeOf(commit: string): Promise<string> {
    return remembered(this.gitDir, commit, "treeOf", () => this.run(["rev-parse", "--verify", `${commit}^{tree}`]));
  }

  /** Flat listing of a tree (`ls-tree -z`); with `recursive`, every blob/link below it (`-r`). */
  async lsTree(treeish: string, recursive = false): Promise<TreeEntry[]> {
    const entries = await remembered(this.gitDir, treeish, recursive ? "ls-tree -r" : "ls-tree", async () =>
      parseLsTree((await this.raw(["ls-tree", "-z", "--full-tree", ...(recursive ? ["-r"] : []), treeish])).stdout),
    );
    return entries.map((e) => ({ ...e })); // the caller's own copy
  }

  /** The entry at `p` (a `/`-separated path) in `treeish`, or undefined when there is none. */
  async entry(treeish: string, p: string): Promise<TreeEntry | undefined> {
    const r = await this.raw(["ls-tree", "-z", "--full-tree", treeish, "--", p], { okCodes: [0, 128] });
    return parseLsTree(r.stdout).find((e) => e.name === p);
  }

  /** Writes a tree from `entries` (`mktree -z`; entries are sorted by git) and returns its id. */
  mktree(entries: readonly TreeEntry[]): Promise<string> {
    const input = entries.map((e) => `${e.mode} ${e.type} ${e.oid}\t${e.name}\0`).join("");
    return this.run(["mktree", "-z"], { input });
  }

  /** A tree holding only `name/` → `tree` (or the empty tree when `tree` is undefined). */
  wrap(name: string, tree: string | undefined): Promise<string> {
    if (!tree || tree === EMPTY_TREE) return Promise.resolve(EMPTY_TREE);
    return this.mktree([{ mode: "040000", type: "tree", oid: tree, name }]);
  }

  /** Stores `content` as a blob and returns its id (`hash-object -w --stdin`, no filters). */
  hashBlob(content: string | Buffer): Promise<string> {
    return this.run(["hash-object", "-w", "--no-filters", "--stdin"], { input: content });
  }

  private batch: BlobReader | undefined;
  private batchUsers = 0;

  /** The bytes of a blob (through the shared `cat-file --batch-command` child inside {@link withBlobReader}). */
  async blob(oid: string): Promise<Buffer> {
    const b = await remembered(
      this.gitDir,
      oid,
      "blob",
      async () => {
        if (this.batch) {
          const b = await this.batch.read(oid);
          if (b) return b;
        }
        return (await this.raw(["cat-file", "blob", oid])).stdout;
      },
      (b) => b.length <= IMMUTABLE_BLOB_MAX,
    );
    return b.length <= IMMUTABLE_BLOB_MAX ? Buffer.from(b) : b; // a remembered blob: the caller's own copy
  }

  /**
   * Runs `fn` with one persistent `git cat-file --batch-command` child serving {@link blob}
   * (a push reads two blobs per changed file: one child instead of one per read), and stops the
   * child afterwards.
   */
  async withBlobReader<T>(fn: () => Promise<T>): Promise<T> {
    if (this.batchUsers++ === 0) this.batch = new BlobReader(this.gitDir);
    try {
      return await fn();
    } finally {
      if (--this.batchUsers === 0) {
        const b = this.batch;
        this.batch = undefined;
        await b?.close();
      }
    }
  }

  /**
   * Creates a commit object (`commit-tree`) with exactly the given author, committer, parents and
   * message: same inputs ⇒ same id (git-subtree/josh determinism, GIT.md).
   */
  commitTree(tree: string, parents: readonly string[], author: Signature, committer: Signature, message: string): Promise<string> {
    const args = ["commit-tree", tree];
    for (const p of parents) args.push("-p", p);
    args.push("-F", "-");
    return this.run(args, {
      input: message,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: author.date,
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: committer.date,
      },
    });
  }

  /** Committer date of a commit in seconds since the epoch. */
  async commitTime(commit: string): Promise<number> {
    return remembered(this.gitDir, commit, "commitTime", async () => Number(await this.run(["show", "-s", "--format=%ct", commit])));
  }

  /** Author, committer and raw message of a commit (for re-committing it elsewhere). */
  async commitInfo(commit: string): Promise<{ author: Signature; committer: Signature; message: string }> {
    const text = (await this.raw(["cat-file", "commit", commit])).stdout.toString("utf8");
    const cut = text.indexOf("\n\n");
    const head = cut < 0 ? text : text.slice(0, cut);
    const message = cut < 0 ? "" : text.slice(cut + 2);
    const sig = (kind: string): Signature => {
      const line = head.split("\n").find((l) => l.startsWith(kind + " ")) ?? "";
      const m = /^\S+ (.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
      return m ? { name: m[1]!, email: m[2]!, date: `@${m[3]} ${m[4]}` } : { name: "unknown", email: "unknown", date: "@0 +0000" };
    };
    return { author: sig("author"), committer: sig("committer"), message };
  }

  /** Is `a` an ancestor of (or equal to) `b`? */
  async isAncestor(a: string, b: string): Promise<boolean> {
    const ask = async () => (await this.raw(["merge-base", "--is-ancestor", a, b], { okCodes: [0, 1] })).code === 0;
    return OID_ROOTED.test(b) ? remembered(this.gitDir, a, `isAncestor ${b}`, ask, () => true) : ask();
  }

  /**
   * Changes from tree-ish `a` (or the empty tree) to `b`, recursively, without rename detection
   * (`diff-tree -r --no-renames -z`), limited to `pathspec` when given.
   */
  async diffTrees(a: string | undefined, b: string, pathspec?: string): Promise<TreeChange[]> {
    const args = ["diff-tree", "-r", "--no-renames", "-z", a ?? EMPTY_TREE, b];
    if (pathspec) args.push("--", pathspec);
    const out = (await this.raw(args)).stdout.toString("utf8");
    const parts = out.split("\0");
    const res: TreeChange[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const meta = parts[i]!;
      if (!meta.startsWith(":")) {
        i--;
        continue;
      }
      const [, dstMode, srcOid, dstOid, status] = meta.slice(1).split(" ") as [string, string, string, string, string];
      res.push({ status: status.charAt(0), mode: dstMode, oid: dstOid, srcOid, path: parts[i + 1]! });
    }
    return res;
  }

  /**
   * Returns the tree `base` with `changes` applied as index entries (`update-index --index-info`
   * into a temporary index file); entries of `changes` with an all-zero mode are removed.
   */
  async overlay(base: string, changes: readonly { mode: string; oid: string; path: string }[]): Promise<string> {
    if (changes.length === 0) return base;
    const index = path.join(tmpdir(), `git-ctx-index-${process.pid}-${randomBytes(6).toString("hex")}`); // outside $GIT_DIR: a kill -9 leaves nothing in the repository
    const env = { GIT_INDEX_FILE: index };
    try {
      await this.run(["read-tree", base], { env });
      const input = changes.map((c) => `${c.mode} ${c.mode === "000000" ? "0".repeat(40) : c.oid}\t${c.path}\0`).join("");
      await this.run(["update-index", "-z", "--index-info"], { env, input });
      return await this.run(["write-tree"], { env });
    } finally {
      rmSync(index, { force: true });
      rmSync(index + ".lock", { force: true });
    }
  }

  /**
   * Three-way merge of trees in this repository with `git merge-tree --write-tree` (git ≥ 2.38),
   * which applies the merge drivers configured for the repository (`merge.<driver>.driver` +
   * `$GIT_DIR/info/attributes`). git 2.39 has no `--merge-base`, so the base is made the merge
   * base by committing `base` and then `ours`/`theirs` as its children (throw-away commits).
   * @returns the merged tree and whether git reported conflicts (the tree then holds conflict
   *   markers for those files; the caller decides).
   */
  async mergeTrees(base: string, ours: string, theirs: string): Promise<{ tree: string; conflict: boolean; messages: string }> {
    const sig: Signature = { name: "git-ctx", email: "git-ctx@localhost", date: "@0 +0000" };
    const b = await this.commitTree(base, [], sig, sig, "base\n");
    const o = await this.commitTree(ours, [b], sig, sig, "ours\n");
    const t = await this.commitTree(theirs, [b], sig, sig, "theirs\n");
    // merge-tree must use our merge driver: do not strip the ctx merge config here.
    const r = await gitRaw(["--git-dir", this.gitDir, "-c", "filter.ctx.process=", "-c", "filter.ctx.required=false", "merge-tree", "--write-tree", o, t], {
      okCodes: [0, 1],
      env: { GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined },
    });
    const out = r.stdout.toString("utf8");
    const tree = out.split("\n")[0]!.trim();
    return { tree, conflict: r.code === 1, messages: out.split("\n").slice(1).join("\n").trim() };
  }

  /**
   * Applies ref updates in one transaction (`update-ref --stdin -z`): every ref moves or none.
   * `old` (when given) is checked (compare-and-swap); `new` undefined deletes the ref.
   */
  async updateRefs(updates: readonly { ref: string; new?: string; old?: string }[], message = "git-ctx"): Promise<void> {
    if (updates.length === 0) return;
    let input = "start\0";
    for (const u of updates) {
      if (u.new) input += `update ${u.ref}\0${u.new}\0${u.old ?? ""}\0`;
      else input += `delete ${u.ref}\0${u.old ?? ""}\0`;
    }
    input += "prepare\0commit\0";
    await this.run(["update-ref", "-m", message, "--stdin", "-z"], { input });
  }
}

/** Parses `ls-tree -z` output (`<mode> SP <type> SP <oid> TAB <name> NUL`). */
export function parseLsTree(out: Buffer): TreeEntry[] {
  const res: TreeEntry[] = [];
  for (const rec of out.toString("utf8").split("\0")) {
    if (!rec) continue;
    const tab = rec.indexOf("\t");
    const [mode, type, oid] = rec.slice(0, tab).split(" ") as [string, TreeEntry["type"], string];
    res.push({ mode, type, oid, name: rec.slice(tab + 1) });
  }
  return res;
}

/**
 * One `git --git-dir=<dir> cat-file --batch` child answering blob reads one at a time
 * (`git help cat-file`, BATCH OUTPUT: `<oid> <type> <size>\n<contents>\n`, or `<oid> missing\n`).
 * Spawned directly because `src/git/exec.ts` runs one-shot commands only (as the filter's
 * `CatFileBatch` does); it uses the same `NO_CTX_FILTER_ARGS` and an explicit `--git-dir`.
 */
class BlobReader {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  /** Unread output as received (appending a chunk never copies; a 50 MB blob took 7 s when every chunk was concatenated to the rest). */
  private chunks: Buffer[] = [];
  private length = 0;
  private waiters: (() => void)[] = [];
  private ended = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(gitDir: string) {
    const env = { ...process.env };
    delete env.GIT_DIR;
    delete env.GIT_WORK_TREE;
    delete env.GIT_INDEX_FILE;
    this.child = spawn("git", [...NO_CTX_FILTER_ARGS, "--git-dir", gitDir, "cat-file", "--batch"], { env, stdio: ["pipe", "pipe", "ignore"] });
    this.child.stdin.on("error", () => {});
    this.child.on("error", () => this.finish());
    this.child.stdout.on("data", (b: Buffer) => {
      this.chunks.push(b);
      this.length += b.length;
      this.wake();
    });
    this.child.stdout.on("end", () => this.finish());
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async need(n: number): Promise<boolean> {
    while (this.length < n && !this.ended) await new Promise<void>((r) => this.waiters.push(r));
    return this.length >= n;
  }

  /** Joins the unread chunks into one (once per blob or split header, not once per chunk). */
  private joined(): Buffer | undefined {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0];
  }

  /** Index of the first LF in the unread output, or -1. */
  private newline(): number {
    const first = this.chunks[0]?.indexOf(0x0a) ?? -1;
    return first >= 0 ? first : (this.joined()?.indexOf(0x0a) ?? -1);
  }

  private take(n: number): Buffer {
    const c = this.chunks[0]!.length >= n ? this.chunks[0]! : this.joined()!;
    const out = c.subarray(0, n);
    if (c.length === n) this.chunks.shift();
    else this.chunks[0] = c.subarray(n);
    this.length -= n;
    return out;
  }

  /** The blob's bytes, or undefined when it is missing, not a blob, or the child died. */
  read(oid: string): Promise<Buffer | undefined> {
    const run = this.queue.then(async () => {
      if (this.ended || !/^[0-9a-f]{40,64}$/.test(oid)) return undefined;
      this.child.stdin.write(oid + "\n");
      let nl: number;
      while ((nl = this.newline()) < 0) if (!(await this.need(this.length + 1))) return undefined;
      const header = this.take(nl + 1)
        .toString("utf8")
        .trim();
      const m = /^\S+ (\S+) (\d+)$/.exec(header);
      if (!m) return undefined;
      const size = Number(m[2]);
      if (!(await this.need(size + 1))) return undefined;
      const body = Buffer.from(this.take(size + 1).subarray(0, size));
      return m[1] === "blob" ? body : undefined;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Closes the child's stdin and waits for it to exit. */
  async close(): Promise<void> {
    const done = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once("exit", () => r())));
    this.child.stdin.end();
    await done;
  }
}
