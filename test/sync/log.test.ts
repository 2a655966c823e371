import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { LOG_MAX_BYTES, logLine, syncPaths } from "../../src/sync/paths.js";

/** The sync log (`$GIT_DIR/ctx/sync.log`) appends one line per event and rotates past its size. */
describe("sync log", () => {
  it("appends timestamped lines, indents continuation lines, rotates to sync.log.1 past LOG_MAX_BYTES", async () => {
    const t = await dir({ unsafeCleanup: true });
    try {
      const p = syncPaths(t.path);
      logLine(p, "first");
      logLine(p, "two\nlines\n");
      const text = readFileSync(p.log, "utf8");
      expect(text).toMatch(/^\d{4}-\d\d-\d\dT[^ ]+Z \[\d+\] first\n[^ ]+ \[\d+\] two\n {4}lines\n$/);
      writeFileSync(p.log, "x".repeat(LOG_MAX_BYTES + 1));
      logLine(p, "after rotation");
      expect(statSync(p.log + ".1").size).toBe(LOG_MAX_BYTES + 1);
      expect(readFileSync(p.log, "utf8")).toMatch(/after rotation\n$/);
      expect(readFileSync(p.log, "utf8").length).toBeLessThan(200);
    } finally {
      await t.cleanup();
    }
  });

  it("never throws when the log cannot be written", async () => {
    const t = await dir({ unsafeCleanup: true });
    try {
      const file = `${t.path}/a-file`;
      writeFileSync(file, "");
      const p = syncPaths(`${file}/git`); // below a regular file: ENOTDIR
      expect(() => logLine(p, "x")).not.toThrow();
      expect(existsSync(p.log)).toBe(false);
    } finally {
      await t.cleanup();
    }
  });
});
