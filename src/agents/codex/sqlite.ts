import { existsSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The SQLite binding Codex's state database is written with (./threads.ts), behind one small
 * interface: Node's built-in `node:sqlite` (`DatabaseSync`, Node ≥ 22.5; without a flag from
 * 22.13) when this Node has it, else the optional dependency `better-sqlite3` (issue 24,
 * point 10). Both run the same SQL; the transaction is SQL (`BEGIN IMMEDIATE` … `COMMIT`), the busy
 * timeout a `PRAGMA`, so nothing depends on either binding's own helpers.
 */

/** A named-parameter value (`@name` in the SQL). */
export type SqlValue = string | number | null;

/** An open database. Every method throws the binding's error (e.g. "database is locked"). */
export interface SqliteDb {
  /** The rows of a query, as objects by column name. */
  all(sql: string): Record<string, unknown>[];
  /** Runs one statement with named parameters (`@name` ↔ `params.name`). */
  run(sql: string, params: Record<string, SqlValue>): void;
  /** Runs `fn` inside `BEGIN IMMEDIATE` … `COMMIT`; rolls back and rethrows when `fn` throws. */
  immediate(fn: () => void): void;
  close(): void;
}

/** A loaded binding: its name (for messages and tests) and how it opens an existing database file. */
export interface SqliteBinding {
  name: "node:sqlite" | "better-sqlite3";
  /**
   * Opens `file`, which must exist (a missing file is an error, never created), waiting up to
   * `busyMs` milliseconds for another writer's lock.
   * @throws Error when the file is missing or not a database.
   */
  open(file: string, busyMs: number): SqliteDb;
}

/** The part of `node:sqlite`'s `DatabaseSync` used here (Node's docs, "SQLite"). */
interface NodeSqliteModule {
  DatabaseSync: new (
    file: string,
  ) => {
    exec(sql: string): void;
    prepare(sql: string): { all(): unknown[]; run(params: Record<string, SqlValue>): unknown };
    close(): void;
  };
}

/** The part of `better-sqlite3`'s constructor used here (its API docs). */
type BetterSqlite3 = new (
  file: string,
  o: { timeout: number; fileMustExist: boolean },
) => {
  exec(sql: string): unknown;
  prepare(sql: string): { all(): unknown[]; run(params: Record<string, SqlValue>): unknown };
  close(): unknown;
};

/** Where {@link chooseSqlite} gets the two bindings from: each returns the module, or undefined when it is not there. */
export interface SqliteLoaders {
  builtin: () => unknown;
  better: () => unknown;
}

/** The shared part of both adapters: a handle with `exec`, `prepare` and `close`. */
function adapter(db: InstanceType<NodeSqliteModule["DatabaseSync"]>, busyMs: number): SqliteDb {
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyMs))}`);
  return {
    all: (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    run: (sql, params) => void db.prepare(sql).run(params),
    immediate: (fn) => {
      db.exec("BEGIN IMMEDIATE");
      try {
        fn();
        db.exec("COMMIT");
      } catch (e) {
        try {
          db.exec("ROLLBACK");
        } catch {
          /* SQLite already rolled back (e.g. after SQLITE_FULL) */
        }
        throw e;
      }
    },
    close: () => void db.close(),
  };
}

/**
 * Picks the binding: `node:sqlite` when `load.builtin()` gives a module with `DatabaseSync`,
 * else `better-sqlite3` when `load.better()` gives its constructor, else undefined (neither is
 * there: the caller warns). Pure apart from the loaders.
 */
export function chooseSqlite(load: SqliteLoaders): SqliteBinding | undefined {
  const builtin = load.builtin() as Partial<NodeSqliteModule> | undefined;
  if (typeof builtin?.DatabaseSync === "function") {
    const DatabaseSync = builtin.DatabaseSync;
    return {
      name: "node:sqlite",
      open: (file, busyMs) => {
        // DatabaseSync creates a missing file; the state database must be Codex's own
        if (!existsSync(file)) throw new Error(`unable to open database file: ${file} does not exist`);
        return adapter(new DatabaseSync(file), busyMs);
      },
    };
  }
  const Better = load.better() as BetterSqlite3 | undefined;
  if (typeof Better === "function")
    return {
      name: "better-sqlite3",
      open: (file, busyMs) => adapter(new Better(file, { timeout: busyMs, fileMustExist: true }) as never, busyMs),
    };
  return undefined;
}

/**
 * `node:sqlite` from this Node (`process.getBuiltinModule`, Node ≥ 20.16), or undefined when it
 * has none (Node 20; 22.5–22.12 without `--experimental-sqlite`). Node's one-time
 * "SQLite is an experimental feature" warning is not printed (a sync's stderr is the user's).
 */
export function loadBuiltinSqlite(): unknown {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof get !== "function") return undefined;
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    const text = typeof w === "string" ? w : w.message;
    if (/sqlite/i.test(text)) return;
    (emit as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  try {
    return get.call(process, "node:sqlite");
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emit;
  }
}

/** `better-sqlite3` (optional dependency), or undefined when it is not installed or its native part does not load. */
export function loadBetterSqlite3(): unknown {
  try {
    return createRequire(import.meta.url)("better-sqlite3");
  } catch {
    return undefined;
  }
}

/** The binding this process uses: {@link chooseSqlite} with the real loaders. */
export function loadSqlite(): SqliteBinding | undefined {
  return chooseSqlite({ builtin: loadBuiltinSqlite, better: loadBetterSqlite3 });
}
