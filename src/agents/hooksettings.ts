import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { applyEdits, modify, parse, printParseErrorCode, type FormattingOptions, type JSONPath, type ParseError } from "jsonc-parser";
import { isDeepStrictEqual } from "node:util";
import writeFileAtomic from "write-file-atomic";
import { CtxError } from "../errors.js";

/**
 * Hook settings in the shape Claude Code (FORMATS.md "Hooks") and Gemini CLI (its settings
 * schema, `HookDefinitionArray`, 0.61.0) share:
 * `{"hooks":{"<event>":[{"hooks":[{"type":"command","command":"...","timeout":60}]}]}}`.
 * Other tools' hooks live in the same arrays: we add one matcher group holding our one command,
 * recognise ours by its command text, and never touch anything else. Each agent's module says
 * where its file is and which event fires after a turn.
 */

/** Hook events git-ctx can be installed on. `Stop` fires after every assistant turn; `SessionEnd` on exit. */
export type HookEvent = "Stop" | "SessionEnd" | "AfterAgent";
export const HOOK_EVENTS: readonly HookEvent[] = ["Stop", "SessionEnd"];

/** The command our hook runs. */
export const HOOK_COMMAND = "git ctx sync --hook";
/** Seconds Claude Code lets the hook run (it returns in ~0.2 s; the sync itself is detached). */
export const HOOK_TIMEOUT_S = 60;

/** True when a hook command is ours (`git ctx sync --hook`, `git-ctx sync --hook`, or a path ending in `git-ctx`). */
export function isOurCommand(command: unknown): boolean {
  return typeof command === "string" && /(^|[\s/\\])git[ -]ctx(\.cmd|\.exe)?["']?\s+sync\s+--hook\b/.test(command.trim());
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The settings object has an unexpected shape where we need to edit (e.g. `hooks` is a string). */
export class HookSettingsShapeError extends CtxError {
  readonly code = "HookSettingsShape" as const;
  constructor(readonly data: { file: string; where: string }) {
    super(`${data.file}: '${data.where}' is not what the agent expects (an object / array); fix it by hand, then run 'git ctx hook install' again (file left untouched)`);
  }
}

/** `settings.json` is not valid JSON with comments (or not a JSON object): we refuse to rewrite it. */
export class HookSettingsJsonError extends CtxError {
  readonly code = "HookSettingsJson" as const;
  constructor(readonly data: { file: string; problem: string }) {
    super(`${data.file} is not valid JSON (${data.problem}); fix or remove it, then run 'git ctx hook install' again (file left untouched)`);
  }
}

/** Count of our entries per event in a settings object. */
export function countOurs(settings: Json, event: HookEvent): number {
  const groups = isObj(settings.hooks) ? settings.hooks[event] : undefined;
  if (!Array.isArray(groups)) return 0;
  let n = 0;
  for (const g of groups) if (isObj(g) && Array.isArray(g.hooks)) for (const h of g.hooks) if (isObj(h) && isOurCommand(h.command)) n++;
  return n;
}

/**
 * Returns a copy of `settings` with our hook on `event`, exactly once (idempotent: an existing
 * entry of ours is kept as is). Keeps every other key, event and hook in place and order.
 * `timeout` is in the agent's unit: seconds for Claude Code (default), milliseconds for Gemini
 * CLI, whose `hooks` have the same shape (its settings schema, `HookDefinitionArray`, 0.61.0).
 * @throws HookSettingsShapeError when `hooks` or `hooks[event]` has a foreign shape.
 */
export function withHook(settings: Json, event: HookEvent, file: string, command = HOOK_COMMAND, timeout = HOOK_TIMEOUT_S): Json {
  const out = structuredClone(settings);
  if (out.hooks !== undefined && !isObj(out.hooks)) throw new HookSettingsShapeError({ file, where: "hooks" });
  const hooks = (out.hooks as Json | undefined) ?? {};
  out.hooks = hooks;
  if (hooks[event] !== undefined && !Array.isArray(hooks[event])) throw new HookSettingsShapeError({ file, where: `hooks.${event}` });
  const groups = (hooks[event] as unknown[] | undefined) ?? [];
  hooks[event] = groups;
  if (countOurs(out, event) > 0) return out;
  groups.push({ hooks: [{ type: "command", command, timeout }] });
  return out;
}

/**
 * Returns a copy of `settings` without our hook on `event`; a matcher group left empty by the
 * removal is dropped, and so is an event array left empty (other tools' entries stay as they were).
 */
export function withoutHook(settings: Json, event: HookEvent): Json {
  const out = structuredClone(settings);
  if (!isObj(out.hooks) || !Array.isArray(out.hooks[event])) return out;
  const hooks = out.hooks;
  const groups: unknown[] = [];
  for (const g of hooks[event] as unknown[]) {
    if (!isObj(g) || !Array.isArray(g.hooks) || !g.hooks.some((h) => isObj(h) && isOurCommand(h.command))) {
      groups.push(g);
      continue;
    }
    const rest = g.hooks.filter((h) => !(isObj(h) && isOurCommand(h.command)));
    if (rest.length) groups.push({ ...g, hooks: rest });
  }
  if (groups.length) hooks[event] = groups;
  else delete hooks[event];
  if (Object.keys(hooks).length === 0) delete out.hooks;
  return out;
}

/** Suffix of the backup copy kept next to settings.json before we rewrite it. */
export const BACKUP_SUFFIX = ".bak-git-ctx";

/**
 * The options settings files are read with: JSON with comments (`//`, `/* *\/`) and trailing
 * commas, as Gemini CLI reads its settings.json (it strips comments before parsing) and as
 * editors treat settings files (jsonc-parser, the parser of VS Code's settings).
 */
const JSONC = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true } as const;

/**
 * Reads a settings file: `{}` when it does not exist (or is empty). Comments and trailing commas
 * are accepted ({@link JSONC}); `text` is the file as it is, for {@link editSettings}.
 * @throws HookSettingsJsonError when it exists but is not a JSON object.
 */
export function readSettings(file: string): { settings: Json; existed: boolean; text: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { settings: {}, existed: false, text: "" };
    throw e;
  }
  if (text.trim() === "") return { settings: {}, existed: true, text };
  const errors: ParseError[] = [];
  const json: unknown = parse(text, errors, JSONC);
  if (errors.length) {
    const e = errors[0]!;
    throw new HookSettingsJsonError({ file, problem: `${printParseErrorCode(e.error)} at offset ${e.offset}` });
  }
  if (!isObj(json)) throw new HookSettingsJsonError({ file, problem: "the top level is not an object" });
  return { settings: json, existed: true, text };
}

