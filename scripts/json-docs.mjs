// Writes docs/json.md from the --json schemas (src/json/schemas.ts) through the built
// dist/src/json/docs.js: run `npm run docs:json` (it builds first) after changing a schema.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const { renderJsonDocs } = await import(join(repo, "dist", "src", "json", "docs.js"));
writeFileSync(join(repo, "docs", "json.md"), renderJsonDocs());
