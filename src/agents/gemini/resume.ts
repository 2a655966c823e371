import { existsSync, readdirSync } from "node:fs";
import { geminiResumeCommand } from "./cli.js";
import * as path from "node:path";
import { backupPath, conversionId, ResumeExistsError, ResumeWriteError, writeNewSessionFile } from "../resume.js";
import { unpairedTools, type CanonicalSession } from "../session.js";
import type { WriteSessionOptions, WrittenSession } from "../types.js";
import { readGeminiChatSession, readGeminiSession } from "./read.js";
import { chooseGeminiSlug, claimGeminiSlug } from "./slug.js";
import { writeGeminiChat } from "./write.js";

/**
 * Writes `s` as a new Gemini chat of project `root` on this machine: in the root's slug folder
 * (found by Gemini's rules, ./slug.ts), checked before it is written (it parses as Gemini reads
 * it, has `sessionId`, `projectHash` and resumable content, every source call with its result),
 * written atomically; then the slug is claimed in `projects.json` and `.project_root` as Gemini
 * would (a claim that fails removes the file). Nothing is left on failure.
 * `os` is this machine's (Windows roots are keyed lowercased). The session id is the conversion's
 * (`conversionId`): an earlier conversion of `s` is refused, or with `o.force` replaced in place
 * (the old file kept as `.bak`).
 * @throws ResumeExistsError (converted before, no `force`), ResumeWriteError (no Gemini home, a check failed, the file could not be written or registered).
 */
export async function writeGeminiSession(s: CanonicalSession, root: string, home: string, os: "linux" | "darwin" | "windows", o: WriteSessionOptions): Promise<WrittenSession> {
  if (!existsSync(home))
    throw new ResumeWriteError({ agent: "Gemini CLI", path: path.join(home, "tmp"), why: `cannot be written: ${home} does not exist (start gemini once on this machine)` });
  let slug: string;
  try {
    slug = chooseGeminiSlug(home, root, os).key;
  } catch (e) {
    throw new ResumeWriteError({ agent: "Gemini CLI", path: path.join(home, "projects.json"), why: `cannot be written: ${(e as Error).message}` });
  }
  const id = conversionId(s, "gemini");
  const w = writeGeminiChat(s, root, { id });
  const chats = path.join(home, "tmp", slug, "chats");
  // an earlier conversion of `s`: a chat named for the id's first 8 digits that holds the id
  const earlier = existsSync(chats)
    ? readdirSync(chats).find((n) => n.startsWith("session-") && n.endsWith(`-${id.slice(0, 8)}.jsonl`) && readGeminiSession(path.join(chats, n))?.id === id)
    : undefined;
  const file = path.join(chats, earlier ?? w.name);
  const written: WrittenSession = { id: w.id, path: file, command: geminiResumeCommand(w.id, root), warnings: [...w.warnings] };
  if (earlier) {
    if (!o.force) throw new ResumeExistsError({ agent: "Gemini CLI", id, path: file, command: written.command });
    written.replaced = backupPath(file);
  }
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
  written.replaced = await writeNewSessionFile(
    "Gemini CLI",
    file,
    w.bytes,
    async () => {
      written.warnings.push(...(await claimGeminiSlug(home, root, slug, os)));
    },
    { replace: o.force },
  );
  return written;
}
