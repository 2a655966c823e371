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

/** `schema` with `text` as its description (kept by `z.toJSONSchema`, so docs/json.md shows it). */
function d<T extends z.ZodMiniType>(schema: T, text: string): T {
  return schema.check(z.describe(text)) as T;
}

/** The envelope's fixed fields. */
function envelope<C extends string>(command: C) {
  return { schemaVersion: z.literal(SCHEMA_VERSION), command: z.literal(command) };
}

/** An agent's id (src/agents/ids.ts). */
const AgentSchema = z.enum(["claude", "codex", "gemini"]);

/** A failure: the error's literal `code` (src/errors.ts) and its one-line message. */
export const ErrorInfoSchema = z.strictObject({ code: z.string(), message: z.string() });

/** What any command prints under `--json` when it fails (exit code non-zero). */
export const ErrorDocumentSchema = d(
  z.strictObject({ ...envelope("<command>"), command: z.string(), ok: z.literal(false), error: ErrorInfoSchema }),
  "What any git ctx command prints on stdout under --json when it fails; the exit code is the one without --json (1, or 70 for a bug: code Internal).",
);

/** A file (view path) and why, in words. */
const PathMessageSchema = z.strictObject({ path: z.string(), message: z.string() });
/** A file held back for secrets: rule ids, fingerprints (for `ctx.allow`) and the fix; never the secret. */
const SecretSchema = z.strictObject({ path: z.string(), rules: z.array(z.string()), fingerprints: z.array(z.string()), fix: z.string() });

/** A project in one agent's view, as join and leave name it: the view's agent and folder, the project's id and root here. */
const ProjectInViewFields = { agent: AgentSchema, dir: z.string(), id: z.string(), root: z.string() };

/** The fields init and join share: a project's folder, whether it was joined already, the note on other spellings, the files held back. */
const KeyField = d(z.string(), 'The project\'s folder in the view ("" in a shared-layout view: Codex).');
const AlreadyJoinedField = d(z.boolean(), "The project was joined with this root and folder before this run.");
const CaseNoteField = d(z.optional(z.string()), "What to do about other letter-case spellings of the folder that hold files (Windows).");
const SecretsField = d(z.array(SecretSchema), "Files the secret gate held back (not sent).");
/** A problem that did not stop the command. */
const WarningSchema = z.strictObject({ message: z.string() });

/** One project of a view in `git ctx status --json`. */
const StatusProjectSchema = z.strictObject({
  id: z.string(),
  key: z.string(),
  root: z.string(),
  uncommitted: d(z.array(z.string()), "View paths with changes not yet committed by a sync."),
  uncommittedSessions: d(z.int(), "Of those, session transcripts (`*.jsonl`)."),
  ahead: d(z.int(), "Commits touching the project on HEAD and not on the remote-tracking branch, and the reverse (no network)."),
  behind: z.int(),
  conflicts: d(z.array(z.string()), "Memory files holding conflict markers."),
  heldBack: d(z.array(z.string()), "Files the push gate quarantined for secrets."),
  syncHeld: d(z.array(z.string()), "Files whose work-tree copy the last sync left as it was."),
  refused: d(
    z.array(z.strictObject({ path: z.optional(z.string()), message: z.string() })),
    "What the inbound gate refused of the project's cluster branch: entries (`path`) or the whole branch (no `path`).",
  ),
  notPushed: d(z.array(PathMessageSchema), "Files not pushed because other machines would refuse them."),
});

/** `git ctx status --json`: `ok` is false (exit 1) when a view's last sync failed or the inbound gate refused something. */
export const StatusSchema = d(
  z.strictObject({
    ...envelope("status"),
    ok: z.boolean(),
    views: z.array(
      z.strictObject({
        agent: AgentSchema,
        dir: z.string(),
        lastSync: d(
          z.nullable(z.strictObject({ time: z.string(), ok: z.boolean(), message: z.optional(z.string()) })),
          "The last sync of this view (`null`: never synced); `message` says why it failed.",
        ),
        projects: z.array(StatusProjectSchema),
      }),
    ),
  }),
  "git ctx status --json: every view's joined projects (no network). ok is false (exit 1) when a view's last sync failed or the inbound gate refused something of the cluster.",
);

