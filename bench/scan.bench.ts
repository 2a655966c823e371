import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { scanBytes, type Finding } from "../src/scan/index.js";
import { JUDGED_TRUE_POSITIVES } from "./scan.judged.js";
import { claudeToolResultLine, seeds, toolOutput } from "./scan.seeds.js";
import type { BenchRow } from "./types.js";

/**
 * Secret scanner (issue 5): throughput on the shared corpus (all formats: claude, codex, gemini,
 * aider, continue), findings, false positives per 10 MB with what fired, recall on the seeded set;
 * and the same for secretlint's recommended preset when it is installed (not a dependency):
 * `npm i --prefix /tmp/sl @secretlint/core @secretlint/secretlint-rule-preset-recommend` then
 * `SECRETLINT_DIR=/tmp/sl/node_modules npm run bench -- scan`.
 */
export const title = "secret scan (src/scan)";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CORPUS = process.env.CORPUS ?? path.resolve(REPO, "../shared/corpus");

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name !== "SOURCES.md") out.push(p);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The seeded set as files: every seed in a Claude Code tool_result line. */
function seededFiles(): { file: string; bytes: Buffer; rule: string }[] {
  return seeds().map((s, i) => ({ file: `seed-${i}.jsonl`, bytes: Buffer.from(claudeToolResultLine(toolOutput(s.line)) + "\n"), rule: s.rule }));
}

export async function run(): Promise<BenchRow[]> {
  const files = walk(CORPUS).map((f) => ({ file: path.relative(CORPUS, f), bytes: readFileSync(f) }));
  const total = files.reduce((s, f) => s + f.bytes.length, 0);
  const mb = total / 1e6;
  const rows: BenchRow[] = [];

  // ours: one warm-up, then the median of 5 passes
  let findings: Finding[] = [];
  for (const f of files) scanBytes(f.bytes, f.file);
  const times: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    const all: Finding[] = [];
    for (const f of files) all.push(...scanBytes(f.bytes, f.file));
    times.push((performance.now() - t0) / 1000);
    findings = all;
  }
  // best of 5: the machine is shared, the fastest pass is the one least disturbed by other work
  const mbps = mb / Math.min(...times);
  const judged = new Map(JUDGED_TRUE_POSITIVES.map((j) => [j.fingerprint, j]));
  const fps = findings.filter((f) => !judged.has(f.fingerprint));
  const fpPer10 = (fps.length / mb) * 10;
  rows.push({
    name: "scan throughput, corpus (all formats)",
    value: mbps,
    unit: "MB/s",
    target: "≥ 50 MB/s",
    ok: mbps >= 50,
    note: `${files.length} files, ${mb.toFixed(2)} MB, best of 5 passes (median ${(mb / median(times)).toFixed(0)} MB/s), latin1 decode + all rules`,
  });
  rows.push({ name: "findings on corpus", value: findings.length, unit: "", note: `${findings.length - fps.length} judged true positives (bench/scan.judged.ts)` });
  rows.push({ name: "false positives per 10 MB", value: fpPer10, unit: "", target: "≤ 1", ok: fpPer10 <= 1, note: `${fps.length} false positives in ${mb.toFixed(2)} MB` });
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  for (const [rule, fs] of byRule) {
    const tp = fs.filter((f) => judged.has(f.fingerprint)).length;
    rows.push({
      name: `fired: ${rule}`,
      value: fs.length,
      unit: "",
      note:
        `${tp} true / ${fs.length - tp} false — ` +
        [
          ...new Set(fs.map((f) => `${f.redacted} in ${f.file.split("/").slice(0, 2).join("/")}…:${f.line} (${judged.get(f.fingerprint)?.why.slice(0, 60) ?? "FALSE POSITIVE"})`)),
        ].join("; "),
    });
  }

  // recall on the seeded set (every rule, inside a Claude Code tool_result)
  const seeded = seededFiles();
  const found = seeded.filter((s) => scanBytes(s.bytes, s.file).some((f) => f.rule === s.rule)).length;
  rows.push({
    name: "seeded recall (JSON-escaped tool_result)",
    value: (100 * found) / seeded.length,
    unit: "%",
    target: "100 %",
    ok: found === seeded.length,
    note: `${found}/${seeded.length} seeds, ${new Set(seeded.map((s) => s.rule)).size} rules`,
  });

  // adversarial input: runs that make backtracking regexes quadratic (each ~3–4 MB)
  const evil: [string, string][] = [
    ["x=x=…", "x=".repeat(2_000_000)],
    ["====…", "=".repeat(4_000_000)],
    ["eyJeyJ…", "eyJ".repeat(1_000_000)],
    ["token=token=…", "token=".repeat(500_000)],
    ["bearer bearer …", "bearer ".repeat(400_000)],
    ["AAAA…", "A".repeat(4_000_000)],
    ["sk-sk-…", "sk-".repeat(1_000_000)],
    ["a://b:a://b:…", "a://b:".repeat(600_000)],
  ];
  let worst = { name: "", mbps: Infinity };
  for (const [name, text] of evil) {
    const b = Buffer.from(text);
    const t0 = performance.now();
    scanBytes(b, "evil");
    const v = b.length / 1e6 / ((performance.now() - t0) / 1000);
    if (v < worst.mbps) worst = { name, mbps: v };
  }
  rows.push({
    name: "worst case on adversarial runs",
    value: worst.mbps,
    unit: "MB/s",
    note: `slowest of ${evil.length} repeated-pattern inputs: ${worst.name} (linear time: bounded quantifiers, atomic value captures, boundary lookbehinds)`,
  });

  rows.push(...(await secretlintRows(files, mb, seeded)));
  return rows;
}

