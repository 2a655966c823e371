import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { Plumbing } from "../../src/cluster/plumbing.js";
import { fetchProjects } from "../../src/cluster/remote.js";

/**
 * Issue 15: `Plumbing` remembers, for the life of the process, what git answered about revisions
 * that start with a full object id (`<oid>^{tree}`, `<oid>:<path>`, `ls-tree <oid>`, small blobs):
 * a sync asked the same questions in its fetch, merge and push. Refs and missing objects are
 * never remembered (they change), and each caller gets its own copy.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  delete process.env.GIT_TRACE2_EVENT;
  while (cleanups.length) await cleanups.pop()!();
});

const ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
};

function g(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd, env: ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with one commit holding `a/f.txt`; returns its path and the commit. */
async function repo(content = "one\n"): Promise<{ top: string; commit: string }> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-plumbing-" });
  cleanups.push(t.cleanup);
  g(t.path, "init", "-q", "-b", "main");
  spawnSync("mkdir", ["-p", path.join(t.path, "a")]);
  spawnSync("sh", ["-c", `printf '${content}' > a/f.txt`], { cwd: t.path });
  g(t.path, "add", "a/f.txt");
  g(t.path, "commit", "-q", "-m", "one");
  return { top: t.path, commit: g(t.path, "rev-parse", "HEAD") };
}

/** The git commands started while `fn` ran (GIT_TRACE2_EVENT). */
async function gitCommands(top: string, fn: () => Promise<void>): Promise<string[]> {
  const trace = path.join(top, "..", `trace-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  process.env.GIT_TRACE2_EVENT = trace;
  try {
    await fn();
  } finally {
    delete process.env.GIT_TRACE2_EVENT;
  }
  let text = "";
  try {
    text = readFileSync(trace, "utf8");
  } catch {
    /* no git ran */
  }
  rmSync(trace, { force: true });
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; argv?: string[] })
    .filter((e) => e.event === "start")
    .map((e) =>
      (e.argv ?? [])
        .slice(1)
        .filter((a, i, all) => a !== "-c" && all[i - 1] !== "-c")
        .join(" "),
    );
}

describe("Plumbing's answers about full object ids", () => {
  it("asks git once per question for revisions rooted in an object id, and hands out copies", async () => {
    const { top, commit } = await repo();
    const p = new Plumbing(path.join(top, ".git"));
    let first: string | undefined;
    let listing: Awaited<ReturnType<Plumbing["lsTree"]>> = [];
    let blob: Buffer = Buffer.alloc(0);
    const ran = await gitCommands(top, async () => {
      for (let i = 0; i < 3; i++) {
        first = await p.resolve(`${commit}:a`);
        expect(await p.treeOf(commit)).toBe(g(top, "rev-parse", `${commit}^{tree}`));
        listing = await p.lsTree(commit, true);
        blob = await p.blob(g(top, "rev-parse", `${commit}:a/f.txt`));
      }
    });
    expect(first).toBe(g(top, "rev-parse", `${commit}:a`));
    expect(ran.filter((c) => c.includes("rev-parse")).length).toBe(2); // resolve + treeOf, once each
    expect(ran.filter((c) => c.includes("ls-tree")).length).toBe(1);
    expect(ran.filter((c) => c.includes("cat-file")).length).toBe(1);
    // the caller's own copies: changing them changes nothing remembered
    listing[0]!.name = "changed";
    listing.pop();
    blob.fill(0x78);
    expect((await p.lsTree(commit, true)).map((e) => e.name)).toEqual(["a/f.txt"]);
    expect((await p.blob(g(top, "rev-parse", `${commit}:a/f.txt`))).toString()).toBe("one\n");
  });

  it("never remembers what a ref names, nor an object it did not find", async () => {
    const { top, commit } = await repo();
    const p = new Plumbing(path.join(top, ".git"));
    expect(await p.resolve("refs/heads/main")).toBe(commit);
    g(top, "commit", "-q", "--allow-empty", "-m", "two");
    const second = g(top, "rev-parse", "HEAD");
    expect(await p.resolve("refs/heads/main")).toBe(second);
    // an object that arrives later (a fetch) is found once it is there
    const other = await repo("other\n");
    const p2 = new Plumbing(path.join(other.top, ".git"));
    expect(await p2.resolve(`${commit}^{commit}`)).toBeUndefined();
    g(other.top, "fetch", "-q", top, "main");
    expect(await p2.resolve(`${commit}^{commit}`)).toBe(commit);
  });
});

describe("fetchProjects", () => {
  it("reads every tracking ref in one for-each-ref and runs nothing else for projects already at their tips", async () => {
    const { top, commit } = await repo();
    const p = new Plumbing(path.join(top, ".git"));
    const ids = ["p1", "p2", "p3"];
    for (const id of ids) g(top, "update-ref", `refs/ctx/cluster/project/${id}`, commit);
    const heads = { main: undefined, projects: new Map(ids.map((id) => [id, commit])) };
    let tips = new Map<string, string>();
    const ran = await gitCommands(top, async () => {
      tips = await fetchProjects(p, "/nonexistent/cluster.git", ids, heads);
    });
    expect([...tips]).toEqual(ids.map((id) => [id, commit]));
    expect(ran.map((c) => c.split(" ").find((w) => !w.startsWith("-") && !w.includes("/")))).toEqual(["for-each-ref"]);
  });
});