/** What one sync run did (`report` of a view in `git ctx sync --json`). */
const SyncReportSchema = z.strictObject({
  committed: d(z.int(), "Files in the local commit."),
  incoming: z.enum(["none", "fast-forward", "merge"]),
  pushed: z.boolean(),
  attempts: d(z.int(), "Push attempts (> 1 after races)."),
  updated: d(z.int(), "Work-tree files written."),
  held: d(
    z.array(z.strictObject({ path: z.string(), reason: z.enum(["modified", "hot", "partial-line", "vanished"]) })),
    "Files left as they were in the work tree, with the reason (`modified`, `hot`, `partial-line`, `vanished`).",
  ),
  conflicts: d(z.array(z.string()), "Paths merged with conflict markers."),
  skipped: d(
    z.array(z.strictObject({ path: z.string(), reason: z.enum(["unreadable", "not-a-file"]) })),
    "Local entries left out of the commit and named in `warnings`: a file that cannot be read, a folder named like a session file (issue 23).",
  ),
  refused: d(z.array(PathMessageSchema), "Incoming entries never written (symbolic links, special files)."),
  reordered: d(z.int(), "Transcripts rewritten from their local line order to HEAD's."),
  collapsed: d(z.array(z.strictObject({ path: z.string(), uuids: z.array(z.string()) })), "Duplicated lines collapsed, by path."),
  secrets: d(z.array(SecretSchema), "Files held back for secrets (not sent)."),
  written: d(z.array(z.string()), "Work-tree files this run wrote."),
  backups: d(z.array(z.string()), "Backups of files this run dropped lines from (absolute paths)."),
  warnings: z.array(WarningSchema),
});

/**
 * `git ctx sync --json` and `git ctx sync --dry-run --json` (`dryRun: true`): one entry per view.
 * A real sync fills `runs`, `deferred`, `report` (absent when another process served the request
 * or the sync failed), `refused` and `notPushed`; a dry run fills `wouldCommit`, `remote` and
 * `secrets`. `ok` is false (exit 1) when a view failed (`error`) or the inbound gate refused something.
 */
export const SyncSchema = d(
  z.strictObject({
    ...envelope("sync"),
    ok: z.boolean(),
    dryRun: z.boolean(),
    views: z.array(
      z.strictObject({
        agent: AgentSchema,
        dir: z.string(),
        ok: z.boolean(),
        error: z.optional(ErrorInfoSchema),
        runs: d(z.optional(z.int()), "Sync runs this process made."),
        deferred: d(z.optional(z.boolean()), "True when another process held the lock and serves the request."),
        report: z.optional(SyncReportSchema),
        refused: d(
          z.optional(z.array(z.strictObject({ id: z.string(), path: z.optional(z.string()), message: z.string() }))),
          "What the inbound gate refused of the joined projects' cluster branches (no `path`: the whole branch).",
        ),
        notPushed: d(z.optional(z.array(PathMessageSchema)), "Files not pushed because other machines would refuse them."),
        wouldCommit: d(z.optional(z.array(z.string())), "Dry run: the view paths a sync would commit."),
        remote: d(z.optional(z.string()), "Dry run: where a sync would fetch from and push to."),
        secrets: d(z.optional(z.array(SecretSchema)), "Dry run: files the secret gate holds back (they would stay here)."),
      }),
    ),
  }),
  "git ctx sync --json and git ctx sync --dry-run --json (dryRun true): one entry per view. A real sync fills runs, deferred, report (absent when another process served the request or the sync failed), refused and notPushed; a dry run fills wouldCommit, remote and secrets. ok is false (exit 1) when a view failed (error) or the inbound gate refused something.",
);

