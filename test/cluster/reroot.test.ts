import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, node, sessionLines, writeSession, type Node } from "./harness.js";

/**
 * `git ctx join --id <id> <new root>` for a project already joined at another root (the user
 * moved the project): the old folder stops being synced, so the sessions it gained since the last
 * sync must reach the cluster first and arrive in the new folder; none may be stranded.
 */
describe.each(["join", "init"])("%s of a joined project at a new root (the project moved)", (cmd) => {
  let A: Node;
  let cluster: { url: string; cleanup: () => Promise<void> };
  const oldRoot = "/home/a/p",
    newRoot = "/home/a/moved/p";
  const oldKey = claudeDirKey(oldRoot),
    newKey = claudeDirKey(newRoot);
  beforeAll(async () => {
    cluster = await bareCluster();
    A = await node("A", { filter: true });
    writeSession(A.at(oldKey), "s1", sessionLines(oldRoot, "s1", "first", 2));
    await A.ctx(["init", "--remote", cluster.url, "--id", "p", oldRoot]);
  });
  afterAll(async () => {
    await A?.cleanup();
    await cluster?.cleanup();
  });

  it("pushes the old folder's unsynced sessions first and brings them into the new folder", async () => {
    writeSession(A.at(oldKey), "s1", sessionLines(oldRoot, "s1", "appended", 2, Date.UTC(2026, 2, 1)), true);
    writeSession(A.at(oldKey), "s2", sessionLines(oldRoot, "s2", "unsynced", 2));
    const r = await A.ctx([cmd, "--id", "p", newRoot]);
    expect(r.stdout).toContain(`joined project/p: ${newRoot}`);
    const s1 = (await clusterGit(cluster.url, ["show", "project/p:context/s1.jsonl"])).stdout;
    for (const tag of ["first-u0", "first-a1", "appended-u0", "appended-a1"]) expect(s1).toContain(`"${tag}"`);
    expect((await clusterGit(cluster.url, ["show", "project/p:context/s2.jsonl"])).stdout).toContain('"unsynced-u0"');
    // the new folder has every session, with the new root's paths
    const n1 = readFileSync(A.at(newKey, "s1.jsonl"), "utf8");
    expect(n1).toContain('"appended-a1"');
    expect(n1).toContain(`"cwd":"${newRoot}"`);
    expect(n1).not.toContain(`"cwd":"${oldRoot}"`);
    expect(readFileSync(A.at(newKey, "s2.jsonl"), "utf8")).toContain('"unsynced-u0"');
    // and the old folder's files are still there, untouched
    expect(readFileSync(A.at(oldKey, "s2.jsonl"), "utf8")).toContain(`"cwd":"${oldRoot}"`);
  });
});
