import { appendFileSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { node, sessionLines, writeSession } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, turnLines, writeRollout } from "../codex/rollouts.js";

/**
 * Issue 14, scope 1: `git ctx learn` through the built bin, with a scripted model command that
 * records what it receives: every agent's new turns are sent once, learnings land once with their
 * provenance, a secret never lands, a failing or silent command writes nothing.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CLAUDE_ID = "0f0501ed-ab2c-47db-b6f0-b25ba98ff82c";
const CODEX_ID = "019b0000-0000-7000-8000-000000000001";
const SECRET = `ghp_${"a1B2c3D4e5F6g7H8i9J0".repeat(2).slice(0, 36)}`;

const old = (f: string) => {
  const t = new Date(Date.now() - 3_600_000);
  utimesSync(f, t, t);
};

describe("git ctx learn", () => {
  it("sends every agent's new turns once, keeps new learnings once, never a secret; a rerun with nothing new calls nothing", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "work", "proj");
    mkdirSync(root, { recursive: true });
    await m.git(["init", "-q"], { cwd: root });
    const claudeFile = writeSession(path.join(m.projects, "-work-proj"), CLAUDE_ID, sessionLines(root, CLAUDE_ID, "c", 4));
    const said = (role: "user" | "assistant", text: string) =>
      JSON.stringify({
        timestamp: "2026-01-02T10:30:00.000Z",
        type: "response_item",
        payload: { type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] },
      });
    const codexFile = writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(CODEX_ID), [
      sessionMeta(CODEX_ID, root),
      ...turnLines(root, "x", 8),
      said("user", "x: how do the tests run here?"),
      said("assistant", `x: with vitest, after npm run build in ${root}`),
    ]);
    old(claudeFile);
    old(codexFile);
    // the model: records each prompt, prints bullets (one a duplicate, one with a secret)
    const log = path.join(m.home, "prompts.log");
    const model = path.join(m.home, "model.mjs");
    writeFileSync(
      model,
      `import { appendFileSync, readFileSync } from "node:fs";
const input = readFileSync(0, "utf8");
appendFileSync(${JSON.stringify(log)}, input + "\\n=====\\n");
console.log("Learnings:\\n- Tests run with vitest; build first.\\n- tests run with Vitest, build first\\n- The token is ${SECRET}\\n- Config lives in config/app.toml.");
`,
    );
    const command = `node ${model}`;
    const r1 = await m.ctx(["learn", "--command", command, "--json"], { cwd: root, allowFail: true });
    expect(r1.code, r1.stderr).toBe(1); // a secret was held back
    const rep = JSON.parse(r1.stdout) as { added: string[]; heldBack: { rule: string; redacted: string }[]; sessions: number; calls: number };
    expect(rep.added).toEqual(["Tests run with vitest; build first.", "Config lives in config/app.toml."]);
    expect(rep.heldBack.map((h) => h.rule)).toEqual(["github-pat"]);
    expect(JSON.stringify(rep)).not.toContain(SECRET);
    expect(rep.sessions).toBe(2);
    const file = path.join(root, ".ctx", "learnings.md");
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(SECRET);
    expect(text.match(/^- /gm)).toHaveLength(2);
    expect(text).toMatch(/^- Tests run with vitest; build first\. _\(\d{4}-\d{2}-\d{2}, (claude|codex) session [0-9a-f]{8}\)_$/m);
    // the prompt held both agents' user and assistant text, never tool output
    const sent = readFileSync(log, "utf8");
    expect(sent).toContain(`## claude session ${CLAUDE_ID}`);
    expect(sent).toContain(`## codex session ${CODEX_ID}`);
    expect(sent).toContain(`c: please look at ${root}/src/file0.ts`);
    expect(sent).toContain("User: x: how do the tests run here?");
    expect(sent).toContain(`Assistant: x: with vitest, after npm run build in ${root}`);
    expect(sent).not.toContain("<environment_context>");
    expect(sent).not.toContain("toolu_c1");

    // nothing new: no call, nothing written
    const calls = sent.split("=====").length;
    const r2 = await m.ctx(["learn", "--command", command], { cwd: root });
    expect(r2.stdout).toMatch(/nothing new to read/);
    expect(readFileSync(log, "utf8").split("=====").length).toBe(calls);
    expect(readFileSync(file, "utf8")).toBe(text);

    // a new turn: only it is sent; a learning already known is not written again
    appendFileSync(claudeFile, `${sessionLines(root, CLAUDE_ID, "late", 1, Date.UTC(2026, 0, 3))[0]}\n`);
    old(claudeFile);
    await m.ctx(["learn", "--command", command], { cwd: root, allowFail: true });
    const third = readFileSync(log, "utf8").split("=====\n").filter(Boolean).pop()!;
    expect(third).toContain("late: please look at");
    expect(third).not.toContain("c: please look at");
    expect(third).not.toContain("## codex session");
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("a command that fails or prints nothing writes nothing and moves no cursor; --dry-run calls nothing; a running session is skipped", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "p");
    mkdirSync(root, { recursive: true });
    await m.git(["init", "-q"], { cwd: root });
    const f = writeSession(path.join(m.projects, "-p"), CLAUDE_ID, sessionLines(root, CLAUDE_ID, "c", 2));
    old(f);
    const fail = await m.ctx(["learn", "--command", "echo broken >&2; exit 3"], { cwd: root, allowFail: true });
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/'echo broken >&2; exit 3' exited 3: broken; nothing was written/);
    const silent = await m.ctx(["learn", "--command", "cat >/dev/null"], { cwd: root, allowFail: true });
    expect(silent.stderr).toMatch(/printed nothing; nothing was written/);
    expect(existsSync(path.join(root, ".ctx"))).toBe(false);
    const dry = await m.ctx(["learn", "--dry-run", "--command", "exit 9"], { cwd: root });
    expect(dry.stdout).toMatch(/would send 1 new turn\(s\) of 1 session\(s\) in 1 call\(s\)/);
    expect(existsSync(path.join(root, ".ctx"))).toBe(false);
    // written to a moment ago: still running, skipped
    utimesSync(f, new Date(), new Date());
    const live = JSON.parse((await m.ctx(["learn", "--json", "--command", "exit 9"], { cwd: root })).stdout) as { running: number; calls: number };
    expect(live).toMatchObject({ running: 1, calls: 0 });
    // a damaged cursors file is a clear error and is left as it is
    mkdirSync(path.join(root, ".ctx"));
    writeFileSync(path.join(root, ".ctx", "learn-cursors.json"), "{oops");
    old(f);
    const bad = await m.ctx(["learn", "--command", "exit 9"], { cwd: root, allowFail: true });
    expect(bad.stderr).toMatch(/learn-cursors\.json: is not JSON .*remove it to read every session again/);
    expect(readFileSync(path.join(root, ".ctx", "learn-cursors.json"), "utf8")).toBe("{oops");
  });

  it("two machines that learned at once merge .ctx/ by entry on a plain git pull (the merge driver .ctx/.gitattributes names)", async () => {
    const m = await node("A");
    cleanups.push(m.cleanup);
    await m.ctx(["install", "--no-hooks"], { cwd: m.home });
    const origin = path.join(m.home, "origin.git");
    await m.git(["init", "-q", "--bare", "--initial-branch=main", origin], { cwd: m.home });
    const clone = async (name: string) => {
      const dir = path.join(m.home, name);
      await m.git(["clone", "-q", origin, dir], { cwd: m.home });
      return dir;
    };
    const a = await clone("a");
    writeFileSync(path.join(a, "README.md"), "x\n");
    await m.git(["add", "README.md"], { cwd: a });
    await m.git(["commit", "-qm", "init"], { cwd: a });
    await m.git(["push", "-q", "origin", "main"], { cwd: a });
    const b = await clone("b");
    const learnIn = async (dir: string, id: string, bullets: string[]) => {
      const f = writeSession(path.join(m.projects, dir.replace(/[^A-Za-z0-9]/g, "-")), id, sessionLines(dir, id, "t", 2));
      old(f);
      const model = path.join(m.home, `model-${id}.sh`);
      writeFileSync(model, `#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' ${bullets.map((x) => `'- ${x}'`).join(" ")}\n`);
      await m.ctx(["learn", "--command", `sh ${model}`], { cwd: dir });
      await m.git(["add", ".ctx"], { cwd: dir });
      await m.git(["commit", "-qm", "learn"], { cwd: dir });
    };
    await learnIn(a, "aaaaaaaa-0000-4000-8000-000000000001", ["A fact about builds."]);
    await m.git(["push", "-q", "origin", "main"], { cwd: a });
    await learnIn(b, "bbbbbbbb-0000-4000-8000-000000000002", ["B fact about tests.", "a FACT about builds"]);
    const pull = await m.git(["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], { cwd: b, allowFail: true });
    expect(pull.code, pull.stderr).toBe(0);
    const text = readFileSync(path.join(b, ".ctx", "learnings.md"), "utf8");
    expect(text).not.toMatch(/^(<<<<<<<|>>>>>>>)/m);
    expect(text.match(/fact about builds/gi)).toHaveLength(1);
    expect(text).toContain("B fact about tests.");
    expect(Object.keys(JSON.parse(readFileSync(path.join(b, ".ctx", "learn-cursors.json"), "utf8")))).toEqual([
      "claude:aaaaaaaa-0000-4000-8000-000000000001",
      "claude:bbbbbbbb-0000-4000-8000-000000000002",
    ]);
    expect(readFileSync(path.join(b, ".ctx", ".gitattributes"), "utf8")).toBe("learnings.md merge=ctx\nlearn-cursors.json merge=ctx\nlearnings-seen merge=union\n");
    // both machines' seen keys are kept by git's union merge: one a learning of the merged file
    const seen = readFileSync(path.join(b, ".ctx", "learnings-seen"), "utf8")
      .split("\n")
      .filter((l) => /^[0-9a-f]{16}$/.test(l));
    expect(new Set(seen).size).toBe(2);
  });
});