/** A repair `git ctx doctor --fix` made (or, dry run, would make) to a view. */
const RepairSchema = z.strictObject({
  dir: z.string(),
  gitDir: z.string(),
  backup: d(z.string(), "Where the broken repository is kept."),
  cluster: d(z.string(), "The cluster the repository is rebuilt from."),
  steps: z.array(z.string()),
  dryRun: z.boolean(),
});

/**
 * `git ctx doctor --json`: the checks of every view (`views`; `agent`, `dir` and `gitDir` are
 * null when no view was found), or with a folder argument the folder's report (`folder`, `views`
 * empty); `--fix` adds `fixed`. `ok` is false (exit 1) when something needs attention.
 */
export const DoctorSchema = d(
  z.strictObject({
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
  }),
  "git ctx doctor --json: the checks of every view (agent, dir and gitDir are null when no view was found), or with a folder argument that folder's report (folder; views empty); --fix adds fixed. ok is false (exit 1) when something needs attention.",
);

/** A finding of the secret scan, redacted. */
const FindingSchema = z.strictObject({ file: z.string(), line: z.int(), rule: z.string(), redacted: z.string(), fingerprint: z.string() });

/**
 * `git ctx scan --json`: one entry per scanned repository (each view, or the repository the
 * current folder is in; `agent` null when it is no view). Holds no secret. `ok` is false (exit 1)
 * when there are findings.
 */
export const ScanSchema = d(
  z.strictObject({
    ...envelope("scan"),
    ok: z.boolean(),
    views: z.array(
      z.strictObject({
        agent: z.nullable(AgentSchema),
        dir: z.string(),
        ok: z.boolean(),
        base: d(z.nullable(z.string()), "What the scan compared against (`refs/ctx/view/last`), or null (every tracked file)."),
        scanned: d(z.int(), "Files read."),
        findings: z.array(FindingSchema),
        heldBack: d(
          z.array(z.strictObject({ path: z.string(), since: z.string(), findings: z.array(FindingSchema) })),
          "Files the push gate quarantined, since when, with their findings.",
        ),
        ignoredAllowEntries: d(
          z.array(z.strictObject({ source: z.string(), line: z.int(), text: z.string() })),
          "Allowlist entries that are not fingerprints (they release nothing).",
        ),
        skipped: d(z.array(PathMessageSchema), "Files that could not be read."),
        warnings: z.array(WarningSchema),
        notPushed: d(z.array(PathMessageSchema), "Files a push leaves out because other machines would refuse them."),
      }),
    ),
  }),
  "git ctx scan --json: one entry per scanned repository (each view, or the repository the current folder is in; agent null when it is no view). Holds no secret: findings are redacted. ok is false (exit 1) when there are findings.",
);

/** `git ctx leave <id> --json`: each view that left the project (or, `dryRun`, would). */
export const LeaveSchema = d(
  z.strictObject({
    ...envelope("leave"),
    ok: z.boolean(),
    dryRun: z.boolean(),
    views: z.array(
      z.strictObject({
        ...ProjectInViewFields,
        key: d(z.string(), 'The project\'s folder in the view, kept with its files (`""` in a shared-layout view).'),
        rosterUpdated: d(z.boolean(), "This machine's entry left the cluster roster."),
        untracked: d(z.boolean(), "The folder was tracked and no longer is."),
      }),
    ),
  }),
  "git ctx leave <id> --json: each view that left the project (or, dryRun, would). ok is always true: a failure is the error document.",
);

/** Another machine in a project's roster. */
const SharedWithSchema = z.strictObject({ machineId: z.string(), root: z.string() });