/** secretlint's recommended preset on the same input, when installed (SECRETLINT_DIR or resolvable from the repo). */
async function secretlintRows(files: { file: string; bytes: Buffer }[], mb: number, seeded: { file: string; bytes: Buffer }[]): Promise<BenchRow[]> {
  let core: any, preset: any;
  try {
    const req = createRequire(path.join(process.env.SECRETLINT_DIR ?? path.join(REPO, "node_modules"), "x.js"));
    core = await import(pathToFileURL(req.resolve("@secretlint/core")).href);
    preset = await import(pathToFileURL(req.resolve("@secretlint/secretlint-rule-preset-recommend")).href);
  } catch {
    return [
      {
        name: "secretlint preset-recommend throughput",
        value: NaN,
        unit: "MB/s",
        note: "not installed: npm i --prefix /tmp/sl @secretlint/core @secretlint/secretlint-rule-preset-recommend; SECRETLINT_DIR=/tmp/sl/node_modules npm run bench -- scan",
      },
    ];
  }
  const config = { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: preset.creator }] };
  const lint = async (f: { file: string; bytes: Buffer }) =>
    (
      await core.lintSource({
        source: { filePath: f.file, content: f.bytes.toString("utf8"), contentType: "text", ext: path.extname(f.file) },
        options: { config, maskSecrets: true },
      })
    ).messages as unknown[];
  for (const f of files) await lint(f); // warm-up
  const times: number[] = [];
  let n = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    n = 0;
    for (const f of files) n += (await lint(f)).length;
    times.push((performance.now() - t0) / 1000);
  }
  let hit = 0;
  for (const s of seeded) if ((await lint(s)).length > 0) hit++;
  const v = mb / Math.min(...times);
  return [
    {
      name: "secretlint preset-recommend throughput",
      value: v,
      unit: "MB/s",
      note: `${n} findings on the corpus; same files, UTF-8 decode, best of 3 (median ${(mb / median(times)).toFixed(0)} MB/s)`,
    },
    {
      name: "secretlint seeded recall (JSON-escaped tool_result)",
      value: (100 * hit) / seeded.length,
      unit: "%",
      note: `${hit}/${seeded.length}: no Google/JWT/bearer/Stripe/.env/password rules, AWS key ids off by default, \`(?<!\\p{L})\` guard misses tokens right after a \\n escape`,
    },
  ];
}
