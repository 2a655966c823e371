import { existsSync, mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { CtxError } from "../errors.js";

/** A converted session could not be written, or failed its read-back check: nothing was left behind. */
export class ResumeWriteError extends CtxError {
  readonly code = "ResumeWrite" as const;
  constructor(readonly data: { agent: string; path: string; why: string }) {
    super(`the ${data.agent} session git-ctx would write at ${data.path} ${data.why}; nothing was left there`);
  }
}

/**
 * Writes a new session file atomically (temp + fsync + rename, write-file-atomic), creating its
 * folders; when the write (or `then`, e.g. registering the session) fails, the file and the
 * folders this call created are removed, so nothing is left.
 * @throws ResumeWriteError naming `agent`, the file and the cause.
 */
export async function writeNewSessionFile(agent: string, file: string, bytes: Buffer, then?: () => Promise<void>): Promise<void> {
  const created: string[] = [];
  for (let d = path.dirname(file); !existsSync(d); d = path.dirname(d)) created.push(d);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, bytes, { fsync: true });
    await then?.();
  } catch (e) {
    // best effort: a path that is not a folder (ENOTDIR) cannot hold the file either
    for (const p of [file, ...created]) {
      try {
        rmSync(p, { recursive: true, force: true });
      } catch {
        /* nothing of ours is there */
      }
    }
    throw new ResumeWriteError({ agent, path: file, why: `could not be written${then ? " or registered" : ""} (${(e as Error).message})` });
  }
}
