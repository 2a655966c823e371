import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bareCluster, clusterGit } from "../cluster/harness.js";
import { geminiNode } from "../gemini/chats.js";
import { CORPUS } from "../helpers/env.js";
import { ensureGemini, GEMINI_REPLY, geminiRun, offlineSettings, startGeminiRecorder, type Gemini } from "./gemini.js";

/**
 * Issue 12, scope 5: corpus chats of a simulated Windows machine A — a slug-folder project
 * (`idaho-vault`, `.project_root` lowercased) and a legacy `tmp/<sha256(root)>/` project
 * (relocated into A's home) — travel to a Linux machine B with real paths. From B's root the real
 * `gemini --resume <uuid>` (0.61.0, offline against a local recorder) sends every user and gemini
 * message of each session; `git ctx install` on B adds the AfterAgent hook next to B's own, the
 * real client runs both after its turn, and the turn reaches the cluster by itself and comes back
 * into A's folder, in A's spelling, A's own files untouched.
 */

const DIR = path.join(CORPUS, "gemini");
const SLUG_SRC = path.join(DIR, "LAF-US__IDAHO-VAULT", "idaho-vault");
const LEGACY_SRC = path.join(DIR, "hoon9732__devenv_vault", "1b21c284c6bf44501770a42c135eb387a582a7743b86589b1d0af142dca99b0e");
const HAS = existsSync(SLUG_SRC) && existsSync(LEGACY_SRC);
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

const HOME_A = "C:\\Users\\loganf";
const ROOT_IDAHO = "C:\\Users\\loganf\\Documents\\IDAHO-VAULT"; // the spelling its chats' projectHash is of
const ROOT_BP = "C:\\Users\\loganf\\Documents\\code\\blueprint-gui"; // relocated from C:\Users\USER

let gem: Gemini = { ok: false, why: "not installed yet" };
beforeAll(async () => {
  if (HAS) gem = await ensureGemini();
}, 20 * 60_000);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(() => {
  if (HAS && !gem.ok) console.warn(`real Gemini CLI test skipped: ${gem.why}`);
});

/** Copies a corpus folder, moving every spelling of `C:\Users\USER` to A's home (the legacy project's relocation). */
function relocate(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) relocate(s, d);
    else
      writeFileSync(
        d,
        readFileSync(s, "latin1")
          .replace(/([Uu]sers)(\\\\\\\\|\\\\|\\|\/)USER\b/g, "$1$2loganf")
          .replace(/"projectHash": "[0-9a-f]{64}"/g, `"projectHash": "${sha(ROOT_BP)}"`),
        "latin1",
      );
  }
}

interface ChatDoc {
  sessionId: string;
  messages: { id: string; type: string; content?: unknown; toolCalls?: { id: string }[] }[];
}

/** The texts of a message's content (a string, or parts with `text`). */
function texts(content: unknown): string[] {
  if (typeof content === "string") return content.trim() ? [content] : [];
  if (Array.isArray(content))
    return content.flatMap((p) => (p && typeof (p as { text?: unknown }).text === "string" && (p as { text: string }).text.trim() ? [(p as { text: string }).text] : []));
  return [];
}

