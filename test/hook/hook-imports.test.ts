import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/env.js";

/**
 * Issue 15: `git ctx sync --hook` runs after every agent turn and must return in ≤ 0.1 s, so its
 * module (src/commands/synchook.ts) loads only what it needs. This walks the static imports
 * (`import … from`, `export … from`; type-only imports are erased by the compiler, dynamic
 * `import()` runs only when reached) from that module and fails when the closure reaches the
 * agent registry, a concrete agent's full module, zod, yargs or proper-lockfile.
 */

const SRC = path.join(REPO, "src");
const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm;

/** Every module reached by static imports from `entry` (src-relative paths, and bare package names). */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [path.join(SRC, entry)];
  while (todo.length) {
    const file = todo.pop()!;
    const rel = path.relative(SRC, file).split(path.sep).join("/");
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const m of readFileSync(file, "utf8").matchAll(STATIC)) {
      const spec = m[1]!;
      if (spec.startsWith(".")) {
        const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts"));
        expect(existsSync(target), `${rel} imports ${spec}`).toBe(true);
        todo.push(target);
      } else if (!spec.startsWith("node:")) seen.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
    }
  }
  return seen;
}

const HEAVY = ["agents/index.ts", "agents/registry.ts", "agents/claude/index.ts", "agents/codex/index.ts", "agents/gemini/index.ts", "zod", "yargs", "proper-lockfile"];

describe("the hook path's imports (issue 15)", () => {
  it("src/commands/synchook.ts reaches no registry, no full agent module, no zod, yargs or proper-lockfile", () => {
    const c = closure("commands/synchook.ts");
    expect(c.has("agents/stores.ts")).toBe(true);
    expect(c.has("sync/background.ts")).toBe(true);
    expect(HEAVY.filter((h) => c.has(h))).toEqual([]);
  });

  it("src/cli/hook.ts (bundled as one file, dynamic imports inlined) reaches only the hook's modules", () => {
    const c = closure("cli/hook.ts");
    expect(c.has("commands/synchook.ts")).toBe(true);
    expect([...HEAVY, "cli/git-ctx.ts", "cli/commands/index.ts", "cli/commands/sync.ts", "commands/sync.ts"].filter((h) => c.has(h))).toEqual([]);
    // a bundle without chunks inlines every literal import(): only proper-lockfile may be one
    const dynamic = [...c]
      .filter((m) => m.endsWith(".ts"))
      .flatMap((m) => [...readFileSync(path.join(SRC, m), "utf8").matchAll(/(?<!typeof )\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((d) => `${m}: ${d[1]}`));
    expect(dynamic.filter((d) => !d.endsWith(": proper-lockfile"))).toEqual([]);
  });

  it("the walker sees a heavy import where there is one (it would fail on a leak)", () => {
    const c = closure("commands/sync.ts");
    expect(c.has("agents/index.ts")).toBe(true);
    expect(c.has("agents/registry.ts")).toBe(true);
    const engine = closure("sync/index.ts");
    expect(engine.has("zod")).toBe(true);
    expect(closure("sync/coalesce.ts").has("proper-lockfile")).toBe(false); // loaded lazily: only a lock needs it
  });
});
