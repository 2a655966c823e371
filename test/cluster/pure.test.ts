import { describe, expect, it } from "vitest";
import { absoluteClusterUrl, isLocalPath } from "../../src/cluster/setup.js";
import { normalizeRoot } from "../../src/cluster/viewrepo.js";
import { projectIdOfBranch, projectBranch, clusterTrackingRef } from "../../src/cluster/layout.js";

/** The pure rules of the cluster layer: which URLs are local paths, root spelling, branch names (the tree-entry rules are the inbound gate's: test/gate). */
describe("cluster URLs and roots", () => {
  it.each([
    ["/srv/ctx.git", true],
    ["../ctx", true],
    ["ctx", true],
    ["C:\\ctx", true],
    ["./a:b", true],
    ["git@github.com:me/ctx.git", false],
    ["host:ctx", false],
    ["ssh://git@host/ctx", false],
    ["https://github.com/me/ctx.git", false],
    ["file:///srv/ctx.git", false],
  ])("isLocalPath(%j) = %j", (url, want) => {
    expect(isLocalPath(url)).toBe(want);
  });

  it("local paths become absolute, other URLs stay as given", () => {
    expect(absoluteClusterUrl("ctx.git", "/home/me")).toBe("/home/me/ctx.git");
    expect(absoluteClusterUrl("git@github.com:me/ctx.git", "/home/me")).toBe("git@github.com:me/ctx.git");
    expect(absoluteClusterUrl("file:///x", "/home/me")).toBe("file:///x");
  });

  it("roots keep any OS's absolute spelling and lose trailing separators", () => {
    expect(normalizeRoot("/Users/b/app/", "/x")).toBe("/Users/b/app");
    expect(normalizeRoot("C:\\Users\\c\\app\\", "/x")).toBe("C:\\Users\\c\\app");
    expect(normalizeRoot("C:\\", "/x")).toBe("C:\\");
    expect(normalizeRoot("/", "/x")).toBe("/");
    expect(normalizeRoot("app", "/home/me")).toBe("/home/me/app");
  });

  it("branch and tracking ref names round-trip ids with slashes", () => {
    for (const id of ["app", "github.com/acme/app"]) {
      expect(projectIdOfBranch(projectBranch(id))).toBe(id);
      expect(clusterTrackingRef(id)).toBe(`refs/ctx/cluster/project/${id}`);
    }
    expect(projectIdOfBranch("refs/heads/main")).toBeUndefined();
    expect(projectIdOfBranch("refs/heads/project/")).toBeUndefined();
  });
});

describe("git ctx projects output", () => {
  it("lists each project with its machines' roots, flags broken rosters and the empty cluster", async () => {
    const { formatProjects } = await import("../../src/commands/projects.js");
    const text = formatProjects([
      {
        id: "app",
        tip: "a".repeat(40),
        joined: true,
        rewriteHome: true,
        error: null,
        agents: ["claude", "codex"],
        machines: [
          { machineId: "A", os: "linux", root: "/home/a/app", key: "-home-a-app", lastConverged: "2026-01-01T00:00:00.000Z", thisMachine: true },
          { machineId: "B", os: "darwin", root: "/Users/b/app", key: "-Users-b-app", lastConverged: null, thisMachine: false },
        ],
      },
      { id: "bad", tip: "b".repeat(40), joined: false, rewriteHome: true, machines: [], error: "invalid roster.json in project/bad:roster.json: not valid JSON", agents: [] },
    ]);
    expect(text).toBe(
      "app  (joined; claude, codex)\n  A (linux, this machine): /home/a/app  last sync 2026-01-01T00:00:00.000Z\n  B (darwin): /Users/b/app\nbad\n  ! invalid roster.json in project/bad:roster.json: not valid JSON\n",
    );
    expect(formatProjects([], "/srv/c.git")).toMatch(/^no projects in \/srv\/c\.git yet/);
  });
});
