/**
 * The remote-helper protocol of `git-remote-ctx` (`git help gitremote-helpers`), as a flat
 * dispatch of verbs (like git-remote-dropbox's `Helper.run()`): `capabilities`, `option`, `list`,
 * `list for-push`, `fetch` batches and `push` batches. It knows nothing of clusters: a
 * {@link HelperBackend} does the work; per-ref push results are values mapped onto
 * `ok <ref>` / `error <ref> <why>` lines. stdout carries only protocol.
 */

/** A ref as advertised by `list`: `<oid> <name>`, or a symref `@<target> <name>`. */
export type AdvertisedRef = { oid: string; name: string } | { symref: string; name: string };

/** One `push` line: `push [+]<src>:<dst>` (src empty = delete `dst`). */
export interface PushCommand {
  src: string;
  dst: string;
  force: boolean;
}

/** Result of one pushed ref (STYLE.md example 2). */
export type RefResult = { ref: string; ok: true } | { ref: string; ok: false; why: string };

/** Options git set with `option` (the ones this helper supports). */
export interface HelperOptions {
  progress: boolean;
  /** 0 = quiet, 1 = normal (default), 2+ = verbose. */
  verbosity: number;
  dryRun: boolean;
  cloning: boolean;
}

/** The work behind the protocol (src/helper/main.ts builds the real one over src/cluster). */
export interface HelperBackend {
  /** Refs to advertise; `forPush` is `list for-push` (must not need the network). */
  list(forPush: boolean, o: HelperOptions): Promise<AdvertisedRef[]>;
  /** Objects of `oids` must be in the local store when this resolves (they are, after `list`). */
  fetch(oids: string[], o: HelperOptions): Promise<void>;
  /** One result per command, in order. */
  push(cmds: PushCommand[], o: HelperOptions): Promise<RefResult[]>;
  /** Called on `option cloning true`: configure the new repository. */
  cloning(o: HelperOptions): Promise<void>;
}

/** The `capabilities` answer (GIT.md: fetch + push + option fits a helper that rewrites trees). */
export const CAPABILITIES = ["fetch", "push", "option"] as const;

/** Formats a ref result as its protocol line (without the newline). */
export function statusLine(r: RefResult): string {
  return r.ok ? `ok ${r.ref}` : `error ${r.ref} ${r.why}`;
}

/** Parses `[+]<src>:<dst>`. */
export function parsePushSpec(spec: string): PushCommand {
  const force = spec.startsWith("+");
  const s = force ? spec.slice(1) : spec;
  const colon = s.indexOf(":");
  return colon < 0 ? { src: s, dst: s, force } : { src: s.slice(0, colon), dst: s.slice(colon + 1), force };
}

/**
 * Runs the protocol: reads command lines from `lines` (without newlines) and writes answers with
 * `write`. Returns at end of input or after an empty line outside a batch (git's way to end).
 * An exception from the backend propagates (the caller prints it and exits non-zero, which git
 * reports as the helper failing).
 */
export async function runHelper(lines: AsyncIterable<string>, backend: HelperBackend, write: (s: string) => void, opts: Partial<HelperOptions> = {}): Promise<void> {
  const o: HelperOptions = { progress: false, verbosity: 1, dryRun: false, cloning: false, ...opts };
  const it = lines[Symbol.asyncIterator]();
  const next = async (): Promise<string | undefined> => {
    const r = await it.next();
    return r.done ? undefined : r.value;
  };
  for (;;) {
    const line = await next();
    if (line === undefined || line === "") return;
    const [verb, ...rest] = line.split(" ");
    const arg = rest.join(" ");
    switch (verb) {
      case "capabilities":
        write(CAPABILITIES.join("\n") + "\n\n");
        break;
      case "option":
        write(setOption(o, arg) + "\n");
        if (o.cloning && arg.startsWith("cloning ")) await backend.cloning(o);
        break;
      case "list": {
        const refs = await backend.list(arg === "for-push", o);
        write(refs.map((r) => ("oid" in r ? `${r.oid} ${r.name}` : `@${r.symref} ${r.name}`)).join("\n") + (refs.length ? "\n" : "") + "\n");
        break;
      }
      case "fetch": {
        const oids = new Set<string>([arg.split(" ")[0]!]);
        for (let l = await next(); l !== undefined && l !== ""; l = await next()) if (l.startsWith("fetch ")) oids.add(l.split(" ")[1]!);
        await backend.fetch([...oids], o);
        write("\n");
        break;
      }
      case "push": {
        const cmds = [parsePushSpec(arg)];
        for (let l = await next(); l !== undefined && l !== ""; l = await next()) if (l.startsWith("push ")) cmds.push(parsePushSpec(l.slice(5)));
        const results = await backend.push(cmds, o);
        write(results.map(statusLine).join("\n") + "\n\n");
        break;
      }
      default:
        throw new Error(`git-remote-ctx: unknown command '${line}' from git`);
    }
  }
}

/** Applies `option <name> <value>` and returns the answer (`ok` / `unsupported` / `error <why>`). */
function setOption(o: HelperOptions, arg: string): string {
  const sp = arg.indexOf(" ");
  const name = sp < 0 ? arg : arg.slice(0, sp);
  const value = sp < 0 ? "" : arg.slice(sp + 1);
  const bool = (v: string) => (v === "true" ? true : v === "false" ? false : undefined);
  switch (name) {
    case "progress":
    case "dry-run":
    case "cloning": {
      const b = bool(value);
      if (b === undefined) return `error '${value}' is not true or false`;
      if (name === "progress") o.progress = b;
      else if (name === "dry-run") o.dryRun = b;
      else o.cloning = b;
      return "ok";
    }
    case "verbosity": {
      const n = Number(value);
      if (!Number.isInteger(n)) return `error '${value}' is not a number`;
      o.verbosity = n;
      return "ok";
    }
    default:
      return "unsupported";
  }
}
