import { existsSync, readFileSync, utimesSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadBetterSqlite3 } from "../../src/agents/codex/sqlite.js";

/** better-sqlite3 makes and reads the test's state database (the code under test may use node:sqlite). */
const Better = loadBetterSqlite3() as typeof import("better-sqlite3") | undefined;
import { bareCluster, clusterGit } from "../cluster/harness.js";
import { appendRollout, rolloutPath, sessionMeta, turnLines, writeRollout, codexNode } from "./rollouts.js";

/**
 * Issue 11: Codex rollouts travel through the same cluster, on the project's branch under
 * `codex/`, with real git and the built bins. A is Linux (`/home/al/proj`), B is macOS
 * (`/Users/bob/proj`).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const ID = "019b0000-0000-7000-8000-000000000001";
const OTHER = "019b0000-0000-7000-8000-000000000002";

describe("Codex rollouts over a cluster", () => {
  it("init on A, join on B (no view yet), appends both ways: each machine's spelling, unjoined rollouts never leave A", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await codexNode("A", cleanups);
    const B = await codexNode("B", cleanups, { os: "darwin", pathHome: "/Users/bob" });
    const rootA = "/home/al/proj";
    const rootB = "/Users/bob/proj";
    const fileA = writeRollout(A.sessions, rolloutPath(ID), [sessionMeta(ID, rootA), ...turnLines(rootA, "a", 4)]);
    const secretCwd = "/home/al/private-stuff";
    const otherA = writeRollout(A.sessions, rolloutPath(OTHER), [sessionMeta(OTHER, secretCwd), ...turnLines(secretCwd, "x", 2)]);
    const otherBefore = readFileSync(otherA);

    const init = await A.ctx(["init", "--remote", cluster.url, "--id", "proj", "--agents", "codex", rootA], { cwd: A.home });
    expect(init.stdout).toMatch(/joined project\/proj/);
    // the branch has codex/<date path>, canonical, and the format file; never the unjoined rollout
    const tree = (await clusterGit(cluster.url, ["ls-tree", "-r", "--name-only", "project/proj"])).stdout.split("\n");
    expect(tree).toContain(`codex/${rolloutPath(ID)}`);
    expect(tree).toContain("format.json");
    expect(tree.some((p) => p.includes(OTHER))).toBe(false);
    const all = (await clusterGit(cluster.url, ["log", "--all", "-p", "--format=%B"])).stdout;
    expect(all).not.toContain("private-stuff");
    // the roster names each machine's root; the rollouts name none
    expect((await clusterGit(cluster.url, ["log", "--all", "-p", "--format=%B", "--", "codex"])).stdout).not.toContain("/home/al");
    const canonical = (await clusterGit(cluster.url, ["show", `project/proj:codex/${rolloutPath(ID)}`])).stdout;
    expect(canonical).toContain("{{CC_PROJECT_ROOT}}");
    expect(readFileSync(otherA)).toEqual(otherBefore);

    // B has no view: join --remote makes it in ~/.codex/sessions and checks the rollout out
    const join = await B.ctx(["join", "--remote", cluster.url, "--id", "proj", "--agents", "codex", rootB], { cwd: B.home });
    expect(join.stdout).toMatch(/joined project\/proj/);
    const fileB = path.join(B.sessions, rolloutPath(ID));
    const textB = readFileSync(fileB, "utf8");
    expect(textB).not.toContain("/home/al");
    expect(textB).toContain(`"cwd":"${rootB}"`);
    expect(textB).toContain(`${rootB}/src/a2.ts`);
    expect(textB.split("\n").length).toBe(readFileSync(fileA, "utf8").split("\n").length);
    expect((await B.git(["status", "--porcelain"], { cwd: B.sessions })).stdout).toBe("");

    // B's turn goes back to A in A's spelling; A's bytes stay a prefix
    const beforeA = readFileSync(fileA);
    appendRollout(fileB, turnLines(rootB, "b", 4, Date.UTC(2026, 0, 2, 11)));
    await B.ctx(["sync"], { cwd: B.home });
    await A.ctx(["sync"], { cwd: A.home });
    const afterA = readFileSync(fileA);
    expect(afterA.subarray(0, beforeA.length)).toEqual(beforeA);
    const added = afterA.subarray(beforeA.length).toString("utf8");
    expect(added).toContain(`${rootA}/src/b2.ts`);
    expect(added).not.toContain("/Users/bob");
    expect((await A.git(["status", "--porcelain"], { cwd: A.sessions })).stdout).toBe("");
    expect(readFileSync(otherA)).toEqual(otherBefore);
    expect(existsSync(path.join(B.sessions, rolloutPath(OTHER)))).toBe(false);
    // the unjoined rollout's cwd is remembered (its first line is not read on every sync), and
    // joining its root later still picks it up
    expect(JSON.parse(readFileSync(path.join(A.sessions, ".git", "ctx", "file-keys.json"), "utf8"))).toEqual({ [rolloutPath(OTHER)]: secretCwd });
    await A.ctx(["init", "--id", "private", "--agents", "codex", secretCwd], { cwd: A.home });
    expect((await clusterGit(cluster.url, ["ls-tree", "-r", "--name-only", "project/private"])).stdout).toContain(`codex/${rolloutPath(OTHER)}`);
    expect(readFileSync(otherA)).toEqual(otherBefore);
  });

  it("a Windows machine joins (status clean after checkout), and lines appended on two machines to one rollout end up once on every machine", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await codexNode("A", cleanups);
    const C = await codexNode("C", cleanups, { os: "windows", pathHome: "C:\\Users\\carol" });
    const rootA = "/home/al/proj";
    const rootC = "C:\\Users\\carol\\proj";
    const fileA = writeRollout(A.sessions, rolloutPath(ID), [sessionMeta(ID, rootA), ...turnLines(rootA, "a", 4)]);
    await A.ctx(["init", "--remote", cluster.url, "--id", "proj", "--agents", "codex", rootA], { cwd: A.home });
    await C.ctx(["join", "--remote", cluster.url, "--id", "proj", "--agents", "codex", rootC], { cwd: C.home });
    const fileC = path.join(C.sessions, rolloutPath(ID));
    expect(readFileSync(fileC, "utf8")).toContain('"cwd":"C:\\\\Users\\\\carol\\\\proj"');
    expect((await C.git(["status", "--porcelain"], { cwd: C.sessions })).stdout).toBe("");
    // both machines append to the same rollout before either syncs
    appendRollout(fileA, turnLines(rootA, "x", 3, Date.UTC(2026, 0, 2, 12)));
    appendRollout(fileC, turnLines(rootC, "y", 3, Date.UTC(2026, 0, 2, 13)));
    // both turns are over (no writer): files written in the last HOT_MS keep their local line
    // order until a later sync (test/sync/reorder.test.ts); without this, the outcome would
    // depend on how fast the syncs below run
    const idle = new Date(Date.now() - 60_000);
    for (const f of [fileA, fileC]) utimesSync(f, idle, idle);
    await A.ctx(["sync"], { cwd: A.home });
    await C.ctx(["sync"], { cwd: C.home });
    await A.ctx(["sync"], { cwd: A.home });
    const tags = (f: string) =>
      readFileSync(f, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => /"(?:text|message)":"[^"]*?\b([axy]) (\d)/.exec(l)?.slice(1, 3).join(""))
        .filter(Boolean)
        .sort();
    const want = ["a1", "a3", "x1", "y1"];
    for (const f of [fileA, fileC]) {
      const t = tags(f);
      for (const w of want)
        expect(
          t.filter((x) => x === w),
          `${f} ${w}`,
        ).toHaveLength(1);
    }
    expect(readFileSync(fileA, "utf8").split("\n").length).toBe(readFileSync(fileC, "utf8").split("\n").length);
    expect(readFileSync(fileA, "utf8")).not.toContain("carol");
    expect((await A.git(["status", "--porcelain"], { cwd: A.sessions })).stdout).toBe("");
    expect((await C.git(["status", "--porcelain"], { cwd: C.sessions })).stdout).toBe("");
  });

  it.skipIf(!Better)("a plain git pull in the Codex view registers the rollouts it brought in Codex's state database (the view's post-merge hook)", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await codexNode("A", cleanups);
    const B = await codexNode("B", cleanups);
    const rootA = "/home/al/proj";
    const rootB = path.join(B.home, "proj");
    writeRollout(A.sessions, rolloutPath(ID), [sessionMeta(ID, rootA), ...turnLines(rootA, "a", 2)]);
    await A.ctx(["init", "--remote", cluster.url, "--id", "proj", "--agents", "codex", rootA], { cwd: A.home });
    const db = new Better!(path.join(B.home, ".codex", "state_5.sqlite"), { timeout: 1000, fileMustExist: false });
    db.exec("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, cwd TEXT NOT NULL)");
    db.close();
    await B.git(["clone", "-q", "-c", "ctx.agent=codex", `ctx::${cluster.url}`, B.sessions], { cwd: B.home });
    expect(readFileSync(path.join(B.sessions, ".git", "hooks", "post-merge"), "utf8")).toContain("git ctx hook post-merge");
    await B.ctx(["join", "--id", "proj", rootB], { cwd: B.home });
    // a new rollout on A; B takes it with plain git
    writeRollout(A.sessions, rolloutPath(OTHER, "2026/01/03"), [sessionMeta(OTHER, `${rootA}/sub`), ...turnLines(rootA, "n", 2)]);
    await A.ctx(["sync"], { cwd: A.home });
    await B.git(["pull", "-q"], { cwd: B.sessions });
    const rows = new Better!(path.join(B.home, ".codex", "state_5.sqlite"), { timeout: 1000, fileMustExist: true });
    const got = rows.prepare("SELECT id, rollout_path, cwd FROM threads ORDER BY id").all();
    rows.close();
    expect(got).toEqual([
      { id: ID, rollout_path: path.join(B.sessions, rolloutPath(ID)), cwd: rootB },
      { id: OTHER, rollout_path: path.join(B.sessions, rolloutPath(OTHER, "2026/01/03")), cwd: `${rootB}/sub` },
    ]);
  });

  it("a CODEX_HOME away from ~/.codex is an anchor of its own: rollouts naming it travel as {{CC_PROJECT_CONTEXT_DIR}}", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await codexNode("A", cleanups);
    const home = path.join(A.home, "tools", "codex-home");
    const sessions = path.join(home, "sessions");
    const rootA = "/home/al/proj";
    const meta = sessionMeta(ID, rootA);
    const skill = JSON.stringify({ timestamp: "2026-01-02T10:00:09.000Z", type: "event_msg", payload: { type: "agent_message", message: `read ${home}/skills/review/SKILL.md` } });
    writeRollout(sessions, rolloutPath(ID), [meta, skill]);
    await A.ctx(["init", "--remote", cluster.url, "--id", "proj", "--agents", "codex", rootA], { cwd: A.home, env: { CODEX_HOME: home } });
    expect(JSON.parse(readFileSync(path.join(sessions, ".git", "ctx", "state.json"), "utf8")).agentHome).toBe(home);
    const blob = (await clusterGit(cluster.url, ["show", `project/proj:codex/${rolloutPath(ID)}`])).stdout;
    expect(blob).toContain("read {{CC_PROJECT_CONTEXT_DIR}}/skills/review/SKILL.md");
    expect(blob).not.toContain(home);
  });
});
