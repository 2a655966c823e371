import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { dir } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claude } from "../../src/agents/claude/index.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { RefusedBranchError } from "../../src/cluster/errors.js";
import { gateTree } from "../../src/cluster/inbound.js";
import { EMPTY_TREE, Plumbing } from "../../src/cluster/plumbing.js";
import { pathProblem } from "../../src/gate/index.js";
import { bareCluster, clusterGit, node, type Node, rosterText, run } from "../cluster/harness.js";

/**
 * A fuzzer of the inbound gate (issue 22, scope 7): the cluster is untrusted input, so random
 * hostile trees — symbolic links (to `..`, `/etc`, `~`, chains, links to links), submodule entries,
 * `.git` look-alikes, control files (`.gitattributes` with filters and encodings, `.gitmodules`,
 * `.mailmap`), names Windows or macOS read as others, control characters, empty and duplicate names,
 * oversized files, broken rosters, a `context` that is not a folder — and the two-step exploit (a
 * link in one commit, a folder under its name in the next) must never get through.
 *
 * Pure part (many cases, `gateTree` on a bare repository): every entry of a gated tree is a regular
 * file or folder whose path passes `pathProblem` and Claude Code's `syncedPath` and the size limit;
 * no name of the hostile alphabet survives (an oracle independent of `pathProblem`); every input
 * entry that may pass is still there with the same blob; every input entry is kept or refused (at
 * itself or a folder above it); a tree with more files than the limit is refused whole.
 *
 * End-to-end part (fewer, richer cases, the real bins and remote helper): one cluster holds one
 * hostile `project/h<i>` branch per case and a good project; a victim that joined them all before
 * the attack runs `git ctx sync` and `git pull` after each of two hostile commits, and a second
 * victim clones, joins and syncs after the first. After every step: (1) nothing outside the view
 * changed (a snapshot of the home minus the view, canaries' bytes and mtimes, the view's
 * `.git/config` and hooks, an unjoined sibling folder); (2) no program named in hostile config or
 * attributes ran (marker files); (3) the victim's own transcript lines are still in its file;
 * (4) every entry the gate must refuse is named (`refused '<path>' of project/<id>`, or the project
 * is refused whole) and `git ctx sync` exits non-zero; (5) no symbolic link in the view; and the
 * good project's new line still arrives.
 *
 * Sizes: `GIT_CTX_FUZZ_TREES` (pure cases; CI 1000), `GIT_CTX_FUZZ_CASES` (end-to-end cases; CI 10),
 * `GIT_CTX_FUZZ_BATCH` (cases per victim run), `GIT_CTX_FUZZ_V2_JOINS` (hostile projects the second victim joins), `GIT_CTX_FUZZ_SEED` (reproduce a run: fast-check
 * prints the seed and the failing case).
 */

const CI = Boolean(process.env.CI);
const TREES = Number(process.env.GIT_CTX_FUZZ_TREES ?? (CI ? 1000 : 300));
const CASES = Number(process.env.GIT_CTX_FUZZ_CASES ?? (CI ? 10 : 8));
const BATCH = Math.max(1, Number(process.env.GIT_CTX_FUZZ_BATCH ?? 16));
/** Hostile projects the second victim joins after the attack (each join is a Node process). */
const V2_JOINS = Number(process.env.GIT_CTX_FUZZ_V2_JOINS ?? 6);
const SEED = process.env.GIT_CTX_FUZZ_SEED === undefined ? undefined : Number(process.env.GIT_CTX_FUZZ_SEED);

// ---------------------------------------------------------------------------------------------
// The hostile model

/** A leaf of a hostile tree: a file (content from {@link CONTENTS}), a symbolic link, or a submodule entry. */
type Leaf = { kind: "file"; mode: "100644" | "100755"; content: number } | { kind: "link"; target: string } | { kind: "gitlink" };
/** A folder of a hostile tree; a list, not a map, so that duplicate names are possible. */
interface Folder {
  kind: "dir";
  entries: [string, TreeNode][];
}
type TreeNode = Leaf | Folder;

/** Placeholder for the marker folder in hostile contents; a program that runs would create a file there. */
const MARK = "@MARK@";

/** Contents a hostile file may hold: session lines, programs to run, config and attribute lines, big text. */
const CONTENTS = [
  '{"type":"user","message":{"role":"user","content":"from the cluster"}}\n',
  `[core]\n\tfsmonitor = touch ${MARK}/fsmonitor\n\thooksPath = ${MARK}\n[filter "evil"]\n\tsmudge = touch ${MARK}/smudge\n\tclean = touch ${MARK}/clean\n\trequired = true\n`,
  "* filter=evil\n*.jsonl working-tree-encoding=UTF-16LE\n*.md filter=evil diff=evil merge=evil\n",
  `#!/bin/sh\ntouch ${MARK}/hook\n`,
  '[submodule "x"]\n\tpath = x\n\turl = ../../evil\n\tupdate = !touch @MARK@/submodule\n',
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvil evil@cluster\n",
  `[Desktop Entry]\nType=Application\nExec=touch ${MARK}/autostart\n`,
  "# memory from the cluster\n",
  "",
  `${'{"type":"assistant","message":{"content":"'.padEnd(300, "x")}"}}\n`,
];
/** Index of a plain session line in {@link CONTENTS}. */
const SESSION_CONTENT = 0;

/**
 * Names the gate must refuse, whatever else is around them (the independent oracle: a kept path
 * never has one of these as a component).
 */
