import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { dir } from "tmp-promise";
import { loadCodec } from "../src/commands/doctor.js";
import { doctorFolder } from "../src/doctor/folder.js";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import { inferProjectRoot, transcriptFiles } from "../src/agents/claude/infer.js";
import type { BenchRow } from "./types.js";

export const title = "roster: project-root inference and doctor <folder>";

const CORPUS = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../shared/corpus/claude");

/**
 * Root inference on a generated big folder (40 sessions × 5 MB, ~2 KB lines each with a `cwd`)
 * against the obvious baseline (read every transcript whole and JSON.parse every line), in the
 * same run; and `git ctx doctor <folder>` throughput over every corpus project folder.
 */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const t = await dir({ unsafeCleanup: true });
  try {
    const root = "/home/bench/src/big_project";
    const f = path.join(t.path, claudeDirKey(root));
    mkdirSync(f);
    const line = JSON.stringify({ type: "user", cwd: root, sessionId: "s", message: { content: "x".repeat(2000) } }) + "\n";
    const file = line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    for (let i = 0; i < 40; i++) writeFileSync(path.join(f, `s${i}.jsonl`), file);
    const mb = (40 * file.length) / 1024 / 1024;
    let t0 = performance.now();
    const r = await inferProjectRoot(f);
    const ours = (performance.now() - t0) / 1000;
    if (r?.root !== root) throw new Error(`inferred ${r?.root}`);
    t0 = performance.now();
    const counts = new Map<string, number>();
    for (const p of await transcriptFiles(f)) {
      for (const l of readFileSync(p, "utf8").split("\n")) {
        if (!l) continue;
        const cwd = (JSON.parse(l) as { cwd?: string }).cwd;
        if (cwd) counts.set(cwd, (counts.get(cwd) ?? 0) + 1);
      }
    }
    const base = (performance.now() - t0) / 1000;
    rows.push({
      name: `inferProjectRoot, ${mb.toFixed(0)} MB folder`,
      value: ours,
      unit: "s",
      baseline: base,
      note: "baseline: read every file, JSON.parse every line; ours reads ≤ 1 MB per file with a regex",
    });
  } finally {
    await t.cleanup();
  }
  try {
    const codec = await loadCodec();
    let bytes = 0;
    const t0 = performance.now();
    for (const src of readdirSync(CORPUS)) {
      for (const k of readdirSync(path.join(CORPUS, src))) {
        const f = path.join(CORPUS, src, k);
        if (!statSync(f).isDirectory() || !/^(-|[A-Za-z]--)/.test(k)) continue;
        const r = await doctorFolder({ folder: f, home: "/home/nobody", machineOs: "linux" }, codec);
        bytes += r.totals.bytes;
      }
    }
    const s = (performance.now() - t0) / 1000;
    rows.push({
      name: "doctor <folder> over the corpus",
      value: bytes / 1024 / 1024 / s,
      unit: "MB/s",
      note: `${(bytes / 1024 / 1024).toFixed(1)} MB: infer root, canonicalize, localize, compare, residue`,
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return rows;
}
