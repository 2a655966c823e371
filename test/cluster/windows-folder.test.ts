import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { pickProjectFolder, type FolderCandidate } from "../../src/agents/claude/folder.js";
import { CORPUS, HAS_CORPUS } from "../helpers/env.js";
import { bareCluster, clusterGit, node, run, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * On a Windows participant a project root finds its existing folder whatever the letter case of
 * the folder's key: Claude Code names the folder after the cwd spelling of the launch that
 * created it (FORMATS.md: the corpus has `c--Users-…` folders whose transcripts mostly say
 * `C:\Users\…`), and Windows paths ignore case. Without this, `git ctx init 'C:\…'` created an
 * empty `C--…` folder and pushed nothing.
 */
describe("pickProjectFolder (pure)", () => {
  const root = "C:\\Users\\me\\p";
  const c = (key: string, sessions: number, entries = sessions): FolderCandidate => ({ key, sessions, entries });
  const table: { name: string; os: "windows" | "linux"; root?: string; cands: FolderCandidate[]; state?: string; key: string; others: string[] }[] = [
    { name: "nothing exists: the exact key", os: "windows", cands: [], key: "C--Users-me-p", others: [] },
    { name: "only the lower-case drive folder has sessions", os: "windows", cands: [c("c--Users-me-p", 3)], key: "c--Users-me-p", others: [] },
    { name: "any letter's case (Windows paths ignore case)", os: "windows", cands: [c("c--users-ME-P", 1)], key: "c--users-ME-P", others: [] },
    { name: "empty exact folder, other spelling with sessions", os: "windows", cands: [c("C--Users-me-p", 0), c("c--Users-me-p", 2)], key: "c--Users-me-p", others: [] },
    {
      name: "both with sessions: the exact key, the other reported",
      os: "windows",
      cands: [c("C--Users-me-p", 1), c("c--Users-me-p", 9)],
      key: "C--Users-me-p",
      others: ["c--Users-me-p"],
    },
    {
      name: "both with sessions, no exact: most sessions",
      os: "windows",
      root: "C:\\users\\me\\p",
      cands: [c("C--Users-me-p", 1), c("c--Users-me-p", 9)],
      key: "c--Users-me-p",
      others: ["C--Users-me-p"],
    },
    {
      name: "a re-run keeps the folder in the state",
      os: "windows",
      cands: [c("C--Users-me-p", 5), c("c--Users-me-p", 1)],
      state: "c--Users-me-p",
      key: "c--Users-me-p",
      others: ["C--Users-me-p"],
    },
    {
      name: "state folder emptied, another has sessions",
      os: "windows",
      cands: [c("c--Users-me-p", 0), c("C--Users-me-p", 2)],
      state: "c--Users-me-p",
      key: "C--Users-me-p",
      others: [],
    },
    { name: "another project's longer key does not match", os: "windows", cands: [c("c--Users-me-p--claude-worktrees-x", 4)], key: "C--Users-me-p", others: [] },
    { name: "posix is case-sensitive", os: "linux", root: "/home/me/p", cands: [c("-Home-me-p", 4)], key: "-home-me-p", others: [] },
  ];
  it.each(table)("$name", (t) => {
    const r = pickProjectFolder(t.root ?? root, t.os, t.cands, t.state);
    expect(r.key).toBe(t.key);
    expect(r.others.map((o) => o.key)).toEqual(t.others);
  });
});

const WIN_HOME = "C:\\Users\\loganf";

async function windowsNode(name: string): Promise<Node> {
  return node(name, { os: "windows", pathHome: WIN_HOME, filter: true });
}

function state(n: Node): { projects: Record<string, { root: string; key: string }> } {
  return JSON.parse(readFileSync(n.at(".git", "ctx", "state.json"), "utf8"));
}

describe("git ctx init / join on Windows: the folder's drive-letter case differs from the root's", () => {
  const root = `${WIN_HOME}\\Documents\\vault`;
  const upper = "C--Users-loganf-Documents-vault";
  const lower = "c--Users-loganf-Documents-vault";
  const nodes: Node[] = [];
  let cluster: { url: string; cleanup: () => Promise<void> };
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.cleanup();
    await cluster?.cleanup();
  });

  it("init 'C:\\…' adopts the existing c--… folder, pushes its sessions and records its key", async () => {
    cluster = await bareCluster();
    const A = await windowsNode("A");
    nodes.push(A);
    writeSession(A.at(lower), "s1", sessionLines(root, "s1", "A", 4));
    const r = await A.ctx(["init", "--remote", cluster.url, "--id", "vault", root]);
    expect(r.stdout).toContain(`-> ${A.projects}/${lower}`);
    expect(state(A).projects.vault).toMatchObject({ root, key: lower });
    expect(existsSync(A.at(upper))).toBe(false);
    const s1 = (await clusterGit(cluster.url, ["show", "project/vault:context/s1.jsonl"])).stdout;
    expect(s1.split("\n").filter(Boolean)).toHaveLength(4);
    // the clean filter used the chosen folder's anchors: the root became the sentinel
    expect(s1).toContain('"cwd":"{{CC_PROJECT_ROOT}}"');
    expect(s1).not.toContain("loganf");
    const roster = JSON.parse((await clusterGit(cluster.url, ["show", "project/vault:roster.json"])).stdout);
    expect(roster.participants[0]).toMatchObject({ machine_id: "A", project_root: root, encoded_dir: lower });
    expect((await A.git(["status", "--porcelain"])).stdout).toBe("");
    // idempotent: a second run keeps the same folder
    await A.ctx(["init", "--id", "vault", root]);
    expect(state(A).projects.vault!.key).toBe(lower);
  });

  it("join 'C:\\…' merges the sessions of an existing c--… folder", async () => {
    cluster = await bareCluster();
    const A = await node("A", { filter: true });
    const B = await windowsNode("B");
    nodes.push(A, B);
    writeSession(A.at("-home-a-vault"), "a1", sessionLines("/home/a/vault", "a1", "A", 2));
    await A.ctx(["init", "--remote", cluster.url, "--id", "vault", "/home/a/vault"]);
    await B.git(["clone", "-q", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
    writeSession(B.at(lower), "b1", sessionLines(root, "b1", "B", 2));
    const r = await B.ctx(["join", "--id", "vault", root]);
    expect(r.stdout).toContain(`-> ${B.projects}/${lower} (local sessions merged)`);
    expect(state(B).projects.vault!.key).toBe(lower);
    expect(existsSync(B.at(upper))).toBe(false);
    expect(readFileSync(B.at(lower, "a1.jsonl"), "utf8")).toContain(`"cwd":${JSON.stringify(root)}`);
    expect((await clusterGit(cluster.url, ["cat-file", "-e", "project/vault:context/b1.jsonl"], { allowFail: true })).code).toBe(0);
  });

  it("both c--… and C--… hold sessions: joins the exact key, leaves the other untouched, and its suggested command syncs it", async () => {
    cluster = await bareCluster();
    const A = await windowsNode("A");
    nodes.push(A);
    writeSession(A.at(upper), "up", sessionLines(root, "up", "UP", 2));
    writeSession(A.at(lower), "low", sessionLines(root, "low", "LOW", 2));
    const before = readFileSync(A.at(lower, "low.jsonl"));
    const r = await A.ctx(["init", "--remote", cluster.url, "--id", "vault", root]);
    expect(state(A).projects.vault!.key).toBe(upper);
    expect(r.stderr).toContain(`${lower}/ (1 session)`);
    expect(r.stderr).toMatch(/NOT synced/);
    expect(readFileSync(A.at(lower, "low.jsonl")).equals(before)).toBe(true);
    expect((await clusterGit(cluster.url, ["cat-file", "-e", "project/vault:context/low.jsonl"], { allowFail: true })).code).not.toBe(0);
    // the command the note names brings the other folder's sessions in without loss
    const cmd = /run {2}(cp -Rn .*&& git ctx sync)/.exec(r.stderr)![1]!;
    await run("sh", ["-c", cmd], { cwd: A.projects, baseEnv: A.env });
    const low = (await clusterGit(cluster.url, ["show", "project/vault:context/low.jsonl"])).stdout;
    expect(low).toContain('"LOW-u0"');
    expect(low).toContain('"LOW-a1"');
  });
});

describe("two projects cannot share a folder that differs only in letter case on Windows", () => {
  let A: Node | undefined;
  let cluster: { url: string; cleanup: () => Promise<void> } | undefined;
  afterAll(async () => {
    await A?.cleanup();
    await cluster?.cleanup();
  });

  it("init of 'c:\\…' as another project after 'C:\\…' (no folder yet) is a key collision", async () => {
    cluster = await bareCluster();
    A = await windowsNode("A");
    await A.ctx(["init", "--remote", cluster.url, "--id", "one", `${WIN_HOME}\\x`]);
    const r = await A.ctx(["init", "--id", "two", "c:\\Users\\loganf\\x"], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would use the folder 'c--Users-loganf-x', already used by joined project 'one'/);
    expect(Object.keys(state(A).projects)).toEqual(["one"]);
  });
});

/** The corpus case the real-client owner found: LAF-US__IDAHO-VAULT (a `c--…` folder, a `C--…` worktree folder). */
describe.skipIf(!HAS_CORPUS)("corpus: init on a simulated Windows machine adopts c--Users-loganf-Documents-IDAHO-VAULT", () => {
  const src = path.join(CORPUS, "claude", "LAF-US__IDAHO-VAULT");
  const lower = "c--Users-loganf-Documents-IDAHO-VAULT";
  const worktree = "C--Users-loganf-Documents-IDAHO-VAULT--claude-worktrees-eloquent-lichterman";
  let A: Node | undefined;
  let cluster: { url: string; cleanup: () => Promise<void> } | undefined;
  afterAll(async () => {
    await A?.cleanup();
    await cluster?.cleanup();
  });

  it("the root spelled C:\\… (as the transcripts mostly say) pushes the c--… folder's sessions", async () => {
    cluster = await bareCluster();
    A = await windowsNode("A");
    for (const d of readdirSync(src)) cpSync(path.join(src, d), A.at(d), { recursive: true });
    const root = "C:\\Users\\loganf\\Documents\\IDAHO-VAULT";
    const r = await A.ctx(["init", "--remote", cluster.url, "--id", "idaho", root]);
    expect(state(A).projects.idaho).toMatchObject({ root, key: lower });
    expect(existsSync(A.at("C--Users-loganf-Documents-IDAHO-VAULT"))).toBe(false);
    expect(r.stderr).not.toMatch(/NOT synced/); // the worktree folder is another root, not another spelling
    const sessions = readdirSync(path.join(src, lower)).filter((f) => f.endsWith(".jsonl"));
    const inCluster = (await clusterGit(cluster.url, ["ls-tree", "--name-only", "project/idaho", "context/"])).stdout.split("\n").map((f) => f.replace(/^context\//, ""));
    const heldFile = A.at(".git", "ctx", "held-back.json");
    const held = existsSync(heldFile) ? readFileSync(heldFile, "utf8") : "";
    // every session is in the cluster, or listed as held back by the secret scanner
    for (const f of sessions) expect(inCluster.includes(f) || held.includes(f), f).toBe(true);
    expect(sessions.filter((f) => inCluster.includes(f)).length).toBeGreaterThan(sessions.length / 2);
    expect(inCluster).toContain("memory");
    // nothing of the worktree folder went to this project
    const worktreeSessions = readdirSync(path.join(src, worktree)).filter((f) => f.endsWith(".jsonl"));
    for (const f of worktreeSessions) expect(inCluster).not.toContain(f);
  }, 180_000);
});
