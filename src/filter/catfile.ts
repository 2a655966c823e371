import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { CtxError } from "../errors.js";
import { NO_CTX_FILTER_ARGS } from "../git/exec.js";
import { ByteSource } from "./pktline.js";

/** The persistent `git cat-file --batch` child died or answered something unexpected. */
export class CatFileError extends CtxError {
  readonly code = "CatFile" as const;
  constructor(readonly data: { cwd: string; problem: string }) {
    super(`git cat-file --batch in ${data.cwd}: ${data.problem} (check that the repository is readable: 'git fsck')`);
  }
}

/**
 * One persistent `git cat-file --batch -z` child for reading many objects cheaply (one git start-up
 * per filter process instead of one per file). Requests are served one at a time, in order.
 * Output format (`git help cat-file`, BATCH OUTPUT): `<oid> <type> <size>\n<contents>\n`, or
 * `<object> missing\n` / `<object> ambiguous\n`.
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

  /** Starts `git cat-file --batch -z` in `cwd` (the work-tree top, or any dir inside the repo). */
  constructor(private readonly cwd: string) {
    this.child = spawn("git", [...NO_CTX_FILTER_ARGS, "cat-file", "--batch", "-z"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
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
    const run = this.queue.then(() => this.readOne(spec));
    this.queue = run.catch(() => {});
    return run;
  }

  private async readOne(spec: string): Promise<Buffer | undefined> {
    if (spec.includes("\0")) throw new CatFileError({ cwd: this.cwd, problem: "object name contains a NUL byte" });
    if (this.exited) throw new CatFileError({ cwd: this.cwd, problem: `${this.exited}: ${this.stderr.trim()}` });
    this.child.stdin.write(Buffer.from(spec + "\0", "utf8"));
    const line = await this.out.takeLine();
    if (line.length === 0 || line[line.length - 1] !== 0x0a) {
      throw new CatFileError({ cwd: this.cwd, problem: `no answer for '${spec}' (${this.exited ?? "output ended"}): ${this.stderr.trim()}` });
    }
    const header = line.toString("utf8", 0, line.length - 1);
    if (header.endsWith(" missing") || header.endsWith(" ambiguous")) return undefined;
    const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
    if (!m) throw new CatFileError({ cwd: this.cwd, problem: `unexpected header '${header}' for '${spec}'` });
    const size = Number(m[3]);
    const body = await this.out.take(size + 1); // contents + LF
    if (body.length !== size + 1) throw new CatFileError({ cwd: this.cwd, problem: `output ended inside object ${m[1]}` });
    return m[2] === "blob" ? body.subarray(0, size) : undefined;
  }

  /** Closes the child's stdin (it exits) and waits for it. */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end();
    await done;
  }
}
