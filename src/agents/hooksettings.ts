import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
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

/** `settings.json` is not valid JSON (or not a JSON object): we refuse to rewrite it. */
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
 * Reads a settings file: `{}` when it does not exist (or is empty).
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HookSettingsJsonError({ file, problem: (e as Error).message });
  }
  if (!isObj(json)) throw new HookSettingsJsonError({ file, problem: "the top level is not an object" });
  return { settings: json, existed: true, text };
}

/** What {@link editSettings} did. */
export type EditOutcome = "changed" | "unchanged";

/**
 * Applies `edit` to the settings file: reads it (refusing invalid JSON, file untouched), and
 * only if the result differs, copies the old file to `<file>.bak-git-ctx` and writes the new
 * JSON atomically (write-file-atomic, 2-space indent, trailing newline). With `o.dryRun` it
 * only says whether it would change the file (nothing is written).
 * @throws HookSettingsJsonError, HookSettingsShapeError (file untouched).
 */
export function editSettings(file: string, edit: (s: Json) => Json, o: { dryRun?: boolean } = {}): EditOutcome {
  const { settings, existed, text } = readSettings(file);
  const next = edit(settings);
  if (JSON.stringify(next) === JSON.stringify(settings)) return "unchanged";
  if (o.dryRun) return "changed";
  mkdirSync(path.dirname(file), { recursive: true });
  if (existed && text !== "") copyFileSync(file, file + BACKUP_SUFFIX);
  writeFileAtomic.sync(file, JSON.stringify(next, null, 2) + "\n");
  return "changed";
}
