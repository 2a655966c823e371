import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { readCarry, writeCarry } from "../../src/sync/files.js";
import { syncPaths } from "../../src/sync/paths.js";

/**
 * `sync-carry.json` is saved by every sync; write-file-atomic fsyncs each write (~50 ms on the
 * bench machine), so a carry already on disk with the same bytes is not written again (issue 15).
 */
describe("writeCarry", () => {
  it("writes a new or changed carry atomically, and leaves an identical one untouched", async () => {
    const t = await dir({ unsafeCleanup: true, prefix: "gitctx-carry-" });
    try {
      const gitDir = path.join(t.path, ".git");
      mkdirSync(gitDir);
      const p = syncPaths(gitDir);
      const oid = "a".repeat(40);
      writeCarry(p, { version: 1, files: {} }); // absent: written (and its folder made)
      expect(readCarry(p)).toEqual({ version: 1, files: {} });
      const first = statSync(p.carry);
      writeCarry(p, { version: 1, files: {} }); // same bytes: the very same file (write-file-atomic would rename a new inode over it)
      const again = statSync(p.carry);
      expect([again.ino, again.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
      writeCarry(p, { version: 1, files: { "k/s.jsonl": { base: oid } } }); // changed: written
      expect(readCarry(p).files).toEqual({ "k/s.jsonl": { base: oid } });
      expect(statSync(p.carry).ino).not.toBe(first.ino);
      writeFileSync(p.carry, "{ damaged"); // a damaged carry is replaced, not compared
      writeCarry(p, { version: 1, files: {} });
      expect(JSON.parse(readFileSync(p.carry, "utf8"))).toEqual({ version: 1, files: {} });
    } finally {
      await t.cleanup();
    }
  });
});
