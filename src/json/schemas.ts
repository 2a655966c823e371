import * as z from "zod/mini";
import { CheckSchema } from "../doctor/check.js";
import { FolderReportSchema } from "../doctor/report.js";
import { SCHEMA_VERSION } from "./version.js";

/**
 * The `--json` documents of `git ctx` (issue 24, point 5), one schema per command, defined once
 * here; docs/json.md is generated from them (`npm run docs:json`, src/json/docs.ts) and the tests
 * validate every command's real output against them.
 *
 * Rules every document follows:
 * - an object, never a bare array: `{schemaVersion, command, ok, …}`, whatever the number of views;
 * - a command that visits the views (`status`, `sync`, `doctor`, `scan`, `leave`) lists them in
 *   `views`, one entry per agent's view, each with `agent` and `dir`;
 * - one name for one thing: `dir` is a view's folder (its work tree), `root` a project's root on
 *   this machine, `id` a project's id, `key` the project's folder in the view, `lastSync` the time
 *   of a sync; a human explanation is only ever in a field named `message` (or a check's
 *   `detail` and `fix`), never in a field a script should compare;
 * - a failed command prints {@link ErrorDocumentSchema} instead, with the same exit code.
 */

/** The envelope's fixed fields. */
function envelope<C extends string>(command: C) {
  return { schemaVersion: z.literal(SCHEMA_VERSION), command: z.literal(command) };
}

/** An agent's id (src/agents/ids.ts). */
const AgentSchema = z.enum(["claude", "codex", "gemini"]);

/** A failure: the error's literal `code` (src/errors.ts) and its one-line message. */
export const ErrorInfoSchema = z.strictObject({ code: z.string(), message: z.string() });

/** What any command prints under `--json` when it fails (exit code non-zero). */
export const ErrorDocumentSchema = z.strictObject({ ...envelope("<command>"), command: z.string(), ok: z.literal(false), error: ErrorInfoSchema });

/** A file (view path) and why, in words. */
const PathMessageSchema = z.strictObject({ path: z.string(), message: z.string() });
/** A file held back for secrets: rule ids, fingerprints (for `ctx.allow`) and the fix; never the secret. */
const SecretSchema = z.strictObject({ path: z.string(), rules: z.array(z.string()), fingerprints: z.array(z.string()), fix: z.string() });
/** A problem that did not stop the command. */
const WarningSchema = z.strictObject({ message: z.string() });

/** One project of a view in `git ctx status --json`. */
const StatusProjectSchema = z.strictObject({
  id: z.string(),
  key: z.string(),
  root: z.string(),
  /** View paths with changes not yet committed by a sync. */
  uncommitted: z.array(z.string()),
  /** Of those, session transcripts (`*.jsonl`). */
  uncommittedSessions: z.int(),
  /** Commits touching the project on HEAD and not on the remote-tracking branch, and the reverse (no network). */
  ahead: z.int(),
  behind: z.int(),
  /** Memory files holding conflict markers. */
  conflicts: z.array(z.string()),
  /** Files the push gate quarantined for secrets. */
  heldBack: z.array(z.string()),
  /** Files whose work-tree copy the last sync left as it was. */
  syncHeld: z.array(z.string()),
  /** What the inbound gate refused of the project's cluster branch: entries (`path`) or the whole branch (no `path`). */
  refused: z.array(z.strictObject({ path: z.optional(z.string()), message: z.string() })),
  /** Files not pushed because other machines would refuse them. */
  notPushed: z.array(PathMessageSchema),
});

/** `git ctx status --json`: `ok` is false (exit 1) when a view's last sync failed or the inbound gate refused something. */
export const StatusSchema = z.strictObject({
  ...envelope("status"),
  ok: z.boolean(),
  views: z.array(
    z.strictObject({
      agent: AgentSchema,
      dir: z.string(),
      /** The last sync of this view (`null`: never synced); `message` says why it failed. */
      lastSync: z.nullable(z.strictObject({ time: z.string(), ok: z.boolean(), message: z.optional(z.string()) })),
      projects: z.array(StatusProjectSchema),
    }),
  ),
});

/** What one sync run did (`report` of a view in `git ctx sync --json`). */
const SyncReportSchema = z.strictObject({
  /** Files in the local commit. */
  committed: z.int(),
  incoming: z.enum(["none", "fast-forward", "merge"]),
  pushed: z.boolean(),
  /** Push attempts (> 1 after races). */
  attempts: z.int(),
  /** Work-tree files written. */
  updated: z.int(),
  /** Files left as they were in the work tree, with the reason (`modified`, `hot`, `partial-line`, `vanished`). */
  held: z.array(z.strictObject({ path: z.string(), reason: z.enum(["modified", "hot", "partial-line", "vanished"]) })),
  /** Paths merged with conflict markers. */
  conflicts: z.array(z.string()),
  /** Incoming entries never written (symbolic links, special files). */
  refused: z.array(PathMessageSchema),
  /** Transcripts rewritten from their local line order to HEAD's. */
  reordered: z.int(),
  /** Duplicated lines collapsed, by path. */
  collapsed: z.array(z.strictObject({ path: z.string(), uuids: z.array(z.string()) })),
  /** Files held back for secrets (not sent). */
  secrets: z.array(SecretSchema),
  /** Work-tree files this run wrote. */
  written: z.array(z.string()),
  /** Backups of files this run dropped lines from (absolute paths). */
  backups: z.array(z.string()),
  warnings: z.array(WarningSchema),
});

/**
 * `git ctx sync --json` and `git ctx sync --dry-run --json` (`dryRun: true`): one entry per view.
 * A real sync fills `runs`, `deferred`, `report` (absent when another process served the request
 * or the sync failed), `refused` and `notPushed`; a dry run fills `wouldCommit`, `remote` and
 * `secrets`. `ok` is false (exit 1) when a view failed (`error`) or the inbound gate refused something.
 */
