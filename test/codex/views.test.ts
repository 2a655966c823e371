import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, sessionLines, writeSession } from "../cluster/harness.js";
import { rolloutPath, sessionMeta, turnLines, writeRollout, codexNode } from "./rollouts.js";

/**
 * Issue 11, scope 1 and 2, bad input included: one machine with Claude Code and Codex; `init`
 * adopts both stores, nested project roots go to the longest root, a rollout without a
 * session_meta first line is left alone and named by `doctor`, a rollout whose last line Codex is
 * still writing arrives whole and once, `status`/`projects`/`leave` cover every view, and `join --remote` on a
 * machine with no view makes both views.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const id = (n: number) => `019b0000-0000-7000-8000-${String(n).padStart(12, "0")}`;

describe("Claude Code and Codex views on one machine", () => {
  it("init, nested roots, bad rollouts, status, doctor, projects, join --remote, leave", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await codexNode("A", cleanups);
    const outer = "/home/al/work";
    const inner = "/home/al/work/api";
    writeSession(A.at(claudeDirKey(outer)), "s1", sessionLines(outer, "s1", "c", 2));
    writeRollout(A.sessions, rolloutPath(id(1)), [sessionMeta(id(1), `${outer}/docs`), ...turnLines(outer, "o", 2)]);
    writeRollout(A.sessions, rolloutPath(id(2)), [sessionMeta(id(2), inner), ...turnLines(inner, "i", 2)]);
    const noMeta = writeRollout(A.sessions, rolloutPath(id(3)), turnLines(outer, "x", 2));
    const hot = writeRollout(A.sessions, rolloutPath(id(4)), [sessionMeta(id(4), outer), ...turnLines(outer, "h", 2)]);
    const partial = JSON.stringify({ timestamp: "2026-01-02T10:59:00.000Z", type: "event_msg", payload: { type: "agent_message", message: "half" } });
    appendFileSync(hot, partial.slice(0, 30)); // Codex is writing this line
    const noMetaBefore = readFileSync(noMeta);

    // both roots in one run (ids from the base names: work, api)
    const r = await A.ctx(["init", "--remote", cluster.url, outer, inner], { cwd: A.home });
    expect(r.stdout).toMatch(/Claude Code: joined project\/work/);
    expect(r.stdout).toMatch(/Codex CLI: joined project\/work/);
    expect(r.stdout).toMatch(/Codex CLI: joined project\/api/);

    const files = async (b: string) => (await clusterGit(cluster.url, ["ls-tree", "-r", "--name-only", `project/${b}`])).stdout.trim().split("\n");
    const outerFiles = await files("work");
    expect(outerFiles).toContain(`codex/${rolloutPath(id(1))}`);
    expect(outerFiles).toContain(`codex/${rolloutPath(id(4))}`);
    expect(outerFiles).toContain("context/s1.jsonl");
    expect(outerFiles.some((f) => f.includes(id(2)))).toBe(false); // the longest root wins
    expect(await files("api")).toContain(`codex/${rolloutPath(id(2))}`);
    for (const b of ["work", "api"]) expect((await files(b)).some((f) => f.includes(id(3)))).toBe(false);
    expect(readFileSync(noMeta)).toEqual(noMetaBefore);

    const st = await A.ctx(["status"], { cwd: A.home });
    expect(st.stdout).toMatch(/Claude Code \(.*\.claude\/projects\)/);
    expect(st.stdout).toMatch(/Codex CLI \(.*\.codex\/sessions\)/);
    const doc = await A.ctx(["doctor"], { cwd: A.home, allowFail: true });
    expect(doc.stdout).toContain(rolloutPath(id(3)));
    expect(doc.stdout).toMatch(/rollouts without session_meta/);
    const pr = await A.ctx(["projects"], { cwd: A.home });
    expect(pr.stdout).toMatch(/work {2}\(joined; claude, codex\)/);
    expect(pr.stdout).toMatch(/api {2}\(joined; codex\)/);

    // a machine with no view at all: join --remote makes both views and checks the project out in each
    const B = await codexNode("B", cleanups, { os: "darwin", pathHome: "/Users/bob" });
    const rootB = "/Users/bob/work";
    const j = await B.ctx(["join", "--remote", cluster.url, "--id", "work", rootB], { cwd: B.home });
    expect(j.stdout).toMatch(/Claude Code: joined project\/work/);
    expect(j.stdout).toMatch(/Codex CLI: joined project\/work/);
    expect(readFileSync(path.join(B.sessions, rolloutPath(id(1))), "utf8")).toContain(`"cwd":"${rootB}/docs"`);
    expect(existsSync(B.at(claudeDirKey(rootB), "s1.jsonl"))).toBe(true);
    expect(existsSync(path.join(B.sessions, rolloutPath(id(2))))).toBe(false);

    // A finishes the hot line; B's sync of both views brings it
    appendFileSync(hot, partial.slice(30) + "\n");
    await A.ctx(["sync"], { cwd: A.home });
    const s = await B.ctx(["sync"], { cwd: B.home });
    expect(s.stdout).toMatch(/Codex CLI: .*pulled/);
    // the line Codex was writing during init arrives whole, once, and every line of B's copy parses
    const hotB = readFileSync(path.join(B.sessions, rolloutPath(id(4))), "utf8");
    expect(hotB.endsWith("\n")).toBe(true);
    const lines = hotB.trimEnd().split("\n");
    for (const l of lines) expect(() => JSON.parse(l), l.slice(0, 80)).not.toThrow();
    expect(lines.filter((l) => l.includes('"message":"half"'))).toHaveLength(1);
    expect(lines).toHaveLength(4);

    // leave: the inner project's rollout is no longer tracked on A, A leaves its roster, the file stays
    const lv = await A.ctx(["leave", "api"], { cwd: A.home });
    expect(lv.stdout).toMatch(/left project\/api/);
    expect((await A.git(["ls-files"], { cwd: A.sessions })).stdout).not.toContain(id(2));
    expect(existsSync(path.join(A.sessions, rolloutPath(id(2))))).toBe(true);
    const roster = JSON.parse((await clusterGit(cluster.url, ["show", "project/api:roster.json"])).stdout);
    expect(roster.participants).toEqual([]);
    writeFileSync(path.join(A.sessions, rolloutPath(id(2))), readFileSync(path.join(A.sessions, rolloutPath(id(2)))) + turnLines(inner, "late", 1)[0] + "\n");
    await A.ctx(["sync"], { cwd: A.home });
    expect((await clusterGit(cluster.url, ["show", `project/api:codex/${rolloutPath(id(2))}`])).stdout).not.toContain("late");
  });
});
