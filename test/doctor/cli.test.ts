import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { FolderReportSchema } from "../../src/doctor/report.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { BIN, makeMachine } from "../helpers/env.js";

/** End to end: the real `git-ctx` bin (built dist/) on a folder written by the test. */
describe("git ctx doctor <folder> (real bin)", () => {
  it("exit 0 with a JSON report for a healthy folder given after --, exit 1 naming --root for a folder without cwd", async () => {
    const m = await makeMachine("doc");
    const t = await dir({ unsafeCleanup: true });
    const root = path.join(m.pathHome, "src", "app");
    const key = claudeDirKey(root);
    mkdirSync(path.join(t.path, key));
    writeFileSync(path.join(t.path, key, "s.jsonl"), JSON.stringify({ cwd: root, message: { content: `${root}/a.ts` } }) + "\n");
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "doctor", ...args], { cwd: t.path, env: m.env, encoding: "utf8" });
    const ok = run(["--json", "--", key]);
    expect(ok.status, ok.stderr).toBe(0);
    const r = FolderReportSchema.parse(JSON.parse(ok.stdout).folder);
    expect(r.root?.path).toBe(root);
    expect(r.anchors?.home).toBe(m.pathHome);
    expect(r.totals.counts.root).toBe(2);
    expect(r.ok).toBe(true);

    mkdirSync(path.join(t.path, "-empty"));
    const bad = run([`./-empty`]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("root        unknown");
    expect(bad.stdout).toMatch(/fix: git ctx doctor \S+-empty --root /);
    await t.cleanup();
    await m.cleanup();
  });
});