const HOSTILE_NAMES = [
  ".git",
  ".GIT",
  ".Git",
  ".git.",
  ".git ",
  ".git...",
  "GIT~1",
  "git~1",
  "GITMOD~1",
  ".g\u200cit",
  ".git\u200c",
  "\ufeff.git",
  ".\u200dgit",
  "..",
  ".",
  "",
  "a\\b",
  "..\\..\\x.jsonl",
  ":",
  "x.jsonl:stream",
  "a\nb.jsonl",
  "\r.jsonl",
  "tab\t.jsonl",
  "\u0085.md",
  "\u007f.jsonl",
  "CON",
  "con.jsonl",
  "NUL",
  "aux.md",
  "COM1",
  "lpt9.jsonl",
  ".gitattributes",
  ".gitmodules",
  ".gitignore",
  ".GITATTRIBUTES",
  ".mailmap",
  ".MailMap",
  "x".repeat(256),
  `${"é".repeat(128)}.md`,
  "what?.jsonl",
  "a*.jsonl",
  "<x>.md",
  "p|q.jsonl",
  '"q".md',
  "trail.",
  "trail ",
];
const HOSTILE = new Set(HOSTILE_NAMES);

/** Benign names (some of them still unsynced: the gate leaves those out too, they are not hostile). */
const BENIGN_NAMES = [
  "s.jsonl",
  "local.jsonl",
  "t.jsonl",
  "agent-1.jsonl",
  "notes.txt",
  "x.md",
  "MEMORY.md",
  "sub",
  "d",
  "e",
  "a",
  "c",
  "memory",
  "subagents",
  "tool-results",
  "r1",
  "café.md",
  "日本.jsonl",
  "sessions-index.json",
  ".config",
  ".ssh",
  "autostart",
  "config",
];

/** Link targets: up and out of the folder, absolute, home, chains through other links, into `.git`. */
const TARGETS = [
  "..",
  "../..",
  "../../..",
  "../../../..",
  "/etc",
  "/etc/passwd",
  "~",
  "~/.ssh",
  "a/../../..",
  "../../../.config/git",
  "../-srv-other",
  ".",
  "s.jsonl",
  "c",
  "a",
  "memory",
  ".git",
  "../.git/hooks",
  MARK,
  "d/e/a/../..",
];

/** Paths Claude Code syncs (so that hostile variations of them sit next to files the gate must keep). */
const SYNCED_SHAPES: string[][] = [
  ["s.jsonl"],
  ["local.jsonl"],
  ["t.jsonl"],
  ["memory", "MEMORY.md"],
  ["memory", "topic", "x.md"],
  ["s1", "subagents", "a.jsonl"],
  ["s1", "subagents", "a.meta.json"],
  ["s1", "tool-results", "r1"],
  ["sessions-index.json"],
];

/** What the two-step exploit puts under a name that was a link in the commit before. */
const UNDER_LINK: string[][] = [
  ["memory", "x.md"],
  [".config", "git", "config"],
  ["x.jsonl"],
  [".ssh", "authorized_keys"],
  ["autostart", "evil.desktop"],
  ["s1", "tool-results", "r"],
  ["MEMORY.md"],
];

/** A leaf drawn at random (mostly files). */
const leafArb: fc.Arbitrary<Leaf> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("file" as const), mode: fc.constantFrom("100644" as const, "100755" as const), content: fc.nat(CONTENTS.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("link" as const), target: fc.constantFrom(...TARGETS) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "gitlink" as const }) },
);

/** A path: a synced shape or random components, with some components swapped for hostile names. */
const pathArb: fc.Arbitrary<string[]> = fc
  .tuple(
    fc.oneof(fc.constantFrom(...SYNCED_SHAPES), fc.array(fc.constantFrom(...BENIGN_NAMES), { minLength: 1, maxLength: 4 })),
    fc.array(fc.tuple(fc.nat(3), fc.constantFrom(...HOSTILE_NAMES)), { maxLength: 2 }),
  )
  .map(([base, swaps]) => {
    const p = [...base];
    for (const [i, name] of swaps) p[i % p.length] = name;
    return p;
  });

/** Adds `leaf` at `p` below `root`; a path through an existing leaf is dropped, a duplicate name is added as another entry when `dup`. */
function insert(root: Folder, p: string[], leaf: TreeNode, dup = false): void {
  let d = root;
  for (let i = 0; i < p.length - 1; i++) {
    const found = d.entries.find(([n]) => n === p[i]);
    if (found && found[1].kind !== "dir") return;
    if (found) d = found[1] as Folder;
    else {
      const nd: Folder = { kind: "dir", entries: [] };
      d.entries.push([p[i]!, nd]);
      d = nd;
    }
  }
  const last = p.at(-1)!;
  if (!dup && d.entries.some(([n]) => n === last)) return;
  d.entries.push([last, leaf]);
}

/** A hostile tree from a list of (path, leaf), with duplicate names now and then, and optionally a bulk of files. */
const treeArb: fc.Arbitrary<Folder> = fc
  .tuple(fc.array(fc.tuple(pathArb, leafArb, fc.boolean()), { minLength: 0, maxLength: 12 }), fc.nat(9), fc.boolean())
  .map(([specs, dupEvery, classic]) => {
    const root: Folder = { kind: "dir", entries: [] };
    if (classic) {
      // the two-step exploit's first commit: d/e/a -> ../.., d/e/c -> a/../../..
      insert(root, ["d", "e", "a"], { kind: "link", target: "../.." });
      insert(root, ["d", "e", "c"], { kind: "link", target: "a/../../.." });
    }
    for (const [i, [p, leaf, dupCoin]] of specs.entries()) insert(root, p, leaf, dupCoin && dupEvery === i % 10);
    return root;
  });

