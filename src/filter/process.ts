import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { Readable, type Writable } from "node:stream";
import { CtxError } from "../errors.js";
import { dataPkts, PktReader, PktWriter, textPkt, type ByteInput, type Pkt } from "./pktline.js";

const FLUSH_PKT: Pkt = { type: "flush" };

/**
 * The long-running filter process protocol, version 2, git's side of which is documented in
 * `git help gitattributes` ("Long Running Filter Process") and implemented in git's `convert.c`
 * (`apply_multi_file_filter`). Shape follows git-lfs's `git/filter_process_scanner.go`: handshake,
 * capability negotiation, then a request loop. The per-file work is an injected
 * {@link FilterTransform}, so this file knows nothing of sentinels or repositories.
 */

/** The two filter commands git-ctx announces (`delay` is not supported). */
export type FilterCommand = "clean" | "smudge";
export const FILTER_COMMANDS: readonly FilterCommand[] = ["clean", "smudge"];

/** One request from git: `command=`, `pathname=` (repo-relative, `/`-separated) and other keys. */
export interface FilterRequest {
  command: FilterCommand;
  pathname: string;
  /** Every `key=value` line of the request, including `command` and `pathname` (smudge also has `ref`, `treeish`, `blob`). */
  meta: Record<string, string>;
}

/**
 * The content git sent for one request. Content up to the spill threshold is held in memory
 * (`buffer`); larger content is spilled to a temp file (`file`) as it arrives, so the process never
 * holds a large file twice. `stream()` reads it from the start in either case. `buffer` is only
 * valid until the answer to this request has been written (the process reuses its memory).
 */
export interface FilterInput {
  /** Size in bytes. */
  size: number;
  /** The whole content, when held in memory. */
  buffer: Buffer | undefined;
  /** Path of the temp file holding the content, when spilled (deleted after the request). */
  file: string | undefined;
  /** A fresh stream of the content (may be called more than once). */
  stream(): Readable;
}

/** What a transform answers: the whole result, or a stream of chunks (written with backpressure). */
export type FilterOutput = Buffer | AsyncIterable<Buffer>;

/**
 * The per-file work of the filter. Throwing (or a stream that errors) makes the filter answer
 * `status=error` for that file; git then fails the command when `filter.ctx.required=true`.
 */
export type FilterTransform = (req: FilterRequest, input: FilterInput) => Promise<FilterOutput>;

/** Options of {@link runFilterProcess}. */
export interface FilterProcessOptions {
  transform: FilterTransform;
  /** Diagnostics sink (default: stderr). stdout belongs to the protocol (STYLE.md 7). */
  log?: (line: string) => void;
  /** Content above this many bytes is spilled to a temp file (default {@link DEFAULT_SPILL_THRESHOLD}). */
  spillThreshold?: number;
  /** Directory for spill files (default: the OS temp dir). */
  tmpDir?: string;
}

/** git did not open the protocol the way `gitattributes` documents (wrong welcome, no version 2). */
export class FilterHandshakeError extends CtxError {
  readonly code = "FilterHandshake" as const;
  constructor(readonly data: { got: string[]; problem: string }) {
    super(`filter process handshake failed: ${data.problem} (got ${JSON.stringify(data.got)}); git-ctx-filter needs git ≥ 2.11 calling it as filter.ctx.process`);
  }
}

/**
 * Default spill threshold: 16 MiB. Below it the whole-buffer codec runs (fastest; it holds the
 * input, the index blob, their latin1 strings and the output: a few times the size); above it the
 * content goes to a temp file and is cleaned/smudged as a stream, so memory stays bounded for a
 * transcript of any size (bench/filter.bench.ts: 200 MB).
 */
export const DEFAULT_SPILL_THRESHOLD = 16 * 1024 * 1024;