/** `git ctx init --json`. */
export const InitSchema = d(
  z.strictObject({
    ...envelope("init"),
    ok: z.boolean(),
    dryRun: z.boolean(),
    views: z.array(
      z.strictObject({
        agent: AgentSchema,
        dir: z.string(),
        cluster: d(z.string(), "The cluster URL the view syncs with."),
        createdCluster: d(z.boolean(), "A new bare cluster was created at a local path."),
        projects: z.array(
          z.strictObject({
            id: z.string(),
            root: z.string(),
            key: KeyField,
            hadSessions: z.boolean(),
            sessions: d(z.optional(z.int()), "This machine's sessions of the project now in the view (the sessions init adopted); absent in a dry run."),
            alreadyJoined: AlreadyJoinedField,
            sharedWith: d(z.array(SharedWithSchema), "Other machines already in the project's roster."),
            message: CaseNoteField,
          }),
        ),
        secrets: SecretsField,
      }),
    ),
  }),
  "git ctx init --json: each agent's view made or extended (or, dryRun, that would be). ok is always true: a failure is the error document.",
);

/** `git ctx join --json`. */
export const JoinSchema = d(
  z.strictObject({
    ...envelope("join"),
    ok: z.boolean(),
    dryRun: z.boolean(),
    views: z.array(
      z.strictObject({
        ...ProjectInViewFields,
        key: KeyField,
        mergedLocal: d(z.boolean(), "Local sessions already in the folder were (dry run: would be) committed and merged into the cluster."),
        alreadyJoined: AlreadyJoinedField,
        sharedWith: d(z.array(SharedWithSchema), "Other machines in the project's roster, as the cluster had it before this run."),
        previousRoot: d(z.optional(z.string()), "The root this machine had for the project before, when this run changed it."),
        newView: d(z.optional(z.strictObject({ cluster: z.string() })), "Dry run: the view would first be cloned from this cluster."),
        message: CaseNoteField,
        secrets: SecretsField,
      }),
    ),
  }),
  "git ctx join --json: each agent's view that joined the project (or, dryRun, would). ok is always true: a failure is the error document.",
);

/** `git ctx projects --json`. */
export const ProjectsSchema = d(
  z.strictObject({
    ...envelope("projects"),
    ok: z.boolean(),
    projects: z.array(
      z.strictObject({
        id: z.string(),
        tip: d(z.string(), "Tip commit of project/<id> on the cluster."),
        joined: d(z.boolean(), "A view of this machine joined it."),
        rewriteHome: z.boolean(),
        machines: d(
          z.array(
            z.strictObject({
              machineId: z.string(),
              os: z.string(),
              root: z.string(),
              key: z.string(),
              lastSync: d(z.nullable(z.string()), "When the machine last synced the project (ISO 8601, the roster's last_converged), or null."),
              thisMachine: z.boolean(),
            }),
          ),
          "The roster's participants, sorted by machine id.",
        ),
        agents: d(z.array(AgentSchema), "The agents whose sessions the branch holds."),
        problem: d(z.nullable(z.strictObject({ message: z.string() })), "Why the branch's roster.json cannot be read, or null."),
      }),
    ),
  }),
  "git ctx projects --json: the cluster's projects, sorted by id. ok is always true: a failure is the error document.",
);

/** One session of `git ctx sessions`. */
const SessionSummarySchema = z.strictObject({
  id: z.string(),
  agent: AgentSchema,
  root: d(z.optional(z.string()), "The project directory the session names."),
  title: z.optional(z.string()),
  messages: d(z.int(), "Messages that carry text, tool calls or results."),
  updated: d(z.string(), "ISO 8601: the session's last record, else the file's modification time."),
  path: z.string(),
});

/** `git ctx sessions --json`. */
export const SessionsSchema = d(
  z.strictObject({ ...envelope("sessions"), ok: z.boolean(), sessions: z.array(SessionSummarySchema) }),
  "git ctx sessions --json: every agent's sessions on this machine, newest first.",
);

/** A message of the canonical session model (src/agents/session.ts), native records left out. */
const MessageSchema = z.strictObject({
  role: z.enum(["user", "assistant"]),
  text: z.array(z.string()),
  timestamp: z.optional(z.string()),
  toolCalls: z.array(z.strictObject({ id: z.string(), name: z.string(), input: z.unknown() })),
  toolResults: z.array(z.strictObject({ callId: z.string(), output: z.string(), isError: z.boolean() })),
});