/** The second hostile commit of the two-step exploit: some links of `t` become folders holding payloads; new entries appear. */
function secondStepArb(t: Folder): fc.Arbitrary<Folder> {
  const links = flatten(t).filter((e) => e.mode === "120000");
  return fc
    .tuple(
      fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...UNDER_LINK)), { minLength: links.length, maxLength: links.length }),
      fc.array(fc.tuple(pathArb, leafArb), { maxLength: 4 }),
    )
    .map(([turns, extra]) => {
      const copy = structuredClone(t);
      links.forEach((l, i) => {
        const [turn, under] = turns[i]!;
        if (!turn) return;
        const parts = l.path.split("/");
        const parent = walk(copy, parts.slice(0, -1));
        if (!parent) return;
        const idx = parent.entries.findIndex(([n, x]) => n === parts.at(-1) && x.kind === "link");
        if (idx < 0) return;
        const folder: Folder = { kind: "dir", entries: [] };
        insert(folder, under, { kind: "file", mode: "100644", content: under.at(-1)!.endsWith(".jsonl") ? SESSION_CONTENT : 1 });
        parent.entries[idx] = [parts.at(-1)!, folder];
      });
      for (const [p, leaf] of extra) insert(copy, p, leaf);
      return copy;
    });
}

/** The folder at `parts` below `root` (the first of that name), or undefined. */
function walk(root: Folder, parts: string[]): Folder | undefined {
  let d: Folder | undefined = root;
  for (const n of parts) {
    const f: TreeNode | undefined = d?.entries.find(([m, x]) => m === n && x.kind === "dir")?.[1];
    d = f?.kind === "dir" ? f : undefined;
  }
  return d;
}

/** One entry of a hostile tree as a recursive listing would show it. */
interface Flat {
  path: string;
  mode: string;
  leaf?: Leaf;
  /** Some component of the path is in the hostile alphabet. */
  hostile: boolean;
}

/** Every entry of `t` (folders too), paths `/`-joined, parents before children. */
function flatten(t: Folder, prefix: string[] = [], out: Flat[] = []): Flat[] {
  for (const [name, n] of t.entries) {
    const p = [...prefix, name];
    const hostile = p.some((c) => HOSTILE.has(c));
    if (n.kind === "dir") {
      out.push({ path: p.join("/"), mode: "040000", hostile });
      flatten(n, p, out);
    } else out.push({ path: p.join("/"), mode: n.kind === "file" ? n.mode : n.kind === "link" ? "120000" : "160000", leaf: n, hostile });
  }
  return out;
}

/** Whether a path goes through a folder named like a session file (`x.jsonl/…`): no agent makes one, the gate refuses it (issue 23, point 3). */
function throughJsonlFolder(p: string): boolean {
  return p
    .split("/")
    .slice(0, -1)
    .some((c) => c.endsWith(".jsonl"));
}

/** Entries the gate must leave out: the hostile alphabet, links, submodules, anything Claude Code does not sync, anything in a folder named like a session file. */
function mustRefuse(t: Folder): Flat[] {
  return flatten(t).filter(
    (e) =>
      e.mode !== "040000" &&
      (e.hostile || (e.mode !== "100644" && e.mode !== "100755") || !claude.syncedPath(e.path) || pathProblem(e.path) !== undefined || throughJsonlFolder(e.path)),
  );
}

/** A short printable description of a tree for failure messages. */
function describeTree(t: Folder): string {
  return flatten(t)
    .map((e) => `${e.mode} ${JSON.stringify(e.path)}${e.leaf?.kind === "link" ? ` -> ${e.leaf.target}` : ""}`)
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Writing trees with git plumbing

/**
 * A long-lived `git mktree -z --batch` and `git hash-object -w --stdin` per blob content, writing
 * hostile trees into one repository (one process for all the trees of a test, not one per folder).
 */
class TreeWriter {
  private mk: ChildProcessWithoutNullStreams;
  private pending: ((oid: string) => void)[] = [];
  private buf = "";
  private blobs = new Map<string, string>();
  constructor(
    readonly gitDir: string,
    /** The marker folder substituted for {@link MARK}. */
    readonly mark: string,
  ) {
    this.mk = spawn("git", ["--git-dir", gitDir, "mktree", "-z", "--missing", "--batch"]);
    this.mk.stdout.setEncoding("utf8");
    this.mk.stdout.on("data", (d: string) => {
      this.buf += d;
      let nl = this.buf.indexOf("\n");
      while (nl >= 0) {
        this.pending.shift()?.(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
        nl = this.buf.indexOf("\n");
      }
    });
  }

  /** The blob id of `text` (written once per text). */
  async blob(text: string): Promise<string> {
    let oid = this.blobs.get(text);
    if (!oid) {
      oid = (await run("git", ["--git-dir", this.gitDir, "hash-object", "-w", "--stdin"], { input: text })).stdout.trim();
      this.blobs.set(text, oid);
    }
    return oid;
  }

  /** Writes `lines` (`<mode> <type> <oid>\t<name>` each) as one tree; an empty list is the empty tree. */
  private tree(lines: string[]): Promise<string> {
    if (lines.length === 0) return Promise.resolve(EMPTY_TREE);
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.mk.stdin.write(lines.map((l) => `${l}\0`).join("") + "\0");
    });
  }

  /** The object id of the folder `t` written with its files, links and subfolders. */
  async write(t: Folder): Promise<string> {
    const lines: string[] = [];
    for (const [name, n] of t.entries) {
      if (n.kind === "dir") lines.push(`040000 tree ${await this.write(n)}\t${name}`);
      else if (n.kind === "file") lines.push(`${n.mode} blob ${await this.blob(this.content(n.content))}\t${name}`);
      else if (n.kind === "link") lines.push(`120000 blob ${await this.blob(n.target.replace(MARK, this.mark))}\t${name}`);
      else lines.push(`160000 commit ${"1".repeat(40)}\t${name}`);
    }
    return this.tree(lines);
  }

  /** Content number `i` of {@link CONTENTS} with the marker folder filled in. */
  content(i: number): string {
    return CONTENTS[i]!.replaceAll(MARK, this.mark);
  }

  /** Ends the mktree process. */
  close(): void {
    this.mk.stdin.end();
  }
}