export const SyncSchema = z.strictObject({
  ...envelope("sync"),
  ok: z.boolean(),
  dryRun: z.boolean(),
  views: z.array(
    z.strictObject({
      agent: AgentSchema,
      dir: z.string(),
      ok: z.boolean(),
      error: z.optional(ErrorInfoSchema),
      /** Sync runs this process made. */
      runs: z.optional(z.int()),
      /** True when another process held the lock and serves the request. */
      deferred: z.optional(z.boolean()),
      report: z.optional(SyncReportSchema),
      /** What the inbound gate refused of the joined projects' cluster branches (no `path`: the whole branch). */
      refused: z.optional(z.array(z.strictObject({ id: z.string(), path: z.optional(z.string()), message: z.string() }))),
      /** Files not pushed because other machines would refuse them. */
      notPushed: z.optional(z.array(PathMessageSchema)),
      /** Dry run: the view paths a sync would commit. */
      wouldCommit: z.optional(z.array(z.string())),
      /** Dry run: where a sync would fetch from and push to. */
      remote: z.optional(z.string()),
      /** Dry run: files the secret gate holds back (they would stay here). */
      secrets: z.optional(z.array(SecretSchema)),
    }),
  ),
});

/** A repair `git ctx doctor --fix` made (or, dry run, would make) to a view. */
const RepairSchema = z.strictObject({
  dir: z.string(),
  gitDir: z.string(),
  /** Where the broken repository is kept. */
  backup: z.string(),
  /** The cluster the repository is rebuilt from. */
  cluster: z.string(),
  steps: z.array(z.string()),
  dryRun: z.boolean(),
});

/**
 * `git ctx doctor --json`: the checks of every view (`views`; `agent`, `dir` and `gitDir` are
 * null when no view was found), or with a folder argument the folder's report (`folder`, `views`
 * empty); `--fix` adds `fixed`. `ok` is false (exit 1) when something needs attention.
 */
export const DoctorSchema = z.strictObject({
  ...envelope("doctor"),
  ok: z.boolean(),
  views: z.array(
    z.strictObject({
      agent: z.nullable(AgentSchema),
      dir: z.nullable(z.string()),
      gitDir: z.nullable(z.string()),
      ok: z.boolean(),
      checks: z.array(CheckSchema),
    }),
  ),
  folder: z.optional(FolderReportSchema),
  fixed: z.optional(z.array(RepairSchema)),
});

/** A finding of the secret scan, redacted. */
const FindingSchema = z.strictObject({ file: z.string(), line: z.int(), rule: z.string(), redacted: z.string(), fingerprint: z.string() });

/**
 * `git ctx scan --json`: one entry per scanned repository (each view, or the repository the
 * current folder is in; `agent` null when it is no view). Holds no secret. `ok` is false (exit 1)
 * when there are findings.
 */
export const ScanSchema = z.strictObject({
  ...envelope("scan"),
  ok: z.boolean(),
  views: z.array(
    z.strictObject({
      agent: z.nullable(AgentSchema),
      dir: z.string(),
      ok: z.boolean(),
      /** What the scan compared against (`refs/ctx/view/last`), or null (every tracked file). */
      base: z.nullable(z.string()),
      /** Files read. */
      scanned: z.int(),
      findings: z.array(FindingSchema),
      /** Files the push gate quarantined, since when, with their findings. */
      heldBack: z.array(z.strictObject({ path: z.string(), since: z.string(), findings: z.array(FindingSchema) })),
      /** Allowlist entries that are not fingerprints (they release nothing). */
      ignoredAllowEntries: z.array(z.strictObject({ source: z.string(), line: z.int(), text: z.string() })),
      /** Files that could not be read. */
      skipped: z.array(PathMessageSchema),
      warnings: z.array(WarningSchema),
      /** Files a push leaves out because other machines would refuse them. */
      notPushed: z.array(PathMessageSchema),
    }),
  ),
});

/** `git ctx leave <id> --json`: each view that left the project (or, `dryRun`, would). */
export const LeaveSchema = z.strictObject({
  ...envelope("leave"),
  ok: z.boolean(),
  dryRun: z.boolean(),
  views: z.array(
    z.strictObject({
      agent: AgentSchema,
      dir: z.string(),
      id: z.string(),
      root: z.string(),
      /** The project's folder in the view, kept with its files (`""` in a shared-layout view). */
      key: z.string(),
      /** This machine's entry left the cluster roster. */
      rosterUpdated: z.boolean(),
      /** The folder was tracked and no longer is. */
      untracked: z.boolean(),
    }),
  ),
});

/** Every command's schema, by command name (docs/json.md lists them in this order). */
export const JSON_SCHEMAS = {
  status: StatusSchema,
  sync: SyncSchema,
  doctor: DoctorSchema,
  scan: ScanSchema,
  leave: LeaveSchema,
} as const;

/** The `git ctx status --json` document. */
export type StatusDocument = z.infer<typeof StatusSchema>;
/** The `git ctx sync --json` document. */
export type SyncDocument = z.infer<typeof SyncSchema>;
/** One view's entry of {@link SyncDocument}. */
export type SyncViewDocument = SyncDocument["views"][number];
/** The `git ctx doctor --json` document. */
export type DoctorDocument = z.infer<typeof DoctorSchema>;
/** The `git ctx scan --json` document. */
export type ScanDocument = z.infer<typeof ScanSchema>;
/** The `git ctx leave --json` document. */
export type LeaveDocument = z.infer<typeof LeaveSchema>;
