/**
 * After two machines append to the same session and `git ctx sync` merges them, plain git must
 * still work in both views (the README promises `git pull` / `git add` / `git push`).
 *
 * KNOWN FAILING (marked `it.fails`): sync brings a hot or concurrently appended JSONL file up to
 * date by appending the missing lines (it never replaces a transcript), so each work tree keeps
 * its own line order while HEAD holds the merged (timestamp) order. `git status` then shows the
 * session as modified on both machines forever (`git ctx status` says 0 uncommitted), a plain
 * `git add -A` commits the local order, and the other machine's `git pull` refuses ("Your local
 * changes … would be overwritten"). Seen first in the demo. A fix that keeps the no-lost-line
 * guarantee: when the file holds exactly the merged lines in another order and is cold, rewrite
 * it in place (same length, same inode: pwrite from offset 0, never past the old length, so a
 * concurrent O_APPEND writer's new bytes are untouched). Remove `.fails` when this passes.
 */
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
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

  it.fails("both work trees are clean, and B's git add -A / push + A's git pull work", async () => {
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
    appendFileSync(fa, turnLines({ sessionId: s, cwd: webA!.root, parentUuid: lastUuid(readFileSync(fa, "utf8")), prompt: "a", answer: "A", timestamp: new Date(now).toISOString(), seed: "a" }));
    appendFileSync(fb, turnLines({ sessionId: s, cwd: rootB, parentUuid: lastUuid(readFileSync(fb, "utf8")), prompt: "b", answer: "B", timestamp: new Date(now + 1000).toISOString(), seed: "b" }));
    await ok(A, ["git", "ctx", "sync"]);
    await ok(B, ["git", "ctx", "sync"]);
    await ok(A, ["git", "ctx", "sync"]);
    expect(await ok(A, ["git", "status", "--porcelain"], A.projects)).toBe("");
    expect(await ok(B, ["git", "status", "--porcelain"], B.projects)).toBe("");
    await ok(B, ["git", "add", "-A"], B.projects);
    await ok(B, ["git", "commit", "-q", "--allow-empty", "-m", "b"], B.projects);
    await ok(B, ["git", "push", "-q"], B.projects);
    await ok(A, ["git", "pull", "-q"], A.projects);
  }, 180_000);
});
