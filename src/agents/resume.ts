import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import { v5 as uuidv5, v7 as uuidv7 } from "uuid";
import writeFileAtomic from "write-file-atomic";
import { CtxError } from "../errors.js";
import type { AgentId } from "./ids.js";

/** A converted session could not be written, or failed its read-back check: nothing was left behind. */
export class ResumeWriteError extends CtxError {
  readonly code = "ResumeWrite" as const;
  constructor(readonly data: { agent: string; path: string; why: string }) {
    super(`the ${data.agent} session git-ctx would write at ${data.path} ${data.why}; nothing was left there`);
  }
}

/** The source session was converted into the target agent before (here, or on a machine it synced from): refused without `--force`. */
export class ResumeExistsError extends CtxError {
  readonly code = "ResumeExists" as const;
  constructor(readonly data: { agent: string; id: string; path: string; command: string }) {
    super(
      `this session was already converted into ${data.agent} session ${data.id} (${data.path}): continue it with\n  ${data.command}\nor run git ctx resume again with --force to replace it with a new conversion (the old file is kept beside it as .bak)`,
    );
  }
}

/** The namespace of git-ctx's name-based (v5) conversion ids; a constant, so every machine derives the same id. */
const CONVERSION_NAMESPACE = "6f0c1c2e-4a3b-5d7e-9f10-2b3c4d5e6f70";

/** The name a conversion's id is derived from: source agent, source id, target agent. */
function conversionName(source: { agent: AgentId; id: string }, target: AgentId): string {
  return `git-ctx resume\0${source.agent}\0${source.id}\0${target}`;
}

/**
 * The id of the conversion of `source` into `target`: a name-based UUID (RFC 9562 version 5, the
 * `uuid` package), the same on every machine and every run, so a second conversion of the same
 * session finds the first (also one that came from another machine by sync). Pure.
 */
export function conversionId(source: { agent: AgentId; id: string }, target: AgentId): string {
  return uuidv5(conversionName(source, target), CONVERSION_NAMESPACE);
}

/**
 * 16 bytes derived from `source` and `target` (sha256), for ids whose leading bits must be a time
 * (Codex's UUIDv7): their random part is then the same on every run. Pure.
 */
export function conversionRandom(source: { agent: AgentId; id: string }, target: AgentId): Uint8Array {
  return new Uint8Array(createHash("sha256").update(conversionName(source, target)).digest().subarray(0, 16));
}

/** The agents `git ctx resume` converts into. */
const TARGETS: readonly AgentId[] = ["claude", "codex", "gemini"];

/**
 * What identifies session `s` as a possible conversion: `<agent>:<id>`, for Codex `<agent>:` and
 * the id's part after its time bits (a Codex conversion's id is a UUIDv7 of the day it was made,
 * see src/agents/codex/resume.ts). Pure.
 */
export function conversionMark(s: { agent: AgentId; id: string }): string {
  return s.agent === "codex" ? `codex:${s.id.slice(14)}` : `${s.agent}:${s.id}`;
}

/**
 * The {@link conversionMark}s of `source`'s conversions into each other agent, as the resume
 * writers derive their ids ({@link conversionId} for Claude Code and Gemini, {@link conversionRandom}
 * after the time bits for Codex). Pure.
 */
export function conversionMarks(source: { agent: AgentId; id: string }): string[] {
  return TARGETS.filter((t) => t !== source.agent).map((t) =>
    conversionMark({ agent: t, id: t === "codex" ? uuidv7({ msecs: 0, random: conversionRandom(source, "codex") }) : conversionId(source, t) }),
  );
}

/**
 * Whether session `s` is git-ctx's conversion of `source` (`git ctx resume`): its mark is one of
 * `source`'s {@link conversionMarks}. The writers put no other mark in the file, so a conversion is
 * recognised only beside its source. Pure.
 */
export function isConversionOf(s: { agent: AgentId; id: string }, source: { agent: AgentId; id: string }): boolean {
  return conversionMarks(source).includes(conversionMark(s));
}

/** The first of `<file>.bak`, `<file>.bak.2`, `<file>.bak.3`, … that does not exist (an older backup is never overwritten). */
export function backupPath(file: string): string {
  if (!existsSync(`${file}.bak`)) return `${file}.bak`;
  for (let n = 2; ; n++) if (!existsSync(`${file}.bak.${n}`)) return `${file}.bak.${n}`;
}

/**
 * Writes a new session file atomically (temp + fsync + rename, write-file-atomic), creating its
 * folders; when the write (or `then`, e.g. registering the session) fails, the file and the
 * folders this call created are removed, so nothing is left. With `replace`, a file already at
 * `file` is first renamed to {@link backupPath} and put back when anything fails.
 * @returns the backup's path when a file was replaced.
 * @throws ResumeWriteError naming `agent`, the file and the cause.
 */
export async function writeNewSessionFile(agent: string, file: string, bytes: Buffer, then?: () => Promise<void>, o: { replace?: boolean } = {}): Promise<string | undefined> {
  const created: string[] = [];
  for (let d = path.dirname(file); !existsSync(d); d = path.dirname(d)) created.push(d);
  let bak: string | undefined;
  const existed = existsSync(file);
  try {
    if (existed && !o.replace) throw new Error("a file is already there");
    if (existed) {
      bak = backupPath(file);
      renameSync(file, bak);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, bytes, { fsync: true });
    await then?.();
    return bak;
  } catch (e) {
    // best effort: a path that is not a folder (ENOTDIR) cannot hold the file either
    // a file that was there and was not moved aside is the user's: never removed
    for (const p of [...(existed && !bak ? [] : [file]), ...created]) {
      try {
        rmSync(p, { recursive: true, force: true });
      } catch {
        /* nothing of ours is there */
      }
    }
    if (bak) renameSync(bak, file);
    throw new ResumeWriteError({ agent, path: file, why: `could not be written${then ? " or registered" : ""} (${(e as Error).message})` });
  }
}
