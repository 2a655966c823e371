import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareCluster, handBranch, node, type Node } from "./harness.js";

/**
 * `git ctx projects --json` is for scripts: projects sorted by id, machines sorted by machine id
 * whatever order another tool wrote the roster in, and every field present on every item
 * (`error: null` when the roster is fine), so `jq '.[].error'` never meets a missing key.
 */
describe("git ctx projects --json is stable", () => {
  let X: Node;
  let cluster: { url: string; cleanup: () => Promise<void> };
  const participant = (id: string, root: string) => ({
    machine_id: id,
    os: "linux",
    home: "/home/x",
    project_root: root,
    encoded_dir: root.replace(/[^a-zA-Z0-9]/g, "-"),
    last_converged: null,
  });
  beforeAll(async () => {
    cluster = await bareCluster();
    X = await node("X");
    // roster written by another tool with participants out of order
    await handBranch(cluster.url, "zeta", JSON.stringify({ project_id: "zeta", rewrite_home: false, participants: [participant("mB", "/b/z"), participant("mA", "/a/z")] }), {
      "s.jsonl": "{}\n",
    });
    await handBranch(cluster.url, "alpha", "not json", { "s.jsonl": "{}\n" });
  });
  afterAll(async () => {
    await X?.cleanup();
    await cluster?.cleanup();
  });

  it("sorted, every field present, same bytes on a second run", async () => {
    const r = await X.ctx(["projects", "--remote", cluster.url, "--json"]);
    const doc = JSON.parse(r.stdout) as { schemaVersion: number; command: string; projects: Record<string, unknown>[] };
    expect(doc).toMatchObject({ schemaVersion: 1, command: "projects", ok: true });
    const list = doc.projects;
    expect(list.map((x) => x.id)).toEqual(["alpha", "zeta"]);
    for (const x of list) expect(Object.keys(x)).toEqual(["id", "tip", "joined", "rewriteHome", "machines", "agents", "problem"]);
    expect((list[0]!.problem as { message: string }).message).toMatch(/project\/alpha/);
    expect(list[1]!.problem).toBeNull();
    const machines = list[1]!.machines as Record<string, unknown>[];
    expect(machines.map((m) => m.machineId)).toEqual(["mA", "mB"]);
    for (const m of machines) expect(Object.keys(m)).toEqual(["machineId", "os", "root", "key", "lastSync", "thisMachine"]);
    expect(list[1]!.rewriteHome).toBe(false);
    expect((await X.ctx(["projects", "--remote", cluster.url, "--json"])).stdout).toBe(r.stdout);
  });

  it("the human listing names the machines in the same order", async () => {
    const r = await X.ctx(["projects", "--remote", cluster.url]);
    expect(r.stdout).toMatch(/^alpha {2}\(claude\)\n {2}! .*project\/alpha.*\nzeta {2}\(claude\)\n {2}mA \(linux\): \/a\/z\n {2}mB \(linux\): \/b\/z\n$/);
  });
});
