import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalize, localize, type Anchors } from "../../src/sentinel/index.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { inferProjectRoot } from "../../src/agents/claude/infer.js";
import type { MachineOs } from "../../src/roster/machine.js";
import { CORPUS, HAS_CORPUS } from "../helpers/env.js";
import { bareCluster, clusterGit, node, sessionLines, writeSession, type Node } from "../cluster/harness.js";

/**
 * Issue 3, end to end with the real bins and the real clean/smudge filter: machine A (Linux-style)
 * and machine B (simulated macOS: os darwin, home /Users/b) share a local bare cluster.
 * A inits; B clones and joins under its own root; every file on B is A's file with A's paths
 * mapped to B's (checked through the codec, and back A→B→A byte for byte); B appends and pushes;
 * A pulls as a fast-forward; a second pull is already up to date; only the joined project's
 * objects reach B.
 */

/** Every file below `dir`, as `/`-separated paths relative to it. */
function filesBelow(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...filesBelow(dir, r));
    else out.push(r);
  }
  return out;
}

interface Scenario {
  A: Node;
  B: Node;
  anchorsA: Anchors;
  anchorsB: Anchors;
  url: string;
  cleanup: () => Promise<void>;
}

/** Sets up A (with the project folder filled by `fill`) and B, runs A's init, B's clone + join. */
async function scenario(o: {
  osA: MachineOs;
  homeA?: string;
  rootA: string;
  osB: MachineOs;
  homeB: string;
  rootB: string;
  fill: (A: Node, keyA: string) => void;
  other?: (A: Node) => string;
}): Promise<Scenario> {
  const cluster = await bareCluster();
  const A = await node("A", { os: o.osA, pathHome: o.homeA, filter: true });
  const B = await node("B", { os: o.osB, pathHome: o.homeB, filter: true });
  const keyA = claudeDirKey(o.rootA);
  const keyB = claudeDirKey(o.rootB);
  o.fill(A, keyA);
  await A.ctx(["init", "--remote", cluster.url, "--id", "proj", o.rootA]);
  if (o.other) await A.ctx(["init", "--id", "other", o.other(A)]);
  await B.git(["clone", "-q", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
  await B.ctx(["join", "--id", "proj", o.rootB]);
  return {
    A,
    B,
    url: cluster.url,
    anchorsA: { os: o.osA, home: A.pathHome, root: o.rootA, key: keyA, rewriteHome: true },
    anchorsB: { os: o.osB, home: B.pathHome, root: o.rootB, key: keyB, rewriteHome: true },
    cleanup: async () => {
      await A.cleanup();
      await B.cleanup();
      await cluster.cleanup();
    },
  };
}

/** The assertions shared by the authored and the corpus scenarios. */
async function checkMapping(s: Scenario): Promise<string[]> {
  const dirA = s.A.at(s.anchorsA.key);
  const dirB = s.B.at(s.anchorsB.key);
  const files = filesBelow(dirA);
  expect(filesBelow(dirB)).toEqual(files);
  for (const f of files) {
    const a = readFileSync(path.join(dirA, f));
    const b = readFileSync(path.join(dirB, f));
    const canonA = canonicalize(a, s.anchorsA);
    expect(b.equals(localize(canonA, s.anchorsB)), `${f}: B's file is A's with A's paths mapped to B's`).toBe(true);
    expect(localize(canonicalize(b, s.anchorsB), s.anchorsA).equals(a), `${f}: A→B→A byte-exact`).toBe(true);
    // the repository holds the canonical form on both machines
    const blobA = (await s.A.git(["rev-parse", `HEAD:${s.anchorsA.key}/${f}`])).stdout.trim();
    const blobB = (await s.B.git(["rev-parse", `HEAD:${s.anchorsB.key}/${f}`])).stdout.trim();
    expect(blobB).toBe(blobA);
  }
  expect((await s.A.git(["status", "--porcelain"])).stdout).toBe("");
  expect((await s.B.git(["status", "--porcelain"])).stdout).toBe("");
  return files;
}

/** B appends one line to `file` (written with B's paths) and pushes; A pulls as a fast-forward and gets it with A's paths. */
async function appendPushPull(s: Scenario, file: string): Promise<void> {
  const lineB =
    JSON.stringify({
      type: "user",
      uuid: "b-appended",
      timestamp: "2030-01-01T00:00:00.000Z",
      cwd: s.anchorsB.root,
      message: { role: "user", content: `B edits ${s.anchorsB.root}/src/main.ts` },
    }) + "\n";
  const beforeA = readFileSync(s.A.at(s.anchorsA.key, file));
  const fB = s.B.at(s.anchorsB.key, file);
  appendFileSync(fB, lineB);
  await s.B.git(["add", "--", s.anchorsB.key]);
  await s.B.git(["commit", "-q", "-m", "B appends"]);
  await s.B.git(["push"]);
  const head = (await s.A.git(["rev-parse", "HEAD"])).stdout.trim();
  const pull = await s.A.git(["pull"]);
  expect(pull.stdout).toMatch(/Fast-forward/);
  expect((await s.A.git(["rev-parse", "HEAD^"])).stdout.trim()).toBe(head);
  const expected = Buffer.concat([beforeA, localize(canonicalize(Buffer.from(lineB), s.anchorsB), s.anchorsA)]);
  expect(readFileSync(s.A.at(s.anchorsA.key, file)).equals(expected)).toBe(true);
  expect(readFileSync(s.A.at(s.anchorsA.key, file), "utf8")).toContain(`"cwd":"${s.anchorsA.root}"`);
  expect((await s.A.git(["pull"])).stdout).toMatch(/Already up to date/);
  expect((await s.B.git(["pull"])).stdout).toMatch(/Already up to date/);
  expect((await s.A.git(["status", "--porcelain"])).stdout).toBe("");
  expect((await s.B.git(["status", "--porcelain"])).stdout).toBe("");
}

describe("e2e: two machines, authored sessions", () => {
  let s: Scenario;
  const rootA = "/home/alice/src/app";
  beforeAll(async () => {
    s = await scenario({
      osA: "linux",
      rootA,
      osB: "darwin",
      homeB: "/Users/b",
      rootB: "/Users/b/work/app",
      fill: (A, keyA) => {
        const dir = A.at(keyA);
        writeSession(dir, "s1", sessionLines(rootA, "s1", "a", 8));
        writeSession(path.join(dir, "s1", "subagents"), "agent-1", sessionLines(`${rootA}/lib`, "s1", "sub", 3));
        const ctxDir = `${A.pathHome}/.claude/projects/${keyA}`;
        writeSession(dir, "s2", [
          JSON.stringify({
            type: "user",
            cwd: rootA,
            message: { role: "user", content: [{ type: "tool_result", content: `Full output saved to: ${ctxDir}/s2/tool-results/t1.txt` }] },
          }),
        ]);
        mkdirSync(path.join(dir, "s2", "tool-results"), { recursive: true });
        writeFileSync(path.join(dir, "s2", "tool-results", "t1.txt"), `ls ${rootA}\n${rootA}/README.md\n${A.pathHome}/.bashrc\n`);
        mkdirSync(path.join(dir, "memory"), { recursive: true });
        writeFileSync(path.join(dir, "memory", "MEMORY.md"), `# Memory\n- build with \`make -C ${rootA}\`\n`);
      },
      other: (A) => {
        const root = "/home/alice/src/secret";
        writeSession(A.at(claudeDirKey(root)), "x", sessionLines(root, "x", "other-project", 2));
        return root;
      },
    });
  });
  afterAll(async () => s?.cleanup());

  it("B's files are A's with paths mapped (and back, byte-exact); the repository holds no machine path", async () => {
    const files = await checkMapping(s);
    expect([...files].sort()).toEqual(["memory/MEMORY.md", "s1.jsonl", "s1/subagents/agent-1.jsonl", "s2.jsonl", "s2/tool-results/t1.txt"]);
    const canon = (await clusterGit(s.url, ["show", "project/proj:context/s1.jsonl"])).stdout;
    expect(canon).not.toContain(rootA);
    expect(canon).toContain("{{CC_PROJECT_ROOT}}");
    expect(readFileSync(s.B.at(s.anchorsB.key, "s1.jsonl"), "utf8")).toContain('"cwd":"/Users/b/work/app"');
  });

  it("only the joined project's objects reach B", async () => {
    const blob = (await clusterGit(s.url, ["rev-parse", "project/other:context/x.jsonl"])).stdout.trim();
    expect((await clusterGit(s.url, ["cat-file", "-e", blob], { allowFail: true })).code).toBe(0);
    expect((await s.B.git(["cat-file", "-e", blob], { allowFail: true })).code).not.toBe(0);
    expect(existsSync(s.B.at(claudeDirKey("/home/alice/src/secret")))).toBe(false);
  });

  it("B appends and pushes; A pulls as a fast-forward with its own paths; second pulls are up to date", async () => {
    await appendPushPull(s, "s1.jsonl");
  });
});

/** Corpus folders: [corpus folder, os, home] — one Linux and one macOS project. */
const CORPUS_CASES: [string, MachineOs, string][] = [
  ["SWORDIntel__claude-backups/-home-ubuntu-Documents-claude-backups", "linux", "/home/ubuntu"],
  ["Xu-Wentao__dotfile/-Users-xuwentao-Projects-github-volcano", "darwin", "/Users/xuwentao"],
];

describe.skipIf(!HAS_CORPUS)("e2e: two machines, real corpus sessions", () => {
  for (const [rel, osA, homeA] of CORPUS_CASES) {
    it(`${rel}: mapped to the other machine and back, then an append travels back`, async () => {
      const src = path.join(CORPUS, "claude", rel);
      if (!existsSync(src)) return;
      const inferred = await inferProjectRoot(src);
      expect(inferred).toBeDefined();
      const rootA = inferred!.root;
      expect(claudeDirKey(rootA)).toBe(path.basename(src));
      const osB: MachineOs = osA === "linux" ? "darwin" : "linux";
      const homeB = osB === "darwin" ? "/Users/bob" : "/home/bob";
      const s = await scenario({
        osA,
        homeA,
        rootA,
        osB,
        homeB,
        rootB: `${homeB}/code/${path.basename(rootA)}`,
        fill: (A, keyA) => cpSync(src, A.at(keyA), { recursive: true }),
      });
      try {
        const files = await checkMapping(s);
        const jsonl = files
          .filter((f) => f.endsWith(".jsonl") && !f.includes("/"))
          .sort((a, b) => statSync(s.A.at(s.anchorsA.key, a)).size - statSync(s.A.at(s.anchorsA.key, b)).size);
        await appendPushPull(s, jsonl.at(-1)!);
      } finally {
        await s.cleanup();
      }
    });
  }
});