/** `git ctx show --json`. */
export const ShowSchema = d(
  z.strictObject({
    ...envelope("show"),
    ok: z.boolean(),
    id: z.string(),
    agent: AgentSchema,
    path: z.string(),
    root: z.optional(z.string()),
    title: z.optional(z.string()),
    started: z.optional(z.string()),
    updated: z.optional(z.string()),
    model: z.optional(z.string()),
    gitBranch: z.optional(z.string()),
    messages: z.array(MessageSchema),
    compaction: d(
      z.optional(z.strictObject({ at: z.int(), history: z.array(MessageSchema), timestamp: z.optional(z.string()) })),
      "The last point where the agent compacted the conversation: it resumes with history, then messages from at.",
    ),
  }),
  "git ctx show <id> --json: one session in the canonical model (src/agents/session.ts), the native records left out.",
);

/** `git ctx agents --json`. */
export const AgentsSchema = d(
  z.strictObject({
    ...envelope("agents"),
    ok: z.boolean(),
    agents: z.array(
      z.strictObject({
        id: AgentSchema,
        title: z.string(),
        installed: d(z.boolean(), "Its home exists on this machine."),
        home: z.string(),
        store: z.string(),
        sessions: z.int(),
        version: d(z.optional(z.string()), "What `<command> --version` printed (first line); absent when it is not on PATH."),
      }),
    ),
  }),
  "git ctx agents --json: the agents git-ctx knows, in registry order.",
);

/** `git ctx resume --json`. */
export const ResumeSchema = d(
  z.strictObject({
    ...envelope("resume"),
    ok: z.boolean(),
    dryRun: z.boolean(),
    agent: d(AgentSchema, "The agent the session was written for."),
    id: d(z.string(), "The new session's id."),
    path: z.string(),
    cwd: d(z.string(), "The project root the session runs in."),
    run: d(z.string(), "The shell command that continues the session."),
    source: d(z.strictObject({ agent: AgentSchema, id: z.string() }), "The session it was converted from."),
    from: d(z.enum(["last-compaction", "start"]), "last-compaction: converted from the source's last compaction point; start: every message."),
    warnings: d(z.array(WarningSchema), "What the target agent cannot carry."),
    replaced: d(z.optional(z.string()), "Where --force moved the earlier conversion it replaced."),
  }),
  "git ctx resume <id> --in <agent> --json: the converted session and the command that continues it.",
);

/** `git ctx learn --json`. */
export const LearnSchema = d(
  z.strictObject({
    ...envelope("learn"),
    ok: d(z.boolean(), "False (exit 1) when a bullet was held back for a secret."),
    project: z.string(),
    file: z.string(),
    sessions: z.int(),
    turns: z.int(),
    calls: z.int(),
    added: z.array(z.string()),
    duplicates: z.int(),
    deleted: d(z.int(), "Bullets the user deleted from the learnings file before (their tombstones in .ctx/learnings-seen): not written again."),
    heldBack: d(
      z.array(z.strictObject({ rule: z.string(), redacted: z.string(), fingerprint: z.string() })),
      "Bullets held back for a secret, redacted; each secret once a run (by fingerprint).",
    ),
    conversions: d(z.int(), "Sessions git ctx resume wrote from another session here: the turns they share with it are not sent again."),
    running: z.int(),
    dryRun: z.boolean(),
  }),
  "git ctx learn --json: what was learned from the project's sessions.",
);

/** `git ctx rules --json`. */
export const RulesSchema = d(
  z.strictObject({
    ...envelope("rules"),
    ok: d(z.boolean(), "False (exit 1) when a file was refused, or (--check) when one is stale."),
    project: z.string(),
    files: z.array(
      z.strictObject({
        path: z.string(),
        aliases: z.array(z.string()),
        action: z.enum(["unchanged", "updated", "created", "would update", "would create", "stale", "refused", "nothing to share"]),
        why: d(z.optional(z.string()), "Why a file was refused, with what to do."),
      }),
    ),
  }),
  "git ctx rules --json: each instruction file and what was done to it.",
);

