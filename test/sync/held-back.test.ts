import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { syncOk, type ViewMachine, makeMachinePair } from "./helpers.js";

/**
 * Memory files are replaced only when unmodified and cold; otherwise the sync holds them back
 * (`sync-carry.json`, `last-sync.json` heldBack) and the next sync merges the local edit with the
 * remote change (commit on top of the version it derives from + merge-tree: diff3), so neither
 * side's edit is lost.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const age = (file: string) => utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

async function setup(): Promise<{ A: ViewMachine; B: ViewMachine; ma: string; mb: string }> {
  const { A, B } = await makeMachinePair(cleanups);
  const ma = path.join(A.folder, "memory", "notes.md");
  const mb = path.join(B.folder, "memory", "notes.md");
  mkdirSync(path.dirname(ma), { recursive: true });
  writeFileSync(ma, "# Notes\n\nline one\n\nline two\n\nline three\n");
  await syncOk(A);
  await syncOk(B);
  age(ma);
  age(mb);
  return { A, B, ma, mb };
}

describe("memory files during sync", () => {
  it("a cold unmodified memory file is replaced with the remote's version", async () => {
    const { A, B, ma, mb } = await setup();
    writeFileSync(mb, readFileSync(mb, "utf8").replace("line one", "line one (B)"));
    await syncOk(B);
    await syncOk(A);
    expect(readFileSync(ma, "utf8")).toContain("line one (B)");
  });

  it("a hot memory file is held back, then caught up by the next sync", async () => {
    const { A, B, ma, mb } = await setup();
    writeFileSync(mb, readFileSync(mb, "utf8").replace("line one", "line one (B)"));
    await syncOk(B);
    // touched just now, content unchanged: an agent may be rewriting it
    utimesSync(ma, new Date(), new Date());
    const out = await syncOk(A);
    expect(out).toMatch(/held back/);
    expect(readFileSync(ma, "utf8")).not.toContain("line one (B)");
    const last = JSON.parse(readFileSync(path.join(A.gitDir, "ctx", "last-sync.json"), "utf8"));
    expect(last.heldBack).toEqual([{ path: `${A.key}/memory/notes.md`, reason: "hot" }]);
    // the stale copy must not be committed as a reversal of B's change
    age(ma);
    await syncOk(A);
    expect(readFileSync(ma, "utf8")).toContain("line one (B)");
    expect(await A.git(["show", `HEAD:${A.key}/memory/notes.md`])).toContain("line one (B)");
    await syncOk(B);
    expect(readFileSync(mb, "utf8")).toContain("line one (B)");
  });

  it("a memory file edited during the sync keeps the local edit and gets the remote's (diff3 on the next sync)", async () => {
    const { A, B, ma, mb } = await setup();
    writeFileSync(mb, readFileSync(mb, "utf8").replace("line one", "line one (B)"));
    await syncOk(B);
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    const running = syncOk(A, [], { GIT_CTX_TEST_PAUSE_DIR: t.path });
    while (!existsSync(path.join(t.path, "paused"))) await new Promise((r) => setTimeout(r, 5));
    writeFileSync(ma, readFileSync(ma, "utf8").replace("line three", "line three (A)")); // edited after A's commit step
    writeFileSync(path.join(t.path, "resume"), "");
    await running;
    expect(readFileSync(ma, "utf8")).toContain("line three (A)");
    age(ma);
    await syncOk(A);
    const merged = readFileSync(ma, "utf8");
    expect(merged).toContain("line one (B)");
    expect(merged).toContain("line three (A)");
    age(mb); // B's own edit is recent: a hot file would rightly be held back
    await syncOk(B);
    expect(readFileSync(mb, "utf8")).toBe(merged);
    expect(await A.git(["rev-parse", "HEAD"])).toBe(await B.git(["rev-parse", "HEAD"]));
  });

  it("same-named memory files created on both machines keep both versions (add/add, conflict markers)", async () => {
    const { A, B } = await makeMachinePair(cleanups);
    const ma = path.join(A.folder, "memory", "notes.md");
    const mb = path.join(B.folder, "memory", "notes.md");
    mkdirSync(path.dirname(ma), { recursive: true });
    writeFileSync(ma, "# Notes\nfrom A\n");
    await syncOk(A);
    // B's first sync: nothing committed yet; B's agent creates the same file while sync is about to
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    const running = syncOk(B, [], { GIT_CTX_TEST_PAUSE_DIR: t.path });
    while (!existsSync(path.join(t.path, "paused"))) await new Promise((r) => setTimeout(r, 5));
    mkdirSync(path.dirname(mb), { recursive: true });
    writeFileSync(mb, "# Notes\nfrom B\n");
    writeFileSync(path.join(t.path, "resume"), "");
    await running;
    expect(readFileSync(mb, "utf8")).toBe("# Notes\nfrom B\n"); // never clobbered
    age(mb);
    await syncOk(B); // merged against an empty base: both versions, between markers
    const text = readFileSync(mb, "utf8");
    expect(text).toContain("from A");
    expect(text).toContain("from B");
    const st = JSON.parse((await B.ctx(["status", "--json"])).stdout);
    expect(st.views[0].projects[0].conflicts).toEqual([`${B.key}/memory/notes.md`]);
    age(ma);
    await syncOk(A);
    expect(readFileSync(ma, "utf8")).toBe(text);
  });
});
