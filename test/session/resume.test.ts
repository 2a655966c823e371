import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { node } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";

/** Issue 13, bad input of `git ctx resume`: each a clear error, and nothing written. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const said = (role: "user" | "assistant", text: string) =>
  JSON.stringify({
    timestamp: "2026-01-02T10:00:01.000Z",
    type: "response_item",
    payload: { type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] },
  });

describe("git ctx resume: bad input", () => {
  it("unknown id, a session with no messages, a root missing here, an unknown target, a target folder that cannot be made, no Claude Code store, and --dry-run: nothing written", async () => {
    const m = await node("B");
    cleanups.push(m.cleanup);
    const sessions = path.join(m.home, ".codex", "sessions");
    const root = path.join(m.home, "proj");
    mkdirSync(root, { recursive: true });
    writeRollout(sessions, rolloutPath("019b0000-0000-7000-8000-0000000000e1"), [sessionMeta("019b0000-0000-7000-8000-0000000000e1", root)]);
    writeRollout(sessions, rolloutPath("019b0000-0000-7000-8000-0000000000e2"), [sessionMeta("019b0000-0000-7000-8000-0000000000e2", "/nowhere/here"), said("user", "hi")]);
    writeRollout(sessions, rolloutPath("019b0000-0000-7000-8000-0000000000e3"), [
      sessionMeta("019b0000-0000-7000-8000-0000000000e3", root),
      said("user", "hello"),
      said("assistant", "hi"),
    ]);
    const claudeDir = path.join(m.home, ".claude");
    const snapshot = () => (existsSync(claudeDir) ? readdirSync(claudeDir, { recursive: true }).map(String).sort() : []);
    const before = snapshot();
    const fail = async (args: string[], re: RegExp) => {
      const r = await m.ctx(["resume", ...args], { cwd: m.home, allowFail: true });
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(re);
    };
    await fail(["ffffffff", "--in", "claude"], /no session .* has the id 'ffffffff'/);
    await fail(["019b0000-0000-7000-8000-0000000000e1", "--in", "claude"], /has no message to carry over: nothing was written/);
    await fail(["019b0000-0000-7000-8000-0000000000e2", "--in", "claude"], /ran in \/nowhere\/here, which is not a directory on this machine/);
    await fail(["019b0000-0000-7000-8000-0000000000e3", "--in", "copilot"], /Invalid values:[\s\S]*Argument: in, Given: "copilot"/);
    // a target folder that cannot be made (a file stands where the project folder goes): an error, nothing left
    const blocker = path.join(m.projects, root.replace(/[^A-Za-z0-9]/g, "-"));
    writeFileSync(blocker, "not a folder");
    await fail(["019b0000-0000-7000-8000-0000000000e3", "--in", "claude"], /could not be written .*; nothing was left there/);
    expect(readFileSync(blocker, "utf8")).toBe("not a folder");
    rmSync(blocker);
    const dry = await m.ctx(["resume", "019b0000-0000-7000-8000-0000000000e3", "--in", "claude", "--dry-run"], { cwd: m.home });
    expect(dry.stdout).toMatch(/would write Codex CLI session .* as a new Claude Code session: .*\.jsonl \(dry run: nothing written\)/);
    expect(snapshot()).toEqual(before);
    // a machine without Claude Code's home: refused, nothing created
    const bare = await node("C");
    cleanups.push(bare.cleanup);
    rmSync(path.join(bare.home, ".claude"), { recursive: true, force: true });
    const root2 = path.join(bare.home, "proj");
    mkdirSync(root2, { recursive: true });
    writeRollout(path.join(bare.home, ".codex", "sessions"), rolloutPath("019b0000-0000-7000-8000-0000000000e4"), [
      sessionMeta("019b0000-0000-7000-8000-0000000000e4", root2),
      said("user", "x"),
    ]);
    const r = await bare.ctx(["resume", "019b0000-0000-7000-8000-0000000000e4", "--in", "claude"], { cwd: bare.home, allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\.claude does not exist \(start claude once on this machine\); nothing was left there/);
    expect(existsSync(path.join(bare.home, ".claude"))).toBe(false);
  });
});
