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
 * A stand-in for a yargs instance that records what shapes help: `positional`, `option(s)` and
 * their shorthands (`boolean`, `string`, `number`, `count`, `describe`, `default`, `choices`,
 * `hide`, `demandOption`, `alias`; a key declared twice is merged, as yargs does), `example`,
 * `usage`, `help` and `version`. Every other method (`strict`, `conflicts`, `wrap`, …) is
 * accepted and ignored; every call returns the stand-in, so builder chains run unchanged.
 */
function recorder(): { y: Argv; rec: Recorded } {
  const rec: Recorded = { positionals: [], options: [], examples: [] };
  const raw = new Map<string, RawOption>();
  const keyOf = (n: string) => [...raw.entries()].find(([k, o]) => k === n || [o.alias ?? []].flat().includes(n))?.[0] ?? n;
  const merge = (n: string, o: RawOption) => {
    const k = keyOf(n);
    raw.set(k, { ...raw.get(k), ...o });
  };
  /** `f(key, v)`, `f([keys], v)` or `f({key: v})` → one merge per key. */
  const each = (make: (v: unknown) => RawOption) => (k: string | readonly string[] | Record<string, unknown>, v?: unknown) => {
    if (typeof k === "string" || Array.isArray(k)) for (const n of [k].flat() as string[]) merge(n, make(v));
    else for (const [n, x] of Object.entries(k)) merge(n, make(x));
  };
  const typed = (type: string) => (k: string | readonly string[]) => each(() => ({ type }))(k);
  const calls: Record<string, (...a: never[]) => void> = {
    positional: (n: string, o: RawOption) => void rec.positionals.push(toSpec(n, o)),
    option: (n: string | Record<string, RawOption>, o?: RawOption) => each((x) => x as RawOption)(n, o),
    boolean: typed("boolean"),
    string: typed("string"),
    number: typed("number"),
    count: typed("number"),
    describe: each((x) => ({ describe: String(x) })),
    default: each((x) => ({ default: x })),
    choices: each((x) => ({ choices: [x].flat() })),
    hide: each(() => ({ hidden: true })),
    demandOption: each(() => ({ demandOption: true })),
    example: (cmd: string | [string, string][], d?: string) => {
      if (Array.isArray(cmd)) rec.examples.push(...cmd.map(([c, x]) => [c, x ?? ""] as [string, string]));
      else rec.examples.push([cmd, d ?? ""]);
    },
    usage: (u: string) => void (rec.usage = u),
    help: (n?: string | false, d?: string) => {
      if (n !== false) merge(typeof n === "string" ? n : "help", { type: "boolean", describe: d ?? "Show help" });
    },
    version: (...a: unknown[]) => {
      if (a[0] !== false) merge("version", { type: "boolean", describe: "Show version number" });
    },
    alias: (a: string | Record<string, string | string[]>, b?: string | string[]) => {
      const pairs: [string, string[]][] = typeof a === "string" ? [[a, [b ?? []].flat()]] : Object.entries(a).map(([k, v]) => [k, [v].flat()]);
      for (const [k, vs] of pairs) {
        // yargs' alias(x, y) links both ways: the names join the option declared under one of them
        const names = [k, ...vs];
        const key = names.map(keyOf).find((x) => raw.has(x)) ?? k;
        const o = raw.get(key) ?? {};
        const aliases = new Set([...[o.alias ?? []].flat(), ...names.filter((n) => n !== key)]);
        raw.set(key, { ...o, alias: [...aliases] });
      }
    },
  };
  calls.options = calls.option!;
  const y: Argv = new Proxy({} as Argv, {
    get:
      (_t, prop) =>
      (...args: unknown[]) => {
        (calls[String(prop)] as ((...a: unknown[]) => void) | undefined)?.(...args);
        rec.options = [...raw.entries()].map(([k, o]) => toSpec(k, o));
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
