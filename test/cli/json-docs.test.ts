import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderJsonDocs } from "../../src/json/docs.js";
import { JSON_SCHEMAS } from "../../src/json/schemas.js";
import { REPO } from "../helpers/env.js";

/**
 * Issue 24, point 5: docs/json.md is generated from the `--json` schemas (src/json/schemas.ts):
 * a schema changed without `npm run docs:json` fails here, so the documented shape is the one
 * the tests validate the commands' output against.
 */
describe("docs/json.md", () => {
  it("is what `npm run docs:json` writes from the current schemas", () => {
    expect(readFileSync(path.join(REPO, "docs", "json.md"), "utf8")).toBe(renderJsonDocs());
  });

  it("documents every command's schema and the error document", () => {
    const text = renderJsonDocs();
    for (const c of Object.keys(JSON_SCHEMAS)) expect(text).toContain(`## \`git ctx ${c} --json\``);
    expect(text).toContain("## Errors");
  });
});
