import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareCluster, node, type Node } from "./harness.js";

/**
 * Joining a project that already exists in the cluster names the machines already in it, so a
 * user notices when a default id (the root's base name) joined an unrelated project of the same
 * name, before syncing more into it.
 */
describe("init / join name the machines already in the project", () => {
  let A: Node, B: Node, C: Node;
  let cluster: { url: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    cluster = await bareCluster();
    [A, B, C] = [await node("A"), await node("B", { os: "darwin", pathHome: "/Users/b" }), await node("C")];
  });
  afterAll(async () => {
    for (const n of [A, B, C]) await n?.cleanup();
    await cluster?.cleanup();
  });

  it("first init: nobody else; second machine's init: the first; join: both", async () => {
    const a = await A.ctx(["init", "--remote", cluster.url, "/home/a/app"]);
    expect(a.stdout).toBe(`joined project/app: /home/a/app -> ${A.projects}/-home-a-app, 0 sessions adopted\ngit ctx init: joined 1 project in 1 view\n`);
    const b = await B.ctx(["init", "--remote", cluster.url, "/Users/b/app"]);
    expect(b.stdout).toBe(
      `joined project/app: /Users/b/app -> ${B.projects}/-Users-b-app, 0 sessions adopted (shared with A: /home/a/app)\ngit ctx init: joined 1 project in 1 view\n`,
    );
    await C.git(["clone", "-q", `ctx::${cluster.url}`, C.projects], { cwd: C.home });
    const c = await C.ctx(["join", "/home/c/app"]);
    expect(c.stdout).toBe(
      `joined project/app: /home/c/app -> ${C.projects}/-home-c-app (shared with A: /home/a/app, B: /Users/b/app)\ngit ctx join: project/app joined in 1 view\n`,
    );
  });
});
