import { existsSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { chooseSqlite, loadBetterSqlite3, loadBuiltinSqlite, loadSqlite, type SqliteBinding } from "../../src/agents/codex/sqlite.js";

/**
 * Issue 24, point 10: Codex's state database is written through one small adapter with Node's
 * built-in `node:sqlite` preferred (Node ≥ 22.5) and `better-sqlite3` the fallback. The choice is
 * tested with injected loaders; the adapter itself with whichever binding this Node has (Node 20
 * here: better-sqlite3), and the node:sqlite path with a stand-in of `DatabaseSync`'s API.
 */

const Better = loadBetterSqlite3() as typeof import("better-sqlite3") | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function newDb(): Promise<string> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-sqlite-" });
  cleanups.push(t.cleanup);
  const file = path.join(t.path, "state_5.sqlite");
  const db = new Better!(file);
  db.exec("CREATE TABLE threads (id TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)");
  db.close();
  return file;
}

/** `DatabaseSync`'s API (new DatabaseSync(file) creates a missing file; exec, prepare().all/run, close) over better-sqlite3. */
class FakeDatabaseSync {
  static opened: string[] = [];
  private db: import("better-sqlite3").Database;
  constructor(file: string) {
    FakeDatabaseSync.opened.push(file);
    this.db = new Better!(file);
  }
  exec(sql: string): void {
    this.db.exec(sql);
  }
  prepare(sql: string) {
    const st = this.db.prepare(sql);
    return { all: () => st.all(), run: (p: Record<string, unknown>) => st.run(p) };
  }
  close(): void {
    this.db.close();
  }
}

/** Inserts, reads back, and checks that a throwing transaction leaves nothing. */
function roundTrip(b: SqliteBinding, file: string): void {
  const db = b.open(file, 1000);
  try {
    db.immediate(() => db.run("INSERT INTO threads (id, n, note) VALUES (@id, @n, @note)", { id: "a", n: 7, note: null }));
    expect(() =>
      db.immediate(() => {
        db.run("INSERT INTO threads (id, n, note) VALUES (@id, @n, @note)", { id: "b", n: 1, note: "x" });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(db.all("SELECT id, n, note FROM threads ORDER BY id")).toEqual([{ id: "a", n: 7, note: null }]);
    expect(db.all("PRAGMA table_info(threads)").map((c) => c.name)).toEqual(["id", "n", "note"]);
  } finally {
    db.close();
  }
}

describe("the SQLite binding behind Codex's threads rows", () => {
  it("prefers node:sqlite when the loader gives it, else better-sqlite3, else none", () => {
    const builtin = { DatabaseSync: FakeDatabaseSync };
    const better = () => Better ?? function Fake() {};
    expect(chooseSqlite({ builtin: () => builtin, better })?.name).toBe("node:sqlite");
    expect(chooseSqlite({ builtin: () => undefined, better })?.name).toBe("better-sqlite3");
    expect(chooseSqlite({ builtin: () => ({}), better })?.name).toBe("better-sqlite3");
    expect(chooseSqlite({ builtin: () => undefined, better: () => undefined })).toBeUndefined();
  });

  it("the real loaders: node:sqlite exactly when this Node has it", () => {
    const has = typeof (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.("node:sqlite") === "object";
    expect(loadBuiltinSqlite() !== undefined).toBe(has);
    expect(loadSqlite()?.name).toBe(has ? "node:sqlite" : Better ? "better-sqlite3" : undefined);
  });

  it.skipIf(!Better)("the adapter over whichever binding is present: named parameters, IMMEDIATE transaction, rollback on a throw", async () => {
    roundTrip(loadSqlite()!, await newDb());
  });

  it.skipIf(!Better)("the node:sqlite adapter (DatabaseSync's API): the same round trip; a missing file is refused, never created", async () => {
    const b = chooseSqlite({ builtin: () => ({ DatabaseSync: FakeDatabaseSync }), better: () => undefined })!;
    const file = await newDb();
    roundTrip(b, file);
    const missing = path.join(path.dirname(file), "state_6.sqlite");
    expect(() => b.open(missing, 10)).toThrow(/does not exist/);
    expect(existsSync(missing)).toBe(false);
    expect(FakeDatabaseSync.opened).toEqual([file]);
  });
});
