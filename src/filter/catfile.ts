import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { CtxError } from "../errors.js";
import { gitRaw, NO_CTX_FILTER_ARGS } from "../git/exec.js";
import { ByteSource } from "./pktline.js";

/** The persistent `git cat-file --batch` child died or answered something unexpected. */
export class CatFileError extends CtxError {
  readonly code = "CatFile" as const;
  constructor(readonly data: { cwd: string; problem: string }) {
    super(`git cat-file --batch in ${data.cwd}: ${data.problem} (check that the repository is readable: 'git fsck')`);
  }
}

/** Header of an object, as `git cat-file --batch-command` answers `info <object>`. */
export interface ObjectInfo {
  oid: string;
  type: string;
  /** Size in bytes. */
  size: number;
}

/**
 * One persistent `git cat-file --batch-command -z` child (git ≥ 2.36) for reading many objects
 * cheaply (one git start-up per filter process instead of one per file). Requests are served one
 * at a time, in order. Output format (`git help cat-file`, BATCH OUTPUT): `info` answers
 * `<oid> <type> <size>\n`, `contents` the same header then `<contents>\n`; a missing object is
 * `<object> missing\n` (or `ambiguous`).
 *
 * Spawned directly rather than through `gitRaw` (which runs one-shot commands); it uses the same
 * `NO_CTX_FILTER_ARGS`, so it never re-enters the filter.
 */
export class CatFileBatch {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly out: ByteSource;
  private queue: Promise<unknown> = Promise.resolve();
  private exited: string | undefined;
  private stderr = "";

  /**
   * Starts `git cat-file --batch-command -z` in `cwd` (the work-tree top, or any dir inside the
   * repo); `env` is merged over `process.env` (a value of `undefined` removes the variable).
   */
  constructor(
    private readonly cwd: string,
    env?: Record<string, string | undefined>,
  ) {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(env ?? {})) {
      if (v === undefined) delete childEnv[k];
      else childEnv[k] = v;
    }
    this.child = spawn("git", [...NO_CTX_FILTER_ARGS, "cat-file", "--batch-command", "-z"], { cwd, env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
    this.child.on("error", (e) => (this.exited = e.message));
    this.child.on("exit", (code, sig) => (this.exited ??= `exited with ${code ?? sig}`));
    this.child.stdin.on("error", () => {});
    this.child.stderr.on("data", (b: Buffer) => (this.stderr = (this.stderr + b.toString("utf8")).slice(-2000)));
    this.out = new ByteSource(this.child.stdout);
  }

  /**
   * Reads the blob named by `spec` (any rev syntax, e.g. `:0:<path>` for the index, stage 0).
   * @returns its bytes, or `undefined` when the object is missing, ambiguous or not a blob.
   * @throws CatFileError when the child has died, or `spec` contains a NUL byte.
   */
  readBlob(spec: string): Promise<Buffer | undefined> {
    return this.serial(async () => {
      const info = await this.ask("contents", spec);
      if (!info) return undefined;
      const body = await this.out.take(info.size + 1); // contents + LF
      if (body.length !== info.size + 1) throw new CatFileError({ cwd: this.cwd, problem: `output ended inside object ${info.oid}` });
      return info.type === "blob" ? body.subarray(0, info.size) : undefined;
    });
  }

  /**
   * Reads the header of the object named by `spec` without its contents.
   * @returns the header, or `undefined` when the object is missing or ambiguous.
   * @throws CatFileError as {@link readBlob}.
   */
  info(spec: string): Promise<ObjectInfo | undefined> {
    return this.serial(() => this.ask("info", spec));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private async ask(cmd: "info" | "contents", spec: string): Promise<ObjectInfo | undefined> {
    if (spec.includes("\0")) throw new CatFileError({ cwd: this.cwd, problem: "object name contains a NUL byte" });
    if (this.exited) throw new CatFileError({ cwd: this.cwd, problem: `${this.exited}: ${this.stderr.trim()}` });
    this.child.stdin.write(Buffer.from(`${cmd} ${spec}\0`, "utf8"));
    const line = await this.out.takeLine();
    if (line.length === 0 || line[line.length - 1] !== 0x0a) {
      throw new CatFileError({ cwd: this.cwd, problem: `no answer for '${spec}' (${this.exited ?? "output ended"}): ${this.stderr.trim()}` });
    }
    const header = line.toString("utf8", 0, line.length - 1);
    if (header.endsWith(" missing") || header.endsWith(" ambiguous")) return undefined;
    const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
    if (!m) throw new CatFileError({ cwd: this.cwd, problem: `unexpected header '${header}' for '${spec}'` });
    return { oid: m[1]!, type: m[2]!, size: Number(m[3]) };
  }

  /** Closes the child's stdin (it exits) and waits for it. */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end();
    await done;
  }
}

/**
 * Streams one blob's bytes from a separate `git cat-file blob <oid>` child (for bases too large to
 * hold). Ending the iteration early (the cleaner stops reading at the first differing line) kills
 * the child. `env` is merged over `process.env` (a value of `undefined` removes the variable).
 * @throws CatFileError when git exits non-zero after a full read.
 */
export async function* blobStream(cwd: string, oid: string, env?: Record<string, string | undefined>): AsyncGenerator<Buffer> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env ?? {})) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn("git", [...NO_CTX_FILTER_ARGS, "cat-file", "blob", oid], { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr = (stderr + b.toString("utf8")).slice(-2000)));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let finished = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    finished = true;
    const code = await exit;
    if (code !== 0) throw new CatFileError({ cwd, problem: `git cat-file blob ${oid} exited with ${code}: ${stderr.trim()}` });
  } finally {
    if (!finished) {
      child.kill();
      await exit;
    }
  }
}

/**
 * The blob ids of the index's stage-0 entries, by repo-relative path, from one
 * `git ls-files -s -z` (`<mode> <oid> <stage>\t<path>\0`, `git help ls-files`). One call per
 * filter process replaces a `cat-file` round trip per cleaned file that has no index entry (every
 * file of a first `git add`). Gitlinks (mode 160000) are left out.
 * @throws GitCommandError when git fails.
 */
export async function readIndexOids(cwd: string): Promise<Map<string, string>> {
  const out = (await gitRaw(["ls-files", "-s", "-z"], { cwd, noCtxFilter: true })).stdout.toString("utf8");
  const map = new Map<string, string>();
  for (const rec of out.split("\0")) {
    const tab = rec.indexOf("\t");
    if (tab < 0) continue;
    const [mode, oid, stage] = rec.slice(0, tab).split(" ");
    if (stage === "0" && mode !== "160000" && oid) map.set(rec.slice(tab + 1), oid);
  }
  return map;
}
