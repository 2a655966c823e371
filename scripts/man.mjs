// Writes man/git-ctx.1 from the command modules (src/cli/manpage.ts, compiled by tsc into dist/src):
// `npm run man` after a help text, an option or an example changed. test/cli/manpage.test.ts fails
// while the file differs from what the generator makes, so `--help` and the man page cannot drift.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { currentManPage } = await import(path.join(root, "dist", "src", "cli", "manpage.js"));
const file = path.join(root, "man", "git-ctx.1");
writeFileSync(file, await currentManPage());
process.stdout.write(`wrote ${path.relative(root, file)}\n`);
