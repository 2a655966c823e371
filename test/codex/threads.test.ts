import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { registerRollouts, stateDatabase } from "../../src/agents/codex/threads.js";
import { loadBetterSqlite3 } from "../../src/agents/codex/sqlite.js";
import { rolloutPath, sessionMeta, turnLines } from "./rollouts.js";

/**
 * Issue 11, scope 4: the synced rollout's `threads` row in Codex's state database, with the
 * schema read at run time (tables made here follow the shape FORMATS.md lists for 0.169, plus a
 * column git-ctx does not know), rows of other sessions never touched, and a locked or unknown
 * database a warning. The real client's use of the row is proven in test/realclient/codex-resume.test.ts.
 */

/** better-sqlite3 makes and reads the test's databases (the code under test uses node:sqlite where Node has it). */
const Sqlite = loadBetterSqlite3() as typeof import("better-sqlite3") | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const ID = "019b0000-0000-7000-8000-00000000beef";
const TABLE = `CREATE TABLE threads (
  id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  source TEXT NOT NULL, model_provider TEXT NOT NULL, cwd TEXT NOT NULL, title TEXT NOT NULL,
  sandbox_policy TEXT NOT NULL, approval_mode TEXT NOT NULL, tokens_used INTEGER NOT NULL DEFAULT 0,
  has_user_event INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, archived_at INTEGER,
  git_sha TEXT, git_branch TEXT, git_origin_url TEXT, cli_version TEXT NOT NULL DEFAULT '',
  first_user_message TEXT NOT NULL DEFAULT '', preview TEXT NOT NULL DEFAULT '', history_mode TEXT NOT NULL DEFAULT 'legacy',
  some_future_column INTEGER NOT NULL)`;

async function codexHome(): Promise<{ home: string; file: string; rel: string }> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-threads-" });
  cleanups.push(t.cleanup);
  const home = path.join(t.path, ".codex");
  const rel = rolloutPath(ID);
  const file = path.join(home, "sessions", rel);
  mkdirSync(path.dirname(file), { recursive: true });
  const cwd = "/home/me/proj";
  const user = JSON.stringify({ timestamp: "2026-01-02T10:00:05.000Z", type: "event_msg", payload: { type: "user_message", message: "fix the tests" } });
  writeFileSync(file, [sessionMeta(ID, cwd), ...turnLines(cwd, "t", 2), user, ""].join("\n"));
  return { home, file, rel };
}

function makeDb(home: string, sql = TABLE): import("better-sqlite3").Database {
  const db = new Sqlite!(path.join(home, "state_5.sqlite"), { timeout: 100, fileMustExist: false });
  db.exec(sql);
  return db;
}

describe.skipIf(!Sqlite)("registerRollouts (Codex threads rows)", () => {
  it("inserts the synced session's row from the rollout, fills an unknown NOT NULL column with its type's zero, and leaves other rows byte-equal", async () => {
    const { home, file } = await codexHome();
    const db = makeDb(home);
    db.prepare(
      "INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title, sandbox_policy, approval_mode, some_future_column) VALUES ('other', '/x.jsonl', 1, 2, 'cli', 'openai', '/o', 't', '{}', 'never', 7)",
    ).run();
    const before = db.prepare("SELECT * FROM threads WHERE id = 'other'").get();
    db.close();
    const r = registerRollouts(home, [file]);
    expect(r.warnings).toEqual([]);
    expect(r.registered).toEqual([ID]);
    const db2 = new Sqlite!(path.join(home, "state_5.sqlite"), { timeout: 100, fileMustExist: true });
    const row = db2.prepare("SELECT * FROM threads WHERE id = ?").get(ID) as Record<string, unknown>;
    expect(row).toMatchObject({
      rollout_path: file,
      cwd: "/home/me/proj",
      source: "cli",
      model_provider: "openai",
      cli_version: "0.169.0",
      has_user_event: 1,
      first_user_message: "fix the tests",
      preview: "fix the tests",
      git_branch: "main",
      archived: 0,
      some_future_column: 0,
      history_mode: "legacy",
    });
    expect(row.created_at).toBe(Math.floor(Date.UTC(2026, 0, 2, 10) / 1000));
    expect(JSON.parse(row.sandbox_policy as string)).toEqual({ type: "workspace-write", writable_roots: ["/home/me/proj"] });
    expect(db2.prepare("SELECT * FROM threads WHERE id = 'other'").get()).toEqual(before);
    db2.close();
  });

  it("an existing row keeps its values but gets this machine's path (a row naming a missing file breaks resume)", async () => {
    const { home, file } = await codexHome();
    const db = makeDb(home);
    db.prepare(
      "INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title, sandbox_policy, approval_mode, some_future_column) VALUES (?, '/gone/rollout.jsonl', 5, 6, 'exec', 'azure', '/home/me/proj', 'my title', 'x', 'never', 3)",
    ).run(ID);
    db.close();
    expect(registerRollouts(home, [file]).registered).toEqual([ID]);
    const db2 = new Sqlite!(path.join(home, "state_5.sqlite"), { timeout: 100, fileMustExist: true });
    expect(db2.prepare("SELECT rollout_path, title, source, model_provider, created_at, some_future_column FROM threads WHERE id = ?").get(ID)).toEqual({
      rollout_path: file,
      title: "my title",
      source: "exec",
      model_provider: "azure",
      created_at: 5,
      some_future_column: 3,
    });
    db2.close();
  });

  it("no state database: writes nothing (Codex scans sessions/ on its first start)", async () => {
    const { home, file } = await codexHome();
    expect(registerRollouts(home, [file])).toEqual({ database: undefined, registered: [], warnings: [] });
    expect(stateDatabase(home)).toBeUndefined();
  });

  it("a locked database is a warning naming the fix, within the busy timeout, and nothing is written", async () => {
    const { home, file } = await codexHome();
    const db = makeDb(home);
    db.exec("BEGIN EXCLUSIVE");
    const t0 = Date.now();
    const r = registerRollouts(home, [file], { busyMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.registered).toEqual([]);
    expect(r.warnings.join("\n")).toMatch(/state_5\.sqlite is locked.*git ctx sync/);
    db.exec("ROLLBACK");
    expect(db.prepare("SELECT count(*) AS n FROM threads").get()).toEqual({ n: 0 });
    db.close();
  });

  it("an unknown schema (no threads table, or no rollout_path) is a warning and changes nothing", async () => {
    for (const sql of ["CREATE TABLE other (x INTEGER)", "CREATE TABLE threads (id TEXT PRIMARY KEY, path TEXT, cwd TEXT)"]) {
      const { home, file } = await codexHome();
      const db = makeDb(home, sql);
      db.close();
      const r = registerRollouts(home, [file]);
      expect(r.registered).toEqual([]);
      expect(r.warnings.join("\n")).toMatch(/a Codex release git-ctx does not know/);
    }
  });

  it("without the SQLite binding: a warning naming the install, nothing else", async () => {
    const { home, file } = await codexHome();
    makeDb(home).close();
    const r = registerRollouts(home, [file], { open: () => undefined });
    expect(r.registered).toEqual([]);
    expect(r.warnings.join("\n")).toMatch(/better-sqlite3 is not installed.*npm install -g better-sqlite3/);
  });

  it("a rollout without a session_meta first line is never registered", async () => {
    const { home, file } = await codexHome();
    makeDb(home).close();
    writeFileSync(file, turnLines("/home/me/proj", "x", 2).join("\n") + "\n");
    expect(registerRollouts(home, [file]).registered).toEqual([]);
  });
});
