import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { node, type Node } from "../cluster/harness.js";

/**
 * Hand-made Gemini CLI chats (shapes from FORMATS.md, "Gemini CLI", 0.61.0): a JSONL chat's first
 * line `{sessionId, projectHash, startTime, lastUpdated, kind}`, then one record per message
 * `{id, timestamp, type, content, toolCalls[]}` whose tool calls name files under the root.
 */

/** sha256 of the root, as Gemini CLI writes `projectHash`. */
export const hashOf = (root: string): string => createHash("sha256").update(root).digest("hex");

/** The chat's file name: `session-<YYYY-MM-DDTHH-MM>-<first 8 of the id>.jsonl`. */
export function chatName(id: string, ext: "jsonl" | "json" = "jsonl"): string {
  return `session-2026-01-02T10-00-${id.slice(0, 8)}.${ext}`;
}

/** The first line of a JSONL chat recorded in `root`. */
export function chatHead(id: string, root: string): string {
  return JSON.stringify({ sessionId: id, projectHash: hashOf(root), startTime: "2026-01-02T10:00:00.000Z", lastUpdated: "2026-01-02T10:00:00.000Z", kind: "main" });
}

/** `n` message records naming files under `root` (tag makes them unique), timestamps after `t0`. */
export function chatMessages(root: string, tag: string, n: number, t0 = Date.UTC(2026, 0, 2, 10), sep = "/"): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const timestamp = new Date(t0 + (i + 1) * 1000).toISOString();
    const file = [root, "src", `${tag}${i}.ts`].join(sep);
    if (i % 2 === 0) out.push(JSON.stringify({ id: `${tag}-m${i}`, timestamp, type: "user", content: [{ text: `${tag} ${i}: look at ${file}` }] }));
    else
      out.push(
        JSON.stringify({
          id: `${tag}-m${i}`,
          timestamp,
          type: "gemini",
          content: `${tag} ${i}: read it`,
          toolCalls: [
            {
              id: `read_file-${tag}${i}`,
              name: "read_file",
              args: { file_path: file },
              result: [{ functionResponse: { id: `read_file-${tag}${i}`, name: "read_file", response: { output: `contents of ${file}` } } }],
              status: "success",
              timestamp,
              resultDisplay: { filePath: file },
            },
          ],
          model: "gemini-2.5-pro",
        }),
      );
  }
  return out;
}

/** Writes lines (each ending in `\n`) to `file`, creating folders; returns `file`. */
export function writeLines(file: string, lines: readonly string[]): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
  return file;
}

/** Appends lines as Gemini does (one write per record). */
export function appendLines(file: string, lines: readonly string[]): void {
  for (const l of lines) appendFileSync(file, `${l}\n`);
}

/**
 * Registers `root` under `slug` as Gemini CLI itself does on its first start there:
 * `projects.json` and `.project_root` in `tmp/<slug>` and `history/<slug>` (normalized root:
 * lowercased for a Windows root).
 */
export function geminiProject(gemini: string, root: string, slug: string, windows = false): string {
  const norm = windows ? root.toLowerCase() : root;
  writeFileSync(path.join(gemini, "projects.json"), JSON.stringify({ projects: { [norm]: slug } }, null, 2));
  for (const b of ["tmp", "history"]) {
    mkdirSync(path.join(gemini, b, slug), { recursive: true });
    writeFileSync(path.join(gemini, b, slug, ".project_root"), norm);
  }
  return path.join(gemini, "tmp", slug);
}

/** A simulated machine (harness `node`, filter on) with Gemini CLI's `~/.gemini/tmp`. Cleanup goes into `cleanups`. */
export async function geminiNode(
  name: string,
  cleanups: (() => Promise<void>)[],
  o: { os?: "darwin" | "windows" | "linux"; pathHome?: string } = {},
): Promise<Node & { gemini: string; tmp: string }> {
  const n = await node(name, { ...o, filter: true });
  cleanups.push(n.cleanup);
  const gemini = path.join(n.home, ".gemini");
  mkdirSync(path.join(gemini, "tmp"), { recursive: true });
  return Object.assign(n, { gemini, tmp: path.join(gemini, "tmp") });
}
