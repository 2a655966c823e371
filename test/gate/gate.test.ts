import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentById } from "../../src/agents/index.js";
import {
  componentProblem,
  dirtyFolders,
  entryProblem,
  judgeListing,
  limitsFrom,
  outboundRefusals,
  pathProblem,
  removalCommands,
  DEFAULT_LIMITS,
  type ListedEntry,
} from "../../src/gate/index.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * The inbound gate's pure rules (issue 22, src/gate): which names git itself (verify_path with
 * NTFS and HFS protection) or another OS would refuse or read as something else, which entries
 * each agent's store syncs, the limits, and the folders a refusal rebuilds.
 */
const claude = agentById("claude");
const codex = agentById("codex");
const gemini = agentById("gemini");
const file = (path: string, size = 10): ListedEntry => ({ mode: "100644", type: "blob", oid: "a".repeat(40), size, path });
const dir = (path: string): ListedEntry => ({ mode: "040000", type: "tree", oid: "b".repeat(40), path });

describe("names (issue 22, case 5: names git itself refuses passed the old validator)", () => {
  it.each([
    [".git.", /trailing dot or space/],
    [".git ", /trailing dot or space/],
    ["GIT~1", /8\.3 short name/],
    ["GITMOD~1", /8\.3 short name/],
    [".g\u200cit", /invisible Unicode/],
    [".git\ufeff", /invisible Unicode/],
    ["a\nb.jsonl", /control character/],
    ["a\rb", /control character/],
    ["a\u0085b", /control character/],
    [".gitattributes", /git control name/],
    [".gitmodules", /git control name/],
    [".gitignore", /git control name/],
    [".GIT", /git control name/],
    [".mailmap", /git control name/],
    ["a:b.jsonl", /Windows refuses/],
    ["CON", /Windows device name/],
    ["nul.jsonl", /Windows device name/],
    ["a\\b", /backslash/],
    ["..", /'\.\.' path component/],
    [".", /'\.' path component/],
    ["", /empty path component/],
    ["x".repeat(256), /longer than 255 bytes/],
    ["a\ufffdb", /not valid UTF-8/],
  ])("componentProblem(%j) refuses it", (name, why) => {
    expect(componentProblem(name)).toMatch(why);
  });

  it.each([
    "s.jsonl",
    "1b2c-uuid.jsonl",
    "agent-a1b2.meta.json",
    "toolu_01ABC.txt",
    "MEMORY.md",
    "project notes.md",
    "日本語.md",
    "session-2026-01-02T10-20-abcd1234.json",
    "rollout-2025-11-04T10-00-00-0199.jsonl",
    "v1.2~beta.md",
  ])("componentProblem(%j) lets a real store's name pass", (name) => {
    expect(componentProblem(name)).toBeUndefined();
  });

  it.each([
    ["/etc/passwd", /absolute/],
    ["C:/x", /drive-letter/],
    ["a//b", /empty path component/],
    ["a/../b", /'\.\.'/],
    ["x/.GIT/hooks/pre-commit", /git control name/],
    ["d/e/.gitattributes", /git control name/],
  ])("pathProblem(%j) refuses it", (p, why) => {
    expect(pathProblem(p)).toMatch(why);
  });

  it("a path that passes can never be read as .git or escape the folder on any OS (property)", () => {
    const piece = fc.constantFrom(".git", ".GIT", "git", "~1", ".", "..", " ", "\u200c", "\ufeff", "\\", ":", "\n", "a", "b.jsonl", "/", "GIT", "mod", "\u0000");
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (parts) => {
        const p = parts.join("");
        if (pathProblem(p) !== undefined) return;
        for (const c of p.split("/")) {
          // what NTFS and HFS+ would make of it: ignorables removed, trailing dots/spaces dropped, case folded
          const seen = c
            .replace(/[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g, "")
            .replace(/[. ]+$/, "")
            .toLowerCase();
          expect(seen).not.toBe(".git");
          expect(seen).not.toBe("git~1");
          expect(c).not.toBe("..");
          expect(c).not.toMatch(/[\\:\n\0]/);
        }
      }),
      { numRuns: Math.min(NUM_RUNS, 20_000) },
    );
  });
});

