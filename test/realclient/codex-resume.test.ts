import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareCluster, clusterGit, node, type Node } from "../cluster/harness.js";
import { loadSqlite } from "../../src/agents/codex/threads.js";
import { CORPUS } from "../helpers/env.js";
import { CODEX_VERSION, codexExec, ensureCodex, type Codex } from "./codex.js";
import { RESPONSES_REPLY, startResponsesRecorder, type ResponsesRecorder } from "./responses.js";

/**
 * Issue 11, scope 6, with the real Codex CLI (pinned, installed on demand; skipped visibly when
 * it cannot be installed): corpus rollouts recorded on Windows and on macOS go from simulated
 * machines of those OSes through a cluster to a Linux machine B with real paths, whose Codex state
 * database already exists. On B the real `codex exec resume <id>` sends the prior items of the
 * rollout (as B has it: B's paths), `exec resume --last` from the project's root finds the synced
 * session, and the turn Codex appends on B syncs back to the source machine in its own spelling,
 * its earlier bytes untouched. On B, `git ctx install` set Codex's `notify` over the user's own
 * program: the real client runs it after each turn, the turn reaches the cluster without a
 * `git ctx sync` by hand, and the user's program still gets Codex's JSON.
 */

const DIR = path.join(CORPUS, "codex");
// (not the health_report_ocr rollouts: codex 0.169.0 itself sends 989 or 991 U+FFFD for the
// original one in a fresh home, from run to run, so counts on it do not compare)
const WIN = {
  rel: "2025/09/26/rollout-2025-09-26T17-01-04-019985ca-7ef7-7580-a921-c20ac619f40b.jsonl",
  src: "Python-AI-Solutions__agentic-neurodata-conversion",
  id: "019985ca-7ef7-7580-a921-c20ac619f40b",
  home: "c:\\Users\\shahh",
  root: "c:\\Users\\shahh\\OneDrive\\Desktop\\agentic-neurodata-conversion-2",
};
const MAC = {
  rel: "2026/04/08/rollout-2026-04-08T22-02-46-019d6d67-1952-7e83-93ef-94497e3c15b6.jsonl",
  src: "Xu-Wentao__dotfile",
  id: "019d6d67-1952-7e83-93ef-94497e3c15b6",
  home: "/Users/xuwentao",
  root: "/Users/xuwentao/Projects/github/volcano",
};
const HAS = existsSync(path.join(DIR, WIN.src, WIN.rel)) && existsSync(path.join(DIR, MAC.src, MAC.rel));

/** The response_item payloads of a rollout (what a resume sends back, FORMATS.md), as JSON texts. */
function responseItems(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; payload: { type?: string } })
    .filter((l) => l.type === "response_item" && l.payload.type !== "ghost_snapshot")
    .map((l) => JSON.stringify(l.payload));
}

