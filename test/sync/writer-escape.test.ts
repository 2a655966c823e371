import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { applyUpdates, reorderInPlace, verifiedFolder } from "../../src/sync/worktree.js";
import { makeMachinePair, syncOk } from "./helpers.js";

/**
 * The work-tree writer cannot escape the work tree (issue 22, scope 2): whatever links are
 * already in the view, `applyUpdates` (create, append, replace) and `reorderInPlace` never write
 * through a symbolic link or a non-folder on the way. A "canary home" outside the work tree is
 * the target of the planted links; it must stay byte for byte the same, nothing may be left in
 * the work tree (no folder, no temp file), and the result says the path was refused.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** `<tmp>/home` (the canary, holding a git config) and `<tmp>/home/x/view` (the work tree, with `key/d/e/`). */
async function setup(): Promise<{ home: string; wt: string }> {
  const t = await dir({ unsafeCleanup: true });
  cleanups.push(() => t.cleanup());
  const home = path.join(t.path, "home");
  mkdirSync(path.join(home, ".config", "git"), { recursive: true });
  writeFileSync(path.join(home, ".config", "git", "config"), "[user]\n\tname = victim\n");
  writeFileSync(path.join(home, "s.jsonl"), '{"n":1}\n');
  writeFileSync(path.join(home, "notes.md"), "mine\n");
  const old = new Date(Date.now() - 60_000);
  utimesSync(path.join(home, "notes.md"), old, old);
  utimesSync(path.join(home, "s.jsonl"), old, old);
  const wt = path.join(home, "x", "view");
  mkdirSync(path.join(wt, "key", "d", "e"), { recursive: true });
  writeFileSync(path.join(wt, "key", "ok.jsonl"), '{"ok":1}\n');
  return { home, wt };
}

