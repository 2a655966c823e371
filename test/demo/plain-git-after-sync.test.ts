/**
 * After two machines append to the same session and `git ctx sync` merges them, plain git must
 * still work in both views (the README promises `git pull` / `git add` / `git push`).
 *
 * Was failing: sync brings a concurrently appended JSONL file up to date by appending the missing
 * lines (it never replaces a transcript), so each work tree kept its own line order while HEAD
 * held the merged (timestamp) order. `git status` then showed the session as modified on both
 * machines forever, a plain `git add -A` committed the local order, and the other machine's
 * `git pull` refused ("Your local changes … would be overwritten"). Seen first in the demo. Now
 * sync rewrites a cold transcript that holds exactly HEAD's lines in another order in place
 * (src/sync/worktree.ts `reorderInPlace`: same inode, same length, never past the old length).
 * A file written in the last 2 s is hot and left for the next sync: B's session was appended by
 * this test just before B's first sync, so B syncs once more once it is cold (what the next
 * Stop hook does).
 */
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, describe, expect, it } from "vitest";
import { lastUuid, renderSamples, turnLines } from "../../samples/render.js";
import { makeMachine, type TestMachine } from "../helpers/env.js";

function sh(m: TestMachine, args: string[], cwd = m.home): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(args[0]!, args.slice(1), { cwd, env: m.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code, out }));
  });
}
async function ok(m: TestMachine, args: string[], cwd = m.home): Promise<string> {
  const r = await sh(m, args, cwd);
  if (r.code !== 0) throw new Error(`${m.name}: ${args.join(" ")} exited ${r.code}: ${r.out}`);
  return r.out;
}

describe("plain git after git ctx sync merged concurrent appends", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it("both work trees are clean, and B's git add -A / push + A's git pull work", async () => {
    const t = await dir({ unsafeCleanup: true });
    const A = await makeMachine("pa");
    const B = await makeMachine("pb", { os: "darwin", pathHome: "/Users/pb" });
    cleanups.push(t.cleanup, A.cleanup, B.cleanup);
    const cluster = path.join(t.path, "c.git");
    const [webA] = renderSamples({ home: A.pathHome, os: "linux", projectsDir: A.projects, only: ["webshop"] });
    await ok(A, ["git", "ctx", "install"]);
    await ok(A, ["git", "ctx", "init", "--remote", cluster, "--id", "webshop", webA!.root]);
    await ok(B, ["git", "ctx", "install"]);
    await ok(B, ["git", "clone", `ctx::${cluster}`, B.projects]);
    const rootB = "/Users/pb/src/webshop";
    await ok(B, ["git", "ctx", "join", "--id", "webshop", rootB]);
    const [webB] = renderSamples({ home: B.pathHome, os: "darwin", projectsDir: path.join(t.path, "x"), only: ["webshop"] });
    const s = webA!.sessions[0]!;
    const fa = path.join(webA!.dir, `${s}.jsonl`);
    const fb = path.join(B.projects, webB!.key, `${s}.jsonl`);
    const now = Date.now();
    appendFileSync(
      fa,
      turnLines({ sessionId: s, cwd: webA!.root, parentUuid: lastUuid(readFileSync(fa, "utf8")), prompt: "a", answer: "A", timestamp: new Date(now).toISOString(), seed: "a" }),
    );
    appendFileSync(
      fb,
      turnLines({ sessionId: s, cwd: rootB, parentUuid: lastUuid(readFileSync(fb, "utf8")), prompt: "b", answer: "B", timestamp: new Date(now + 1000).toISOString(), seed: "b" }),
    );
    const inoB = statSync(fb).ino;
    await ok(A, ["git", "ctx", "sync"]);
    await ok(B, ["git", "ctx", "sync"]);
    await ok(A, ["git", "ctx", "sync"]);
    await new Promise((r) => setTimeout(r, Math.max(0, statSync(fb).mtimeMs + 2100 - Date.now()))); // B's file is cold
    await ok(B, ["git", "ctx", "sync"]);
    expect(statSync(fb).ino, "B's session was replaced, not rewritten in place").toBe(inoB);
    // every line on both (the machines' paths differ, so compare counts of lines)
    expect(readFileSync(fb, "utf8").split("\n").length).toBe(readFileSync(fa, "utf8").split("\n").length);
    expect(await ok(A, ["git", "status", "--porcelain"], A.projects)).toBe("");
    expect(await ok(B, ["git", "status", "--porcelain"], B.projects)).toBe("");
    await ok(B, ["git", "add", "-A"], B.projects);
    await ok(B, ["git", "commit", "-q", "--allow-empty", "-m", "b"], B.projects);
    await ok(B, ["git", "push", "-q"], B.projects);
    await ok(A, ["git", "pull", "-q"], A.projects);
  }, 180_000);
});
