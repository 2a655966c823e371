import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dir as tmpDir } from "tmp-promise";
import { agentById } from "../../src/agents/index.js";
import { gateTree, listTreeLong } from "../../src/cluster/inbound.js";
import { RefusedBranchError } from "../../src/cluster/errors.js";
import { Plumbing } from "../../src/cluster/plumbing.js";
import { entryProblem, DEFAULT_LIMITS } from "../../src/gate/index.js";

/**
 * The inbound gate applied to real git trees (src/cluster/inbound.ts): the gated tree holds
 * exactly the entries that pass (same path, mode and blob), nothing else; a tree with nothing
 * refused comes back as the same object; a branch over the file limit is refused whole.
 */
let repo: { path: string; cleanup: () => Promise<void> };
let p: Plumbing;
const claude = agentById("claude");

beforeAll(async () => {
  repo = await tmpDir({ unsafeCleanup: true, prefix: "gitctx-gate-" });
  execFileSync("git", ["init", "-q", "--bare", repo.path]);
  p = new Plumbing(repo.path);
});
afterAll(async () => repo.cleanup());

const g = (args: string[], input?: string) =>
  execFileSync("git", ["--git-dir", repo.path, ...args], { input })
    .toString("utf8")
    .trim();

type Spec = { path: string; mode: "100644" | "100755" | "120000"; text: string };

/** Writes the nested tree of `files` (paths `/`-separated) with `git mktree -z`; later duplicates of a path lose. */
function build(files: readonly Spec[]): string {
  type Node = { blobs: Map<string, { mode: string; oid: string }>; dirs: Map<string, Node> };
  const root: Node = { blobs: new Map(), dirs: new Map() };
  for (const f of files) {
    const parts = f.path.split("/");
    let n = root;
    let ok = true;
    for (const d of parts.slice(0, -1)) {
      if (n.blobs.has(d)) ok = false;
      if (!ok) break;
      if (!n.dirs.has(d)) n.dirs.set(d, { blobs: new Map(), dirs: new Map() });
      n = n.dirs.get(d)!;
    }
    const leaf = parts.at(-1)!;
    if (!ok || n.dirs.has(leaf) || n.blobs.has(leaf)) continue;
    n.blobs.set(leaf, { mode: f.mode, oid: g(["hash-object", "-w", "--stdin"], f.text) });
  }
  const write = (n: Node): string => {
    const recs: string[] = [];
    for (const [name, b] of n.blobs) recs.push(`${b.mode} blob ${b.oid}\t${name}\0`);
    for (const [name, d] of n.dirs) recs.push(`040000 tree ${write(d)}\t${name}\0`);
    return g(["mktree", "-z"], recs.join(""));
  };
  return write(root);
}

const name = fc.constantFrom(
  "s.jsonl",
  "a.jsonl",
  "memory",
  "MEMORY.md",
  "x.md",
  "s1",
  "subagents",
  "tool-results",
  "t.txt",
  ".git",
  ".gitattributes",
  "..",
  "GIT~1",
  "a\\b",
  "n\nl",
  "notes.txt",
  "agent-1.jsonl",
);
const spec: fc.Arbitrary<Spec> = fc.record({
  path: fc.array(name, { minLength: 1, maxLength: 4 }).map((a) => a.join("/")),
  mode: fc.constantFrom("100644", "100644", "100755", "120000") as fc.Arbitrary<Spec["mode"]>,
  text: fc.constantFrom("line\n", "../..", "/etc", "{}\n"),
});

describe("gateTree", () => {
  it("keeps exactly the entries that pass, byte for byte, and nothing else (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 12 }), async (files) => {
        const tree = build(files);
        const input = await listTreeLong(p, tree);
        const gated = await gateTree(p, tree, claude, "project/x");
        const out = await listTreeLong(p, gated.tree);
        // every file of the result passes, and was in the input unchanged
        for (const e of out.filter((x) => x.type === "blob")) {
          expect(entryProblem(claude, e, DEFAULT_LIMITS)).toBeUndefined();
          expect(input.find((i) => i.path === e.path && i.oid === e.oid && i.mode === e.mode)).toBeDefined();
        }
        // every file of the input that passes (and is not under a refused folder) is in the result
        const refusedDirs = gated.refused.map((r) => r.path);
        for (const e of input.filter((x) => x.type === "blob")) {
          const under = refusedDirs.some((d) => e.path === d || e.path.startsWith(d + "/"));
          const passes = !under && entryProblem(claude, e, DEFAULT_LIMITS) === undefined;
          expect(
            out.some((o) => o.path === e.path && o.oid === e.oid),
            e.path,
          ).toBe(passes);
        }
        // nothing refused: the very same tree object
        if (gated.refused.length === 0) expect(gated.tree).toBe(tree);
      }),
      { numRuns: 40 },
    );
  });

  it("a branch with more files than ctx.inbound.maxFiles is refused whole", async () => {
    const tree = build([1, 2, 3].map((i) => ({ path: `s${i}.jsonl`, mode: "100644", text: `${i}\n` })));
    execFileSync("git", ["--git-dir", repo.path, "config", "ctx.inbound.maxFiles", "2"]);
    const strict = new Plumbing(repo.path + "/"); // a new repository key: the limits are read once per repository
    await expect(gateTree(strict, tree, claude, "project/big")).rejects.toThrow(RefusedBranchError);
    await expect(gateTree(strict, tree, claude, "project/big")).rejects.toThrow(/cluster branch project\/big was refused: 3 files, over the limit of 2/);
    execFileSync("git", ["--git-dir", repo.path, "config", "--unset", "ctx.inbound.maxFiles"]);
  });
});
