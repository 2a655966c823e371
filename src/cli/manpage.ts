import type { CommandSpec, OptionSpec } from "./spec.js";

/*
 * The man page git-ctx(1) (man/git-ctx.1, roff with the man macros), made from the command
 * modules (./spec.ts: the calls `--help` is made from) and the hand-kept tables below for what
 * yargs does not know: environment, exit status, files. `npm run man` writes it;
 * test/cli/manpage.test.ts fails when the file differs from what this makes now.
 */

/** An environment variable git-ctx reads, as the man page lists it. */
export interface EnvVar {
  name: string;
  /** What it changes, and its default. */
  text: string;
}

/**
 * The environment variables git-ctx reads (`grep -rn "env\.\(GIT_CTX\|CODEX\|CLAUDE\|GEMINI\)"
 * src`), the test-only fault injectors (`GIT_CTX_TEST_*`, `GIT_CTX_UNSAFE_CHECKOUT`) left out.
 */
export const ENVIRONMENT: readonly EnvVar[] = [
  { name: "CLAUDE_CONFIG_DIR", text: "Claude Code's home (default ~/.claude): its store projects/ is the Claude Code view, its settings.json holds the Stop hook." },
  { name: "CODEX_HOME", text: "Codex CLI's home (default ~/.codex): its store sessions/ is the Codex view, config.toml holds notify, state_<N>.sqlite its session list." },
  {
    name: "GEMINI_CLI_HOME",
    text: "The folder holding Gemini CLI's .gemini (default $HOME): .gemini/tmp is the Gemini CLI view, .gemini/settings.json holds the AfterAgent hook.",
  },
  { name: "GIT_CTX_MACHINE_ID", text: "This machine's id in the projects' rosters (default: created once in $XDG_CONFIG_HOME/git-ctx/machine-id)." },
  {
    name: "GIT_CTX_OS",
    text: "linux, darwin or windows: which path spellings this machine writes (default: the platform). With GIT_CTX_HOME, lets one computer play another machine.",
  },
  { name: "GIT_CTX_HOME", text: "The home as written in transcripts, e.g. /Users/bob or C:\\Users\\carol (default $HOME)." },
  { name: "XDG_CONFIG_HOME", text: "Where git-ctx/machine-id is kept (default ~/.config)." },
  { name: "GIT_CTX_HOOK_QUIET_MS", text: "How long the hook's background sync waits for the agent to go quiet before it starts, in milliseconds (default 1000)." },
  { name: "GIT_CTX_SYNC_TIMEOUT_MS", text: "A sync that runs longer is abandoned and recorded as failed, in milliseconds (default 600000, ten minutes)." },
  { name: "GIT_CTX_PUSH_ATTEMPTS", text: "How often the remote helper retries a push that lost a race with another machine (default 5)." },
  { name: "GIT_CTX_TRANSPORT", text: "git: fetch and push through git's remote helper process instead of in the sync's own process." },
  { name: "GIT_CTX_FILTER_SPILL_BYTES", text: "Size in bytes above which the clean/smudge filter spills a file to a temporary file instead of holding it in memory." },
  { name: "GIT_CTX_FILTER_DEBUG", text: "rss: the filter prints its peak memory on stderr when it exits." },
];

/** An exit status of `git ctx`, as the man page lists it. */
export interface ExitStatus {
  code: number;
  text: string;
}

/**
 * The exit statuses: src/cli/run.ts (0, 1, 70), yargs' usage errors (129, as git's own commands
 * exit on a usage error), the sync watchdog (src/sync/index.ts, 75).
 */
export const EXIT_STATUS: readonly ExitStatus[] = [
  { code: 0, text: "Success; for the checking commands, nothing needs attention." },
  {
    code: 1,
    text: "A failure the message on stderr names with its fix (no view, unknown project or session, a git command that failed, …), or a result that needs attention: scan found secrets, doctor found a problem, status while the last sync failed, rules --check found a stale file, learn or a sync held a file back.",
  },
  { code: 70, text: "An internal error (a bug): the stack trace is printed; please report it." },
  { code: 75, text: "A sync was abandoned after GIT_CTX_SYNC_TIMEOUT_MS (a git process or the filter hung); it is recorded as failed." },
  { code: 129, text: "A usage error: an unknown command or option, a missing argument, a value not among the choices." },
];

/** A file git-ctx reads or writes, as the man page lists it. */
export interface FileEntry {
  path: string;
  text: string;
}