/** Every entry under `root` (links not followed): type, mode, link target or bytes. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      const rel = path.relative(root, p);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${st.mode.toString(8)}`;
        walk(p);
      } else out[rel] = `file ${st.mode.toString(8)} ${st.mtimeMs} ${readFileSync(p).toString("base64")}`;
    }
  };
  walk(root);
  return out;
}

const b = (s: string) => Buffer.from(s);

describe("applyUpdates never writes through a link or a non-folder on the way", () => {
  it("the issue's chain: context links a -> ../.. and c -> a/../../.., then a create of c/.config/git/config", async () => {
    const { home, wt } = await setup();
    symlinkSync("../..", path.join(wt, "key", "d", "e", "a"));
    symlinkSync("a/../../..", path.join(wt, "key", "d", "e", "c"));
    // the links really reach the canary home: the exploit is live
    expect(readFileSync(path.join(wt, "key", "d", "e", "c", ".config", "git", "config"), "utf8")).toContain("victim");
    const before = snapshot(home);
    const r = await applyUpdates([{ path: "key/d/e/c/.config/git/config", expected: undefined, next: b("[core]\n\tpager = evil\n") }], { workTree: wt });
    expect(r[0]!.plan).toEqual({ action: "refuse", why: "a folder on the way is a symbolic link", at: "key/d/e/c" });
    expect(snapshot(home)).toEqual(before);
  });

  it("create: a folder on the way is a link to a folder outside (the canary home)", async () => {
    const { home, wt } = await setup();
    symlinkSync(home, path.join(wt, "key", "d", "e", "c"));
    const before = snapshot(home);
    const r = await applyUpdates([{ path: "key/d/e/c/.config/git/config", expected: undefined, next: b("evil\n") }], { workTree: wt });
    expect(r[0]!.plan.action).toBe("refuse");
    expect(snapshot(home)).toEqual(before);
  });

  it("create: a missing folder whose parent is a link is not made (no mkdir through the link)", async () => {
    const { home, wt } = await setup();
    symlinkSync(home, path.join(wt, "key", "d", "e", "c"));
    const before = snapshot(home);
    const r = await applyUpdates([{ path: "key/d/e/c/new/deeper/x.json", expected: undefined, next: b("{}\n") }], { workTree: wt });
    expect(r[0]!.plan.action).toBe("refuse");
    expect(snapshot(home)).toEqual(before);
  });

  it("append: a transcript reached through a linked folder is not appended to", async () => {
    const { home, wt } = await setup();
    symlinkSync(home, path.join(wt, "key", "d", "e", "c"));
    const before = snapshot(home);
    const r = await applyUpdates([{ path: "key/d/e/c/s.jsonl", expected: b('{"n":1}\n'), next: b('{"n":1}\n{"n":2}\n') }], { workTree: wt });
    expect(r[0]!.plan.action).toBe("refuse");
    expect(snapshot(home)).toEqual(before);
  });

  it("replace: an unmodified cold file reached through a linked folder is not replaced", async () => {
    const { home, wt } = await setup();
    symlinkSync(home, path.join(wt, "key", "d", "e", "c"));
    const before = snapshot(home);
    const r = await applyUpdates([{ path: "key/d/e/c/notes.md", expected: b("mine\n"), next: b("theirs\n") }], { workTree: wt });
    expect(r[0]!.plan.action).toBe("refuse");
    expect(snapshot(home)).toEqual(before);
  });

  it("a link as the work tree's direct child folder (the project folder itself)", async () => {
    const { home, wt } = await setup();
    symlinkSync(home, path.join(wt, "proj"));
    const before = snapshot(home);
    const r = await applyUpdates(
      [
        { path: "proj/new.jsonl", expected: undefined, next: b('{"a":1}\n') },
        { path: "proj/s.jsonl", expected: b('{"n":1}\n'), next: b('{"n":1}\n{"n":2}\n') },
        { path: "proj/notes.md", expected: b("mine\n"), next: b("theirs\n") },
      ],
      { workTree: wt },
    );
    expect(r.map((x) => x.plan)).toEqual([
      { action: "refuse", why: "a folder on the way is a symbolic link", at: "proj" },
      { action: "refuse", why: "a folder on the way is a symbolic link", at: "proj" },
      { action: "refuse", why: "a folder on the way is a symbolic link", at: "proj" },
    ]);
    expect(snapshot(home)).toEqual(before);
  });

  it("a file where a folder should be is refused, not removed", async () => {
    const { wt } = await setup();
    const beforeWt = snapshot(wt);
    const r = await applyUpdates([{ path: "key/ok.jsonl/inner.json", expected: undefined, next: b("{}\n") }], { workTree: wt });
    expect(r[0]!.plan).toEqual({ action: "refuse", why: "a folder on the way is not a folder", at: "key/ok.jsonl" });
    expect(snapshot(wt)).toEqual(beforeWt);
  });

  it("nothing is left in the work tree either (no temp file, no folder), and safe paths beside still work", async () => {
    const { home, wt } = await setup();
    symlinkSync(home, path.join(wt, "key", "d", "e", "c"));
    const before = snapshot(home);
    const beforeWt = snapshot(wt);
    const r = await applyUpdates(
      [
        { path: "key/d/e/c/.config/git/config", expected: undefined, next: b("evil\n") },
        { path: "key/d/e/c/notes.md", expected: b("mine\n"), next: b("theirs\n") },
      ],
      { workTree: wt },
    );
    expect(r.map((x) => x.plan.action)).toEqual(["refuse", "refuse"]);
    expect(snapshot(home)).toEqual(before);
    expect(snapshot(wt)).toEqual(beforeWt);
    // a create in missing real folders next to it is made one level at a time
    const ok = await applyUpdates([{ path: "key/d/f/g/new.jsonl", expected: undefined, next: b('{"x":1}\n') }], { workTree: wt });
    expect(ok[0]!.plan.action).toBe("create");
    expect(readFileSync(path.join(wt, "key", "d", "f", "g", "new.jsonl"), "utf8")).toBe('{"x":1}\n');
    expect(Object.keys(snapshot(wt)).filter((k) => /git-ctx-.*\.tmp$/.test(k))).toEqual([]);
  });
});

describe("reorderInPlace and verifiedFolder", () => {
  it("reorderInPlace with the work tree does not rewrite a transcript reached through a linked folder", async () => {
    const { home, wt } = await setup();
    writeFileSync(path.join(home, "r.jsonl"), '{"n":2}\n{"n":1}\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path.join(home, "r.jsonl"), old, old);
    symlinkSync(home, path.join(wt, "key", "d", "e", "c"));
    const before = snapshot(home);
    const r = await reorderInPlace(path.join(wt, "key", "d", "e", "c", "r.jsonl"), b('{"n":1}\n{"n":2}\n'), { workTree: wt });
    expect(r).toBe("refused");
    expect(snapshot(home)).toEqual(before);
  });

  it("verifiedFolder refuses '..', '.git' and links, reports a missing folder, and makes real ones with create", async () => {
    const { home, wt } = await setup();
    symlinkSync(home, path.join(wt, "key", "l"));
    expect(verifiedFolder(wt, "key/../..", { create: true })).toMatchObject({ ok: false, kind: "unsafe", at: "key/.." });
    expect(verifiedFolder(wt, "key/.GIT/hooks", { create: true })).toMatchObject({ ok: false, kind: "unsafe" });
    expect(verifiedFolder(wt, "key/l/sub", { create: true })).toMatchObject({ ok: false, kind: "unsafe", at: "key/l" });
    expect(verifiedFolder(wt, "key/m/n", { create: false })).toMatchObject({ ok: false, kind: "missing", at: "key/m" });
    expect(verifiedFolder(wt, "key/m/n", { create: true })).toEqual({ ok: true, dir: path.join(wt, "key", "m", "n") });
    expect(lstatSync(path.join(wt, "key", "m", "n")).isDirectory()).toBe(true);
    expect(verifiedFolder(wt, "", { create: false })).toEqual({ ok: true, dir: wt });
  });
});

describe("a carried (held-back) file is never read through a linked folder", () => {
  it("a held memory file whose folder became a link to an outside folder: the outside bytes never reach the cluster", async () => {
    const { A, B, remote } = await makeMachinePair(cleanups);
    const ma = path.join(A.folder, "memory", "notes.md");
    const mb = path.join(B.folder, "memory", "notes.md");
    const aged = (f: string) => utimesSync(f, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    mkdirSync(path.dirname(ma), { recursive: true });
    writeFileSync(ma, "# Notes\n\nline one\n");
    await syncOk(A);
    await syncOk(B);
    aged(ma);
    aged(mb);
    writeFileSync(mb, "# Notes\n\nline one (B)\n");
    await syncOk(B);
    // edited while A's sync is between reading and writing it: held back, carried
    const pause = await dir({ unsafeCleanup: true });
    cleanups.push(() => pause.cleanup());
    const running = syncOk(A, [], { GIT_CTX_TEST_PAUSE_DIR: pause.path });
    while (!existsSync(path.join(pause.path, "paused"))) await new Promise((r) => setTimeout(r, 5));
    writeFileSync(ma, "# Notes\n\nline one (A)\n");
    writeFileSync(path.join(pause.path, "resume"), "");
    expect(await running).toMatch(/held back/);
    expect(JSON.parse(readFileSync(path.join(A.gitDir, "ctx", "sync-carry.json"), "utf8")).files).toHaveProperty([`${A.key}/memory/notes.md`]);
    // the folder is swapped for a link to a folder outside the view holding a file of that name
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(() => t.cleanup());
    writeFileSync(path.join(t.path, "notes.md"), "SECRET-CANARY outside the view\n");
    renameSync(path.dirname(ma), path.join(A.folder, "memory.real"));
    symlinkSync(t.path, path.dirname(ma));
    await A.ctx(["sync"]);
    const all = await A.git(["rev-list", "--all"]);
    const leaked = await A.git(["grep", "-l", "SECRET-CANARY", ...all.split("\n")]).catch(() => "");
    expect(leaked).toBe("");
    expect(await A.git(["ls-remote", remote])).not.toBe(""); // the remote is reachable: the check above covers what A could push
  }, 120_000);
});
