import { closeSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { readFirstLine, sessionMetaOf } from "./rollout.js";
import { loadSqlite, type SqliteBinding, type SqliteDb } from "./sqlite.js";

/**
 * Registering synced rollouts in Codex's state database (issue 11, scope 4; FORMATS.md "Finding
 * and resuming a session"): Codex 0.169 lists sessions (`codex resume`, `exec resume --last`)
 * from `$CODEX_HOME/state_<N>.sqlite` table `threads`, and a row that names a missing file breaks
 * resume. After git-ctx writes a rollout on this machine, its row is inserted or updated:
 * - only when the database exists (a fresh `CODEX_HOME` is scanned by Codex on its first start);
 * - columns read with `PRAGMA table_info(threads)` at run time, never a hard-coded schema: known
 *   columns get values from the rollout (`session_meta`, `turn_context`, the first
 *   `event_msg`/`user_message`) and this machine's path; other `NOT NULL` columns without a
 *   default get their type's zero; `created_at_ms` and friends are left to Codex's triggers;
 * - one transaction with a 5 s busy timeout (Codex may be running), rows of other sessions never
 *   touched; a row that exists keeps its values except the path, the time it was updated and
 *   whether it has a user event;
 * - a locked database, an unknown schema or a missing SQLite binding is a warning naming the fix,
 *   never a failed sync.
 * The binding is Node's `node:sqlite` where this Node has it (≥ 22.5), else `better-sqlite3`, an
 * optional dependency, loaded on first use (./sqlite.ts).
 */

/** What registering did. */
export interface ThreadsResult {
  /** The database used, or undefined when there is none (nothing to do). */
  database?: string;
  /** Sessions whose row was inserted or updated. */
  registered: string[];
  /** Problems, each naming the fix (the sync goes on). */
  warnings: string[];
}

/** Columns whose values come from the rollout; everything else keeps its default. */
interface RowValues {
  [column: string]: string | number | null;
}

/** Busy timeout for Codex's own writers (ms). */
export const THREADS_BUSY_MS = 5000;

/** `state_<N>.sqlite` with the highest N in `codexHome`, or undefined. */
export function stateDatabase(codexHome: string): string | undefined {
  let best: { n: number; name: string } | undefined;
  let names: string[];
  try {
    names = readdirSync(codexHome);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const m = /^state_(\d+)\.sqlite$/.exec(name);
    if (m && (!best || Number(m[1]) > best.n)) best = { n: Number(m[1]), name };
  }
  return best ? path.join(codexHome, best.name) : undefined;
}

/** Bytes of a rollout read to find its first turn facts (the start holds `turn_context` and the first user message). */
const HEAD_BYTES = 1 << 20;

function head(file: string): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString("utf8", 0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The row values of a rollout at `file` (this machine's absolute path), from its first line and
 * the first MiB: pure apart from reading the file.
 * @returns undefined when the file has no `session_meta` first line (never registered).
 */
export function rowValues(file: string): RowValues | undefined {
  const first = readFirstLine(file);
  const meta = first === undefined ? undefined : sessionMetaOf(first);
  if (!meta) return undefined;
  const p = meta.payload;
  let turn: Record<string, unknown> | undefined;
  let firstUser = "";
  let hasUser = 0;
  for (const line of head(file).split("\n").slice(1)) {
    let j: { type?: string; payload?: Record<string, unknown> };
    try {
      j = JSON.parse(line);
    } catch {
      continue;
    }
    if (j.type === "turn_context" && !turn) turn = j.payload;
    if (j.type === "event_msg" && j.payload?.type === "user_message") {
      hasUser = 1;
      if (!firstUser && typeof j.payload.message === "string") firstUser = j.payload.message;
    }
  }
  const seconds = (iso: unknown) => (typeof iso === "string" && !Number.isNaN(Date.parse(iso)) ? Math.floor(Date.parse(iso) / 1000) : undefined);
  const mtime = Math.floor(statSync(file).mtimeMs / 1000);
  const created = seconds(meta.timestamp) ?? mtime;
  const git = (p.git ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const source = p.source === undefined ? "cli" : typeof p.source === "string" ? p.source : JSON.stringify(p.source);
  return {
    id: meta.id,
    rollout_path: file,
    created_at: created,
    updated_at: Math.max(created, mtime),
    source,
    model_provider: str(p.model_provider) ?? "openai",
    cwd: meta.cwd,
    title: firstUser,
    first_user_message: firstUser,
    preview: firstUser,
    sandbox_policy: turn?.sandbox_policy !== undefined ? JSON.stringify(turn.sandbox_policy) : "",
    approval_mode: str(turn?.approval_policy) ?? "",
    model: str(turn?.model),
    has_user_event: hasUser,
    archived: 0,
    git_sha: str(git.commit_hash),
    git_branch: str(git.branch),
    git_origin_url: str(git.repository_url),
    cli_version: str(p.cli_version) ?? "",
    originator: str(p.originator),
  };
}

/** The columns of `threads` as `PRAGMA table_info` reports them. */
interface Column {
  name: string;
  type: string;
  notnull: number;
  dflt_value: unknown;
}

export { loadSqlite } from "./sqlite.js";

/**
 * Inserts or updates the `threads` row of each rollout in `files` (absolute paths on this
 * machine) in `codexHome`'s newest state database (rules in the module comment).
 * `o.busyMs` (default {@link THREADS_BUSY_MS}) and `o.open` (the binding's loader, default
 * `loadSqlite`: `node:sqlite`, else `better-sqlite3`) are for tests.
 * @returns what was done; never throws for a database problem (it becomes a warning).
 */
export function registerRollouts(codexHome: string, files: readonly string[], o: { busyMs?: number; open?: () => SqliteBinding | undefined } = {}): ThreadsResult {
  const database = stateDatabase(codexHome);
  if (!database || files.length === 0) return { database, registered: [], warnings: [] };
  const rows: RowValues[] = [];
  for (const f of files) {
    try {
      const v = rowValues(f);
      if (v) rows.push(v);
    } catch {
      /* vanished meanwhile: nothing to register */
    }
  }
  if (rows.length === 0) return { database, registered: [], warnings: [] };
  const binding = (o.open ?? loadSqlite)();
  const ids = rows.map((r) => String(r.id));
  if (!binding)
    return {
      database,
      registered: [],
      warnings: [
        `${database}: ${rows.length} synced Codex session(s) not registered: this Node has no node:sqlite (Node 22.5 or newer has it) and the optional SQLite binding better-sqlite3 is not installed (npm install -g better-sqlite3, or a newer Node, then 'git ctx sync'); 'codex resume <id>' still finds them by id`,
      ],
    };
  let db: SqliteDb | undefined;
  try {
    db = binding.open(database, o.busyMs ?? THREADS_BUSY_MS);
    const cols = db.all("PRAGMA table_info(threads)") as unknown as Column[];
    const names = new Set(cols.map((c) => c.name));
    for (const need of ["id", "rollout_path", "cwd"]) {
      if (!names.has(need))
        return {
          database,
          registered: [],
          warnings: [
            `${database}: table 'threads' ${cols.length ? `has no '${need}' column` : "is missing"}: a Codex release git-ctx does not know; the synced sessions were not registered (upgrade git-ctx; 'codex resume <id>' still finds them by id)`,
          ],
        };
    }
    const zero = (c: Column) => (/INT|BOOL/i.test(c.type) ? 0 : /REAL|FLOA|DOUB/i.test(c.type) ? 0 : "");
    const update = ["rollout_path", "has_user_event", "updated_at", "recency_at", "recency_at_ms"].filter((c) => names.has(c));
    db.immediate(() => {
      for (const r of rows) {
        const values: RowValues = {};
        for (const c of cols) {
          const v = r[c.name];
          if (v !== undefined && v !== null) values[c.name] = v;
          else if (c.notnull && c.dflt_value === null) values[c.name] = zero(c);
        }
        if (names.has("recency_at") && names.has("recency_at_ms") && typeof r.updated_at === "number") {
          values.recency_at = r.updated_at;
          values.recency_at_ms = r.updated_at * 1000;
        }
        const keys = Object.keys(values);
        const set = update
          .filter((c) => c in values)
          .map((c) => (c === "rollout_path" ? `${c} = excluded.${c}` : `${c} = max(${c}, excluded.${c})`))
          .join(", ");
        const sql = `INSERT INTO threads (${keys.map((k) => `"${k}"`).join(", ")}) VALUES (${keys.map((k) => `@${k}`).join(", ")}) ON CONFLICT(id) DO UPDATE SET ${set}`;
        db!.run(sql, values);
      }
    });
    return { database, registered: ids, warnings: [] };
  } catch (e) {
    const msg = (e as Error).message;
    const busy = /SQLITE_BUSY|database is locked/i.test(msg) || (e as { code?: string }).code === "SQLITE_BUSY";
    return {
      database,
      registered: [],
      warnings: [
        busy
          ? `${database} is locked (Codex is writing it): ${rows.length} synced session(s) not registered now; 'git ctx sync' registers them next time, or quit Codex and run it`
          : `${database}: the synced sessions were not registered (${msg}); 'codex resume <id>' still finds them by id, and 'git ctx sync' tries again`,
      ],
    };
  } finally {
    db?.close();
  }
}