describe.skipIf(!HAS)("the real Gemini CLI resumes chats synced from a Windows machine (issue 12, scope 5)", () => {
  it("B sends every user and gemini message of both sessions; B's turn syncs back into A's folder in A's spelling", async (t) => {
    if (!gem.ok) t.skip(gem.why);
    if (!gem.ok) return;
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await geminiNode("A", cleanups, { os: "windows", pathHome: HOME_A });
    const B = await geminiNode("B", cleanups);
    // A: the slug folder as Gemini made it, and the legacy hash folder of an older Gemini
    cpSync(SLUG_SRC, path.join(A.tmp, "idaho-vault"), { recursive: true });
    writeFileSync(path.join(A.gemini, "projects.json"), JSON.stringify({ projects: { [ROOT_IDAHO.toLowerCase()]: "idaho-vault" } }, null, 2));
    relocate(LEGACY_SRC, path.join(A.tmp, sha(ROOT_BP)));
    const aFiles = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name));
    const before = new Map([...aFiles(path.join(A.tmp, "idaho-vault")), ...aFiles(path.join(A.tmp, sha(ROOT_BP)))].map((f) => [f, readFileSync(f)]));

    await A.ctx(["init", "--remote", cluster.url, "--agents", "gemini", "--id", "idaho", ROOT_IDAHO], { cwd: A.home });
    const initBp = await A.ctx(["init", "--agents", "gemini", "--id", "blueprint", ROOT_BP], { cwd: A.home });
    expect(initBp.stdout + initBp.stderr).toMatch(/adopted/);
    expect(existsSync(path.join(A.tmp, "blueprint-gui", "chats"))).toBe(true);

    const rootIdahoB = path.join(B.home, "work", "IDAHO-VAULT");
    const rootBpB = path.join(B.home, "work", "blueprint-gui");
    for (const [id, r] of [
      ["idaho", rootIdahoB],
      ["blueprint", rootBpB],
    ] as const) {
      mkdirSync(r, { recursive: true });
      await B.ctx(["join", "--remote", cluster.url, "--agents", "gemini", "--id", id, r], { cwd: B.home });
    }
    // B's own AfterAgent hook, then git ctx install: Gemini runs git-ctx's sync after each turn, and B's hook too
    const heard = path.join(B.home, "heard.txt");
    const mine = path.join(B.home, "my-hook.sh");
    writeFileSync(mine, `#!/bin/sh\ncat >> '${heard}'\necho '{}'\n`);
    chmodSync(mine, 0o755);
    mkdirSync(B.gemini, { recursive: true });
    writeFileSync(path.join(B.gemini, "settings.json"), JSON.stringify({ hooks: { AfterAgent: [{ hooks: [{ type: "command", command: mine }] }] } }, null, 2));
    offlineSettings(B.home);
    await B.ctx(["install"], { cwd: B.home });
    const hooks = JSON.parse(readFileSync(path.join(B.gemini, "settings.json"), "utf8")).hooks.AfterAgent as { hooks: { command: string }[] }[];
    expect(hooks.flatMap((g) => g.hooks.map((h) => h.command))).toEqual([mine, "git ctx sync --hook"]);
    const rec = await startGeminiRecorder();
    cleanups.push(() => rec.close());
    for (const [slug, root, chat] of [
      ["idaho-vault", rootIdahoB, "session-2026-04-20T04-27-ec34be90.json"],
      ["blueprint-gui", rootBpB, "session-2025-09-30T08-08-2fe1ee43.json"],
    ] as const) {
      const file = path.join(B.tmp, slug, "chats", chat);
      const text = readFileSync(file, "utf8");
      expect(text).not.toMatch(/loganf|C:\\\\\\\\Users/);
      const doc = JSON.parse(text) as ChatDoc;
      const n = rec.streams.length;
      const r = await geminiRun({ entry: gem.entry, home: B.home, cwd: root, baseUrl: rec.baseUrl, args: ["--resume", doc.sessionId, "-p", "continue"], env: B.env });
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(r.stdout).toContain(GEMINI_REPLY);
      expect(rec.streams.length).toBe(n + 1);
      const contents = rec.streams[n]!.body?.contents ?? [];
      const sent = contents.flatMap((c) => c.parts.flatMap((p) => (typeof p.text === "string" ? [p.text] : [])));
      const calls = new Set(contents.flatMap((c) => c.parts.flatMap((p) => (p.functionCall ? [(p.functionCall as { id: string }).id] : []))));
      const responses = new Set(contents.flatMap((c) => c.parts.flatMap((p) => (p.functionResponse ? [(p.functionResponse as { id: string }).id] : []))));
      let users = 0;
      let models = 0;
      let tools = 0;
      for (const m of doc.messages) {
        if (m.type !== "user" && m.type !== "gemini") continue; // info and error messages are not sent
        for (const x of texts(m.content))
          expect(
            sent.some((s) => s.includes(x)),
            `${chat}: ${m.type} message ${m.id} not sent`,
          ).toBe(true);
        for (const c of m.toolCalls ?? []) {
          expect(calls.has(c.id), `${chat}: tool call ${c.id} not sent`).toBe(true);
          expect(responses.has(c.id), `${chat}: result of ${c.id} not sent`).toBe(true);
          tools++;
        }
        if (m.type === "user") users++;
        else models++;
      }
      expect(users).toBeGreaterThan(5);
      expect(models).toBeGreaterThan(50);
      if (slug === "idaho-vault") expect(tools).toBeGreaterThan(50);
      // the tool calls B sends name B's root, never A's
      expect(JSON.stringify(contents)).not.toContain("loganf");
    }

    // B's turns (written as .jsonl next to the legacy .json) reach the cluster by themselves:
    // the real client ran git-ctx's AfterAgent hook after each turn (and B's own, with its JSON)
    const viewCtx = path.join(B.tmp, ".git", "ctx");
    const inCluster = async () => {
      const names = (await clusterGit(cluster.url, ["ls-tree", "-r", "--name-only", "project/idaho", "gemini/chats"], { allowFail: true })).stdout.split("\n");
      return names.some((n) => n.endsWith(".jsonl"));
    };
    for (let i = 0; i < 600 && (!(await inCluster()) || existsSync(path.join(viewCtx, "sync.pending")) || existsSync(path.join(viewCtx, "sync.lock"))); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await inCluster()).toBe(true);
    expect(readFileSync(heard, "utf8")).toMatch(/"hook_event_name":"AfterAgent"/);
    await B.ctx(["sync"], { cwd: B.home });
    await A.ctx(["sync"], { cwd: A.home });
    for (const slug of ["idaho-vault", "blueprint-gui"]) {
      const newOnes = readdirSync(path.join(A.tmp, slug, "chats")).filter((f) => f.endsWith(".jsonl"));
      expect(newOnes.length, slug).toBeGreaterThan(0);
      const all = newOnes.map((f) => readFileSync(path.join(A.tmp, slug, "chats", f), "utf8")).join("\n");
      expect(all).toContain(GEMINI_REPLY);
      expect(all).not.toContain(B.home);
      expect(all).toContain(slug === "idaho-vault" ? "C:\\\\Users\\\\loganf\\\\Documents\\\\IDAHO-VAULT" : "C:\\\\Users\\\\loganf\\\\Documents\\\\code\\\\blueprint-gui");
    }
    for (const [f, bytes] of before) expect(readFileSync(f).equals(bytes), f).toBe(true);
  }, 600_000);
});
