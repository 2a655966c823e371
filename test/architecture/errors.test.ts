import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/env.js";

/**
 * Issue 10, habits: every `CtxError` subclass has its own literal `code` (scripts and `--json`
 * output match on it; `NotAView` was three classes with three meanings), and every code is a
 * PascalCase word.
 */

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

describe("CtxError codes", () => {
  it("are unique across src/ and PascalCase", () => {
    const seen = new Map<string, string[]>();
    for (const f of sources(path.join(REPO, "src"))) {
      for (const m of readFileSync(f, "utf8").matchAll(/readonly code = "([^"]+)" as const/g)) {
        const list = seen.get(m[1]!) ?? [];
        list.push(path.relative(REPO, f));
        seen.set(m[1]!, list);
      }
    }
    expect(seen.size).toBeGreaterThan(10);
    const dup = [...seen].filter(([, files]) => files.length > 1);
    expect(dup, JSON.stringify(dup)).toEqual([]);
    for (const code of seen.keys()) expect(code).toMatch(/^[A-Z][A-Za-z]+$/);
  });
});
