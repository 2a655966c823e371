import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import { inferProjectRoot } from "../src/agents/claude/infer.js";
import type { MachineOs } from "../src/roster/machine.js";
import { canonicalize, createCanonicalizeStream, localize, type Anchors } from "../src/sentinel/index.js";
import { time } from "./timing.js";
import type { BenchRow } from "./types.js";

/** Title of this benchmark module (bench/run.ts). */
export const title = "sentinel codec throughput (corpus)";

/** The shared corpus (read by path, never copied), relative to the repository. */
export const CORPUS_CLAUDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/corpus/claude");
/** `dist/bench` when compiled: the corpus lies one level further up. */
function corpusDir(): string {
  if (existsSync(CORPUS_CLAUDE)) return CORPUS_CLAUDE;
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/claude");
}

/** One project of the corpus with the anchors of the machine that wrote it. */
export interface CorpusProject {
  /** `<owner__repo>/<folder>` (or `<owner__repo>/<file>` for flattened folders). */
  name: string;
  anchors: Anchors;
  /** Absolute paths of the project's files (transcripts, subagents, tool results, meta, memory). */
  files: string[];
}

/** The OS a recorded path comes from: a drive letter means Windows, `/Users/` macOS, else Linux. */
export function osOfPath(p: string): MachineOs {
  if (/^[A-Za-z]:[\\/]/.test(p)) return "windows";
  return p.startsWith("/Users/") ? "darwin" : "linux";
}

/** The home a root lies under, as the writing machine spelled it (`C:\Users\x`, `/home/x`, `/Users/x`, `/root`). */
export function homeOfRoot(root: string): string {
  const w = /^([A-Za-z]:\\Users\\[^\\]+)/i.exec(root);
  if (w) return w[1]!;
  const p = /^(\/(?:home|Users)\/[^/]+|\/root)(?:\/|$)/.exec(root);
  if (p) return p[1]!;
  return root.split("/").slice(0, 3).join("/") || "/";
}

/** Anchors of the machine that recorded `root` (home inferred, key = folder name or computed). */
export function anchorsForRoot(root: string, key?: string): Anchors {
  return { os: osOfPath(root), home: homeOfRoot(root), root, key: key ?? claudeDirKey(root), rewriteHome: true };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

function firstCwd(file: string): string | undefined {
  const m = /"cwd":"((?:[^"\\]|\\.)*)"/.exec(readFileSync(file, "utf8"));
  return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
}

/**
 * Every project of the corpus with its anchors: for a project folder (a directory key), the root
 * inferred from its transcripts' `cwd` (src/roster/infer.ts) and the folder name as key; for a
 * flattened folder (`marot__spotter`), each top-level transcript with its own first `cwd`, its
 * session subfolder going with it.
 */
export async function corpusProjects(dir = corpusDir()): Promise<CorpusProject[]> {
  if (!existsSync(dir)) return [];
  const out: CorpusProject[] = [];
  for (const repo of readdirSync(dir).sort()) {
    const rdir = path.join(dir, repo);
    if (!statSync(rdir).isDirectory()) continue;
    const entries = readdirSync(rdir, { withFileTypes: true });
    const keyDirs = entries.filter((e) => e.isDirectory() && /^(-|[A-Za-z]--)/.test(e.name));
    for (const k of keyDirs) {
      const folder = path.join(rdir, k.name);
      const inferred = await inferProjectRoot(folder);
      if (!inferred) continue;
      out.push({ name: `${repo}/${k.name}`, anchors: anchorsForRoot(inferred.root, k.name), files: walk(folder) });
    }
    if (keyDirs.length) continue;
    for (const f of entries.filter((e) => e.isFile() && e.name.endsWith(".jsonl"))) {
      const file = path.join(rdir, f.name);
      const cwd = firstCwd(file);
      if (!cwd) continue;
      const sub = path.join(rdir, f.name.replace(/\.jsonl$/, ""));
      const files = [file, ...(existsSync(sub) ? walk(sub) : [])];
      out.push({ name: `${repo}/${f.name}`, anchors: anchorsForRoot(cwd), files });
    }
  }
  return out;
}

