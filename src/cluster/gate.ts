import { HELD_BACK_PHRASE, readHeldBack, scanBytes, type Finding, type HeldBack } from "../scan/index.js";
import type { Plumbing } from "./plumbing.js";

/**
 * The push gate (issue 5, scope 2): what a push would send is scanned for credentials before it
 * leaves the machine; a file with findings is held back (not pushed) and listed in
 * `$GIT_DIR/ctx/held-back.json`, the rest of the push goes through.
 *
 * Only bytes the cluster does not have yet are scanned: when the file's previous version (the
 * base the push diffs against) is a byte prefix of the new one — the append-only transcript
 * case — only the appended part is scanned (line numbers counted from the start of the file).
 */

/** A file the push would send: path relative to the project folder, the new blob and its base. */
export interface GateCandidate {
  path: string;
  oid: string;
  mode: string;
  /** Blob of the same path in the base the push diffs against, if any. */
  baseOid?: string;
}

/** Scans one candidate; `[]` when it may be pushed. Symlinks and gitlinks are not scanned. */
export async function scanCandidate(p: Plumbing, c: GateCandidate, viewPath: string, allow: ReadonlySet<string>): Promise<Finding[]> {
  if (c.mode === "120000" || c.mode === "160000") return [];
  const bytes = await p.blob(c.oid);
  if (c.baseOid) {
    const base = await p.blob(c.baseOid);
    if (base.length <= bytes.length && bytes.subarray(0, base.length).equals(base)) {
      const cut = base.lastIndexOf(0x0a) + 1; // rescan the last partial line of the base
      let lines = 0;
      for (let i = bytes.indexOf(0x0a); i >= 0 && i < cut; i = bytes.indexOf(0x0a, i + 1)) lines++;
      return scanBytes(bytes.subarray(cut), viewPath, { allow }).map((f) => ({ ...f, line: f.line + lines }));
    }
  }
  return scanBytes(bytes, viewPath, { allow });
}

/** One held-back file as stored (HeldBack plus the blob id and mode it had, for the view overlay). */
export type HeldEntry = HeldBack & { oid?: string; mode?: string };

/** One-line summary of held-back files for git's `error <ref> <why>` or a warning. */
export function heldSummary(held: readonly HeldEntry[]): string {
  const rules = [...new Set(held.flatMap((h) => h.findings.map((f) => f.rule)))].join(", ");
  return `${held.length} file(s) ${HELD_BACK_PHRASE} (${rules}): run 'git ctx scan' to see them (redacted), 'git ctx redact' or allow a false positive with 'git config --add ctx.allow <fingerprint>'`;
}

/** The held-back list of the view, or `[]` when there is none or it cannot be read (a broken list must not block pulls). */
export function readHeldEntries(gitDir: string): HeldEntry[] {
  try {
    return readHeldBack(gitDir) as HeldEntry[];
  } catch {
    return [];
  }
}
