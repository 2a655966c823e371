import type { Argv } from "yargs";

/*
 * What the yargs command modules declare (positionals, options, examples), read by running each
 * module's builder against a recorder instead of yargs: the man page (./manpage.ts) and shell
 * completion (./complete.ts) are made from the same calls `--help` is, so they cannot drift.
 */

/** One option or positional as a builder declared it (yargs' option keys, the ones git-ctx uses). */
export interface OptionSpec {
  /** Long name without dashes, e.g. `dry-run`. */
  name: string;
  /** Other names (`h` for `help`). */
  aliases: string[];
  /** yargs' `type`; `undefined` with `choices` only. */
  type?: "string" | "number" | "boolean";
  /** The values yargs accepts, when it restricts them. */
  choices?: string[];
  /** Several values (`[paths..]`, `array: true`). */
  array: boolean;
  default?: unknown;
  describe?: string;
  /** Required (`demandOption`, or a `<positional>`). */
  required: boolean;
  /** Left out of help (`hidden: true`): also left out of the man page and completion. */
  hidden: boolean;
}

/** One subcommand: its name, usage line, text, positionals, options and examples. */
export interface CommandSpec {
  /** The word after `git ctx`, e.g. `join`. */
  name: string;
  /** yargs' `command` string, e.g. `join <root>`. */
  usage: string;
  describe: string;
  /** In the order the usage names them. */
  positionals: OptionSpec[];
  options: OptionSpec[];
  /** `[command line, what it does]`. */
  examples: [string, string][];
}

/** What a builder's calls add up to. */
interface Recorded {
  positionals: OptionSpec[];
  options: OptionSpec[];
  examples: [string, string][];
  usage?: string;
}

/** yargs' option object, as far as it is read here. */
interface RawOption {
  type?: string;
  choices?: readonly unknown[];
  array?: boolean;
  default?: unknown;
  describe?: string;
  description?: string;
  desc?: string;
  demandOption?: boolean | string;
  hidden?: boolean;
  alias?: string | readonly string[];
}

function toSpec(name: string, o: RawOption = {}): OptionSpec {
  return {
    name,
    aliases: o.alias === undefined ? [] : [o.alias].flat().map(String),
    type: o.type === "string" || o.type === "number" || o.type === "boolean" ? o.type : undefined,
    choices: o.choices?.map(String),
    array: o.array === true,
    default: o.default,
    describe: o.describe ?? o.description ?? o.desc,
    required: o.demandOption !== undefined && o.demandOption !== false,
    hidden: o.hidden === true,
  };
}

/**
 * A stand-in for a yargs instance that records `positional`, `option(s)`, `example`, `usage`,
 * `help`, `version` and `alias` calls; every other method (`strict`, `conflicts`, `wrap`, …)
 * is accepted and ignored, and every call returns the stand-in, so builder chains run unchanged.
 */
function recorder(): { y: Argv; rec: Recorded } {
  const rec: Recorded = { positionals: [], options: [], examples: [] };
  const find = (n: string) => rec.options.find((o) => o.name === n || o.aliases.includes(n));
  const calls: Record<string, (...a: never[]) => void> = {
    positional: (n: string, o: RawOption) => void rec.positionals.push(toSpec(n, o)),
    option: (n: string | Record<string, RawOption>, o?: RawOption) => {
      if (typeof n === "string") rec.options.push(toSpec(n, o));
      else for (const [k, v] of Object.entries(n)) rec.options.push(toSpec(k, v));
    },
    example: (cmd: string | [string, string][], d?: string) => {
      if (Array.isArray(cmd)) rec.examples.push(...cmd.map(([c, x]) => [c, x ?? ""] as [string, string]));
      else rec.examples.push([cmd, d ?? ""]);
    },
    usage: (u: string) => void (rec.usage = u),
    help: (n?: string | false, d?: string) => {
      if (n !== false) rec.options.push(toSpec(typeof n === "string" ? n : "help", { type: "boolean", describe: d ?? "Show help" }));
    },
    version: (...a: unknown[]) => {
      if (a[0] !== false) rec.options.push(toSpec("version", { type: "boolean", describe: "Show version number" }));
    },
    alias: (a: string | Record<string, string | string[]>, b?: string | string[]) => {
      const pairs: [string, string[]][] = typeof a === "string" ? [[a, [b ?? []].flat()]] : Object.entries(a).map(([k, v]) => [k, [v].flat()]);
      for (const [k, vs] of pairs) {
        // yargs' alias(x, y) links both ways: attach the short name to the option that has the long one
        const names = [k, ...vs];
        const o = names.map(find).find(Boolean);
        if (o) for (const n of names) if (n !== o.name && !o.aliases.includes(n)) o.aliases.push(n);
      }
    },
  };
  calls.options = calls.option!;
  const y: Argv = new Proxy({} as Argv, {
    get:
      (_t, prop) =>
      (...args: unknown[]) => {
        (calls[String(prop)] as ((...a: unknown[]) => void) | undefined)?.(...args);
        return y;
      },
  });
  return { y, rec };
}

/** What is read of a yargs `CommandModule` (any of them fits, whatever its argument types). */
export interface CommandLike {
  command?: string | readonly string[];
  describe?: string | false;
  builder?: unknown;
}

/** Runs a builder (function or options object) against a recorder. */
function record(builder: unknown): Recorded {
  const { y, rec } = recorder();
  if (typeof builder === "function") (builder as (y: Argv) => unknown)(y);
  else if (builder) y.options(builder as Record<string, never>);
  return rec;
}

/**
 * The specs of the visible subcommands (a module whose `describe` is `false` is hidden, as in
 * yargs' help), in the given order. Positionals come in the order the usage line names them.
 */
export function commandSpecs(commands: readonly CommandLike[]): CommandSpec[] {
  return commands
    .filter((c) => c.describe !== false)
    .map((c) => {
      const usage = String([c.command].flat()[0]);
      const r = record(c.builder);
      const order = [...usage.matchAll(/[<[]([^>\]. ]+)(?:\.\.)?[>\]]/g)].map((m) => m[1]!);
      const positionals = order.map((n) => {
        const p = r.positionals.find((x) => x.name === n) ?? toSpec(n);
        return { ...p, required: p.required || usage.includes(`<${n}`), array: p.array || usage.includes(`${n}..`) };
      });
      return { name: usage.split(" ")[0]!, usage, describe: String(c.describe ?? ""), positionals, options: r.options, examples: r.examples };
    });
}

/**
 * The options every command takes (`--help`, `--version`, and what `configure` adds to the
 * top-level parser), with the top-level usage text.
 */
export function globalSpec(configure: (y: Argv) => Argv): { usage: string; options: OptionSpec[] } {
  const r = record(configure);
  return { usage: r.usage ?? "", options: r.options };
}
