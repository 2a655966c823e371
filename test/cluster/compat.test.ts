import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { appendAndCommit, bareCluster, clusterGit, handBranch, node, sessionLines, type Node } from "./harness.js";

/**
 * A cluster written by context-convergence (its documented layout: orphan branch
 * `project/<id>` with `roster.json` — `project_id`, `canonical_sentinel`, `rewrite_home`,
 * `participants[]` with `machine_id`, `os`, `home`, `project_root`, `encoded_dir`,
 * `last_converged`, `last_converged_commit` — and `context/`; `main` with a README) is readable
 * by `git ctx join`, and the fields it wrote survive our push.
 */
describe("context-convergence cluster compatibility", () => {
  let B: Node;
  let cluster: { url: string; cleanup: () => Promise<void> };
  const ccRoster = {
    project_id: "acme-app",
    canonical_sentinel: "{{CC_PROJECT_ROOT}}",
    rewrite_home: false,
    participants: [
      {
        machine_id: "mac-1",
        os: "darwin",
        home: "/Users/me",
        project_root: "/Users/me/acme/app",
        encoded_dir: "-Users-me-acme-app",
        last_converged: "2025-11-01T10:00:00+00:00",
        last_converged_commit: "0123456789abcdef0123456789abcdef01234567",
        future_field: { x: 1 },
      },
    ],
  };
  const lines = [
    '{"type":"user","uuid":"u1","timestamp":"2025-11-01T09:00:00Z","cwd":"{{CC_PROJECT_ROOT}}","message":{"role":"user","content":"hello"}}',
    '{"type":"assistant","uuid":"a1","timestamp":"2025-11-01T09:00:01Z","cwd":"{{CC_PROJECT_ROOT}}","message":{"role":"assistant","content":"hi"}}',
  ];

  beforeAll(async () => {
    cluster = await bareCluster();
    await handBranch(
      cluster.url,
      "acme-app",
      JSON.stringify(ccRoster, null, 2) + "\n",
      {
        "sess-1.jsonl": lines.join("\n") + "\n",
        "memory/MEMORY.md": "# Memory\n- uses pnpm\n",
      },
      { "NOTES.txt": "kept by the other tool\n" },
    );
    B = await node("B");
  });
  afterAll(async () => {
    await B?.cleanup();
    await cluster?.cleanup();
  });

  it("git ctx join reads it; our push keeps its roster fields and other root files", async () => {
    await B.git(["clone", "-q", `ctx::${cluster.url}`, B.projects], { cwd: B.home });
    const root = "/home/b/acme/app";
    const key = claudeDirKey(root);
    const listed = JSON.parse((await B.ctx(["projects", "--json"])).stdout).projects;
    expect(listed[0]).toMatchObject({ id: "acme-app", rewriteHome: false, machines: [{ machineId: "mac-1", root: "/Users/me/acme/app" }] });
    await B.ctx(["join", "--id", "acme-app", root]);
    expect(readFileSync(B.at(key, "sess-1.jsonl"), "utf8")).toBe(lines.join("\n") + "\n");
    expect(readFileSync(B.at(key, "memory", "MEMORY.md"), "utf8")).toBe("# Memory\n- uses pnpm\n");
    const state = JSON.parse(readFileSync(B.at(".git", "ctx", "state.json"), "utf8"));
    expect(state.projects["acme-app"]).toMatchObject({ root, key, rewriteHome: false });

    await appendAndCommit(B, key, "sess-1", sessionLines(root, "sess-1", "b", 1, Date.UTC(2026, 0, 5)), "B continues");
    await B.git(["push"]);
    const roster = JSON.parse((await clusterGit(cluster.url, ["show", "project/acme-app:roster.json"])).stdout);
    expect(roster.canonical_sentinel).toBe("{{CC_PROJECT_ROOT}}");
    expect(roster.rewrite_home).toBe(false);
    const mac = roster.participants.find((p: { machine_id: string }) => p.machine_id === "mac-1");
    expect(mac).toEqual(ccRoster.participants[0]);
    expect(roster.participants.find((p: { machine_id: string }) => p.machine_id === "B")).toMatchObject({ os: "linux", project_root: root, encoded_dir: key });
    expect((await clusterGit(cluster.url, ["show", "project/acme-app:NOTES.txt"])).stdout).toBe("kept by the other tool\n");
    expect((await clusterGit(cluster.url, ["show", "project/acme-app:context/memory/MEMORY.md"])).stdout).toBe("# Memory\n- uses pnpm\n");
    // linear on top of the other tool's commit: join's roster entry, then B's push
    expect((await clusterGit(cluster.url, ["log", "--format=%an", "project/acme-app"])).stdout.trim().split("\n")).toEqual(["user-B", "git-ctx", "other tool"]);
    expect((await clusterGit(cluster.url, ["rev-list", "--merges", "project/acme-app"])).stdout).toBe("");
  });
});
