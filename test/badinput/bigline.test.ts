import { createHash } from "node:crypto";
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeMachinePair } from "../sync/helpers.js";

/**
 * A 200 MB single line (issue 5, scope 4) through `git ctx sync` with the clean/smudge filter and
 * the merge driver: it reaches B byte for byte and A's copy is not rewritten. The file is sparse
 * (a JSON prefix, 200 MB of NUL, a suffix) so the test stays fast and small on disk.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");

describe("a 200 MB single line", () => {
  it("travels A → B byte for byte through the filter, A's file untouched", async () => {
    const { A, B } = await makeMachinePair(cleanups, { filter: true });
    const fa = path.join(A.folder, "44444444-0000-4000-8000-000000000001.jsonl");
    const fd = openSync(fa, "w");
    const prefix = Buffer.from('{"type":"user","cwd":"/work/proj","message":{"content":"/work/proj/src/a.ts ');
    writeSync(fd, prefix);
    ftruncateSync(fd, 200 * 1024 * 1024);
    writeSync(fd, Buffer.from(' /work/proj/end"}}\n'), 0, undefined, 200 * 1024 * 1024);
    closeSync(fd);
    const before = { sha: sha(fa), mtime: statSync(fa).mtimeMs };
    const ra = await A.ctx(["sync"]);
    expect(ra.code, ra.stderr).toBe(0);
    const rb = await B.ctx(["sync"]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(sha(fa)).toBe(before.sha);
    expect(statSync(fa).mtimeMs).toBe(before.mtime);
    expect(sha(path.join(B.folder, path.basename(fa)))).toBe(before.sha);
  }, 300_000);
});
