import { readFile } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";

/**
 * The merge-driver entry of `git-ctx-filter merge %O %A %B %L %P` (configured as
 * `merge.ctx.driver` by `git ctx install`; contract from `git help gitattributes`, "Defining a
 * custom merge driver"): `%O` base, `%A` ours, `%B` theirs (temp files holding the repository's
 * canonical form), `%L` conflict-marker size, `%P` the path in the tree. The result is written into
 * `%A`; exit 0 = merged cleanly, 1 = conflicts left, above 128 = the driver failed.
 */

/** Result of merging one file (src/merge `mergeFile`). */
export interface MergeResult {
  merged: Buffer;
  conflict: boolean;
  /** Human notes (e.g. "kept both versions of an edited line"), printed on stderr. */
  notes: string[];
}

/** `mergeFile(path, base, ours, theirs)` of src/merge, injected so the driver is tested with a fake. */
export type MergeFileFn = (path: string, base: Buffer, ours: Buffer, theirs: Buffer) => MergeResult | Promise<MergeResult>;

/** Arguments of the merge driver, as git substitutes them. */
export interface MergeDriverArgs {
  base: string;
  ours: string;
  theirs: string;
  /** `%L`, conflict-marker size (default 7). */
  markerSize?: number;
  /** `%P`, the path in the tree (repository form, `/`-separated). */
  path?: string;
}

/** Exit code for "the driver failed" (git treats a status above 128 as an error, not a conflict). */
export const MERGE_DRIVER_ERROR = 129;

/**
 * Runs one merge: reads the three files, calls `mergeFile`, writes the result into `ours`
 * atomically (temp file + rename, so git never sees half a file), prints notes on stderr.
 * Never throws: any failure is reported on stderr and returned as {@link MERGE_DRIVER_ERROR},
 * and `ours` is then left as it was.
 * @returns 0 when merged cleanly, 1 when conflicts remain, {@link MERGE_DRIVER_ERROR} on error.
 */
export async function runMergeDriver(args: MergeDriverArgs, mergeFile: MergeFileFn, log: (l: string) => void = (l) => void process.stderr.write(l + "\n")): Promise<number> {
  const where = args.path ?? args.ours;
  try {
    const [base, ours, theirs] = await Promise.all([readFile(args.base), readFile(args.ours), readFile(args.theirs)]);
    const r = await mergeFile(where, base, ours, theirs);
    await writeFileAtomic(args.ours, r.merged);
    for (const n of r.notes) log(`git-ctx merge ${where}: ${n}`);
    return r.conflict ? 1 : 0;
  } catch (e) {
    log(`git-ctx merge ${where}: failed: ${e instanceof Error ? e.message : String(e)}`);
    return MERGE_DRIVER_ERROR;
  }
}