/** A long-lived `git cat-file --batch` reading objects, to list gated trees without a process per tree. */
class ObjectReader {
  private cf: ChildProcessWithoutNullStreams;
  private chunks = Buffer.alloc(0);
  private waiting: { resolve: (b: { type: string; body: Buffer }) => void }[] = [];
  constructor(gitDir: string) {
    this.cf = spawn("git", ["--git-dir", gitDir, "cat-file", "--batch"]);
    this.cf.stdout.on("data", (d: Buffer) => {
      this.chunks = Buffer.concat([this.chunks, d]);
      this.drain();
    });
  }

  /** Hands complete answers to their readers. */
  private drain(): void {
    for (;;) {
      const nl = this.chunks.indexOf(10);
      if (nl < 0 || this.waiting.length === 0) return;
      const head = this.chunks.subarray(0, nl).toString("utf8").split(" ");
      if (head[1] === "missing") {
        this.chunks = this.chunks.subarray(nl + 1);
        this.waiting.shift()!.resolve({ type: "missing", body: Buffer.alloc(0) });
        continue;
      }
      const size = Number(head[2]);
      if (this.chunks.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.chunks.subarray(nl + 1, nl + 1 + size));
      this.chunks = this.chunks.subarray(nl + 2 + size);
      this.waiting.shift()!.resolve({ type: head[1]!, body });
    }
  }

  /** The type and bytes of object `oid`. */
  read(oid: string): Promise<{ type: string; body: Buffer }> {
    return new Promise((resolve) => {
      this.waiting.push({ resolve });
      this.cf.stdin.write(`${oid}\n`);
    });
  }

  /** Every entry below tree `oid` (folders first, then their content), parsed from the raw tree objects. */
  async listing(oid: string, prefix = ""): Promise<{ path: string; mode: string; oid: string; size?: number }[]> {
    const out: { path: string; mode: string; oid: string; size?: number }[] = [];
    if (oid === EMPTY_TREE) return out;
    const { type, body } = await this.read(oid);
    if (type !== "tree") throw new Error(`${oid} is a ${type}, not a tree`);
    let i = 0;
    while (i < body.length) {
      const sp = body.indexOf(32, i);
      const nul = body.indexOf(0, sp);
      const mode = body.subarray(i, sp).toString("utf8").padStart(6, "0");
      const name = body.subarray(sp + 1, nul).toString("utf8");
      const child = body.subarray(nul + 1, nul + 21).toString("hex");
      i = nul + 21;
      const p = prefix ? `${prefix}/${name}` : name;
      if (mode === "040000") {
        out.push({ path: p, mode, oid: child });
        out.push(...(await this.listing(child, p)));
      } else out.push({ path: p, mode, oid: child, size: mode === "160000" ? undefined : (await this.read(child)).body.length });
    }
    return out;
  }

