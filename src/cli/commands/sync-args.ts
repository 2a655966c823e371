/*
 * The flags of `git ctx sync` and their yargs-free reading, in a module of their own: the hook
 * entry (../hook.ts, bundled on its own for the Stop hook's start-up) needs the reading without
 * the command's handler and what it loads.
 */

/** Options of `git ctx sync` as the CLI hands them to `src/commands/sync.ts`. */
export interface SyncCliOptions {
  background: boolean;
  hook: boolean;
  dir?: string;
  json: boolean;
  worker: boolean;
  quietMs?: number;
  /** Say what a sync would do, write nothing (no fetch either: it moves refs). */
  dryRun?: boolean;
  /** `-q`: nothing on stdout but `--json`; warnings and errors on stderr. */
  quiet?: boolean;
  /** `--progress` / `--no-progress`; undefined: a bar only when stderr is a terminal. */
  progress?: boolean;
  /**
   * Hook mode, Codex's `notify`: the arguments after `--`: the user's own notify program and its
   * arguments (kept by 'git ctx install'), then the JSON Codex appends.
   */
  chain?: string[];
}

/**
 * The flags of `git ctx sync`: one table for yargs (help, validation) and for
 * {@link parseSyncArgsFast}. Booleans default to false.
 */
export const FLAGS = {
  background: { type: "boolean", default: false, describe: "start the sync in the background and return at once" },
  hook: {
    type: "boolean",
    default: false,
    describe:
      "hook mode (Claude Code's Stop hook, Codex's notify, Gemini CLI's AfterAgent hook): sync every view in the background, always exit 0 silently; after --, a program to run next (Codex: your own notify)",
  },
  dir: {
    type: "string",
    describe:
      "only the view in this folder (default: every agent's view: ~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp, or where $CLAUDE_CONFIG_DIR, $CODEX_HOME, $GEMINI_CLI_HOME put them)",
  },
  json: { type: "boolean", default: false, describe: "print the sync report as JSON" },
  "dry-run": { type: "boolean", default: false, describe: "say what would be committed and pushed, write nothing (no fetch)" },
  quiet: { type: "boolean", alias: "q", default: false, describe: "print nothing on stdout (warnings and errors still go to stderr), no progress" },
  progress: { type: "boolean", describe: "show a progress bar with counts on stderr even when it is not a terminal (--no-progress: never; default: on a terminal)" },
  worker: { type: "boolean", default: false, hidden: true },
  "quiet-ms": { type: "number", hidden: true },
} as const;

/**
 * The arguments after `sync` read without yargs (the Stop hook and the background worker run
 * `git ctx sync` after every turn; loading and configuring yargs is ~40 ms of its start-up), for
 * the plain spellings only: `--<boolean flag>`, `--dir <v>`/`--dir=<v>`, `--quiet-ms <n>`/`=<n>`,
 * each at most once, flag names from the same table as yargs. Anything else (help, negations,
 * aliases, unknown or repeated flags, positionals) returns `undefined`, and yargs parses the
 * command line as before, with its messages.
 */
export function parseSyncArgsFast(args: readonly string[]): SyncCliOptions | undefined {
  const o: SyncCliOptions = { background: false, hook: false, json: false, worker: false };
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") {
      if (!o.hook) return undefined;
      o.chain = args.slice(i + 1);
      break;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]!);
    if (!m || !(m[1]! in FLAGS) || seen.has(m[1]!)) return undefined;
    const name = m[1] as keyof typeof FLAGS;
    seen.add(name);
    const spec = FLAGS[name];
    if (spec.type === "boolean") {
      if (m[2] !== undefined) return undefined;
      if (name === "dry-run") o.dryRun = true;
      else o[name as "background" | "hook" | "json" | "worker" | "quiet" | "progress"] = true;
      continue;
    }
    const value = m[2] ?? args[++i];
    if (value === undefined || (m[2] === undefined && value.startsWith("-"))) return undefined;
    if (name === "dir") o.dir = value;
    else {
      if (!/^\d+$/.test(value)) return undefined;
      o.quietMs = Number(value);
    }
  }
  return o;
}
