import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mergeGeminiJsonl, mergeJsonl } from "../../src/merge/index.js";
import { ensureGemini, geminiRun, offlineSettings, startGeminiRecorder, type Gemini } from "./gemini.js";

/**
 * Issue 12, scope 3, judged by the real Gemini CLI 0.61.0 rather than by our copy of its reader:
 * one machine rewound a chat while another appended to it; the merged file, resumed by the real
 * client, sends both sides' messages — and the plain time-ordered line union, resumed the same
 * way, loses the other side's message (so the rule is needed, and this test would see it break).
 */

let gm: Gemini = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  gm = await ensureGemini();
}, 20 * 60_000);
afterAll(() => {
  if (!gm.ok) console.warn(`real gemini merge test skipped: ${gm.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("a merged Gemini chat, as the real Gemini CLI resumes it", () => {
  it("a rewind on one machine never removes the other machine's new message", async (t) => {
    if (!gm.ok) t.skip(gm.why);
    if (!gm.ok) return;
    const entry = gm.entry;
    const tmp = await dir({ unsafeCleanup: true, prefix: "gitctx-gemini-merge-" });
    cleanups.push(tmp.cleanup);
    const home = path.join(tmp.path, "home");
    const root = path.join(tmp.path, "proj");
    mkdirSync(root, { recursive: true });
    offlineSettings(home);
    const gem = path.join(home, ".gemini");
    writeFileSync(path.join(gem, "projects.json"), JSON.stringify({ projects: { [root]: "proj" } }));
    for (const b of ["tmp", "history"]) {
      mkdirSync(path.join(gem, b, "proj", "chats"), { recursive: true });
      writeFileSync(path.join(gem, b, "proj", ".project_root"), root);
    }
    const rec = await startGeminiRecorder();
    cleanups.push(() => rec.close());
    const m = (id: string, s: number, type: "user" | "gemini", text: string) =>
      JSON.stringify({ id, timestamp: `2026-01-02T10:00:0${s}.000Z`, type, content: type === "user" ? [{ text }] : text });
    const sendFor = async (bytes: Buffer): Promise<string> => {
      const id = randomUUID();
      const head = JSON.stringify({
        sessionId: id,
        projectHash: createHash("sha256").update(root).digest("hex"),
        startTime: "2026-01-02T10:00:00.000Z",
        lastUpdated: "2026-01-02T10:00:09.000Z",
        kind: "main",
      });
      writeFileSync(path.join(gem, "tmp", "proj", "chats", `session-2026-01-02T10-00-${id.slice(0, 8)}.jsonl`), Buffer.concat([Buffer.from(`${head}\n`), bytes]));
      rec.streams.length = 0;
      const r = await geminiRun({ entry, home, cwd: root, baseUrl: rec.baseUrl, args: ["--resume", id, "-p", "continue"] });
      expect(r.code, r.stderr.slice(-1200)).toBe(0);
      return JSON.stringify(rec.streams[rec.streams.length - 1]!.body?.contents ?? []);
    };
    const lines = (ls: string[]) => Buffer.from(ls.map((l) => `${l}\n`).join(""));
    const base = [m("a", 1, "user", "base-question"), m("b", 2, "gemini", "base-answer")];
    // A asked and answered more, then rewound to d (dropping d and e) and asked again; B asked something else in between
    const ours = lines([
      ...base,
      m("d", 3, "user", "a-dropped-question"),
      m("e", 5, "gemini", "a-dropped-answer"),
      JSON.stringify({ $rewindTo: "d" }),
      m("f", 6, "user", "a-new-question"),
    ]);
    const theirs = lines([...base, m("c", 4, "user", "b-question")]);
    const union = await sendFor(mergeJsonl(lines(base), ours, theirs).merged);
    expect(union).not.toContain("b-question"); // the plain union hands B's message to A's rewind
    const merged = await sendFor(mergeGeminiJsonl(lines(base), ours, theirs).merged);
    for (const x of ["base-question", "base-answer", "a-new-question", "b-question"]) expect(merged, x).toContain(x);
    expect(merged).not.toContain("a-dropped-question"); // A's rewind still holds for A's own messages
  }, 300_000);
});
