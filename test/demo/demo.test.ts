import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/env.js";

/** `npm run demo` = `node dist/demo/demo.js` after the build (`npm test`'s pretest builds). */
function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith("GIT_")) delete env[k];
    const p = spawn(process.execPath, [path.join(REPO, "dist", "demo", "demo.js")], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// The demo needs the whole flow (init, clone, join, sync). While `git ctx init` is still the
// foundation's placeholder (no src/commands/init.ts), say so and skip; from then on it must pass.
const flowReady = existsSync(path.join(REPO, "src", "commands", "init.ts")) && existsSync(path.join(REPO, "src", "commands", "join.ts"));
if (!flowReady) console.warn("[demo] SKIPPED: git ctx init/join not implemented yet (src/commands/init.ts, join.ts)");

describe.skipIf(!flowReady)("npm run demo", () => {
  it("exits 0 on a fresh temp dir and prints the summary with every check ok", async () => {
    const r = await runDemo();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/machines: A alice-laptop \(linux, \/home\/alice\) {2}· {2}B bob-mac \(darwin, \/Users\/bob\)/);
    expect(r.stdout).toMatch(/sessions moved: 3 sessions in 2 projects/);
    expect(r.stdout).toMatch(/paths rewritten: [1-9]\d* machine paths stored as sentinels; \/home\/alice\/src\/webshop on A is \/Users\/bob\/src\/webshop on B/);
    expect(r.stdout).toMatch(/lines merged: A \+2 and B \+4 lines appended concurrently/);
    expect(r.stdout).not.toContain("FAIL");
    expect(r.stdout).toMatch(/all (\d+) checks passed/);
    expect(Number(/all (\d+) checks passed/.exec(r.stdout)![1])).toBe(9);
    // progress lines on stderr, one per step
    expect(r.stderr).toMatch(/\[11\/11\] cluster: read every object/);
  }, 300_000);
});
