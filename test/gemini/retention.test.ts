import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dir } from "tmp-promise";
import { checkRetention } from "../../src/agents/claude/doctor.js";
import { chatLastUpdated, checkGemini, parsePeriod, retentionOf } from "../../src/agents/gemini/doctor.js";
import { geminiChats } from "../../src/agents/index.js";
import type { ViewState } from "../../src/view/state.js";

/**
 * Issue 12, scope 4: a deletion by an agent's retention never propagates (sync never stages a
 * deletion), and `doctor` warns, per agent, how many synced sessions that retention will delete,
 * with the setting that keeps them.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
const NOW = Date.UTC(2026, 11, 3);
const DAY = 86_400_000;

async function tmp(): Promise<string> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-retention-" });
  cleanups.push(t.cleanup);
  return t.path;
}

const state = (key: string, root: string): ViewState => ({
  version: 1,
  cluster: "",
  machine: { id: "m", os: "linux", home: "/h" },
  projects: { p: { root, key, rewriteHome: true } },
});

describe("retention warnings", () => {
  it("Gemini: periods and settings as Gemini reads them (default on, 30d)", () => {
    expect(parsePeriod("30d")).toBe(30 * DAY);
    expect(parsePeriod("1w")).toBe(7 * DAY);
    expect(parsePeriod("24h")).toBe(DAY);
    expect(parsePeriod("soon")).toBeUndefined();
    expect(retentionOf(undefined)).toEqual({ enabled: true, maxAge: "30d", maxAgeMs: 30 * DAY });
    expect(retentionOf({ general: { sessionRetention: { enabled: false } } }).enabled).toBe(false);
    expect(retentionOf({ general: { sessionRetention: { maxAge: "7d" } } }).maxAgeMs).toBe(7 * DAY);
  });

  it("Gemini: counts synced chats whose lastUpdated is older than maxAge (JSON field, JSONL first line or last $set), names the setting", async () => {
    const t = await tmp();
    const home = path.join(t, ".gemini");
    const work = path.join(home, "tmp");
    const chats = path.join(work, "proj", "chats");
    mkdirSync(chats, { recursive: true });
    mkdirSync(path.join(home, "history", "proj"), { recursive: true });
    writeFileSync(path.join(home, "projects.json"), JSON.stringify({ projects: { "/r": "proj" } }));
    const old = new Date(NOW - 40 * DAY).toISOString();
    const recent = new Date(NOW - DAY).toISOString();
    writeFileSync(path.join(chats, "session-a.json"), JSON.stringify({ sessionId: "a", lastUpdated: old, messages: [] }));
    writeFileSync(
      path.join(chats, "session-b.jsonl"),
      `${JSON.stringify({ sessionId: "b", projectHash: "h", lastUpdated: old })}\n${JSON.stringify({ $set: { lastUpdated: recent } })}\n`,
    );
    writeFileSync(path.join(chats, "session-c.jsonl"), `${JSON.stringify({ sessionId: "c", projectHash: "h", lastUpdated: old })}\n`);
    expect(chatLastUpdated(path.join(chats, "session-b.jsonl"))).toBe(Date.parse(recent));
    const settingsFile = path.join(home, "settings.json");
    const ctx = { env: {}, workTree: work, gitDir: path.join(work, ".git"), state: state("proj", "/r") };
    const run = () => checkGemini(ctx, { home, settingsFile, hookInstalled: true, chats: geminiChats, now: NOW });
    const warned = (await run()).find((c) => c.name === "Gemini CLI retention")!;
    expect(warned.warning).toBe(true);
    expect(warned.detail).toMatch(/ 2 synced chat\(s\)/);
    expect(warned.fix).toContain('"sessionRetention": {"enabled": false}');
    expect(warned.fix).toContain(settingsFile);
    writeFileSync(settingsFile, JSON.stringify({ general: { sessionRetention: { enabled: false } } }));
    const quiet = (await run()).find((c) => c.name === "Gemini CLI retention")!;
    expect(quiet.warning).toBeUndefined();
    // the registry agrees with the view's folder: a passing check; another slug for the root: a failure naming join
    expect((await run()).find((c) => c.name.endsWith("Gemini CLI folder"))?.ok).toBe(true);
    writeFileSync(path.join(home, "projects.json"), JSON.stringify({ projects: { "/r": "other" } }));
    const f = (await run()).find((c) => c.name.endsWith("Gemini CLI folder"))!;
    expect(f.ok).toBe(false);
    expect(f.fix).toBe("git ctx join --id p /r");
  });

  it("Claude Code: counts synced transcripts idle longer than cleanupPeriodDays (default 30), names the setting", async () => {
    const t = await tmp();
    const work = path.join(t, ".claude", "projects");
    const folder = path.join(work, "-r");
    mkdirSync(folder, { recursive: true });
    for (const [n, age] of [
      ["a.jsonl", 40],
      ["b.jsonl", 2],
      ["c.jsonl", 31],
    ] as const) {
      writeFileSync(path.join(folder, n), "{}\n");
      const when = (NOW - age * DAY) / 1000;
      utimesSync(path.join(folder, n), when, when);
    }
    const ctx = { env: { HOME: t }, workTree: work, gitDir: path.join(work, ".git"), state: state("-r", "/r") };
    const [c] = await checkRetention(ctx, NOW);
    expect(c!.warning).toBe(true);
    expect(c!.detail).toMatch(/ 2 synced transcript\(s\)/);
    expect(c!.fix).toContain('"cleanupPeriodDays"');
    writeFileSync(path.join(t, ".claude", "settings.json"), JSON.stringify({ cleanupPeriodDays: 365 }));
    const [d] = await checkRetention(ctx, NOW);
    expect(d!.warning).toBeUndefined();
    expect(d!.detail).toContain("365");
  });
});
