import { existsSync } from "node:fs";
import { codexResumeCommand } from "./cli.js";
import * as path from "node:path";
import { backupPath, conversionRandom, ResumeExistsError, ResumeWriteError, writeNewSessionFile } from "../resume.js";
import { unpairedTools, type CanonicalSession } from "../session.js";
import type { WriteSessionOptions, WrittenSession } from "../types.js";
import { readCodexRollout } from "./read.js";
import { listRollouts } from "./rollout.js";
import { rolloutRelPath, uuidv7, writeCodexRollout } from "./write.js";

/**
 * Writes `s` as a new Codex session of project `root` on this machine: the rollout of ./write.ts
 * under `$CODEX_HOME/sessions/<local date>/`, checked before it is written (every source call
 * there with its output after it, at least one message), written atomically, then registered in
 * `state_<N>.sqlite` `threads` when Codex has made one (./threads.ts; a row that cannot be added
 * is a warning: `codex resume <id>` still finds the file by its name). A failed write leaves
 * nothing. The id's random bits are the conversion's (`conversionRandom`): an earlier conversion
 * of `s` is refused, or with `o.force` replaced in place (same id and file; the old one kept as `.bak`).
 * @throws ResumeExistsError (converted before, no `force`), ResumeWriteError (no Codex home, a check failed, the file could not be written).
 */
export async function writeCodexSession(s: CanonicalSession, root: string, home: string, o: WriteSessionOptions): Promise<WrittenSession> {
  if (!existsSync(home))
    throw new ResumeWriteError({ agent: "Codex CLI", path: path.join(home, "sessions"), why: `cannot be written: ${home} does not exist (start codex once on this machine)` });
  // a UUIDv7 whose random bits are the conversion's: an earlier conversion of `s` is the rollout
  // whose id ends the same way (its time bits are those of the day it was made)
  const now = new Date();
  const random = conversionRandom(s, "codex");
  const tail = `${uuidv7(0, random).slice(14)}.jsonl`;
  const earlier = existsSync(path.join(home, "sessions")) ? listRollouts(path.join(home, "sessions")).find((r) => r.endsWith(tail)) : undefined;
  const id = earlier ? path.basename(earlier).slice(-36 - ".jsonl".length, -".jsonl".length) : uuidv7(now.getTime(), random);
  const w = writeCodexRollout(s, root, { now, id });
  const file = path.join(home, "sessions", earlier ?? rolloutRelPath(id, now));
  const written: WrittenSession = { id: w.id, path: file, command: codexResumeCommand(w.id, root), warnings: [...w.warnings] };
  if (earlier) {
    if (!o.force) throw new ResumeExistsError({ agent: "Codex CLI", id, path: file, command: written.command });
    written.replaced = backupPath(file);
  }
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
  written.replaced = await writeNewSessionFile("Codex CLI", file, w.bytes, undefined, { replace: o.force });
  const { registerRollouts } = await import("./threads.js");
  written.warnings.push(...registerRollouts(home, [file]).warnings);
  return written;
}
