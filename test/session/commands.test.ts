import { mkdirSync, utimesSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { node, sessionLines, writeSession } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, turnLines, writeRollout } from "../codex/rollouts.js";
import { chatHead, chatMessages, chatName, geminiProject, writeLines } from "../gemini/chats.js";

/**
 * Issue 13, scope 2: `git ctx sessions`, `show` and `agents` over every agent's store on this
 * machine, through the built bin; an unknown id and an ambiguous prefix are clear errors.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CLAUDE_ID = "0f0501ed-ab2c-47db-b6f0-b25ba98ff82c";
const CODEX_ID = "019b0000-0000-7000-8000-000000000001";
const GEMINI_ID = "7d2c4b1e-0000-4000-8000-000000000002";
const OTHER_GEMINI = "7d2c4b1e-1111-4000-8000-000000000003";

describe("git ctx sessions, show, agents", () => {
  it("lists every agent's sessions newest first, filters by agent and project, shows one by a unique prefix", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "work", "proj");
    const other = path.join(m.home, "work", "other");
    const t = (min: number) => {
      const d = new Date(Date.UTC(2026, 0, 2, 10, min));
      return d;
    };
    const claudeFile = writeSession(path.join(m.projects, "-work-proj"), CLAUDE_ID, sessionLines(root, CLAUDE_ID, "c", 4));
    const codexFile = writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [sessionMeta(CODEX_ID, other), ...turnLines(other, "x", 4)]);
    mkdirSync(path.join(m.home, ".gemini"), { recursive: true });
    const folder = geminiProject(path.join(m.home, ".gemini"), root, "proj");
    const gemFile = writeLines(path.join(folder, "chats", chatName(GEMINI_ID)), [chatHead(GEMINI_ID, root), ...chatMessages(root, "g", 4)]);
    const gemOther = writeLines(path.join(folder, "chats", chatName(OTHER_GEMINI).replace("10-00", "11-00")), [chatHead(OTHER_GEMINI, root), ...chatMessages(root, "h", 2)]);
    for (const [f, min] of [
      [claudeFile, 1],
      [codexFile, 2],
      [gemFile, 3],
      [gemOther, 0],
    ] as const)
      utimesSync(f, t(min), t(min));

    const all = JSON.parse((await m.ctx(["sessions", "--json"], { cwd: m.home })).stdout).sessions as {
      id: string;
      agent: string;
      root?: string;
      messages: number;
      title?: string;
    }[];
    expect(all.map((s) => [s.agent, s.id])).toEqual([
      ["gemini", GEMINI_ID],
      ["codex", CODEX_ID],
      ["claude", CLAUDE_ID],
      ["gemini", OTHER_GEMINI],
    ]);
    expect(all[0]).toMatchObject({ root, title: `g 0: look at ${root}/src/g0.ts` });
    expect(all[2]!.messages).toBeGreaterThan(0);
    const onlyCodex = JSON.parse((await m.ctx(["sessions", "--json", "--agent", "codex"], { cwd: m.home })).stdout).sessions as { id: string }[];
    expect(onlyCodex.map((s) => s.id)).toEqual([CODEX_ID]);
    const inProject = JSON.parse((await m.ctx(["sessions", "--json", "--project", root, "--limit", "2"], { cwd: m.home })).stdout).sessions as { id: string }[];
    expect(inProject.map((s) => s.id)).toEqual([GEMINI_ID, CLAUDE_ID]);
    expect((await m.ctx(["sessions"], { cwd: m.home })).stdout).toMatch(new RegExp(`^gemini +${GEMINI_ID} `, "m"));

    // show: by a unique prefix of any agent's id (Gemini's file names hold only 8 characters of it)
    const shown = JSON.parse((await m.ctx(["show", "7d2c4b1e-00", "--json"], { cwd: m.home })).stdout) as {
      id: string;
      agent: string;
      messages: { role: string; toolCalls: unknown[] }[];
    };
    expect(shown).toMatchObject({ id: GEMINI_ID, agent: "gemini" });
    expect(shown.messages.some((x) => x.toolCalls.length > 0)).toBe(true);
    expect((await m.ctx(["show", "019b0000"], { cwd: m.home })).stdout).toContain(`session ${CODEX_ID} (codex)`);
    const ambiguous = await m.ctx(["show", "7d2c4b1e"], { cwd: m.home, allowFail: true });
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/names 2 sessions: .*give more of the id/);
    const unknown = await m.ctx(["show", "ffffffff"], { cwd: m.home, allowFail: true });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no session .* has the id 'ffffffff': list them with 'git ctx sessions'/);

    const agents = JSON.parse((await m.ctx(["agents", "--json"], { cwd: m.home })).stdout).agents as { id: string; sessions: number; installed: boolean }[];
    expect(agents.map((a) => [a.id, a.sessions, a.installed])).toEqual([
      ["claude", 1, true],
      ["codex", 1, true],
      ["gemini", 2, true],
    ]);
  });
});
