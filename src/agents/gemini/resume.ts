import { existsSync } from "node:fs";
import * as path from "node:path";
import { ResumeWriteError, writeNewSessionFile } from "../resume.js";
import { unpairedTools, type CanonicalSession } from "../session.js";
import type { WrittenSession } from "../types.js";
import { readGeminiChatSession } from "./read.js";
import { chooseGeminiSlug, claimGeminiSlug } from "./slug.js";
import { writeGeminiChat } from "./write.js";

/**
 * Writes `s` as a new Gemini chat of project `root` on this machine: in the root's slug folder
 * (found by Gemini's rules, ./slug.ts), checked before it is written (it parses as Gemini reads
 * it, has `sessionId`, `projectHash` and resumable content, every source call with its result),
 * written atomically; then the slug is claimed in `projects.json` and `.project_root` as Gemini
 * would (a claim that fails removes the file). Nothing is left on failure.
 * `os` is this machine's (Windows roots are keyed lowercased).
 * @throws ResumeWriteError (no Gemini home, a check failed, the file could not be written or registered).
 */
export async function writeGeminiSession(s: CanonicalSession, root: string, home: string, os: "linux" | "darwin" | "windows", o: { dryRun?: boolean }): Promise<WrittenSession> {
  if (!existsSync(home))
    throw new ResumeWriteError({ agent: "Gemini CLI", path: path.join(home, "tmp"), why: `cannot be written: ${home} does not exist (start gemini once on this machine)` });
  let slug: string;
  try {
    slug = chooseGeminiSlug(home, root, os).key;
  } catch (e) {
    throw new ResumeWriteError({ agent: "Gemini CLI", path: path.join(home, "projects.json"), why: `cannot be written: ${(e as Error).message}` });
  }
  const w = writeGeminiChat(s, root);
  const file = path.join(home, "tmp", slug, "chats", w.name);
  const written: WrittenSession = { id: w.id, path: file, command: `cd ${JSON.stringify(root)} && gemini --resume ${w.id}`, warnings: [...w.warnings] };
  if (o.dryRun) return written;
  const back = readGeminiChatSession(w.bytes, file);
  const calls = s.messages.reduce((n, m) => n + m.toolCalls.length, 0);
  const why = !back
    ? "does not parse"
    : back.id !== w.id || !back.messages.some((m) => m.role === "user" || m.text.length || m.toolCalls.length)
      ? "has no session id or no resumable message"
      : back.messages.reduce((n, m) => n + m.toolCalls.length, 0) !== calls
        ? "does not hold every tool call of the source"
        : unpairedTools(back).calls.length
          ? "leaves a call without its result"
          : undefined;
  if (why) throw new ResumeWriteError({ agent: "Gemini CLI", path: file, why: `failed its check: it ${why}` });
  await writeNewSessionFile("Gemini CLI", file, w.bytes, async () => {
    written.warnings.push(...(await claimGeminiSlug(home, root, slug, os)));
  });
  return written;
}
