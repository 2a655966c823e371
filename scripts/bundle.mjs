// Bundles each bin's entry (compiled by tsc into dist/src) into one ESM file under dist/bundle/,
// with shared code and lazily imported modules (`await import(...)`) as chunks. Node then loads a
// handful of files instead of ~150 modules (yargs, zod, ...): start-up time matters because git
// starts the filter process for every command that reads content and the helper for every
// fetch/push (docs/architecture.md, "Performance notes").
import { build } from "esbuild";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * zod's `core`, `classic` and `mini` indexes re-export all ~60 message locales (`z.locales`);
 * bundled, they would sit in the chunk every zod user loads (~600 KB, ~15 ms of the filter's
 * start-up). git-ctx only uses English (set by classic zod, and by src/view/state.ts for
 * zod/mini), so `z.locales` is bundled with `en` alone.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]v4[\\/](core|classic|mini)$/.test(args.resolveDir)
        ? { path: path.join(args.resolveDir, "..", "locales", "en.js"), namespace: "zod-locales-en" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales-en" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist", "bundle");
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  // Bundled CommonJS packages call require() for node built-ins and read __filename
  // (write-file-atomic): give the ESM output both (yargs declares its own __dirname).
  banner: {
    js: 'import { createRequire as __ctxCreateRequire } from "node:module"; import { fileURLToPath as __ctxFileURLToPath } from "node:url"; const require = __ctxCreateRequire(import.meta.url); const __ctxFilename = __ctxFileURLToPath(import.meta.url);',
  },
  define: { __filename: "__ctxFilename" },
  sourcemap: "linked",
  legalComments: "none",
  plugins: [zodEnglishOnly],
  // jsonc-parser's `main` is a UMD build whose factory require()s its own files at run time
  // (esbuild leaves those calls: "Cannot find module './impl/format'"); its ES module build bundles.
  alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
  logLevel: "warning",
  write: false,
};
const [result, hook] = await Promise.all([
  build({
    ...common,
    entryPoints: {
      "git-ctx": "dist/src/cli/git-ctx.js",
      "git-remote-ctx": "dist/src/helper/main.js",
      "git-ctx-filter": "dist/src/filter/main.js",
    },
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
  }),
  // `git ctx sync --hook` (after every agent turn) as one file, no chunks: each module Node
  // resolves and loads is start-up time (src/cli/hook.ts; issue 15: the hook returns in ≤ 0.1 s)
  build({ ...common, entryPoints: { "git-ctx-hook": "dist/src/cli/hook.js" }, splitting: false }),
]);
// Several builds and test runs share one checkout: never leave a bin pointing at a missing or
// half-written file. Each output is written to a temp file and renamed over the old one, chunks
// (content-hashed names) before the entries that import them; old chunks go after a grace period.
const written = new Set();
const outputs = [...result.outputFiles, ...hook.outputFiles].sort(
  (a, b) => Number(b.path.includes(`${path.sep}chunks${path.sep}`)) - Number(a.path.includes(`${path.sep}chunks${path.sep}`)),
);
for (const f of outputs) {
  mkdirSync(path.dirname(f.path), { recursive: true });
  const tmp = `${f.path}.tmp-${process.pid}`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, f.path);
  written.add(f.path);
}
const chunks = path.join(outdir, "chunks");
for (const n of readdirSync(chunks)) {
  const f = path.join(chunks, n);
  if (!written.has(f) && Date.now() - statSync(f).mtimeMs > 10 * 60_000) rmSync(f, { force: true });
}
