import { existsSync } from "node:fs";
import { claudeResumeCommand } from "./cli.js";
import * as path from "node:path";
import { machineOsHome } from "../../roster/machine.js";
import { backupPath, conversionId, ResumeExistsError, ResumeWriteError, writeNewSessionFile } from "../resume.js";
import { unpairedTools, type CanonicalSession } from "../session.js";
import type { WriteSessionOptions, WrittenSession } from "../types.js";
import { claudeDirKey } from "./dirkey.js";
import { chooseProjectFolder } from "./folder.js";
import { readClaudeTranscript } from "./read.js";
import { writeClaudeTranscript } from "./write.js";

/** `~/.claude/projects` (or `$CLAUDE_CONFIG_DIR/projects`) of `env`. */
function projectsDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.CLAUDE_CONFIG_DIR || path.join(env.HOME || "", ".claude"), "projects");
}

/**
 * Writes `s` as a new Claude Code session of project `root` on this machine: the transcript of
 * ./write.ts in the root's project folder (the directory key, or on Windows an existing spelling
 * of it), written atomically, then read back: it must hold every tool call the source had, each
 * answered after it, and at least one message; otherwise the file is removed and the error says why.
 * The session id is the conversion's (`conversionId`): an earlier conversion of `s` is refused,
 * or with `o.force` moved aside to `.bak`.
 * @throws ResumeExistsError (converted before, no `force`), ResumeWriteError (no Claude Code store, a check failed, the file could not be written).
 */
export async function writeClaudeSession(s: CanonicalSession, root: string, env: NodeJS.ProcessEnv, o: WriteSessionOptions): Promise<WrittenSession> {
  const store = projectsDir(env);
  if (!existsSync(path.dirname(store)))
    throw new ResumeWriteError({ agent: "Claude Code", path: store, why: `cannot be written: ${path.dirname(store)} does not exist (start claude once on this machine)` });
  const { os } = machineOsHome(env);
  const key = existsSync(store) ? chooseProjectFolder(store, root, os).key : claudeDirKey(root);
  const w = writeClaudeTranscript(s, root, { sessionId: conversionId(s, "claude") });
  const file = path.join(store, key, `${w.sessionId}.jsonl`);
  const written: WrittenSession = { id: w.sessionId, path: file, command: claudeResumeCommand(w.sessionId, root), warnings: w.warnings };
  if (existsSync(file)) {
    if (!o.force) throw new ResumeExistsError({ agent: "Claude Code", id: w.sessionId, path: file, command: written.command });
    written.replaced = backupPath(file);
  }
  if (o.dryRun) return written;
  const back = readClaudeTranscript(w.bytes, file);
  const calls = s.messages.reduce((n, m) => n + m.toolCalls.length, 0);
  const wrote = back.messages.reduce((n, m) => n + m.toolCalls.length, 0);
  const unpaired = unpairedTools(back);
  const why = !back.messages.length
    ? "has no message"
    : wrote !== calls
      ? `holds ${wrote} of the source's ${calls} tool calls`
      : unpaired.calls.length || unpaired.results.length
        ? `leaves ${unpaired.calls.length} call(s) unanswered and ${unpaired.results.length} result(s) before their call`
        : undefined;
  if (why) throw new ResumeWriteError({ agent: "Claude Code", path: file, why: `failed its check: it ${why}` });
  written.replaced = await writeNewSessionFile("Claude Code", file, w.bytes, undefined, { replace: o.force });
  return written;
}
