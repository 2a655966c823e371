/**
 * Real Claude Code resumes a corpus session moved from machine A to machine B by git-ctx's codec
 * (`localize(canonicalize(bytes, anchorsA), anchorsB)`: A's clean filter, B's smudge filter), and
 * B's new lines come back to A (`localize(cleanWithBase(grownB, anchorsB, canonical), anchorsA)`:
 * B's clean filter with the index blob as base, A's smudge filter).
 *
 * For every case (cases.ts): machine A is the recording machine (its transcript bytes as found in
 * the corpus); machine B is a Linux-style machine with its own temp home and a different root.
 * 1. Resume on A and on B with the pinned real client against a local recorder; the two
 *    `/v1/messages` bodies must hold the same conversation, A's paths replaced by B's
 *    (compare.ts normalises each side's own paths; it does not use the codec). B's request must
 *    name no A path in any spelling, and no B path may continue with a Windows `\`.
 * 2. The client appended the new turn to B's transcript: carried back to A, the file is A's
 *    original bytes plus the new lines (byte-exact prefix), those lines carry A's root as `cwd`
 *    and no B path, and resuming on A again sends the turn that happened on B.
 *
 * A's resume runs in a real temp cwd (the recorded root does not exist here); the transcript is
 * placed under that cwd's directory key, so the prior messages are exactly A's recorded ones.
 * Skips with a visible message without the corpus, the codec, or an installable client.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import type { MachineOs } from "../../src/roster/machine.js";
import { HAS_CORPUS } from "../helpers/env.js";
import { CASES, caseDir, sessionFiles, type CorpusCase } from "./cases.js";
import { ensureClaudeCode, resume, type ClaudeCode } from "./claude.js";
import { countPath, firstDiff, normalize, type Side } from "./compare.js";
import { RECORDER_REPLY, startRecorder, type RecordedRequest, type Recorder } from "./recorder.js";

/** The codec interface (src/sentinel/index.ts), loaded lazily so this file compiles before it lands. */
interface Codec {
  canonicalize(buf: Buffer, a: AnchorsLike): Buffer;
  localize(buf: Buffer, a: AnchorsLike): Buffer;
  /** What the clean filter runs: the index's canonical blob as base (docs/architecture.md). */
  cleanWithBase(work: Buffer, a: AnchorsLike, base: Buffer | undefined): Buffer;
}
interface AnchorsLike {
  os: MachineOs;
  home: string;
  root: string;
  key: string;
  rewriteHome: boolean;
}

async function loadCodec(): Promise<Codec | string> {
  const spec = "../../src/sentinel/index.js";
  try {
    const m = (await import(/* @vite-ignore */ spec)) as Partial<Codec>;
    if (typeof m.canonicalize === "function" && typeof m.localize === "function" && typeof m.cleanWithBase === "function") return m as Codec;
    return "src/sentinel/index.ts has no canonicalize/localize/cleanWithBase yet";
  } catch (e) {
    return `codec not available (${(e as Error).message.split("\n")[0]})`;
  }
}

const claude: ClaudeCode = HAS_CORPUS ? await ensureClaudeCode() : { ok: false, why: "no corpus" };
const codec = HAS_CORPUS && claude.ok ? await loadCodec() : "not loaded";
const skipWhy = !HAS_CORPUS ? "corpus absent" : !claude.ok ? claude.why : typeof codec === "string" ? codec : undefined;
if (skipWhy) console.warn(`[realclient] SKIPPED real Claude Code resume tests: ${skipWhy}`);

/** The one `/v1/messages` request of a resume, with its messages. */
function onlyRequest(reqs: RecordedRequest[], what: string): unknown[] {
  expect(reqs.length, `${what}: /v1/messages requests`).toBe(1);
  const m = reqs[0]!.body?.messages;
  expect(Array.isArray(m), `${what}: messages array`).toBe(true);
  return m as unknown[];
}