/** The files of a view and of this machine (docs/architecture.md, "Where state lives"). */
export const FILES: readonly FileEntry[] = [
  { path: "~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp", text: "The agents' stores; each is a view: a git work tree whose branches are the cluster's projects." },
  { path: "$GIT_DIR/ctx/state.json", text: "A view's state: its agent, cluster, this machine and the joined projects with their roots (never committed)." },
  { path: "$GIT_DIR/ctx/sync.log, last-sync.json, sync.lock", text: "What sync did (rotated at 1 MiB), its last result, the lock of a running sync." },
  { path: "$GIT_DIR/ctx/held-back.json", text: "Files held back from a push because they contain secrets." },
  { path: "$GIT_DIR/ctx/backup/", text: "Backups git ctx redact and git ctx doctor --fix keep." },
  { path: "$GIT_DIR/info/attributes", text: "The filter and merge-driver attributes of a view (git ctx install --local)." },
  { path: ".ctxallow", text: "Fingerprints of findings released as false positives (also git config ctx.allow)." },
  { path: ".ctx/learnings.md", text: "In a project: what git ctx learn extracted; git ctx rules shares it with every agent's instruction file." },
  { path: "$XDG_CONFIG_HOME/git-ctx/machine-id", text: "This machine's id." },
];

/** What the page says before the commands (the README's first section, shortened). */
const DESCRIPTION = [
  "git-ctx makes each AI coding agent's session store a git work tree, a view: Claude Code's ~/.claude/projects, Codex CLI's ~/.codex/sessions and Gemini CLI's ~/.gemini/tmp.",
  "A clean/smudge filter rewrites this machine's paths to sentinels such as {{CC_PROJECT_ROOT}}, the remote helper git-remote-ctx keeps each project on a branch project/<id> of a cluster (any git repository), and a merge driver unions transcripts so every machine converges.",
  "Plain git pull, git push and git log work in a view; git clone ctx::<url> <store> makes one.",
  "Each agent's hook runs git ctx sync after every turn, so sessions follow you between machines; git ctx resume continues a session of one agent in another.",
];

/** The first steps (the README's), before each command's own examples. */
const FIRST_STEPS: [string, string][] = [
  ["git ctx install", "once per machine: git config for the filter and the merge driver, and each installed agent's hook"],
  ["git ctx init --remote git@github.com:me/agent-context.git ~/code/webshop", "the first machine: adopt the agents' stores as views of a new cluster and share a project"],
  [
    "git ctx join --remote git@github.com:me/agent-context.git --id webshop ~/code/webshop",
    "every other machine: make the views from the cluster and check the project out for your copy of it",
  ],
  ["git ctx sync", "by hand, what the hooks run after every turn: commit, pull, push"],
];

/** Characters the help texts use, as every troff device can print them (an ellipsis has no glyph on -Tascii). */
const ROFF_CHARS: Record<string, string> = { "\u2026": "...", "\u2014": "\\(em", "\u2013": "\\(en", "\u2264": "\\(<=", "\u2265": "\\(>=", "\u2192": "\\(->" };

/**
 * Escapes text for a roff text line: backslashes as `\e`, every hyphen as `\-` (options and
 * commands stay copyable, as pandoc writes them), characters outside ASCII as named glyphs
 * ({@link ROFF_CHARS}) or `\[uXXXX]` (troff reads its input as Latin-1 unless told otherwise), a
 * break point `\:` after a comma that has no space after it (`{"agent","path",…}` would else
 * overflow the line), and a line that would start with `.` or `'` (a request) behind `\&`.
 */
export function roffEscape(s: string): string {
  const t = s
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/[^\x00-\x7f]/gu, (c) => ROFF_CHARS[c] ?? `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`)
    .replace(/,(?=\S)/g, ",\\:");
  return /^[.']/.test(t) ? `\\&${t}` : t;
}

/** `\fB--name\fR \fI<name>\fR` (and aliases) for an option's tag line. */
function optionTag(o: OptionSpec): string {
  const b = (x: string) => `\\fB${roffEscape(x)}\\fR`;
  const names = [...o.aliases.filter((a) => a.length === 1).map((a) => `-${a}`), ...(o.type === "boolean" && o.default === true ? [`--[no-]${o.name}`] : [`--${o.name}`])];
  const arg = o.type === "boolean" ? "" : ` \\fI${roffEscape(o.choices ? o.choices.join("|") : o.type === "number" ? "<n>" : `<${o.name}>`)}\\fR`;
  return names.map(b).join(", ") + arg;
}

/** An option's or positional's text with its default, whether it is required and a positional's choices, as `--help` shows them. */
function optionText(o: OptionSpec, positional = false): string {
  const notes: string[] = [];
  if (positional && o.choices) notes.push(`choices: ${o.choices.join(", ")}`);
  if (o.required) notes.push("required");
  if (o.default !== undefined && !(o.type === "boolean" && o.default === false)) notes.push(`default: ${String(o.default)}`);
  const text = (o.describe ?? "").replace(/\s+$/, "");
  return roffEscape(notes.length ? `${text}${text ? " " : ""}[${notes.join("; ")}]` : text);
}

/** A positional's placeholder as the usage writes it: `<root>`, `[paths...]`. */
function positionalTag(p: OptionSpec): string {
  const n = `${p.name}${p.array ? "..." : ""}`;
  return `\\fI${roffEscape(p.required ? `<${n}>` : `[${n}]`)}\\fR`;
}