describe.skipIf(!HAS)(`real Codex CLI ${CODEX_VERSION} resumes rollouts synced from Windows and macOS (issue 11, scope 6)`, () => {
  let codex: Codex = { ok: false, why: "not checked" };
  let rec: ResponsesRecorder;
  const nodes: Node[] = [];
  let cleanupCluster: () => Promise<void> = async () => {};

  beforeAll(async () => {
    codex = await ensureCodex();
    if (!codex.ok) console.warn(`SKIPPED (visible): the real Codex CLI is not available: ${codex.why}`);
    rec = await startResponsesRecorder();
  }, 20 * 60_000);
  afterAll(async () => {
    await rec?.close();
    for (const n of nodes) await n.cleanup();
    await cleanupCluster();
  });

  /** A fresh CODEX home holding only the original corpus rollout (the baseline run). */
  function baseline(c: typeof WIN): string {
    const home = path.join(nodes[0]!.home, "..", `baseline-${c.id}`);
    const to = path.join(home, ".codex", "sessions", c.rel);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(DIR, c.src, c.rel), to);
    return home;
  }

  /**
   * Runs `codex exec resume <id>` with HOME=`home` in `cwd` and counts, as FORMATS.md says, the
   * rollout's response_item payloads (at `file`) found in the POSTed `input` (Codex 0.169 adds
   * `internal_chat_message_metadata_passthrough` to messages it sends back: ignored).
   */
  async function resumeCount(home: string, cwd: string, file: string, id: string, env?: NodeJS.ProcessEnv): Promise<{ items: number; matched: number; input: number }> {
    const items = responseItems(file);
    rec.posts.length = 0;
    const r = await codexExec({ bin: (codex as { bin: string }).bin, home, cwd, baseUrl: rec.baseUrl, args: ["resume", id, "continue, please"], env });
    expect(r.code, r.stderr.slice(-800)).toBe(0);
    expect(r.stdout).toContain(RESPONSES_REPLY);
    const input = rec.posts[0]?.body?.input ?? [];
    const sent = new Set(
      input.map((x) => {
        const { internal_chat_message_metadata_passthrough: _, ...rest } = x as Record<string, unknown>;
        return JSON.stringify(rest);
      }),
    );
    return { items: items.length, matched: items.filter((x) => sent.has(x)).length, input: input.length };
  }

  it(
    "B's codex resumes both sessions with their prior items, finds one with --last, and its turn syncs back in the source machine's spelling",
    async (ctx) => {
      if (!codex.ok) return ctx.skip();
      const bin = codex.bin;
      const cluster = await bareCluster();
      cleanupCluster = cluster.cleanup;
      const AW = await node("AW", { os: "windows", pathHome: WIN.home, filter: true });
      const AM = await node("AM", { os: "darwin", pathHome: MAC.home, filter: true });
      const B = await node("B", { filter: true });
      nodes.push(AW, AM, B);
      for (const [n, c] of [
        [AW, WIN],
        [AM, MAC],
      ] as const) {
        const to = path.join(n.home, ".codex", "sessions", c.rel);
        mkdirSync(path.dirname(to), { recursive: true });
        copyFileSync(path.join(DIR, c.src, c.rel), to);
      }
      await AW.ctx(["init", "--remote", cluster.url, "--id", "neuro", "--agents", "codex", WIN.root], { cwd: AW.home });
      await AM.ctx(["init", "--remote", cluster.url, "--id", "volcano", "--agents", "codex", MAC.root], { cwd: AM.home });

      // B: a Linux machine whose Codex already ran once (its state database exists)
      const rootNeuro = path.join(B.home, "src", "neuro");
      const rootVolcano = path.join(B.home, "src", "volcano");
      mkdirSync(rootNeuro, { recursive: true });
      mkdirSync(rootVolcano, { recursive: true });
      const warm = await codexExec({ bin, home: B.home, cwd: B.home, baseUrl: rec.baseUrl, args: ["hello"] });
      expect(warm.code, warm.stderr.slice(-500)).toBe(0);
      expect(existsSync(path.join(B.home, ".codex", "state_5.sqlite"))).toBe(true);
      rec.posts.length = 0;
      await B.ctx(["join", "--remote", cluster.url, "--id", "neuro", "--agents", "codex", rootNeuro], { cwd: B.home });
      await B.ctx(["join", "--id", "volcano", "--agents", "codex", rootVolcano], { cwd: B.home });
      // B's own notify program, then git ctx install: Codex's notify runs git-ctx's sync, then it
      const notified = path.join(B.home, "notified.txt");
      const mine = path.join(B.home, "my-notify.sh");
      writeFileSync(mine, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${notified}'\n`);
      chmodSync(mine, 0o755);
      writeFileSync(path.join(B.home, ".codex", "config.toml"), `notify = ["${mine}"]\n`);
      await B.ctx(["install"], { cwd: B.home });

      for (const [c, root] of [
        [MAC, rootVolcano],
        [WIN, rootNeuro],
      ] as const) {
        const fileB = path.join(B.home, ".codex", "sessions", c.rel);
        const text = readFileSync(fileB, "utf8");
        expect(text).not.toContain(c.home.replace(/\\/g, "\\\\"));
        expect(text).toContain(JSON.stringify(root).slice(1, -1));
        // what B's codex sends back, against what codex sends for the original rollout resumed where it is (a baseline run, same client)
        const onB = await resumeCount(B.home, root, fileB, c.id, B.env);
        const home = baseline(c);
        const original = await resumeCount(home, home, path.join(DIR, c.src, c.rel), c.id);
        console.info(
          `${c.src}: codex ${CODEX_VERSION} sent ${onB.matched} of ${onB.items} response items back on B, and ${original.matched} of ${original.items} for the original rollout; ${onB.input} and ${original.input} input items in all`,
        );
        expect(onB.items).toBe(original.items);
        expect(onB.matched).toBe(original.matched);
        expect(onB.input).toBe(original.input);
        expect(onB.matched).toBe(onB.items);
      }

      // --last from the project's root picks the synced session (threads row with B's cwd); the
      // row needs the optional SQLite binding: without it the sync only warns (said here, visibly)
      if (loadSqlite()) {
        rec.posts.length = 0;
        const last = await codexExec({ bin, home: B.home, cwd: rootNeuro, baseUrl: rec.baseUrl, args: ["resume", "--last", "and again"], env: B.env });
        expect(last.code, last.stderr.slice(-800)).toBe(0);
        expect(last.stderr).toContain(`session id: ${WIN.id}`);
      } else console.warn("SKIPPED (visible): the 'codex exec resume --last' check: the optional better-sqlite3 binding is not installed here");

      // B's turns go back to the Windows machine, in its spelling; its bytes stay a prefix
      const fileAW = path.join(AW.home, ".codex", "sessions", WIN.rel);
      const before = readFileSync(fileAW);
      // the real client ran git-ctx's notify after each turn: B's turns reach the cluster by
      // themselves, and the user's own notify program ran too, with Codex's JSON
      const viewCtx = path.join(B.home, ".codex", "sessions", ".git", "ctx");
      const inCluster = async () => (await clusterGit(cluster.url, ["show", `project/neuro:codex/${WIN.rel}`], { allowFail: true })).stdout.includes(RESPONSES_REPLY);
      for (let i = 0; i < 600 && (!(await inCluster()) || existsSync(path.join(viewCtx, "sync.pending")) || existsSync(path.join(viewCtx, "sync.lock"))); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await inCluster()).toBe(true);
      expect(readFileSync(notified, "utf8")).toMatch(/"type":"agent-turn-complete"/);
      await B.ctx(["sync"], { cwd: B.home });
      await AW.ctx(["sync"], { cwd: AW.home });
      const after = readFileSync(fileAW);
      expect(after.subarray(0, before.length).equals(before)).toBe(true);
      const added = after.subarray(before.length).toString("utf8");
      expect(added).toContain(RESPONSES_REPLY);
      expect(added).not.toContain(B.home);
      expect(added).toContain(WIN.root.replace(/\\/g, "\\\\"));
      expect((await AW.git(["status", "--porcelain"], { cwd: path.join(AW.home, ".codex", "sessions") })).stdout).toBe("");
    },
    10 * 60_000,
  );
});