/**
 * Serves git's long-running filter protocol on `input`/`output` until git closes the pipe.
 *
 * Per request it reads the whole content before answering (git writes all content before it
 * reads the answer: answering early could deadlock on full pipes), then answers
 * `status=success`, the content, a flush and an empty status list (flush) — or `status=error`
 * and a flush when the transform fails before producing output, or, when a streamed output fails
 * midway, a flush followed by `status=error` (gitattributes: git then discards the partial
 * content). Errors are logged with the path; raw content is never answered in place of a failed
 * transform (fails safe and loud, STYLE.md 6).
 *
 * Memory: the input of a request is held in one buffer reused by the next request, and answers
 * are written as views of it; `output` must not keep written chunks after their write callback
 * (a pipe or `process.stdout` does not; a `PassThrough` consumer must copy).
 *
 * @throws PktLineError / FilterHandshakeError when the framing or handshake is wrong (the caller
 *   exits non-zero; git reports the filter as failed).
 */
export async function runFilterProcess(input: Readable | AsyncIterable<Buffer> | ByteInput, output: Writable, opts: FilterProcessOptions): Promise<void> {
  const log = opts.log ?? ((l: string) => void process.stderr.write(l + "\n"));
  const reader = new PktReader(input);
  const writer = new PktWriter(output);

  const welcome = await reader.readTextList();
  if (!welcome || welcome[0] !== "git-filter-client") throw new FilterHandshakeError({ got: welcome ?? [], problem: "expected 'git-filter-client'" });
  if (!welcome.slice(1).includes("version=2")) throw new FilterHandshakeError({ got: welcome, problem: "git does not offer version=2" });
  await writer.textList(["git-filter-server", "version=2"]);

  const caps = await reader.readTextList();
  if (!caps) throw new FilterHandshakeError({ got: [], problem: "input ended before the capability list" });
  const offered = new Set(caps.filter((c) => c.startsWith("capability=")).map((c) => c.slice("capability=".length)));
  const agreed = FILTER_COMMANDS.filter((c) => offered.has(c));
  await writer.textList(agreed.map((c) => `capability=${c}`));

  // One input buffer reused by every request (grown up to the spill threshold): safe because each
  // answer is completely written (writer.end) before the next request is read.
  let arena: Buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    const lines = await reader.readTextList();
    if (lines === undefined) break; // git closed the pipe: done
    const meta: Record<string, string> = {};
    for (const l of lines) {
      const eq = l.indexOf("=");
      if (eq > 0) meta[l.slice(0, eq)] = l.slice(eq + 1);
    }
    const content = await readContent(reader, opts.spillThreshold ?? DEFAULT_SPILL_THRESHOLD, opts.tmpDir, arena);
    arena = content.arena;
    try {
      const command = meta.command;
      if (command !== "clean" && command !== "smudge") {
        log(`git-ctx-filter: unsupported command '${command ?? ""}' for '${meta.pathname ?? ""}'`);
        await writer.textList(["status=error"]);
        await writer.end();
        continue;
      }
      const req: FilterRequest = { command, pathname: meta.pathname ?? "", meta };
      await answer(req, content.input, opts.transform, writer, log);
    } finally {
      await content.cleanup();
    }
    // The whole answer must have left before the next (possibly blocking) read: git waits for it.
    await writer.end();
  }
  await writer.end();
}

