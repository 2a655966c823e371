import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bareCluster, node } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";
import { ensureClaudeCode, resume as claudeResume, type ClaudeCode } from "./claude.js";
import { startRecorder } from "./recorder.js";

/**
 * Issue 13, scope 5: a converted session is an ordinary session of the target agent: a Codex
 * session converted into Claude Code on A travels with the next `git ctx sync` and the real
 * Claude Code resumes it on B, in B's paths.
 */

let cc: ClaudeCode = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  cc = await ensureClaudeCode();
}, 20 * 60_000);
afterAll(() => {
  if (!cc.ok) console.warn(`real claude resume-sync test skipped: ${cc.why}`);
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CODEX_ID = "019b0000-0000-7000-8000-0000000000f1";

describe("a converted session syncs", () => {
  it("converted into Claude Code on A, resumed by the real Claude Code on B", async (t) => {
    if (!cc.ok) t.skip(cc.why);
    if (!cc.ok) return;
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await node("A", { filter: true });
    const B = await node("B", { filter: true });
    cleanups.push(A.cleanup, B.cleanup);
    const rootA = path.join(A.home, "work", "proj");
    const rootB = path.join(B.home, "code", "proj");
    mkdirSync(rootA, { recursive: true });
    mkdirSync(rootB, { recursive: true });
    const said = (role: "user" | "assistant", text: string, s: number) =>
      JSON.stringify({
        timestamp: `2026-01-02T10:00:0${s}.000Z`,
        type: "response_item",
        payload: { type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] },
      });
    writeRollout(path.join(A.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [
      sessionMeta(CODEX_ID, rootA),
      said("user", `moved-u1: open ${rootA}/src/a.ts`, 1),
      said("assistant", "moved-a1: opened it", 2),
    ]);
    await A.ctx(["init", "--remote", cluster.url, "--agents", "claude", "--id", "proj", rootA], { cwd: A.home });
    const r = JSON.parse((await A.ctx(["resume", CODEX_ID, "--in", "claude", "--json"], { cwd: rootA })).stdout) as { id: string };
    await A.ctx(["sync"], { cwd: A.home });
    await B.ctx(["join", "--remote", cluster.url, "--agents", "claude", "--id", "proj", rootB], { cwd: B.home });
    const rec = await startRecorder();
    cleanups.push(() => rec.close());
    const run = await claudeResume({ bin: cc.bin, home: B.home, cwd: rootB, sessionId: r.id, baseUrl: rec.url });
    expect(run.code, run.stderr.slice(-1000) + run.stdout.slice(-300)).toBe(0);
    const sent = JSON.stringify(rec.take().map((p) => p.body?.messages));
    expect(sent).toContain(`moved-u1: open ${rootB}/src/a.ts`);
    expect(sent).toContain("moved-a1: opened it");
    expect(sent).not.toContain(rootA);
  }, 300_000);
});
