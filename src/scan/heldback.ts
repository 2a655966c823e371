import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { CtxError } from "../errors.js";
import { loadAllowlist } from "./allowlist.js";

/** A finding as stored in the held-back list (same shape as `Finding`, never the secret). */
const StoredFindingSchema = z.looseObject({
  file: z.string(),
  line: z.int(),
  rule: z.string(),
  redacted: z.string(),
  fingerprint: z.string(),
});

/**
 * One quarantined file: a file of the view that the push gate of the remote helper did not send
 * because it holds findings.
 */
export const HeldBackSchema = z.looseObject({
  /** Repo-relative path in the view (`<key>/<session>.jsonl`). */
  path: z.string().check(z.minLength(1)),
  /** The findings that held it back (redacted). */
  findings: z.array(StoredFindingSchema),
  /** ISO-8601 UTC time the file was first held back. */
  since: z.string(),
});
export type HeldBack = z.infer<typeof HeldBackSchema>;

// zod/mini (not classic zod: ~0.3 MB less to load on the sync's and the helper's start, issue 15)
// carries no messages by default; the English locale gives the same ones as classic zod.
z.config(en());

/** `$GIT_DIR/ctx/held-back.json` exists but is not a valid list. */
export class HeldBackFileError extends CtxError {
  readonly code = "HeldBackFile" as const;
  constructor(readonly data: { file: string; problem: string }) {
    super(`${data.file}: ${data.problem} (delete the file: the next 'git push' or 'git ctx sync' writes it again)`);
  }
}

/** Path of the held-back list inside an absolute git dir: `$GIT_DIR/ctx/held-back.json`. */
export function heldBackFile(gitDir: string): string {
  return path.join(gitDir, "ctx", "held-back.json");
}

/**
 * Reads the quarantine list written by the push gate.
 * @returns the entries, or `[]` when the file does not exist
 * @throws HeldBackFileError when the file is not valid JSON or not a list of entries
 */
export function readHeldBack(gitDir: string): HeldBack[] {
  const file = heldBackFile(gitDir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HeldBackFileError({ file, problem: `not valid JSON (${(e as Error).message})` });
  }
  const r = z.array(HeldBackSchema).safeParse(json);
  if (!r.success) throw new HeldBackFileError({ file, problem: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
  return r.data;
}

/**
 * Replaces the quarantine list atomically (temp file + rename), creating `$GIT_DIR/ctx/`.
 * An empty list is written as `[]` (the file then says "nothing held back").
 * @throws ZodError when an entry does not fit {@link HeldBackSchema} (a bug in the caller)
 */
export function writeHeldBack(gitDir: string, items: HeldBack[]): void {
  const file = heldBackFile(gitDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, JSON.stringify(z.array(HeldBackSchema).parse(items), null, 2) + "\n");
}

/**
 * The held-back files a push should offer again (issue 10, defect 1): those whose every finding
 * is now allowed (`ctx.allow`, `.ctxallow`), and those whose bytes in the view's `HEAD` are no
 * longer the held blob (redacted or edited). `entries` are held-back entries with the blob id they
 * had when held (`oid`; without one the entry counts as changed); `oidAt(path)` gives the blob id
 * of a view path in `HEAD` (undefined when absent: nothing to offer).
 * Pure apart from `oidAt`; never throws unless `oidAt` does.
 */
export async function releasableHeld<T extends HeldBack & { oid?: string }>(
  entries: readonly T[],
  allow: ReadonlySet<string>,
  oidAt: (path: string) => Promise<string | undefined>,
): Promise<T[]> {
  const out: T[] = [];
  for (const e of entries) {
    const now = await oidAt(e.path);
    if (now === undefined) continue;
    if (e.findings.every((f) => allow.has(f.fingerprint)) || now !== e.oid) out.push(e);
  }
  return out;
}

/**
 * The words of the push gate's refusal (`heldSummary` in src/cluster/gate.ts writes them into
 * git's `error <ref> <why>`); sync, init and join recognise an all-held-back push by them.
 */
export const HELD_BACK_PHRASE = "held back because they contain secrets";

/** Whether git's push output is the push gate refusing because every new file was held back. */
export function isHeldBackRefusal(output: string): boolean {
  return output.includes(HELD_BACK_PHRASE);
}

/**
 * Whether the view's held-back list has a file that may go now ({@link releasableHeld} with the
 * view's allowlist); false when nothing is held or the list cannot be read (doctor reports that).
 * `oidAt` gives a view path's blob id in `HEAD`. Used by sync (to push) and by the remote helper's
 * `list for-push` (to let git hand it the push).
 */
export async function anyReleasable(gitDir: string, oidAt: (path: string) => Promise<string | undefined>): Promise<boolean> {
  let held: (HeldBack & { oid?: string })[];
  try {
    held = readHeldBack(gitDir) as (HeldBack & { oid?: string })[];
  } catch {
    return false;
  }
  if (held.length === 0) return false;
  const allow = (await loadAllowlist(gitDir)).fingerprints;
  return (await releasableHeld(held, allow, oidAt)).length > 0;
}
