import { lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ViewMachine, makeMachinePair } from "../sync/helpers.js";
import { BAD_INPUTS } from "./inputs.js";

/**
 * Bad input through `git ctx sync` (plain bare remote, real bins, the clean/smudge filter and the
 * merge driver on): each file travels byte for byte, and the writer's own files are never
 * rewritten.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pair(filter: boolean): Promise<{ A: ViewMachine; B: ViewMachine }> {
  return makeMachinePair(cleanups, { filter });
}

function put(m: ViewMachine, rel: string, bytes: Buffer): string {
  const abs = path.join(m.folder, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, bytes);
  return abs;
}

describe.each([false, true])("bad input through git ctx sync (filter %s)", (filter) => {
  it("every bad input reaches B byte for byte, and A's files are not rewritten", async () => {
    const { A, B } = await pair(filter);
    const files = BAD_INPUTS.map((b) => ({ rel: b.file, bytes: b.bytes(), abs: put(A, b.file, b.bytes()) }));
    const mtimes = files.map((f) => statSync(f.abs).mtimeMs);
    const ra = await A.ctx(["sync"]);
    expect(ra.code, ra.stderr + ra.stdout).toBe(0);
    const rb = await B.ctx(["sync"]);
    expect(rb.code, rb.stderr + rb.stdout).toBe(0);
    files.forEach((f, i) => {
      expect(readFileSync(f.abs).equals(f.bytes), `A ${f.rel}`).toBe(true);
      expect(statSync(f.abs).mtimeMs, `A ${f.rel} rewritten`).toBe(mtimes[i]);
      expect(readFileSync(path.join(B.folder, f.rel)).equals(f.bytes), `B ${f.rel}`).toBe(true);
    });
  });

  it("B's own malformed local lines survive a sync that brings A's lines to the same session", async () => {
    const { A, B } = await pair(filter);
    const bad = BAD_INPUTS[0]!; // malformed JSONL
    put(A, bad.file, bad.bytes());
    expect((await A.ctx(["sync"])).code).toBe(0);
    expect((await B.ctx(["sync"])).code).toBe(0);
    // both append: A a valid line, B a broken one
    const fa = path.join(A.folder, bad.file);
    const fb = path.join(B.folder, bad.file);
    const aLine = '\n{"type":"user","uuid":"a-9","timestamp":"2026-01-02T11:00:00.000Z","message":{"content":"from A"}}\n';
    const bLine = '\n{"type":"user","broken from B\n';
    writeFileSync(fa, Buffer.concat([bad.bytes(), Buffer.from(aLine)]));
    writeFileSync(fb, Buffer.concat([bad.bytes(), Buffer.from(bLine)]));
    const ra = await A.ctx(["sync"]);
    const rb = await B.ctx(["sync"]);
    const ra2 = await A.ctx(["sync"]);
    for (const r of [ra, rb, ra2]) expect(r.code, r.stderr + r.stdout).toBe(0);
    const textB = readFileSync(fb, "latin1");
    for (const l of [...bad.bytes().toString("latin1").split("\n"), aLine.trim(), bLine.trim()]) if (l) expect(textB, `B lost '${l}'`).toContain(l);
    const textA = readFileSync(fa, "latin1");
    for (const l of [aLine.trim(), bLine.trim()]) expect(textA, `A lost '${l}'`).toContain(l);
  });

  it("a symlink inside a project folder: A's link and its target stay untouched and A's sync succeeds", async () => {
    const { A } = await pair(filter);
    const target = path.join(A.home, "outside.txt");
    writeFileSync(target, "outside the view\n");
    symlinkSync(target, path.join(A.folder, "link.jsonl"));
    put(A, "11111111-0000-4000-8000-00000000000a.jsonl", Buffer.from('{"type":"user"}\n'));
    const ra = await A.ctx(["sync"]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(lstatSync(path.join(A.folder, "link.jsonl")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(A.folder, "link.jsonl"))).toBe(target);
    expect(readFileSync(target, "utf8")).toBe("outside the view\n");
    // git records the link itself (mode 120000, the target path as content), never the target's bytes
    expect(await A.git(["ls-tree", "HEAD", "--", `${A.key}/link.jsonl`])).toMatch(/^120000 blob /);
  });

  // Was a bug: `smudgedFiles` read the checked-out temp copy with readFileSync, FOLLOWING the link,
  // so B's own file named by A's link landed in B's view and B's next sync pushed it. Sync now
  // never writes or follows an incoming symlink (mode 120000) and says so, naming the file.
  it("a symlink from the other side is never dereferenced on B (no local file leaks into B's view or the remote), and B is told", async () => {
    const { A, B } = await pair(filter);
    const victim = path.join(B.home, "victim-secret.txt");
    writeFileSync(victim, "B's private bytes 7f3a\n");
    symlinkSync(victim, path.join(A.folder, "link.jsonl"));
    expect((await A.ctx(["sync"])).code).toBe(0);
    const rb = await B.ctx(["sync"]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stdout + rb.stderr).toMatch(/link\.jsonl: symbolic link .*not written.*regular file/);
    const lb = path.join(B.folder, "link.jsonl");
    const st = (() => {
      try {
        return lstatSync(lb);
      } catch {
        return undefined;
      }
    })();
    if (st && !st.isSymbolicLink()) expect(readFileSync(lb, "utf8")).not.toContain("B's private bytes");
    if (st?.isSymbolicLink()) expect(readlinkSync(lb)).not.toBe(victim);
    expect((await B.ctx(["sync"])).code).toBe(0);
    const objects = await B.git(["-C", B.projects, "cat-file", "--batch-all-objects", "--batch"]);
    expect(objects).not.toContain("B's private bytes 7f3a");
  });
});
