import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { dir } from "tmp-promise";
import { mergeJsonl } from "../src/merge/index.js";
import type { BenchRow } from "./types.js";

/** Title of this benchmark module (bench/run.ts). */
export const title = "merge driver throughput (JSONL, two 50 MB transcripts)";

const MB = 1e6;
const SIZE = 50 * MB;

/** The shared corpus's Claude sessions (read by path, never copied); `dist/bench` is one level deeper. */
function corpusClaude(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ["../../shared/corpus/claude", "../../../shared/corpus/claude"]) {
    const p = path.resolve(here, up);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function jsonlUnder(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...jsonlUnder(p));
    else if (e.name.endsWith(".jsonl")) out.push(p);
  }
  return out.sort();
}

/** Timed transcript lines to clone: real corpus lines when present, else a synthetic shape. */
function templates(): { lines: Record<string, unknown>[]; source: string } {
  const c = corpusClaude();
  const lines: Record<string, unknown>[] = [];
  if (c) {
    for (const f of jsonlUnder(c)) {
      for (const l of readFileSync(f, "utf8").split("\n")) {
        if (!l.includes('"timestamp"')) continue;
        try {
          const o = JSON.parse(l) as unknown;
          if (o && typeof o === "object" && !Array.isArray(o) && "timestamp" in o) lines.push(o as Record<string, unknown>);
        } catch {
          /* not JSON: skip */
        }
      }
    }
  }
  if (lines.length > 0) return { lines, source: `${lines.length} corpus lines` };
  const text = "lorem ipsum dolor sit amet ".repeat(60);
  return {
    lines: [{ parentUuid: null, isSidechain: false, type: "assistant", message: { role: "assistant", content: [{ type: "text", text }] }, uuid: "", timestamp: "" }],
    source: "synthetic lines (no corpus)",
  };
}

/** `bytes` worth of transcript lines for `side`, timestamps from `startMs` every `stepMs`, as one buffer. */
function transcript(t: Record<string, unknown>[], side: string, bytes: number, startMs: number, stepMs: number, offset: number): Buffer {
  const parts: string[] = [];
  let size = 0;
  for (let k = 0; size < bytes; k++) {
    const tpl = t[(k + offset) % t.length]!;
    const line = JSON.stringify({ ...tpl, uuid: `${side}-${k}`, timestamp: new Date(startMs + k * stepMs).toISOString() }) + "\n";
    parts.push(line);
    size += Buffer.byteLength(line);
  }
  return Buffer.from(parts.join(""), "utf8");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall seconds of `f` over `n` runs after one warm-up. */
function time(f: () => void, n = 3): number {
  f();
  const xs: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = process.hrtime.bigint();
    f();
    xs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(xs);
}

/** `git merge-file --union` on the same three files (git's built-in union, wrong for JSONL: GIT.md), or NaN. */
async function gitUnionSeconds(base: Buffer, ours: Buffer, theirs: Buffer): Promise<number> {
  const d = await dir({ unsafeCleanup: true, prefix: "gitctx-bench-merge-" });
  try {
    const [o, a, b] = ["base", "ours", "theirs"].map((n) => path.join(d.path, n)) as [string, string, string];
    writeFileSync(o, base);
    writeFileSync(b, theirs);
    const xs: number[] = [];
    for (let k = 0; k < 2; k++) {
      writeFileSync(a, ours);
      const t0 = process.hrtime.bigint();
      const r = spawnSync("git", ["merge-file", "--union", "-q", a, o, b], { timeout: 120_000 });
      if (r.status !== 0 || r.error) return NaN;
      xs.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return Math.min(...xs);
  } finally {
    await d.cleanup();
  }
}

/**
 * Merges two 50 MB transcripts that share a base and then diverged (each machine appended
 * ~30 MB with interleaved timestamps), two fully diverged 50 MB transcripts (no shared line),
 * and a fast-forward; MB/s counts the bytes of both inputs. Baseline: `git merge-file --union`
 * on the same files in the same run (git's own union driver, which is wrong for transcripts but
 * is the speed a built-in driver gets).
 */
export async function run(): Promise<BenchRow[]> {
  const { lines: t, source } = templates();
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const baseBuf = transcript(t, "base", 20 * MB, t0, 1000, 0);
  const tailA = transcript(t, "a", SIZE - baseBuf.length, t0 + 1e9, 2000, 7);
  const tailB = transcript(t, "b", SIZE - baseBuf.length, t0 + 1e9 + 500, 2000, 13);
  const ours = Buffer.concat([baseBuf, tailA]);
  const theirs = Buffer.concat([baseBuf, tailB]);
  const rows: BenchRow[] = [];

  let out: Buffer = Buffer.alloc(0);
  const s1 = time(() => {
    out = mergeJsonl(baseBuf, ours, theirs).merged;
  });
  const mbIn = (ours.length + theirs.length) / MB;
  const git1 = await gitUnionSeconds(baseBuf, ours, theirs);
  rows.push({
    name: "JSONL merge, 20 MB base + two 30 MB appends",
    value: mbIn / s1,
    unit: "MB/s",
    baseline: Number.isFinite(git1) ? mbIn / git1 : undefined,
    note: `${(ours.length / MB).toFixed(1)} + ${(theirs.length / MB).toFixed(1)} MB in, ${(out.length / MB).toFixed(1)} MB out, median ${s1.toFixed(3)} s; baseline git merge-file --union ${Number.isFinite(git1) ? git1.toFixed(3) + " s" : "failed"}; ${source}`,
  });

  const a2 = transcript(t, "x", SIZE, t0, 1000, 3);
  const b2 = transcript(t, "y", SIZE, t0 + 500, 1000, 5);
  const s2 = time(() => {
    out = mergeJsonl(Buffer.alloc(0), a2, b2).merged;
  });
  const git2 = await gitUnionSeconds(Buffer.alloc(0), a2, b2);
  rows.push({
    name: "JSONL merge, two fully diverged 50 MB transcripts",
    value: (a2.length + b2.length) / MB / s2,
    unit: "MB/s",
    baseline: Number.isFinite(git2) ? (a2.length + b2.length) / MB / git2 : undefined,
    note: `every line compared and interleaved by timestamp; median ${s2.toFixed(3)} s; git merge-file --union ${Number.isFinite(git2) ? git2.toFixed(3) + " s" : "failed"}`,
  });

  const extended = Buffer.concat([ours, tailB.subarray(0, tailB.indexOf(10, 1 * MB) + 1)]);
  const s3 = time(() => {
    out = mergeJsonl(baseBuf, ours, extended).merged;
  });
  rows.push({
    name: "JSONL merge, fast-forward (50 MB extended by 1 MB)",
    value: (ours.length + extended.length) / MB / s3,
    unit: "MB/s",
    note: `a byte-prefix compare, no line split; median ${s3.toFixed(3)} s`,
  });
  return rows;
}
