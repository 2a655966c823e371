import { spawnSync } from "node:child_process";
import { mkdtempSync, rmdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { asStateWriteError, ViewNotWritableError } from "../../src/sync/errors.js";
import { makeMachinePair, syncOk } from "../sync/helpers.js";

/**
 * A read-only view (issue 22, scope 6): `git ctx sync` on a view whose folder is mounted
 * read-only ends with a clear error naming the folder and the fix (exit 1), never git-ctx's
 * "internal error … EROFS" bug report (exit 70). The end-to-end case needs root and a read-only
 * bind mount (skipped otherwise); the mapping itself is checked everywhere.
 */

function canMount(): boolean {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  const d = mkdtempSync(path.join(os.tmpdir(), "gitctx-mnt-"));
  let ok = spawnSync("mount", ["--bind", d, d]).status === 0;
  if (ok) {
    ok = spawnSync("mount", ["-o", "remount,bind,ro", d]).status === 0;
    spawnSync("umount", [d]);
  }
  rmdirSync(d);
  return ok;
}
const MOUNT = canMount();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Bind-mounts `dir` on itself read-only (undone after the test). */
function readOnly(dir: string): void {
  expect(spawnSync("mount", ["--bind", dir, dir]).status).toBe(0);
  cleanups.push(() => void spawnSync("umount", ["-l", dir]));
  expect(spawnSync("mount", ["-o", "remount,bind,ro", dir]).status).toBe(0);
}

describe.skipIf(!MOUNT)("git ctx sync on a read-only view", () => {
  it("fails with exit 1 and a message naming the folder and the fix, not an internal error", async () => {
    const { A, B } = await makeMachinePair(cleanups);
    writeFileSync(path.join(A.folder, "a.jsonl"), '{"a":1}\n');
    await syncOk(A);
    await syncOk(B);
    writeFileSync(path.join(A.folder, "a2.jsonl"), '{"a":2}\n');
    await syncOk(A);
    readOnly(B.projects);
    const r = await B.ctx(["sync"]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(path.join(B.projects, ".git", "ctx"));
    expect(r.stderr).toMatch(/read-only file system/);
    expect(r.stderr).toMatch(/remount .* read-write, then run 'git ctx sync' again/);
  });
});

describe("asStateWriteError", () => {
  const err = (code: string, p: string) => Object.assign(new Error(`${code}: x, open '${p}'`), { code, path: p });
  it("maps EROFS/EACCES/EPERM inside the git dir to ViewNotWritableError naming the folder", () => {
    const e = asStateWriteError(err("EROFS", "/v/.git/ctx/sync.pending"), "/v/.git");
    expect(e).toBeInstanceOf(ViewNotWritableError);
    expect((e as Error).message).toContain("/v/.git/ctx (/v/.git/ctx/sync.pending: read-only file system) — remount /v/.git/ctx read-write");
    expect(asStateWriteError(err("EACCES", "/v/.git/ctx/sync.lock"), "/v/.git")).toBeInstanceOf(ViewNotWritableError);
  });
  it("leaves other errors and paths outside the git dir alone", () => {
    const other = err("ENOSPC", "/v/.git/ctx/x");
    expect(asStateWriteError(other, "/v/.git")).toBe(other);
    const outside = err("EROFS", "/v/.gitx/ctx/x");
    expect(asStateWriteError(outside, "/v/.git")).toBe(outside);
  });
});