/** `git ctx install --json`. */
export const InstallSchema = d(
  z.strictObject({
    ...envelope("install"),
    ok: z.boolean(),
    scope: z.enum(["global", "local"]),
    gitDir: z.optional(z.string()),
    config: z.array(z.strictObject({ key: z.string(), value: z.string(), previous: z.array(z.string()), changed: z.boolean() })),
    attributesFile: z.optional(z.string()),
    filterOnPath: z.boolean(),
    hooks: z.array(z.strictObject({ agent: z.string(), event: z.string(), file: z.string(), changed: z.boolean(), problem: z.optional(z.string()) })),
    skipped: d(
      z.array(z.strictObject({ agent: z.string(), home: z.string() })),
      "Agents whose hook was not installed: their home folder does not exist here (install never creates it).",
    ),
    views: d(
      z.array(z.strictObject({ dir: z.string(), config: z.array(z.strictObject({ key: z.string(), value: z.string(), previous: z.array(z.string()), changed: z.boolean() })) })),
      "global: this machine's views, whose own config entries for the filter and driver were brought to the installed paths.",
    ),
  }),
  "git ctx install --json: the git config written, the agents' hooks installed and skipped.",
);

/** `git ctx hook <action> --json`. */
export const HookSchema = d(
  z.strictObject({
    ...envelope("hook"),
    ok: d(z.boolean(), "status: the hook is installed (exit 0); install and uninstall: true."),
    agent: AgentSchema,
    action: z.enum(["status", "install", "uninstall"]),
    file: d(z.string(), "The settings or config file that holds the hook."),
    event: z.string(),
    installed: d(z.optional(z.boolean()), "status: the hook is in the file."),
    entries: d(z.optional(z.int()), "status (Claude Code): git-ctx's entries for the event."),
    changed: d(z.optional(z.boolean()), "install, uninstall: the file was (dry run: would be) changed."),
    dryRun: z.optional(z.boolean()),
    backup: d(z.optional(z.string()), "Where the previous settings were kept (Claude Code, a real change)."),
  }),
  "git ctx hook status|install|uninstall --json.",
);

/** `git ctx redact --json`. */
export const RedactSchema = d(
  z.strictObject({
    ...envelope("redact"),
    ok: z.boolean(),
    dryRun: z.boolean(),
    files: z.array(
      z.strictObject({
        file: z.string(),
        replaced: z.array(z.strictObject({ line: z.int(), rule: z.string(), redacted: z.string(), fingerprint: z.string() })),
        backup: d(z.optional(z.string()), "Where the original was saved (it still holds the secrets)."),
      }),
    ),
  }),
  "git ctx redact --json: the secrets replaced in each file (redacted).",
);

/** Every command's schema, by command name (docs/json.md lists them in this order). */
export const JSON_SCHEMAS = {
  status: StatusSchema,
  sync: SyncSchema,
  doctor: DoctorSchema,
  scan: ScanSchema,
  leave: LeaveSchema,
  init: InitSchema,
  join: JoinSchema,
  projects: ProjectsSchema,
  sessions: SessionsSchema,
  show: ShowSchema,
  agents: AgentsSchema,
  resume: ResumeSchema,
  learn: LearnSchema,
  rules: RulesSchema,
  install: InstallSchema,
  hook: HookSchema,
  redact: RedactSchema,
} as const;

/** The `--json` document of command `C` (src/json/schemas.ts). */
export type JsonDocument<C extends keyof typeof JSON_SCHEMAS> = z.infer<(typeof JSON_SCHEMAS)[C]>;

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
/** The `git ctx init --json` document. */
export type InitDocument = z.infer<typeof InitSchema>;
/** The `git ctx join --json` document. */
export type JoinDocument = z.infer<typeof JoinSchema>;
/** The `git ctx projects --json` document. */
export type ProjectsDocument = z.infer<typeof ProjectsSchema>;
