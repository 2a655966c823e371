import { existsSync } from "node:fs";
import * as path from "node:path";
import { ResumeWriteError, writeNewSessionFile } from "../resume.js";
import { unpairedTools, type CanonicalSession } from "../session.js";
import type { WrittenSession } from "../types.js";
import { readCodexRollout } from "./read.js";
import { writeCodexRollout } from "./write.js";

/**
 * Writes `s` as a new Codex session of project `root` on this machine: the rollout of ./write.ts
 * under `$CODEX_HOME/sessions/<local date>/`, checked before it is written (every source call
 * there with its output after it, at least one message), written atomically, then registered in
 * `state_<N>.sqlite` `threads` when Codex has made one (./threads.ts; a row that cannot be added
 * is a warning: `codex resume <id>` still finds the file by its name). A failed write leaves
 * nothing.
 * @throws ResumeWriteError (no Codex home, a check failed, the file could not be written).
 */
export async function writeCodexSession(s: CanonicalSession, root: string, home: string, o: { dryRun?: boolean }): Promise<WrittenSession> {
  if (!existsSync(home))
    throw new ResumeWriteError({ agent: "Codex CLI", path: path.join(home, "sessions"), why: `cannot be written: ${home} does not exist (start codex once on this machine)` });
  const w = writeCodexRollout(s, root);
  const file = path.join(home, "sessions", w.rel);
  const written: WrittenSession = { id: w.id, path: file, command: `cd ${JSON.stringify(root)} && codex resume ${w.id}`, warnings: [...w.warnings] };
  if (o.dryRun) return written;
  const back = readCodexRollout(w.bytes, file);
  const calls = s.messages.reduce((n, m) => n + m.toolCalls.length, 0);
  const wrote = back.messages.reduce((n, m) => n + m.toolCalls.length, 0);
  const unpaired = unpairedTools(back);
  const why =
    back.id !== w.id || !back.messages.length
      ? "has no readable session_meta or no message"
      : wrote !== calls
        ? `holds ${wrote} of the source's ${calls} tool calls`
        : unpaired.calls.length || unpaired.results.length
          ? `leaves ${unpaired.calls.length} call(s) without output`
          : undefined;
  if (why) throw new ResumeWriteError({ agent: "Codex CLI", path: file, why: `failed its check: it ${why}` });
  await writeNewSessionFile("Codex CLI", file, w.bytes);
  const { registerRollouts } = await import("./threads.js");
  written.warnings.push(...registerRollouts(home, [file]).warnings);
  return written;
}