/** A command's synopsis line: `git ctx join [options] <root>`. */
function synopsis(c: CommandSpec): string {
  const visible = c.options.filter((o) => !o.hidden);
  return [`\\fBgit ctx ${roffEscape(c.name)}\\fR`, ...(visible.length ? ["[\\fIoptions\\fR]"] : []), ...c.positionals.map(positionalTag)].join(" ");
}

/** An example: the command line in bold on its own line, what it does indented under it. */
function example(cmd: string, what: string): string[] {
  return [".TP", `\\fB${roffEscape(cmd)}\\fR`, roffEscape(what)];
}

/**
 * The page: NAME, SYNOPSIS, DESCRIPTION, COMMANDS (each with its positionals and options),
 * OPTIONS (those every command takes), ENVIRONMENT, EXIT STATUS, FILES, EXAMPLES, SEE ALSO.
 * Hidden options are left out, as in `--help`. Pure and deterministic: no date, so the file
 * only changes when a help text does.
 */
export function manPage(o: { commands: readonly CommandSpec[]; globals: readonly OptionSpec[]; version: string; summary: string }): string {
  const L: string[] = [];
  const section = (name: string) => L.push(`.SH ${name}`);
  L.push(`.TH GIT\\-CTX 1 "" "git\\-ctx ${roffEscape(o.version)}" "Git Manual"`);
  L.push('.\\" Generated by `npm run man` (src/cli/manpage.ts) from the command modules; do not edit.');
  // no hyphenation, ragged right: option names and paths are copied from the page
  L.push(".nh", ".ad l");
  section("NAME");
  L.push(`git\\-ctx \\- ${roffEscape(o.summary)}`);
  section("SYNOPSIS");
  L.push(".nf");
  L.push("\\fBgit ctx\\fR \\fIcommand\\fR [\\fIoptions\\fR]");
  for (const c of o.commands) L.push(synopsis(c));
  L.push(".fi");
  section("DESCRIPTION");
  DESCRIPTION.forEach((p, i) => {
    if (i) L.push(".PP");
    L.push(roffEscape(p));
  });
  L.push(".PP", `Every command prints its options and examples with \\fBgit ctx \\fIcommand\\fB \\-\\-help\\fR; this page is made from the same text.`);
  section("COMMANDS");
  for (const c of o.commands) {
    L.push(`.SS "${synopsis(c).replace(/"/g, "\\(dq")}"`);
    L.push(roffEscape(c.describe.charAt(0).toUpperCase() + c.describe.slice(1)) + (/[.!?]$/.test(c.describe) ? "" : "."));
    for (const p of c.positionals) L.push(".TP", positionalTag(p), optionText(p, true));
    for (const x of c.options.filter((x) => !x.hidden)) L.push(".TP", optionTag(x), optionText(x));
  }
  section("OPTIONS");
  L.push("Every command takes these:");
  for (const x of o.globals.filter((x) => !x.hidden)) L.push(".TP", optionTag(x), optionText(x));
  section("ENVIRONMENT");
  for (const e of ENVIRONMENT) L.push(".TP", `.B ${e.name}`, roffEscape(e.text));
  section("EXIT STATUS");
  for (const e of EXIT_STATUS) L.push(".TP", `.B ${e.code}`, roffEscape(e.text));
  section("FILES");
  for (const f of FILES) L.push(".TP", `\\fI${roffEscape(f.path)}\\fR`, roffEscape(f.text));
  section("EXAMPLES");
  L.push("First steps:");
  for (const [c, w] of FIRST_STEPS) L.push(...example(c, w));
  for (const c of o.commands) {
    if (!c.examples.length) continue;
    L.push(`.SS "git ctx ${roffEscape(c.name)}"`);
    for (const [cmd, what] of c.examples) L.push(...example(cmd, what));
  }
  section("SEE ALSO");
  L.push(".BR git (1),", ".BR git\\-remote\\-helpers (7),", ".BR gitattributes (5),", ".BR git\\-clone (1).");
  L.push("The README and docs/ of the git\\-ctx package.");
  return L.join("\n") + "\n";
}

/**
 * The page of this build: the command modules (./commands/index.ts), the top-level parser
 * (./global.ts) and this package's version. Loads every command module (each lazy-imports its
 * work, so nothing else runs).
 */
export async function currentManPage(): Promise<string> {
  const [{ commands }, { commandSpecs, globalSpec }, { configureCli, packageVersion }] = await Promise.all([
    import("./commands/index.js"),
    import("./spec.js"),
    import("./global.js"),
  ]);
  const g = globalSpec(configureCli);
  const summary = g.usage.split("\n").filter(Boolean).at(-1) ?? "";
  return manPage({ commands: commandSpecs(commands), globals: g.options, version: packageVersion(), summary: summary.replace(/^Sync/, "sync").replace(/\.$/, "") });
}
