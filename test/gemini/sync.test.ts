import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bareCluster, clusterGit } from "../cluster/harness.js";
import { appendLines, chatHead, chatMessages, chatName, geminiNode, geminiProject, hashOf, writeLines } from "./chats.js";

/**
 * Issue 12: Gemini CLI chats travel through the same cluster, on the project's branch under
 * `gemini/`, with real git and the built bins. A is Linux (`/home/al/proj`), B is macOS
 * (`/Users/bob/proj`).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const ID = "0f0501ed-ab2c-47db-b6f0-b25ba98ff82c";

describe("Gemini CLI chats over a cluster", () => {
  it("init on A, join on B (no view yet): B's slug claimed as Gemini does, paths and projectHash in B's terms, machine-local files stay; B's turn comes back in A's spelling", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await geminiNode("A", cleanups);
    const B = await geminiNode("B", cleanups, { os: "darwin", pathHome: "/Users/bob" });
    const rootA = "/home/al/proj";
    const rootB = "/Users/bob/proj";
    const folderA = geminiProject(A.gemini, rootA, "proj");
    const chatA = writeLines(path.join(folderA, "chats", chatName(ID)), [chatHead(ID, rootA), ...chatMessages(rootA, "a", 4)]);
    writeFileSync(
      path.join(folderA, "logs.json"),
      JSON.stringify([{ sessionId: ID, messageId: 0, type: "user", message: `look at ${rootA}/x`, timestamp: "2026-01-02T10:00:01.000Z" }], null, 2),
    );
    mkdirSync(path.join(folderA, "checkpoints"), { recursive: true });
    writeFileSync(path.join(folderA, "checkpoints", "c.json"), `{"shadow":"${rootA}"}`);
    writeFileSync(path.join(folderA, "shell_history"), "ls\n");

    const init = await A.ctx(["init", "--remote", cluster.url, "--id", "proj", "--agents", "gemini", rootA], { cwd: A.home });
    expect(init.stdout).toMatch(/joined project\/proj/);
    const tree = (await clusterGit(cluster.url, ["ls-tree", "-r", "--name-only", "project/proj"])).stdout.split("\n").filter(Boolean);
    expect(tree.sort()).toEqual(["format.json", `gemini/chats/${chatName(ID)}`, "gemini/logs.json", "roster.json"]);
    const canonical = (await clusterGit(cluster.url, ["show", `project/proj:gemini/chats/${chatName(ID)}`])).stdout;
    expect(canonical).toContain("{{CC_PROJECT_ROOT}}/src/a1.ts");
    expect(canonical).toContain('"projectHash":"{{CC_ENCODED_DIR}}"');
    expect((await clusterGit(cluster.url, ["log", "--all", "-p", "--format=%B", "--", "gemini"])).stdout).not.toContain("/home/al");
    // the roster keeps Claude Code's key for the root (context-convergence reads it), not the slug
    const roster = JSON.parse((await clusterGit(cluster.url, ["show", "project/proj:roster.json"])).stdout) as { participants: { encoded_dir: string }[] };
    expect(roster.participants[0]!.encoded_dir).toBe("-home-al-proj");

    const join = await B.ctx(["join", "--remote", cluster.url, "--id", "proj", "--agents", "gemini", rootB], { cwd: B.home });
    expect(join.stdout).toMatch(/joined project\/proj/);
    // B's registry names its slug for B's root, as Gemini CLI would have made it
    expect(JSON.parse(readFileSync(path.join(B.gemini, "projects.json"), "utf8"))).toEqual({ projects: { [rootB]: "proj" } });
    expect(readFileSync(path.join(B.tmp, "proj", ".project_root"), "utf8")).toBe(rootB);
    expect(readFileSync(path.join(B.gemini, "history", "proj", ".project_root"), "utf8")).toBe(rootB);
    const chatB = path.join(B.tmp, "proj", "chats", chatName(ID));
    const textB = readFileSync(chatB, "utf8");
    expect(textB).not.toContain("/home/al");
    expect(textB).toContain(`"projectHash":"${hashOf(rootB)}"`);
    expect(textB).toContain(`${rootB}/src/a1.ts`);
    expect(readFileSync(path.join(B.tmp, "proj", "logs.json"), "utf8")).toContain(`${rootB}/x`);
    expect(existsSync(path.join(B.tmp, "proj", "checkpoints"))).toBe(false);
    expect(existsSync(path.join(B.tmp, "proj", "shell_history"))).toBe(false);
    expect((await B.git(["status", "--porcelain"], { cwd: B.tmp })).stdout).toBe("");

    // B's turn goes back to A in A's spelling; A's bytes stay a prefix
    const beforeA = readFileSync(chatA);
    appendLines(chatB, chatMessages(rootB, "b", 2, Date.UTC(2026, 0, 2, 11)));
    await B.ctx(["sync"], { cwd: B.home });
    await A.ctx(["sync"], { cwd: A.home });
    const afterA = readFileSync(chatA);
    expect(afterA.subarray(0, beforeA.length)).toEqual(beforeA);
    const added = afterA.subarray(beforeA.length).toString("utf8");
    expect(added).toContain(`${rootA}/src/b1.ts`);
    expect(added).not.toContain("/Users/bob");
    expect((await A.git(["status", "--porcelain"], { cwd: A.tmp })).stdout).toBe("");
    expect(readFileSync(path.join(folderA, "shell_history"), "utf8")).toBe("ls\n");

    // Gemini's retention deletes the chat on B: the deletion never propagates
    rmSync(chatB);
    await B.ctx(["sync"], { cwd: B.home });
    await A.ctx(["sync"], { cwd: A.home });
    expect(readFileSync(chatA)).toEqual(afterA);
    expect((await clusterGit(cluster.url, ["ls-tree", "-r", "--name-only", "project/proj"])).stdout).toContain(`gemini/chats/${chatName(ID)}`);
    // status and scan cover the Gemini view
    const status = JSON.parse((await B.ctx(["status", "--json"], { cwd: B.home })).stdout) as unknown;
    expect(JSON.stringify(status)).toContain(B.tmp);
    const scan = await B.ctx(["scan", "--json"], { cwd: B.tmp, allowFail: true });
    expect(scan.code, scan.stderr).toBe(0);

    // doctor: the engine's checks pass; Gemini's registry agrees; no hook yet (a failure naming the fix)
    const doc = await B.ctx(["doctor", "--json"], { cwd: B.tmp, allowFail: true });
    type Report = { checks: { name: string; ok: boolean; detail: string; fix?: string }[] };
    const checks = JSON.parse(doc.stdout).views[0].checks as Report["checks"];
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["AfterAgent hook"]);
    expect(checks.find((c) => c.name === "project proj: Gemini CLI folder")?.ok).toBe(true);
    await B.ctx(["install", "--no-hooks"], { cwd: B.home });
    await B.ctx(["hook", "install", "--agent", "gemini"], { cwd: B.home });
    const settings = JSON.parse(readFileSync(path.join(B.gemini, "settings.json"), "utf8"));
    expect(settings.hooks.AfterAgent[0].hooks[0]).toEqual({ type: "command", command: "git ctx sync --hook", timeout: 60000 });
    const doc2 = await B.ctx(["doctor", "--json"], { cwd: B.tmp, allowFail: true });
    expect(doc2.code, doc2.stdout).toBe(0);
  });
});