/** Runs the transform and writes its answer (success with content, or error) for one request. */
async function answer(req: FilterRequest, input: FilterInput, transform: FilterTransform, writer: PktWriter, log: (l: string) => void): Promise<void> {
  const fail = (e: unknown) => log(`git-ctx-filter: ${req.command} '${req.pathname}' failed: ${e instanceof Error ? e.message : String(e)}`);
  let out: FilterOutput;
  let first: IteratorResult<Buffer> | undefined;
  let it: AsyncIterator<Buffer> | undefined;
  try {
    out = await transform(req, input);
    if (!Buffer.isBuffer(out)) {
      it = out[Symbol.asyncIterator]();
      first = await it.next(); // an early failure still gets a clean status=error
    }
  } catch (e) {
    fail(e);
    await writer.textList(["status=error"]);
    return;
  }
  if (Buffer.isBuffer(out)) {
    // status, content, flush, and an empty status list (flush) = keep "success"
    await writer.batch([textPkt("status=success"), FLUSH_PKT, ...dataPkts(out), FLUSH_PKT, FLUSH_PKT]);
    return;
  }
  await writer.textList(["status=success"]);
  try {
    for (let r = first!; !r.done; r = await it!.next()) await writer.content(toBuffer(r.value));
  } catch (e) {
    fail(e);
    await writer.flush();
    await writer.textList(["status=error"]);
    return;
  }
  await writer.flush();
  await writer.flush();
}

function toBuffer(v: Buffer | string | Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : typeof v === "string" ? Buffer.from(v, "latin1") : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Reads content packets up to the flush. Holds them in memory up to `threshold` bytes, then moves
 * everything to a temp file and appends the rest there.
 * @throws PktLineError when the input ends or a delimiter arrives before the flush.
 */
async function readContent(
  reader: PktReader,
  threshold: number,
  tmpDir: string | undefined,
  arena: Buffer,
): Promise<{ input: FilterInput; cleanup: () => Promise<void>; arena: Buffer }> {
  // In memory: copied into `arena`, grown when needed (pieces are views that the reader reuses).
  let mem = arena;
  let held = 0;
  let spill: { path: string; fh: FileHandle; cleanup: () => Promise<void> } | undefined;
  let size: number;
  try {
    size = await reader.readContent(async (piece) => {
      if (spill) {
        await writeAll(spill.fh, piece);
        return;
      }
      if (held + piece.length > threshold) {
        // loaded here, not at start-up (~5 ms of every filter process; only content above the threshold spills)
        const { file: tmpFile } = (await import("tmp-promise")).default; // CommonJS: the bundle only has `default`
        const t = await tmpFile({ prefix: "git-ctx-filter-", tmpdir: tmpDir });
        const fh = await open(t.path, "w");
        spill = { path: t.path, fh, cleanup: t.cleanup };
        await writeAll(fh, mem.subarray(0, held));
        held = 0;
        await writeAll(fh, piece);
        return;
      }
      if (held + piece.length > mem.length) {
        const next = Buffer.allocUnsafe(Math.min(Math.max(mem.length * 2, held + piece.length), threshold));
        mem.copy(next, 0, 0, held);
        mem = next;
      }
      piece.copy(mem, held);
      held += piece.length;
    });
  } catch (e) {
    const sp = spill as { fh: FileHandle; cleanup: () => Promise<void> } | undefined;
    if (sp) {
      await sp.fh.close().catch(() => {});
      await sp.cleanup().catch(() => {});
    }
    throw e;
  }
  if (spill) {
    const sp = spill as { path: string; fh: FileHandle; cleanup: () => Promise<void> };
    await sp.fh.close();
    return {
      // 64 KiB reads: 1 MiB chunks became external latin1 strings in the codec and raised peak RSS
      // on a 200 MB transcript from ~118 MB to ~155 MB (bench/filter.bench.ts)
      input: { size, buffer: undefined, file: sp.path, stream: () => createReadStream(sp.path, { highWaterMark: 64 * 1024 }) },
      cleanup: () => sp.cleanup().catch(() => {}),
      arena: mem,
    };
  }
  const buffer = mem.subarray(0, held);
  return {
    input: { size, buffer, file: undefined, stream: () => Readable.from([buffer]) },
    cleanup: async () => {},
    arena: mem,
  };
}

/** Writes all of `b` at the file's current position (a single write may be partial). */
async function writeAll(fh: FileHandle, b: Buffer): Promise<void> {
  for (let off = 0; off < b.length; ) off += (await fh.write(b, off, b.length - off)).bytesWritten;
}
