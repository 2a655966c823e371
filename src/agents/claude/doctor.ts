import { readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fail, pass, warn, type AgentCheck, type AgentCheckContext } from "../check.js";
import { HOOK_COMMAND, isOurCommand } from "./settings.js";

/** Claude Code's user settings: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), ".claude"), "settings.json");
}

/** A hook command that runs git-ctx's sync (`git ctx sync …` or `git-ctx sync …`, any path before it). */
export const SYNC_HOOK_RE = /\bgit[ -]ctx(\.cmd|\.exe)?["']?\s+sync\b/;

/**
 * The Claude Code Stop hook (FORMATS.md, "Hooks"): `settings.json` must be valid JSON and
 * `hooks.Stop[].hooks[]` must hold a `command` hook that runs `git ctx sync`.
 */
export async function checkHook(ctx: Pick<AgentCheckContext, "env">): Promise<AgentCheck[]> {
  const file = claudeSettingsFile(ctx.env);
  const name = "Stop hook";
  const fix = "git ctx hook install";
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [fail(name, `${file} does not exist, so nothing syncs after a turn`, fix)];
    return [fail(name, `${file}: ${(e as Error).message}`, `check the permissions of ${file}`)];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return [fail(name, `${file} is not valid JSON (${(e as Error).message}); Claude Code ignores it`, `repair the JSON in ${file}, then ${fix}`)];
  }
  const cmds = stopHookCommands(json);
  const ours = cmds.filter((c) => SYNC_HOOK_RE.test(c));
  if (!ours.length) return [fail(name, `no Stop hook in ${file} runs 'git ctx sync' (${cmds.length} other Stop hook(s))`, fix)];
  if (!ours.some(isOurCommand)) {
    return [
      warn(
        name,
        `${file}: '${ours[0]}' runs sync without --hook, so each turn waits for a whole sync`,
        `${fix}   (installs '${HOOK_COMMAND}', which returns at once and syncs in the background)`,
      ),
    ];
  }
  return [pass(name, `${file}: ${ours.find(isOurCommand)}`)];
}

/** Every `command` of `hooks.Stop[].hooks[]` in a parsed settings object (tolerates any shape). */
export function stopHookCommands(settings: unknown): string[] {
  const out: string[] = [];
  const stop = (settings as { hooks?: { Stop?: unknown } } | null)?.hooks?.Stop;
  if (!Array.isArray(stop)) return out;
  for (const m of stop) {
    const hooks = (m as { hooks?: unknown } | null)?.hooks;
    if (!Array.isArray(hooks)) continue;
    for (const h of hooks) {
      const c = (h as { command?: unknown } | null)?.command;
      if (typeof c === "string") out.push(c);
    }
  }
  return out;
}

/** Claude Code's default `cleanupPeriodDays`: transcripts idle longer are deleted at start-up. */
export const CLAUDE_CLEANUP_DAYS = 30;

/**
 * Transcripts Claude Code's retention will delete (issue 12, scope 4): `cleanupPeriodDays` of
 * `settings.json` (default {@link CLAUDE_CLEANUP_DAYS}) against each synced transcript's mtime
 * (Claude Code judges a session by when its file last changed). A deletion never propagates, but
 * this machine loses its copy: a warning with the setting that keeps them. `now` in ms.
 */
export async function checkRetention(ctx: AgentCheckContext, now = Date.now()): Promise<AgentCheck[]> {
  const file = claudeSettingsFile(ctx.env);
  let days = CLAUDE_CLEANUP_DAYS;
  try {
    const v = (JSON.parse(await readFile(file, "utf8")) as { cleanupPeriodDays?: unknown }).cleanupPeriodDays;
    if (typeof v === "number" && Number.isFinite(v)) days = v;
  } catch {
    /* absent or unreadable (the hook check names it): the default */
  }
  const cutoff = now - days * 86_400_000;
  let old = 0;
  for (const p of Object.values(ctx.state?.projects ?? {})) {
    let names: string[] = [];
    try {
      names = readdirSync(path.join(ctx.workTree, p.key));
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith(".jsonl") && statSync(path.join(ctx.workTree, p.key, n)).mtimeMs < cutoff) old++;
  }
  const name = "Claude Code retention";
  if (old === 0) return [pass(name, `no synced transcript is idle longer than cleanupPeriodDays (${days})`)];
  return [
    warn(
      name,
      `Claude Code deletes transcripts idle longer than ${days} days at its next start: ${old} synced transcript(s) of the joined projects are (the cluster keeps them, this machine would not)`,
      `keep them: set "cleanupPeriodDays": 36500 in ${file}`,
    ),
  ];
}
