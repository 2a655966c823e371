import { afterEach, describe, expect, it } from "vitest";
import { DoctorSchema } from "../../src/json/schemas.js";
import { bareCluster } from "../cluster/harness.js";
import { codexNode, rolloutPath, sessionMeta, turnLines, writeRollout } from "../codex/rollouts.js";

/**
 * Issue 24, point 1: `git ctx doctor` in a fresh Codex view probed `/doctor-probe.jsonl` (a
 * Codex project's folder key is `""`), which git refuses as "outside repository", so doctor
 * exited 1 on every machine with Codex. The probe is now a rollout-shaped path the Codex module
 * names, and the attribute and exclude checks pass on a view made by the real `git ctx init`.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("git ctx doctor in a Codex view (real bins)", () => {
  it("the attributes and excludes checks pass on a fresh view", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await codexNode("cp", cleanups);
    const root = "/home/al/work";
    const id = "019b0000-0000-7000-8000-000000000001";
    writeRollout(A.sessions, rolloutPath(id), [sessionMeta(id, root), ...turnLines(root, "o", 2)]);
    await A.ctx(["init", "--agents", "codex", "--remote", cluster.url, "--id", "work", root], { cwd: A.home });
    const r = await A.ctx(["doctor", "--json"], { cwd: A.sessions, allowFail: true });
    const report = DoctorSchema.parse(JSON.parse(r.stdout)).views[0]!;
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName.attributes, JSON.stringify(report.checks.filter((c) => !c.ok))).toMatchObject({ ok: true });
    expect(byName.excludes, JSON.stringify(report.checks.filter((c) => !c.ok))).toMatchObject({ ok: true });
    expect(report.checks.filter((c) => /doctor/.test(c.name) && !c.ok)).toEqual([]);
  });
});
