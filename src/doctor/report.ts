import * as z from "zod/mini";

/**
 * The `--json` shape of `git ctx doctor <folder>` (stable: fields are only ever added).
 * Counts are numbers of rewritten occurrences; byte offsets are into the canonical form.
 */
const Tiers = z.object({ contextDir: z.int(), root: z.int(), key: z.int(), home: z.int() });
/** Rewrites per tier, longest tier first: `{{CC_PROJECT_CONTEXT_DIR}}`, `{{CC_PROJECT_ROOT}}`, `{{CC_ENCODED_DIR}}`, `{{CC_HOME}}`. */
export type TierCounts = z.infer<typeof Tiers>;

/** A machine path left in the canonical form (from the codec's `residue`). */
export const ResidueHitSchema = z.object({ tier: z.string(), offset: z.int(), text: z.string() });

/** One problem and the command or step that fixes it. */
export const ProblemSchema = z.object({
  kind: z.enum(["no-root", "round-trip", "residue", "unreadable", "os-mismatch"]),
  /** File relative to the folder, when the problem is about one file. */
  file: z.optional(z.string()),
  detail: z.string(),
  fix: z.string(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const FileReportSchema = z.object({
  /** Path relative to the project folder, `/`-separated. */
  file: z.string(),
  bytes: z.int(),
  counts: Tiers,
  /** `localize(canonicalize(x)) == x` byte for byte. */
  roundTrip: z.boolean(),
  /** Offset of the first differing byte when `roundTrip` is false. */
  firstDiff: z.optional(z.int()),
  residue: z.int(),
  /** The first residue hits (at most {@link MAX_HITS_PER_FILE}), text cut to 120 characters. */
  residueHits: z.array(ResidueHitSchema),
});
export type FileReport = z.infer<typeof FileReportSchema>;

export const FolderReportSchema = z.object({
  folder: z.string(),
  key: z.string(),
  root: z.nullable(
    z.object({
      path: z.string(),
      /** `option`: --root; `state`: the view's `state.json` (a joined project); `inferred`: the transcripts' cwd. */
      source: z.enum(["option", "state", "inferred"]),
      /** For an inferred root: `cwd` fields supporting it, and all `cwd` values seen with counts. */
      evidence: z.optional(z.int()),
      candidates: z.optional(z.record(z.string(), z.int())),
    }),
  ),
  anchors: z.nullable(z.object({ os: z.enum(["linux", "darwin", "windows"]), home: z.string(), root: z.string(), key: z.string(), rewriteHome: z.boolean() })),
  totals: z.object({ files: z.int(), bytes: z.int(), counts: Tiers, roundTripFailed: z.int(), residue: z.int() }),
  files: z.array(FileReportSchema),
  /** Entries not checked (symlinks, special files) with the reason. */
  skipped: z.array(z.object({ file: z.string(), why: z.string() })),
  problems: z.array(ProblemSchema),
  /** True when nothing needs attention (exit code 0). */
  ok: z.boolean(),
});
/** Result of `git ctx doctor <folder>`. */
export type FolderReport = z.infer<typeof FolderReportSchema>;

/** Residue hits kept per file in the report. */
export const MAX_HITS_PER_FILE = 20;

/** All-zero tier counts. */
export function zeroCounts(): TierCounts {
  return { contextDir: 0, root: 0, key: 0, home: 0 };
}