  /** Ends the cat-file process. */
  close(): void {
    this.cf.stdin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Pure part: gateTree over many random trees

/** Limits set on the pure part's repository, small enough for random trees to cross them. */
const PURE_LIMITS = { maxFiles: 30, maxFileBytes: 200 };

describe("the inbound gate over random hostile trees (gateTree, no CLI)", () => {
  let repo: { path: string; cleanup: () => Promise<void> };
  let writer: TreeWriter;
  let reader: ObjectReader;
  let p: Plumbing;
  beforeAll(async () => {
    repo = await dir({ unsafeCleanup: true, prefix: "gitctx-fuzz-pure-" });
    const gitDir = path.join(repo.path, "r.git");
    await run("git", ["init", "-q", "--bare", gitDir]);
    await run("git", ["--git-dir", gitDir, "config", "ctx.inbound.maxFiles", String(PURE_LIMITS.maxFiles)]);
    await run("git", ["--git-dir", gitDir, "config", "ctx.inbound.maxFileBytes", String(PURE_LIMITS.maxFileBytes)]);
    writer = new TreeWriter(gitDir, path.join(repo.path, "markers"));
    reader = new ObjectReader(gitDir);
    p = new Plumbing(gitDir);
  });
  afterAll(async () => {
    writer?.close();
    reader?.close();
    await repo?.cleanup();
  });

  it(`${TREES} random trees: only safe, synced regular files pass; every safe file passes unchanged; every entry is kept or named`, async () => {
    const bulkArb = fc.tuple(treeArb, fc.nat(20)).map(([t, bulk]) => {
      // now and then more files than ctx.inbound.maxFiles
      if (bulk === 0) for (let i = 0; i < PURE_LIMITS.maxFiles; i++) insert(t, [`bulk${i}.jsonl`], { kind: "file", mode: "100644", content: SESSION_CONTENT });
      return t;
    });
    await fc.assert(
      fc.asyncProperty(bulkArb, async (t) => {
        const input = await writer.write(t);
        const listed = await reader.listing(input);
        const blobs = listed.filter((e) => e.mode !== "040000" && e.mode !== "160000").length;
        let gated: Awaited<ReturnType<typeof gateTree>>;
        try {
          gated = await gateTree(p, input, claude, "project/fuzz");
        } catch (e) {
          // refused whole: only for too many files, or a tree git itself calls corrupt (an empty name)
          expect(e).toBeInstanceOf(RefusedBranchError);
          const corrupt = listed.some((x) => x.path.split("/").includes(""));
          expect(blobs > PURE_LIMITS.maxFiles || corrupt, `refused whole: ${(e as Error).message}`).toBe(true);
          return;
        }
        expect(blobs, "more files than the limit, yet not refused whole").toBeLessThanOrEqual(PURE_LIMITS.maxFiles);
        expect(
          listed.some((x) => x.path.split("/").includes("")),
          "git cannot list a tree with an empty name: it must be refused whole",
        ).toBe(false);
        const kept = await reader.listing(gated.tree);
        const keptBy = new Map(kept.map((e) => [e.path, e]));
        for (const e of kept) {
          // (a) only folders and regular files with safe names pass; files only where Claude Code syncs them, within the size limit
          expect(["040000", "100644", "100755"], `kept ${e.mode} ${JSON.stringify(e.path)}`).toContain(e.mode);
          expect(pathProblem(e.path), `kept ${JSON.stringify(e.path)}`).toBeUndefined();
          // (b) the independent oracle: no component of the hostile alphabet
          expect(
            e.path.split("/").filter((c) => HOSTILE.has(c)),
            `kept ${JSON.stringify(e.path)}`,
          ).toEqual([]);
          if (e.mode !== "040000") {
            expect(claude.syncedPath(e.path), `kept unsynced ${JSON.stringify(e.path)}`).toBe(true);
            expect(e.size!).toBeLessThanOrEqual(PURE_LIMITS.maxFileBytes);
            expect(throughJsonlFolder(e.path), `kept ${JSON.stringify(e.path)} in a folder named like a session file`).toBe(false);
          }
        }
        const refusedPaths = gated.refused.map((r) => r.path);
        const inputPaths = new Set(listed.map((e) => e.path));
        for (const r of refusedPaths) expect(inputPaths.has(r), `refused a path that is not in the input: ${JSON.stringify(r)}`).toBe(true);
        const dupNames = listed.length !== inputPaths.size;
        for (const e of listed) {
          const k = keptBy.get(e.path);
          const named = refusedPaths.some((r) => e.path === r || e.path.startsWith(`${r}/`));
          // (d) every input entry is kept or refused (itself or a folder above it)
          if (e.mode !== "040000") expect(k !== undefined || named, `${JSON.stringify(e.path)} neither kept nor named`).toBe(true);
          // (c) every file that may pass is still there, byte-identical (same blob) and same mode
          const mayPass =
            (e.mode === "100644" || e.mode === "100755") &&
            pathProblem(e.path) === undefined &&
            claude.syncedPath(e.path) &&
            !throughJsonlFolder(e.path) &&
            e.size! <= PURE_LIMITS.maxFileBytes;
          if (mayPass && !dupNames) {
            expect(k, `${JSON.stringify(e.path)} may pass but is gone`).toBeDefined();
            expect(k!.oid).toBe(e.oid);
            expect(k!.mode).toBe(e.mode);
          }
        }
        if (gated.refused.length === 0) expect(gated.tree).toBe(input);
      }),
      { numRuns: TREES, seed: SEED, verbose: 1 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// End-to-end part

/** How a case's roster looks in its hostile commits. */
type RosterKind = "valid" | "evil-participants" | "invalid-json" | "missing" | "link" | "folder";
/** What the hostile commits hold at the branch's top besides the roster. */
type TopKind = "normal" | "context-blob" | "context-link" | "context-gitlink" | "no-context" | "root-extras" | "newer-format";

/** One end-to-end case: a branch `project/h<i>` that turns hostile in two commits. */
interface Case {
  roster: RosterKind;
  top: TopKind;
  step1: Folder;
  step2: Folder;
}

/** A case: mostly a valid roster and a normal top, so that the trees themselves are exercised. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    roster: fc.oneof(
      { weight: 14, arbitrary: fc.constant("valid" as const) },
      { weight: 1, arbitrary: fc.constantFrom("evil-participants" as const, "invalid-json" as const, "missing" as const, "link" as const, "folder" as const) },
    ),
    top: fc.oneof(
      { weight: 12, arbitrary: fc.constant("normal" as const) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "context-blob" as const,
          "context-link" as const,
          "context-gitlink" as const,
          "no-context" as const,
          "root-extras" as const,
          "newer-format" as const,
        ),
      },
    ),
    step1: treeArb,
  })
  .chain((c) => secondStepArb(c.step1).map((step2) => ({ ...c, step2 })));

/** The case's branch is refused whole (its roster, its format or its `context` entry): no entry is judged. */
function wholeRefusal(c: Case, tree: Folder): boolean {
  if (flatten(tree).some((e) => e.path.split("/").includes("")) && c.top === "normal") return true;
  return !["valid", "evil-participants"].includes(c.roster) || ["context-blob", "context-link", "context-gitlink", "newer-format"].includes(c.top);
}

/** The roster text of a case's hostile commit (undefined: no roster.json; a link or a folder handled by the caller). */
function rosterOf(c: Case, id: string): string {
  if (c.roster === "evil-participants") {
    const evil = (machine_id: string, root: string) => ({ machine_id, os: "linux", home: "/", project_root: root, encoded_dir: root, last_converged: null });
    return JSON.stringify({ project_id: id, rewrite_home: true, participants: [evil("evil", "evil"), evil("up", "../.."), evil("etc", "/etc"), evil("victim", "/srv")] });
  }
  if (c.roster === "invalid-json") return "{not json";
  return rosterText(id);
}

/** Writes commit `context` (+ roster and top variants of `c`) on `refs/heads/project/<id>` of the cluster, parent = its tip. */
async function pushHostile(w: TreeWriter, url: string, id: string, c: Case, context: Folder): Promise<void> {
  const lines: string[] = [];
  const rosterBlob = await w.blob(rosterOf(c, id));
  if (c.roster === "valid" || c.roster === "evil-participants" || c.roster === "invalid-json") lines.push(`100644 blob ${rosterBlob}\troster.json`);
  if (c.roster === "link") lines.push(`120000 blob ${await w.blob("../../../.config/git/config")}\troster.json`);
  if (c.roster === "folder") lines.push(`040000 tree ${await w.write({ kind: "dir", entries: [["x", { kind: "file", mode: "100644", content: SESSION_CONTENT }]] })}\troster.json`);
  const ctx = await w.write(context);
  if (c.top === "context-blob") lines.push(`100644 blob ${await w.blob(w.content(SESSION_CONTENT))}\tcontext`);
  else if (c.top === "context-link") lines.push(`120000 blob ${await w.blob("../..")}\tcontext`);
  else if (c.top === "context-gitlink") lines.push(`160000 commit ${"2".repeat(40)}\tcontext`);
  else if (c.top !== "no-context" && ctx !== EMPTY_TREE) lines.push(`040000 tree ${ctx}\tcontext`);
  if (c.top === "root-extras") {
    lines.push(
      `040000 tree ${await w.write({
        kind: "dir",
        entries: [
          ["config", { kind: "file", mode: "100644", content: 1 }],
          ["hooks", { kind: "dir", entries: [["post-checkout", { kind: "file", mode: "100755", content: 3 }]] }],
        ],
      })}\t.git`,
    );
    lines.push(`100644 blob ${await w.blob(w.content(4))}\t.gitmodules`);
    lines.push(`100644 blob ${await w.blob(w.content(2))}\t.gitattributes`);
  }
  if (c.top === "newer-format") lines.push(`100644 blob ${await w.blob('{"format": 99}\n')}\tformat.json`);
  const tree = (await clusterGit(url, ["mktree", "-z", "--missing"], { input: lines.map((l) => `${l}\0`).join("") })).stdout.trim();
  await commitOn(url, id, tree);
}

/** Commits `tree` on `refs/heads/project/<id>` of the cluster with the branch's tip as parent. */
async function commitOn(url: string, id: string, tree: string): Promise<void> {
  const parent = (await clusterGit(url, ["rev-parse", "--verify", "-q", `refs/heads/project/${id}`], { allowFail: true })).stdout.trim();
  const env = { GIT_AUTHOR_NAME: "mallory", GIT_AUTHOR_EMAIL: "m@evil", GIT_COMMITTER_NAME: "mallory", GIT_COMMITTER_EMAIL: "m@evil" };
  const commit = (await clusterGit(url, ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", `hostile ${id}`], { env })).stdout.trim();
  await clusterGit(url, ["update-ref", `refs/heads/project/${id}`, commit]);
}

/** Adds a line to `s.jsonl` of the good project's branch, keeping the rest of its tree (another machine's honest push). */
async function pushGoodLine(w: TreeWriter, url: string, line: string): Promise<void> {
  const tip = (await clusterGit(url, ["rev-parse", "refs/heads/project/good"])).stdout.trim();
  const old = (await clusterGit(url, ["cat-file", "blob", `${tip}:context/s.jsonl`])).stdout;
  const listing = (await clusterGit(url, ["ls-tree", "-z", `${tip}:context`])).stdout.split("\0").filter((l) => l && !l.endsWith("\ts.jsonl"));
  const ctx = (await clusterGit(url, ["mktree", "-z"], { input: [...listing, `100644 blob ${await w.blob(old + line)}\ts.jsonl`].map((l) => `${l}\0`).join("") })).stdout.trim();
  const top = (await clusterGit(url, ["ls-tree", "-z", tip])).stdout.split("\0").filter((l) => l && !l.endsWith("\tcontext"));
  const tree = (await clusterGit(url, ["mktree", "-z"], { input: [...top, `040000 tree ${ctx}\tcontext`].map((l) => `${l}\0`).join("") })).stdout.trim();
  await commitOn(url, "good", tree);
}

/** One path's state in a snapshot: kind, and for files their bytes' hash, mode and mtime, for links the target. */
type Snap = Map<string, string>;

/** A recursive snapshot of `root` (lstat: links are not followed), skipping the paths `skip` says. */
function snapshot(root: string, skip: (p: string) => boolean, out: Snap = new Map()): Snap {
  if (!existsSync(root)) return out;
  for (const name of readdirSync(root)) {
    const p = path.join(root, name);
    if (skip(p)) continue;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out.set(p, `link ${readlinkSync(p)}`);
    else if (st.isDirectory()) {
      out.set(p, "dir");
      snapshot(p, skip, out);
    } else out.set(p, `file ${st.mode.toString(8)} ${st.mtimeMs} ${createHash("sha1").update(readFileSync(p)).digest("hex")}`);
  }
  return out;
}

/** Differences between two snapshots, one line per path. */
function diffSnap(a: Snap, b: Snap): string[] {
  const out: string[] = [];
  for (const [p, v] of b) if (a.get(p) !== v) out.push(`${a.has(p) ? "changed" : "created"} ${p}: ${a.get(p) ?? ""} -> ${v}`);
  for (const p of a.keys()) if (!b.has(p)) out.push(`removed ${p}`);
  return out;
}

/** Every symbolic link below `root` except in `.git` (lstat walk). */
function linksIn(root: string, out: string[] = []): string[] {
  for (const name of readdirSync(root)) {
    const p = path.join(root, name);
    if (p === path.join(root, ".git") && root.endsWith("projects")) continue;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out.push(p);
    else if (st.isDirectory()) linksIn(p, out);
  }
  return out;
}

/** Plants canaries in a victim's home (after the clone, which wants an empty view): config, ssh keys, autostart, files next to the view, an unjoined sibling folder. */
function plantCanaries(v: Node): void {
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(v.home, rel)), { recursive: true });
    writeFileSync(path.join(v.home, rel), text);
  };
  put(".config/git/config", "[user]\n\tname = victim\n");
  put(".ssh/authorized_keys", "ssh-ed25519 AAAA victim@home\n");
  put(".config/autostart/ok.desktop", "[Desktop Entry]\nExec=true\n");
  put(".bashrc", "# victim\n");
  put(".claude/settings.json", "{}\n");
  put(".claude/CLAUDE.md", "# victim's rules\n");
  put(".claude/projects/-srv-other/o.jsonl", '{"type":"user","message":{"content":"not joined"}}\n');
}

/** The local transcript lines a victim writes in each joined folder: one pushed before the attack, one not. */
function localLine(v: Node, id: string, n: number): string {
  return `${JSON.stringify({ type: "user", uuid: `${v.name}-${id}-${n}`, message: { role: "user", content: `${v.name} own line ${n} in ${id}` } })}\n`;
}

/** Everything a victim compares after each step. */
interface Baseline {
  snap: Snap;
}

/** The victim's snapshot: the home minus the view, plus the view's `.git/config`, hooks and the unjoined sibling folder. */
function victimSnap(v: Node): Snap {
  const view = v.projects;
  const outside = snapshot(path.dirname(v.home), (p) => p === view);
  const inside = snapshot(path.join(view, ".git", "hooks"), () => false);
  for (const [k, x] of inside) outside.set(k, x);
  snapshot(path.join(view, "-srv-other"), () => false, outside);
  const cfg = path.join(view, ".git", "config");
  outside.set(cfg, readFileSync(cfg, "utf8"));
  return outside;
}

describe("hostile clusters end to end (clone, join, sync, pull through the real remote helper)", () => {
  const batches = Math.max(1, Math.ceil(CASES / BATCH));
  it(`${batches} batch(es) of ${Math.min(BATCH, CASES)} hostile projects each, next to a good project`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { minLength: Math.min(BATCH, CASES), maxLength: Math.min(BATCH, CASES) }), async (cases) => {
        await runBatch(cases);
      }),
      { numRuns: batches, seed: SEED, endOnFailure: true, verbose: 1 },
    );
  }, 1_800_000);
});

/**
 * `t` with every empty name renamed: git's upload-pack dies on a tree with an empty name ("empty
 * filename in tree entry"), which makes the whole cluster unfetchable before any gate runs (see the
 * pure part, which keeps such trees, and the report of issue 22 scope 7).
 */
function noEmptyNames(t: Folder): Folder {
  return { kind: "dir", entries: t.entries.map(([n, x]) => [n === "" ? "empty" : n, x.kind === "dir" ? noEmptyNames(x) : x]) };
}

/** Runs one batch: one cluster, one victim joined before the attack, one that joins after, two hostile steps. */
async function runBatch(input: Case[]): Promise<void> {
  const cases = input.map((c) => ({ ...c, step1: noEmptyNames(c.step1), step2: noEmptyNames(c.step2) }));
  const cluster = await bareCluster();
  const markers = path.join(path.dirname(cluster.url), "markers");
  mkdirSync(markers);
  const w = new TreeWriter(cluster.url, markers);
  const victims: Node[] = [];
  try {
    const ids = cases.map((_, i) => `h${i}`);
    const good = '{"type":"user","message":{"role":"user","content":"good"}}\n';
    const rootOf = (id: string) => `/srv/fuzz/${id}`;
    const keyOf = (id: string) => claudeDirKey(rootOf(id));
    // the honest start: every project has a valid roster and one session
    const start: Folder = { kind: "dir", entries: [["s.jsonl", { kind: "file", mode: "100644", content: SESSION_CONTENT }]] };
    for (const id of ["good", ...ids]) await pushHostile(w, cluster.url, id, { roster: "valid", top: "normal", step1: start, step2: start }, start);
    await pushGoodLine(w, cluster.url, good);

    const V1 = await node("V1");
    victims.push(V1);
    await V1.git(["clone", "-q", `ctx::${cluster.url}`, V1.projects], { cwd: V1.home });
    plantCanaries(V1);
    for (const id of ["good", ...ids]) await V1.ctx(["join", "--id", id, rootOf(id)]);
    for (const id of ["good", ...ids]) writeFileSync(V1.at(keyOf(id), "local.jsonl"), localLine(V1, id, 1));
    const pre = await V1.ctx(["sync"], { allowFail: true });
    expect(pre.code, `the honest start syncs: ${pre.stderr}`).toBe(0);
    for (const id of ["good", ...ids]) writeFileSync(V1.at(keyOf(id), "local.jsonl"), localLine(V1, id, 1) + localLine(V1, id, 2), { flag: "w" });
    const v1Base: Baseline = { snap: victimSnap(V1) };

    /** Checks invariants (1), (2), (3), (5) on victim `v` after `step`; `joined` are the ids it joined. */
    const invariants = (v: Node, base: Baseline, step: string, joined: string[], lines: number) => {
      const where = `${v.name} after ${step}`;
      expect(diffSnap(base.snap, victimSnap(v)), `${where}: changed outside the view`).toEqual([]);
      expect(readdirSync(markers), `${where}: a hostile program ran`).toEqual([]);
      expect(existsSync("/tmp/pwned"), `${where}: /tmp/pwned`).toBe(false);
      expect(linksIn(v.projects), `${where}: symbolic links in the view`).toEqual([]);
      const allowed = new Set([".git", "-srv-other", ...joined.map(keyOf)]);
      expect(
        readdirSync(v.projects).filter((n) => !allowed.has(n)),
        `${where}: unexpected top-level entries in the view`,
      ).toEqual([]);
      for (const id of joined) {
        if (lines === 0) continue;
        const file = v.at(keyOf(id), "local.jsonl");
        const text = existsSync(file) && lstatSync(file).isFile() ? readFileSync(file, "utf8") : "";
        for (let n = 1; n <= lines; n++) expect(text, `${where}: ${v.name}'s own line ${n} of ${id}`).toContain(localLine(v, id, n));
      }
    };
    /** Checks invariant (4): every entry the gate must refuse in `tree` of case `c` is named in `out` (or the project is refused whole). */
    const named = (out: string, id: string, c: Case, tree: Folder, where: string) => {
      if (wholeRefusal(c, tree)) {
        expect(out, `${where}: project/${id} refused whole but not named\n${describeCase(c)}`).toMatch(
          new RegExp(`refused project/${id} from the cluster|invalid roster\\.json in refs/ctx/cluster/project/${id}:`),
        );
        return;
      }
      if (c.top === "no-context") return; // the tree is not on the branch at all: nothing reaches the view, nothing to name
      for (const e of mustRefuse(tree)) {
        const parts = e.path.split("/");
        const said = parts.some((_, i) => out.includes(`refused '${parts.slice(0, i + 1).join("/")}' of project/${id} from the cluster`));
        expect(said, `${where}: ${JSON.stringify(e.path)} (${e.mode}) of project/${id} must be refused and named\n${describeCase(c)}\n--- output:\n${out}`).toBe(true);
      }
    };
    const anyRefusal = (step: 1 | 2) =>
      cases.some((c) => wholeRefusal(c, step === 1 ? c.step1 : c.step2) || (c.top !== "no-context" && mustRefuse(step === 1 ? c.step1 : c.step2).length > 0));

    // step 1: every hostile branch turns hostile
    for (const [i, c] of cases.entries()) await pushHostile(w, cluster.url, ids[i]!, c, c.step1);
    await pushGoodLine(w, cluster.url, '{"type":"user","message":{"content":"good after step 1"}}\n');
    const s1 = await V1.ctx(["sync"], { allowFail: true });
    invariants(V1, v1Base, "step 1 sync", ["good", ...ids], 2);
    if (anyRefusal(1)) expect(s1.code, `V1 step 1 sync exits non-zero when something was refused:\n${s1.stderr}`).not.toBe(0);
    for (const [i, c] of cases.entries()) named(s1.stderr, ids[i]!, c, c.step1, "V1 step 1 sync");
    expect(s1.stderr, "the good project is never refused").not.toMatch(/project\/good from the cluster/);
    expect(readFileSync(V1.at(keyOf("good"), "s.jsonl"), "utf8"), "the good project's new line arrives").toContain("good after step 1");
    const p1 = await V1.git(["pull"], { allowFail: true });
    invariants(V1, v1Base, "step 1 pull", ["good", ...ids], 2);
    expect(p1.code, `V1 step 1 pull: ${p1.stderr}`).toBe(0);
    const st1 = await V1.ctx(["status"], { allowFail: true });
    if (anyRefusal(1)) expect(st1.code, "status exits 1 while something is refused").toBe(1);

    // a second victim clones the hostile cluster and joins every project
    const V2 = await node("V2");
    victims.push(V2);
    await V2.git(["clone", "-q", `ctx::${cluster.url}`, V2.projects], { cwd: V2.home });
    plantCanaries(V2);
    await V2.ctx(["join", "--id", "good", rootOf("good")]);
    const v2Base: Baseline = { snap: victimSnap(V2) };
    const v2Joined = ["good"];
    for (const [i, c] of cases.slice(0, V2_JOINS).entries()) {
      const id = ids[i]!;
      const j = await V2.ctx(["join", "--id", id, rootOf(id)], { allowFail: true });
      invariants(V2, v2Base, `join ${id}`, [...v2Joined, id], 0);
      if (wholeRefusal(c, c.step1)) {
        expect(j.code, `join of ${id} refused whole exits non-zero\n${describeCase(c)}`).not.toBe(0);
        expect(j.stderr).toMatch(new RegExp(`project/${id}`));
      } else {
        expect(j.code, `join of ${id}: ${j.stderr}\n${describeCase(c)}`).toBe(0);
        named(j.stderr + j.stdout, id, c, c.step1, `V2 join ${id}`);
        v2Joined.push(id);
      }
    }
    for (const id of v2Joined) writeFileSync(V2.at(keyOf(id), "local.jsonl"), localLine(V2, id, 1), { flag: "a" });
    const v2s = await V2.ctx(["sync"], { allowFail: true });
    invariants(V2, v2Base, "sync after joins", v2Joined, 1);
    expect(v2s.stderr).not.toMatch(/project\/good from the cluster/);

    // step 2: links become folders holding payloads (the two-step exploit); new hostile entries
    for (const [i, c] of cases.entries()) await pushHostile(w, cluster.url, ids[i]!, c, c.step2);
    await pushGoodLine(w, cluster.url, '{"type":"user","message":{"content":"good after step 2"}}\n');
    for (const [v, base, joined, lines] of [
      [V1, v1Base, ["good", ...ids], 2],
      [V2, v2Base, v2Joined, 1],
    ] as const) {
      const s2 = await v.ctx(["sync"], { allowFail: true });
      invariants(v, base, "step 2 sync", [...joined], lines);
      for (const [i, c] of cases.entries()) if (joined.includes(ids[i]!)) named(s2.stderr, ids[i]!, c, c.step2, `${v.name} step 2 sync`);
      if (anyRefusal(2) && joined.length > 1) expect(s2.code, `${v.name} step 2 sync exits non-zero:\n${s2.stderr}`).not.toBe(0);
      expect(readFileSync(v.at(keyOf("good"), "s.jsonl"), "utf8"), `${v.name}: the good project's new line arrives`).toContain("good after step 2");
      const p2 = await v.git(["pull"], { allowFail: true });
      invariants(v, base, "step 2 pull", [...joined], lines);
      expect(p2.code, `${v.name} step 2 pull: ${p2.stderr}`).toBe(0);
    }
  } finally {
    w.close();
    for (const v of victims) await v.cleanup();
    await cluster.cleanup();
  }
}

/** A printable case for failure messages. */
function describeCase(c: Case): string {
  return `roster=${c.roster} top=${c.top}\n--- step 1:\n${describeTree(c.step1)}\n--- step 2:\n${describeTree(c.step2)}`;
}