/** Indentation of a settings file's text (its first indented line): tabs, or that many spaces; 2 spaces when there is none. */
function formattingOf(text: string): FormattingOptions {
  const m = /\n([ \t]+)\S/.exec(text);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  if (m?.[1]?.startsWith("\t")) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: m?.[1]?.length ?? 2, eol };
}

/**
 * Returns `text` (JSON with comments whose value is `before`) edited so that its value is
 * `after`, touching only what differs: an object's changed, added or removed key, an array's
 * appended items (inserted after the last), anything else replaced whole. Comments and
 * formatting elsewhere stay byte for byte (jsonc-parser's `modify` and `applyEdits`). Pure.
 */
export function editJsoncText(text: string, before: unknown, after: unknown): string {
  const fmt = formattingOf(text);
  let out = text;
  const set = (p: JSONPath, value: unknown, insert = false) => {
    out = applyEdits(out, modify(out, p, value, { formattingOptions: fmt, isArrayInsertion: insert }));
  };
  const walk = (p: JSONPath, a: unknown, b: unknown): void => {
    if (isDeepStrictEqual(a, b)) return;
    if (isObj(a) && isObj(b)) {
      for (const k of Object.keys(a)) if (!(k in b)) set([...p, k], undefined);
      for (const k of Object.keys(b)) walk([...p, k], a[k], b[k]);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && b.length >= a.length && a.every((x, i) => isDeepStrictEqual(x, b[i]))) {
      for (let i = a.length; i < b.length; i++) set([...p, i], b[i], true);
      return;
    }
    set(p, b);
  };
  walk([], before, after);
  return out;
}

/** What {@link editSettings} did. */
export type EditOutcome = "changed" | "unchanged";

/**
 * Applies `edit` to the settings file: reads it (JSON with comments; refusing invalid JSON, file
 * untouched), and only if the result differs, copies the old file to `<file>.bak-git-ctx` and
 * writes the edited text atomically (write-file-atomic): an existing file keeps its comments,
 * formatting and key order ({@link editJsoncText}), a new one is 2-space JSON with a trailing
 * newline. With `o.dryRun` it only says whether it would change the file (nothing is written).
 * @throws HookSettingsJsonError, HookSettingsShapeError (file untouched).
 */
export function editSettings(file: string, edit: (s: Json) => Json, o: { dryRun?: boolean } = {}): EditOutcome {
  const { settings, existed, text } = readSettings(file);
  const next = edit(settings);
  if (JSON.stringify(next) === JSON.stringify(settings)) return "unchanged";
  if (o.dryRun) return "changed";
  mkdirSync(path.dirname(file), { recursive: true });
  let body = JSON.stringify(next, null, 2) + "\n";
  if (text.trim() !== "") {
    const edited = editJsoncText(text, settings, next);
    // the edit is checked by reading it back; should it ever differ, the whole file is rewritten (the backup keeps the old one)
    if (isDeepStrictEqual(parse(edited, [], JSONC), next)) body = edited;
  }
  if (existed && text !== "") copyFileSync(file, file + BACKUP_SUFFIX);
  writeFileAtomic.sync(file, body);
  return "changed";
}
