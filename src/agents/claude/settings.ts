import * as os from "node:os";
import * as path from "node:path";

/** Claude Code's hook settings: the shared editor (../hooksettings.ts) and where Claude Code keeps the file. */
export * from "../hooksettings.js";

/** Claude Code's user settings file: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function defaultSettingsPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), ".claude");
  return path.join(dir, "settings.json");
}
