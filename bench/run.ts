import { readdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchModule, BenchRow } from "./types.js";

/**
 * `npm run bench [-- <filter>...] [-- --write <file>]`: runs every compiled `bench/*.bench.js`
 * (optionally only those whose file name contains a filter word), prints one markdown table per
 * module, and with `--write` also writes them to a file (e.g. docs/benchmarks-latest.md).
 * Figures are ratios against baselines measured in the same run where the issue asks for one.
 */
async function main(argv: string[]): Promise<void> {
  const writeIdx = argv.indexOf("--write");
  const writeTo = writeIdx >= 0 ? argv[writeIdx + 1] : undefined;
  const filters = argv.filter((_a, i) => writeIdx < 0 || (i !== writeIdx && i !== writeIdx + 1));
  const here = path.dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".bench.js"))
    .sort()
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)));
  const out: string[] = [
    `# git-ctx benchmarks`,
    ``,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}.`,
    `Command: \`npm run bench${filters.length ? " -- " + filters.join(" ") : ""}\` (${new Date().toISOString()}).`,
    ``,
  ];
  let failed = 0;
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(here, f)).href)) as BenchModule;
    process.stderr.write(`bench: ${mod.title} ...\n`);
    let rows: BenchRow[];
    try {
      rows = await mod.run();
    } catch (e) {
      rows = [{ name: `${mod.title}: FAILED`, value: NaN, unit: "", note: (e as Error).message }];
      failed++;
    }
    out.push(`## ${mod.title}`, ``, `| measure | value | baseline | ratio | target | met | note |`, `|---|---|---|---|---|---|---|`);
    for (const r of rows) {
      const ratio = r.baseline ? (r.value / r.baseline).toFixed(2) + "×" : "";
      out.push(
        `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baseline !== undefined ? fmt(r.baseline) + " " + r.unit : ""} | ${ratio} | ${r.target ?? ""} | ${r.ok === undefined ? "" : r.ok ? "yes" : "**no**"} | ${r.note ?? ""} |`,
      );
    }
    out.push(``);
  }
  const text = out.join("\n");
  process.stdout.write(text + "\n");
  if (writeTo) writeFileSync(writeTo, text + "\n");
  if (failed) process.exitCode = 1;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(3).replace(/\.?0+$/, "")) : String(n);
}

main(process.argv.slice(2));
