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
