/**
 * The demo's checks, as small functions over folders and repositories that return findings
 * (values), so `npm run demo` can print them and `test/demo/checks.test.ts` can prove that each
 * check really fails on bad input.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { gitRaw } from "../src/git/exec.js";

/** Every file under `dir`, relative and `/`-separated, sorted; `.git` is skipped. */
export function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === ".git") continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * The spellings of an absolute path as they appear in files: raw (`/a/b`, `C:\a\b`), JSON-escaped
 * (`\/a\/b`, `C:\\a\\b`) and forward-slash Windows (`C:/a/b`).
 */
export function spellings(p: string): string[] {
  const out = new Set<string>([p, JSON.stringify(p).slice(1, -1)]);
  if (p.includes("/")) out.add(p.split("/").join("\\/"));
  if (/^[A-Za-z]:\\/.test(p)) out.add(p.split("\\").join("/"));
  return [...out];
}

/** One occurrence report: `needle` found `count` times in `file`. */
export interface PathHit {
  file: string;
  needle: string;
  count: number;
}

/**
 * Where any spelling of any of `paths` occurs in the files under `dir`.
 * An occurrence must end at a path boundary (not followed by a letter, digit, `_` or `-`), so
 * `/home/al` is not found inside `/home/alice`.
 */
export function findPaths(dir: string, paths: string[]): PathHit[] {
  const hits: PathHit[] = [];
  for (const rel of listFiles(dir)) {
    const text = readFileSync(path.join(dir, rel), "latin1");
    for (const p of paths)
      for (const s of spellings(p)) {
        const n = countBounded(text, s);
        if (n > 0) hits.push({ file: rel, needle: s, count: n });
      }
  }
  return hits;
}

function countBounded(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    const next = hay.charCodeAt(i + needle.length);
    const cont = (next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95 || next === 45;
    if (!cont) n++;
  }
  return n;
}

/** A difference between a folder and the files it should hold. */
export interface TreeDiff {
  file: string;
  problem: "missing" | "differs";
}

/**
 * Compares the files of `dir` with `expected` (relative path → bytes): every expected file must
 * exist with exactly those bytes. Files that `dir` has beyond `expected` are not reported (the
 * caller checks line content separately).
 */
export function compareTree(dir: string, expected: Map<string, Buffer>): TreeDiff[] {
  const out: TreeDiff[] = [];
  for (const [rel, want] of expected) {
    const p = path.join(dir, ...rel.split("/"));
    if (!existsSync(p) || !statSync(p).isFile()) out.push({ file: rel, problem: "missing" });
    else if (!readFileSync(p).equals(want)) out.push({ file: rel, problem: "differs" });
  }
  return out;
}

/** The `uuid` of every JSONL line of a transcript that has one, with how often it occurs. */
export function uuidCounts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    let uuid: unknown;
    try {
      uuid = (JSON.parse(line) as { uuid?: unknown }).uuid;
    } catch {
      continue;
    }
    if (typeof uuid === "string") m.set(uuid, (m.get(uuid) ?? 0) + 1);
  }
  return m;
}

/**
 * Which of `uuids` are not present exactly once in the transcript `text`
 * (missing ones count 0, duplicated ones their count).
 */
export function notExactlyOnce(text: string, uuids: string[]): { uuid: string; count: number }[] {
  const c = uuidCounts(text);
  return uuids.filter((u) => c.get(u) !== 1).map((u) => ({ uuid: u, count: c.get(u) ?? 0 }));
}

/** Lines of `text` that occur more than once (a union merge must not duplicate lines). */
export function duplicateLines(text: string): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const l of text.split("\n")) {
    if (!l) continue;
    if (seen.has(l)) dup.add(l);
    seen.add(l);
  }
  return [...dup];
}

/** Result of {@link scanRepoObjects}. */
export interface RepoScan {
  /** Blobs read. */
  blobs: number;
  /** Bytes read. */
  bytes: number;
  /** Blobs holding a needle: object id, the needle, and a short context. */
  hits: { oid: string; needle: string; context: string }[];
  /** Sentinel tokens (`{{CC_…}}`) seen in all blobs: the paths that were rewritten. */
  sentinels: number;
  /** Blobs not scanned because `skipPath` accepted their path. */
  skipped: number;
}

/**
 * Reads every object of a (bare) repository (`git cat-file --batch-all-objects`) and reports
 * the blobs that contain any spelling of `paths`, plus the number of sentinel tokens.
 * Used for the demo's "the cluster holds no machine path" check, which skips `roster.json`
 * (`skipPath`): the roster names each machine's home and root by design (docs/cluster-format.md).
 * @throws GitCommandError when `gitDir` is not a repository.
 */
export async function scanRepoObjects(gitDir: string, paths: string[], o: { skipPath?: (treePath: string) => boolean } = {}): Promise<RepoScan> {
  const list = (await gitRaw(["--git-dir", gitDir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"], { noCtxFilter: true })).stdout.toString("utf8");
  let oids = list
    .split("\n")
    .filter((l) => l.endsWith(" blob"))
    .map((l) => l.split(" ")[0]!);
  const r: RepoScan = { blobs: 0, bytes: 0, hits: [], sentinels: 0, skipped: 0 };
  if (o.skipPath) {
    // The path each reachable blob was found at (`rev-list --objects`); unreachable blobs have none and are scanned.
    const named = (await gitRaw(["--git-dir", gitDir, "rev-list", "--objects", "--all"], { noCtxFilter: true })).stdout.toString("utf8");
    const skip = new Set<string>();
    for (const line of named.split("\n")) {
      const sp = line.indexOf(" ");
      if (sp > 0 && o.skipPath(line.slice(sp + 1))) skip.add(line.slice(0, sp));
    }
    r.skipped = oids.filter((x) => skip.has(x)).length;
    oids = oids.filter((x) => !skip.has(x));
  }
  if (oids.length === 0) return r;
  const out = (await gitRaw(["--git-dir", gitDir, "cat-file", "--batch"], { input: oids.join("\n") + "\n", noCtxFilter: true })).stdout;
  let pos = 0;
  const needles = paths.flatMap(spellings);
  while (pos < out.length) {
    const nl = out.indexOf(10, pos);
    const [oid, , size] = out.subarray(pos, nl).toString("latin1").split(" ");
    const n = Number(size);
    const body = out.subarray(nl + 1, nl + 1 + n).toString("latin1");
    pos = nl + 1 + n + 1;
    r.blobs++;
    r.bytes += n;
    r.sentinels += (body.match(/\{\{CC_[A-Z_]+(?:@[a-z0-9]+)?\}\}/g) ?? []).length;
    for (const s of needles) {
      const i = body.indexOf(s);
      if (i >= 0 && countBounded(body, s) > 0) r.hits.push({ oid: oid!, needle: s, context: body.slice(Math.max(0, i - 40), i + s.length + 40) });
    }
  }
  return r;
}
