import { spawnSync } from "node:child_process";
import * as util from "node:util";

/**
 * Colour and progress decisions of git-ctx's human output, git's conventions (git-config(1),
 * `color.ui`; https://no-color.org):
 * - `--color=always` colours even into a pipe, `--color=never` / `--no-color` never;
 * - otherwise (`auto`, the default) a stream is coloured only when it is a terminal, `NO_COLOR`
 *   is unset or empty, and git's `color.ui` is not `false`/`never` (read only on a terminal);
 * - the colours are git's: errors and refusals red, warnings yellow, what went well green.
 * Colour is painted with `node:util` `styleText` (Node ≥ 20.12; without it, never any colour).
 * The CLI entry sets the mode once per process ({@link setOutputMode}); commands only paint.
 */

/** `--color[=<when>]`: git's `<when>` values (`true`/`false` are git's synonyms). */
export type ColorMode = "auto" | "always" | "never";

/** The colours git-ctx uses: `error` (red), `warn` (yellow), `ok` (green). */
export type Tone = "error" | "warn" | "ok";

const TONES: Record<Tone, "red" | "yellow" | "green"> = { error: "red", warn: "yellow", ok: "green" };

let mode: ColorMode = "auto";
let gitColorUi: string | undefined | null = null; // null: not read yet

/**
 * Reads a `--color` value as git does (`always`/`true`, `never`/`false`, `auto`; a bare
 * `--color` is `always`; `--no-color` is `never`).
 * @throws Error naming the valid values for anything else (a usage error).
 */
export function parseColorMode(v: string | boolean | undefined): ColorMode {
  if (v === undefined) return "auto";
  if (v === true || v === "" || v === "always" || v === "true") return "always";
  if (v === false || v === "never" || v === "false") return "never";
  if (v === "auto") return "auto";
  throw new Error(`invalid --color value '${String(v)}' (always, never or auto)`);
}

/** Sets the process's colour mode (the CLI entry, from `--color`/`--no-color`). */
export function setOutputMode(m: ColorMode): void {
  mode = m;
}

/** git's `color.ui` (lower case), or undefined; read at most once per process. */
function colorUi(): string | undefined {
  if (gitColorUi === null) {
    const r = spawnSync("git", ["config", "--get", "color.ui"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    gitColorUi = r.status === 0 ? r.stdout.trim().toLowerCase() : undefined;
  }
  return gitColorUi;
}

/**
 * Whether text written to `stream` is coloured, by the rules above.
 * @param env the environment (`NO_COLOR`); default `process.env`.
 */
export function useColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (typeof util.styleText !== "function") return false;
  if (mode === "always") return true;
  if (mode === "never") return false;
  if (env.NO_COLOR) return false;
  if (!(stream as { isTTY?: boolean }).isTTY) return false;
  const ui = colorUi();
  return ui !== "false" && ui !== "never";
}

/**
 * `text` in the colour of `tone` when {@link useColor} says so for `stream`, else unchanged.
 * Only the text is painted: callers put it in the line they write to `stream`.
 */
export function paint(stream: NodeJS.WritableStream, tone: Tone, text: string): string {
  if (!text || !useColor(stream)) return text;
  // styleText checks for a terminal itself from Node 22.13 on: the decision above is ours
  return (util.styleText as (f: string, t: string, o?: { validateStream?: boolean }) => string)(TONES[tone], text, { validateStream: false });
}

/**
 * Whether a progress display goes to `stream` (git's convention: on a terminal, or when asked
 * with `--progress`; never with `--quiet` or `--no-progress`).
 * @param asked `--progress` (true), `--no-progress` (false) or neither (undefined).
 */
export function showProgress(stream: NodeJS.WritableStream, o: { progress?: boolean; quiet?: boolean }): boolean {
  if (o.quiet || o.progress === false) return false;
  return o.progress === true || (stream as { isTTY?: boolean }).isTTY === true;
}
