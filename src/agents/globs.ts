import micromatch from "micromatch";

/**
 * Path patterns of the agents' synced-entry lists (`Agent.syncedPath`) as globs, matched with
 * micromatch (picomatch's syntax: `*` one path component or part of one, `**` any number of
 * components, `{a,b}` alternatives, `?` one character).
 */

/**
 * The options every list is compiled with: `dot` (a name starting with `.` is a name like any
 * other, as the lists' regular expressions had it), `windows: false` (a `\` in a cluster's name is
 * never read as a separator, on every OS; the gate refuses such names before), no `!` negation,
 * no extglobs (a list is plain globs).
 */
const OPTIONS = { dot: true, windows: false, nonegate: true, noextglob: true } as const;

/**
 * A test of a `/`-separated relative path: true when any of `globs` matches the whole path. The
 * globs are compiled once, on the first call (the filter's start-up loads the agents and may
 * never ask). Pure.
 */
export function globList(globs: readonly string[]): (rel: string) => boolean {
  let tests: ((rel: string) => boolean)[] | undefined;
  return (rel) => (tests ??= globs.map((g) => micromatch.matcher(g, OPTIONS))).some((t) => t(rel));
}