/** Measures canonicalize/localize MB/s over every corpus file with its project's anchors. */
export async function run(): Promise<BenchRow[]> {
  const projects = await corpusProjects();
  if (!projects.length) return [{ name: "codec: corpus missing", value: NaN, unit: "", note: `no ${corpusDir()}` }];
  const items = projects.flatMap((p) => p.files.map((f) => ({ a: p.anchors, buf: readFileSync(f) })));
  const bytes = items.reduce((n, x) => n + x.buf.length, 0);
  const mb = bytes / 1e6;
  const canon = items.map((x) => ({ a: x.a, buf: canonicalize(x.buf, x.a) }));
  const reps = 7;
  let sink = 0;
  const tBase = time(() => {
    for (const x of items) sink += Buffer.from(x.buf.toString("latin1"), "latin1").length;
  }, reps);
  const tC = time(() => {
    for (const x of items) sink += canonicalize(x.buf, x.a).length;
  }, reps);
  const tL = time(() => {
    for (const x of canon) sink += localize(x.buf, x.a).length;
  }, reps);
  // streaming: the corpus concatenated 10× per project through the Transform in 64 KiB pieces
  const t0 = process.hrtime.bigint();
  let streamed = 0;
  for (const p of projects) {
    const whole = Buffer.concat(p.files.map((f) => readFileSync(f)));
    const s = createCanonicalizeStream(p.anchors);
    s.on("data", (d: Buffer) => (sink += d.length));
    for (let r = 0; r < 10; r++) for (let o = 0; o < whole.length; o += 65536) s.write(whole.subarray(o, o + 65536));
    streamed += whole.length * 10;
    await new Promise<void>((res) => s.end(res));
  }
  const tS = Number(process.hrtime.bigint() - t0) / 1e9;
  // worst case: a synthetic transcript with an anchor every ~40 bytes (real lines hold one per 0.5-5 KB)
  const W: Anchors = { os: "windows", home: "C:\\Users\\me", root: "C:\\Users\\me\\dev\\proj", key: "C--Users-me-dev-proj", rewriteHome: true };
  const unit = '{"cwd":"C:\\\\Users\\\\me\\\\dev\\\\proj","t":"\\nC:\\\\Users\\\\me\\\\dev\\\\proj\\\\a.ts {{CC_HOME}} x"}\n';
  const dense = Buffer.from(unit.repeat(Math.ceil(10_000_000 / unit.length)));
  const denseC = canonicalize(dense, W);
  const tDC = time(() => void (sink += canonicalize(dense, W).length), 3);
  const tDL = time(() => void (sink += localize(denseC, W).length), 3);
  if (sink < 0) console.log(sink);
  const note = `${items.length} files, ${mb.toFixed(1)} MB, ${projects.length} projects (Windows, macOS, Linux; anchors from each folder's cwd); best of ${reps}`;
  return [
    {
      name: "canonicalize (corpus)",
      value: mb / tC,
      unit: "MB/s",
      baseline: mb / tBase,
      target: "≥ 250 MB/s",
      ok: mb / tC >= 250,
      note: `${note}; baseline = latin1 decode+encode only`,
    },
    { name: "localize (corpus canonical)", value: mb / tL, unit: "MB/s", baseline: mb / tBase, target: "≥ 250 MB/s", ok: mb / tL >= 250, note },
    {
      name: "canonicalize, anchor-dense worst case",
      value: dense.length / 1e6 / tDC,
      unit: "MB/s",
      note: `synthetic Windows JSONL, ${(dense.length / 1e6).toFixed(0)} MB, 3 rewrites + 1 literal sentinel per ${unit.length} bytes`,
    },
    { name: "localize, anchor-dense worst case", value: dense.length / 1e6 / tDL, unit: "MB/s", note: "the canonical form of the line above" },
    { name: "canonicalize stream (corpus ×10, 64 KiB writes)", value: streamed / 1e6 / tS, unit: "MB/s", note: "Transform from createCanonicalizeStream" },
  ];
}