describe("each agent's allowlist (issue 22, case 2: machine-local files were planted and taken)", () => {
  it.each([
    [claude, "s.jsonl", true],
    [claude, "agent-1.jsonl", true],
    [claude, "s1/subagents/agent-1.jsonl", true],
    [claude, "s1/subagents/agent-1.meta.json", true],
    [claude, "s1/tool-results/toolu_1.txt", true],
    [claude, "memory/MEMORY.md", true],
    [claude, "memory/topics/x.md", true],
    [claude, "sessions-index.json", true],
    [claude, "d/e/c/.config/git/config", false],
    [claude, "notes.txt", false],
    [claude, "memory/run.sh", false],
    [claude, "s1/other/x.jsonl", false],
    [codex, "2026/01/02/rollout-2026-01-02T10-00-00-x.jsonl", true],
    [codex, "2026/01/02/other.jsonl", false],
    [codex, ".codex/config.toml", false],
    [gemini, "chats/session-2026-01-02T10-20-abcd.jsonl", true],
    [gemini, "chats/session-2026-01-02T10-20-abcd.json", true],
    [gemini, "chats/parent-id/x.json", true],
    [gemini, "logs.json", true],
    [gemini, "checkpoints/checkpoint-x.json", false],
    [gemini, "shell_history", false],
    [gemini, ".project_root", false],
    [gemini, "plans/p.md", false],
  ])("%s syncs %j: %s", (agent, rel, ok) => {
    expect(agent.syncedPath(rel)).toBe(ok);
    expect(entryProblem(agent, file(rel), DEFAULT_LIMITS) === undefined).toBe(ok);
  });

  it("links, gitlinks and odd modes never pass, even at an allowlisted path", () => {
    expect(entryProblem(claude, { mode: "120000", type: "blob", path: "s.jsonl" }, DEFAULT_LIMITS)).toMatch(/symbolic link/);
    expect(entryProblem(claude, { mode: "160000", type: "commit", path: "s.jsonl" }, DEFAULT_LIMITS)).toMatch(/submodule/);
    expect(entryProblem(claude, { mode: "100664", type: "blob", path: "s.jsonl" }, DEFAULT_LIMITS)).toMatch(/file mode 100664/);
    expect(entryProblem(claude, { mode: "100755", type: "blob", path: "s.jsonl" }, DEFAULT_LIMITS)).toBeUndefined();
  });
});

describe("limits (issue 22, point 8: 100,000 pushed files, a huge file)", () => {
  it("git config values with git's suffixes; nonsense keeps the default", () => {
    expect(limitsFrom({ maxFiles: "500", maxFileBytes: "1m" })).toEqual({ maxFiles: 500, maxFileBytes: 1024 * 1024 });
    expect(limitsFrom({ maxFiles: "2k", maxFileBytes: "1G" })).toEqual({ maxFiles: 2048, maxFileBytes: 1024 ** 3 });
    expect(limitsFrom({ maxFiles: "lots", maxFileBytes: "-1" })).toEqual(DEFAULT_LIMITS);
    expect(limitsFrom({})).toEqual(DEFAULT_LIMITS);
  });

  it("a file over the byte limit is left out; more files than the limit refuse the branch whole", () => {
    const limits = { maxFiles: 3, maxFileBytes: 100 };
    const d = judgeListing(claude, [file("a.jsonl", 50), file("big.jsonl", 101)], limits);
    expect(d.refuseAll).toBeUndefined();
    expect(d.refused).toEqual([{ path: "big.jsonl", why: expect.stringMatching(/101 bytes, over the limit of 100/) }]);
    const many = judgeListing(claude, [file("a.jsonl"), file("b.jsonl"), file("c.jsonl"), file("x.txt")], limits);
    expect(many.refuseAll).toMatch(/4 files, over the limit of 3 per project \(git config ctx\.inbound\.maxFiles\)/);
  });
});

describe("judging a listing", () => {
  it("a refused folder is named once and its content goes with it", () => {
    const d = judgeListing(claude, [dir(".git"), file(".git/config"), dir("memory"), file("memory/MEMORY.md"), file("s.jsonl")], DEFAULT_LIMITS);
    expect(d.refused.map((r) => r.path)).toEqual([".git"]);
    expect(d.files).toBe(2);
  });

  it("dirtyFolders lists every ancestor of a refused path, deepest first, the root last", () => {
    expect(dirtyFolders([{ path: "a/b/c" }, { path: "x" }])).toEqual(["a/b", "a", ""]);
    expect(dirtyFolders([{ path: "top" }])).toEqual([""]);
  });

  it("outbound: the files of a view folder that other machines would refuse, by project", () => {
    const listing: ListedEntry[] = [
      file("-k/s.jsonl"),
      { mode: "120000", type: "blob", oid: "c".repeat(40), size: 12, path: "-k/memory" },
      file("-k/notes.txt"),
      file("-other/x.txt"),
    ];
    const out = outboundRefusals(claude, listing, new Map([["-k", "p"]]));
    expect(out.map((o) => [o.id, o.path])).toEqual([
      ["p", "-k/memory"],
      ["p", "-k/notes.txt"],
    ]);
    expect(out[0]!.why).toMatch(/symbolic link/);
  });

  it("the removal hint clones without a checkout and quotes every path", () => {
    const cmd = removalCommands("/srv/c.git", "p", "context", ["it's/x"]);
    expect(cmd).toContain(`git clone -q -n --single-branch -b project/p '/srv/c.git' "$d"`);
    expect(cmd.startsWith("d=$(mktemp -d) && ")).toBe(true);
    expect(cmd.endsWith(' && rm -rf "$d"')).toBe(true);
    expect(cmd).toContain(`'context/it'\\''s/x'`);
  });
});

describe("hostile listings the fuzzer found", () => {
  it("two entries of one name in a folder (a file and a folder) are both refused, once, with what is below them", () => {
    const d = judgeListing(claude, [file("sessions-index.json"), dir("sessions-index.json"), file("sessions-index.json/x.jsonl"), file("s.jsonl")], DEFAULT_LIMITS);
    expect(d.refused).toEqual([{ path: "sessions-index.json", why: "two entries of the same name in one folder" }]);
    expect(d.files).toBe(1);
  });
});
