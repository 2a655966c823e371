import type { CommandSpec, OptionSpec } from "./spec.js";

/*
 * `git ctx __complete <words>`: the candidates for the word under the cursor, one a line, for the
 * shell scripts `git ctx completion bash|zsh|fish` prints (issue 24, point 8). Subcommands and
 * flags come from the command modules (./spec.ts, the same calls `--help` reads), option values
 * from their `choices`, project ids from the views' state and session ids from the agents' stores.
 */

/** What a positional or an option value names, where completion can list the values. */
type ValueKind = "project" | "session" | "agents";

/**
 * The options and positionals whose values are ids, by `<command>.<name>` (yargs declares no
 * choices for them: they are this machine's data). `--agents` takes a comma-separated list.
 */
const VALUE_KINDS: Record<string, ValueKind> = {
  "leave.id": "project",
  "join.id": "project",
  "init.id": "project",
  "show.id": "session",
  "resume.id": "session",
  "redact.targets": "session",
  "init.agents": "agents",
  "join.agents": "agents",
};

/** Where the id candidates come from (the effects, injected: tests and {@link completeMain}). */
export interface CompletionSources {
  /** The ids of the projects joined in this machine's views. */
  projectIds(): string[];
  /** The ids of the sessions in this machine's agent stores. */
  sessionIds(): string[];
  /** The agent ids git-ctx syncs. */
  agentIds(): string[];
}

/**
 * The candidates for the last of `words` (the words after `git ctx`, the last one being the
 * partial word under the cursor, `""` for none), filtered by it as a prefix. Empty means "no
 * idea": the scripts then offer file names (`--dir`, roots, paths).
 * - first word: the subcommands (or, starting with `-`, the global flags);
 * - a word starting with `-`: the subcommand's flags and the global ones (`--no-<x>` for a
 *   boolean that defaults to true), less the ones already given;
 * - after a flag that takes a value: its `choices`, or the ids {@link VALUE_KINDS} names;
 * - otherwise (also after `--`): the values of the positional at that place.
 * Pure: the ids come from `src`.
 */
export function completions(words: readonly string[], commands: readonly CommandSpec[], globals: readonly OptionSpec[], src: CompletionSources): string[] {
  const cur = words.at(-1) ?? "";
  const match = (xs: Iterable<string>) => [...new Set(xs)].filter((x) => x.startsWith(cur));
  if (words.length <= 1) return cur.startsWith("-") ? match(flagWords(globals)) : match(commands.map((c) => c.name));
  const cmd = commands.find((c) => c.name === words[0]);
  if (!cmd) return [];
  const options = [...cmd.options, ...globals].filter((o) => !o.hidden);
  const byFlag = (w: string) => options.find((o) => w === `--${o.name}` || o.aliases.some((a) => w === (a.length === 1 ? `-${a}` : `--${a}`)));
  const before = words.slice(1, -1);
  const dashes = before.indexOf("--");
  const prev = before.at(-1);
  const prevOpt = prev !== undefined && dashes < 0 ? byFlag(prev) : undefined;
  if (prevOpt && prevOpt.type !== "boolean") return valuesOf(cmd, prevOpt, cur, src);
  if (cur.startsWith("-") && dashes < 0) {
    const given = new Set(before.map(byFlag).filter((o): o is OptionSpec => !!o && !o.array));
    return match(flagWords(options.filter((o) => !given.has(o))));
  }
  // the place of this positional: the words before it that are neither flags nor flag values
  let n = 0;
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    if (i === dashes) continue;
    if (dashes < 0 || i < dashes) {
      if (w.startsWith("-")) {
        const o = byFlag(w);
        if (o && o.type !== "boolean" && !w.includes("=")) i++;
        continue;
      }
    }
    n++;
  }
  const last = cmd.positionals.at(-1);
  const pos = cmd.positionals[n] ?? (last?.array ? last : undefined);
  return pos ? valuesOf(cmd, pos, cur, src) : [];
}

/** `--name` for each option, and `--no-name` for a boolean that is on by default. */
function flagWords(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => [`--${o.name}`, ...(o.type === "boolean" && o.default === true ? [`--no-${o.name}`] : [])]);
}

/** The values of an option or positional that start with `cur`. */
function valuesOf(cmd: CommandSpec, o: OptionSpec, cur: string, src: CompletionSources): string[] {
  const kind = VALUE_KINDS[`${cmd.name}.${o.name}`];
  let all: string[];
  let prefix = "";
  if (o.choices) all = o.choices;
  else if (kind === "project") all = src.projectIds();
  else if (kind === "session") all = src.sessionIds();
  else if (kind === "agents") {
    // a comma-separated list: complete the part after the last comma, keep the ones before
    prefix = cur.slice(0, cur.lastIndexOf(",") + 1);
    const taken = new Set(prefix.split(",").filter(Boolean));
    all = src.agentIds().filter((a) => !taken.has(a));
  } else return [];
  return [...new Set(all)]
    .sort()
    .map((v) => prefix + v)
    .filter((v) => v.startsWith(cur));
}

/**
 * The candidates from this machine's data: the projects joined in every view
 * (`$GIT_DIR/ctx/state.json` `projects`), the sessions of every agent's store (their ids as the
 * file names hold them: whole for Claude Code and Codex, the first 8 characters for Gemini CLI,
 * a unique prefix `show` and `resume` accept). Unreadable state is skipped: completion never fails.
 */
export async function machineSources(env: NodeJS.ProcessEnv = process.env): Promise<CompletionSources> {
  const path = await import("node:path");
  const [{ viewDirs }, { readViewState }, { AGENTS }] = await Promise.all([import("../commands/viewdirs.js"), import("../view/state.js"), import("../agents/index.js")]);
  const quiet = <T>(f: () => T[]): T[] => {
    try {
      return f();
    } catch {
      return [];
    }
  };
  return {
    projectIds: () => viewDirs(env).flatMap((d) => quiet(() => Object.keys(readViewState(path.join(d, ".git"))?.projects ?? {}))),
    sessionIds: () => AGENTS.flatMap((a) => quiet(() => a.sessionPaths(env).map((f) => a.idOfPath(f)))),
    agentIds: () => AGENTS.map((a) => a.id),
  };
}

/**
 * `git ctx __complete <words>`: prints {@link completions} for the words after `git ctx`, one a
 * line. Exits 0 even when it finds nothing or fails (a completion must not print errors into the
 * command line being edited).
 */
export async function completeMain(words: readonly string[]): Promise<void> {
  try {
    const [{ commands }, { commandSpecs, globalSpec }, { configureCli }] = await Promise.all([import("./commands/index.js"), import("./spec.js"), import("./global.js")]);
    const out = completions(words.length ? words : [""], commandSpecs(commands), globalSpec(configureCli).options, await machineSources());
    if (out.length) process.stdout.write(out.join("\n") + "\n");
  } catch {
    // nothing to offer
  }
}