describe.skipIf(skipWhy !== undefined)("real Claude Code resume across machines (codec level)", () => {
  const { canonicalize, localize, cleanWithBase } = codec as Codec;
  let rec: Recorder;
  let tmp: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    rec = await startRecorder();
    tmp = await dir({ unsafeCleanup: true, prefix: "gitctx-realclient-" });
  });
  afterAll(async () => {
    await rec?.close();
    await tmp?.cleanup();
  });

  it.each(CASES)("$name: B's resume sends A's conversation with B's paths; B's new turn comes back to A", async (c: CorpusCase) => {
    const bin = (claude as { bin: string }).bin;
    const base = path.join(tmp.path, c.sessionId.slice(0, 8));
    // Machine A (runner): a real home and cwd; the transcript keeps A's recorded paths.
    const homeA = path.join(base, "A", "home");
    const cwdA = path.join(base, "A", "cwd", path.basename(c.root.replace(/\\/g, "/")));
    mkdirSync(cwdA, { recursive: true });
    const dirA = path.join(homeA, ".claude", "projects", claudeDirKey(cwdA));
    // Machine B: Linux-style, its own home, the project under a different root.
    const homeB = path.join(base, "B", "home");
    const rootB = path.join(homeB, "code", `${path.basename(c.root.replace(/\\/g, "/"))}-b`);
    mkdirSync(rootB, { recursive: true });
    const keyB = claudeDirKey(rootB);
    const dirB = path.join(homeB, ".claude", "projects", keyB);
    const anchorsA: AnchorsLike = { os: c.os, home: c.home, root: c.root, key: path.basename(c.folder), rewriteHome: true };
    const anchorsB: AnchorsLike = { os: "linux", home: homeB, root: rootB, key: keyB, rewriteHome: true };

    const files = sessionFiles(c);
    const canonical = new Map<string, Buffer>();
    expect(files.some((f) => f.includes("/subagents/"))).toBe(c.subagents);
    for (const f of files) {
      const src = path.join(caseDir(c), f);
      mkdirSync(path.dirname(path.join(dirA, f)), { recursive: true });
      copyFileSync(src, path.join(dirA, f));
      canonical.set(f, canonicalize(readFileSync(src), anchorsA)); // what A's clean filter commits
      const onB = localize(canonical.get(f)!, anchorsB); // what B's smudge filter checks out
      mkdirSync(path.dirname(path.join(dirB, f)), { recursive: true });
      writeFileSync(path.join(dirB, f), onB);
      // Subagents and tool results moved too, with no A path left in them.
      expect(countPath(onB.toString("utf8"), c.home, c.os), `${f} on B still names A's home`).toBe(0);
    }

    // 1. Resume on A and on B.
    const ra = await resume({ bin, home: homeA, cwd: cwdA, sessionId: c.sessionId, baseUrl: rec.url });
    expect(ra.stderr + ra.stdout).not.toContain("No conversation found");
    expect(ra.code, ra.stderr).toBe(0);
    const msgsA = onlyRequest(rec.take(), "A");
    const rb = await resume({ bin, home: homeB, cwd: rootB, sessionId: c.sessionId, baseUrl: rec.url });
    expect(rb.stderr + rb.stdout).not.toContain("No conversation found");
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stdout).toContain(RECORDER_REPLY);
    const msgsB = onlyRequest(rec.take(), "B");
    expect(msgsB.length).toBeGreaterThan(10);

    const sideA: Side = { os: c.os, home: c.home, roots: [c.root, cwdA], keys: [path.basename(c.folder), claudeDirKey(c.root), claudeDirKey(cwdA)] };
    const sideB: Side = { os: "linux", home: homeB, roots: [rootB], keys: [keyB] };
    const na = normalize(msgsA, sideA);
    const nb = normalize(msgsB, sideB);
    expect(nb === na, `conversations differ at ${firstDiff(na, nb)}`).toBe(true);
    // B's request names no A path, and B's paths are there where A's were.
    expect(countPath(msgsB, c.home, c.os), "A's home in B's request").toBe(0);
    const priorA = msgsA.slice(0, -1);
    const priorB = msgsB.slice(0, -1);
    expect(countPath(priorB, rootB, "linux")).toBe(countPath(priorA, c.root, c.os));
    expect(JSON.stringify(msgsB).includes(JSON.stringify(rootB + "\\").slice(1, -1)), "a B path continues with a Windows separator").toBe(false);

    // 2. B's transcript grew (the client appends on resume); carry it back to A the way the
    //    filters do: B's clean with the index blob as base, then A's smudge.
    const origA = readFileSync(path.join(caseDir(c), `${c.sessionId}.jsonl`));
    const grownB = readFileSync(path.join(dirB, `${c.sessionId}.jsonl`));
    const backOnA = localize(cleanWithBase(grownB, anchorsB, canonical.get(`${c.sessionId}.jsonl`)), anchorsA);
    expect(backOnA.subarray(0, origA.length).equals(origA), "A's original bytes are a prefix of the file that came back").toBe(true);
    const added = backOnA.subarray(origA.length).toString("utf8").split("\n").filter(Boolean);
    expect(added.length).toBeGreaterThan(2);
    const parsed = added.map((l) => JSON.parse(l) as { cwd?: string; type?: string; message?: { role: string; content: unknown } });
    const cwds = parsed.flatMap((l) => (typeof l.cwd === "string" ? [l.cwd] : []));
    expect(cwds.length).toBeGreaterThan(0);
    for (const cwd of cwds) expect(c.os === "windows" ? cwd.toLowerCase() : cwd).toBe(c.os === "windows" ? c.root.toLowerCase() : c.root);
    expect(countPath(backOnA.toString("utf8"), homeB, "linux"), "B's home in A's file").toBe(0);
    expect(parsed.some((l) => l.type === "user" && l.message?.content === "continue")).toBe(true);
    expect(JSON.stringify(parsed)).toContain(RECORDER_REPLY);

    // Resuming on A now sends the turn that happened on B.
    writeFileSync(path.join(dirA, `${c.sessionId}.jsonl`), backOnA);
    const ra2 = await resume({ bin, home: homeA, cwd: cwdA, sessionId: c.sessionId, baseUrl: rec.url, prompt: "and now?" });
    expect(ra2.code, ra2.stderr).toBe(0);
    const msgsA2 = onlyRequest(rec.take(), "A again");
    expect(msgsA2.length).toBeGreaterThan(msgsA.length);
    expect(JSON.stringify(msgsA2)).toContain(RECORDER_REPLY);
  });
});
