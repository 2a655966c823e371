import { describe, expect, it } from "vitest";
import { agentById } from "../../src/agents/index.js";
import { DEFAULT_LIMITS, entryProblem, judgeListing } from "../../src/gate/index.js";
import { parseAddErrors, sessionNamedFolderOf, skippedMessage } from "../../src/git/oddfiles.js";

/** The pure parts of issue 23, point 3 (src/git/oddfiles.ts) and the gate's rule for folders named like a session file. */

describe("parseAddErrors", () => {
  it("reads git 2.39's words for unreadable files and folders, and keeps any other error", () => {
    const stderr = [
      `error: open("k/b.jsonl"): Permission denied`,
      `error: unable to index file 'k/b.jsonl'`,
      `warning: could not open directory 'k/locked/': Permission denied`,
      `error: open("k/s p.jsonl"): Operation not permitted`,
      `error: unable to index file 'k/s p.jsonl'`,
      "",
    ].join("\n");
    expect(parseAddErrors(stderr)).toEqual({ unreadable: ["k/b.jsonl", "k/locked", "k/s p.jsonl"], other: [] });
    const other = parseAddErrors(`error: external filter 'git-ctx-filter process' failed\nerror: unable to index file 'k/a.jsonl'\nfatal: adding files failed\n`);
    expect(other.unreadable).toEqual([]);
    expect(other.other).toHaveLength(3);
  });
});

describe("sessionNamedFolderOf", () => {
  it("names the first folder named like a session file a path goes through", () => {
    expect(sessionNamedFolderOf("k/x.jsonl/a")).toBe("k/x.jsonl");
    expect(sessionNamedFolderOf("k/x.jsonl/y.jsonl/a")).toBe("k/x.jsonl");
    expect(sessionNamedFolderOf("x.jsonl/a")).toBe("x.jsonl");
    expect(sessionNamedFolderOf("k/x.jsonl")).toBeUndefined();
    expect(sessionNamedFolderOf("k/s1/subagents/a.jsonl")).toBeUndefined();
  });
});

describe("skippedMessage", () => {
  it("names the entry and the fix", () => {
    expect(skippedMessage({ path: "k/b.jsonl", why: "unreadable" }, "/h/p/k/b.jsonl")).toMatch(
      /^skipped k\/b\.jsonl: permission denied — fix: sudo chown \$USER \/h\/p\/k\/b\.jsonl/,
    );
    expect(skippedMessage({ path: "k/x.jsonl", why: "not-a-file" }, "/h/p/k/x.jsonl")).toMatch(/^skipped k\/x\.jsonl: not a file .*mv \/h\/p\/k\/x\.jsonl/);
  });
});

describe("the gate and folders named like a session file", () => {
  const claude = agentById("claude");
  it("refuses the folder and every path through it, both ways", () => {
    expect(entryProblem(claude, { mode: "040000", type: "tree", path: "x.jsonl" }, DEFAULT_LIMITS)).toMatch(/folder named like a session file/);
    // a synced shape (<id>/subagents/*.jsonl) under it passed before
    expect(entryProblem(claude, { mode: "100644", type: "blob", path: "x.jsonl/subagents/a.jsonl" }, DEFAULT_LIMITS)).toMatch(/folder named like a session file/);
    expect(entryProblem(claude, { mode: "100644", type: "blob", path: "s1/subagents/a.jsonl" }, DEFAULT_LIMITS)).toBeUndefined();
    const d = judgeListing(
      claude,
      [
        { mode: "100644", type: "blob", oid: "a".repeat(40), size: 1, path: "s.jsonl" },
        { mode: "040000", type: "tree", oid: "b".repeat(40), path: "x.jsonl" },
        { mode: "040000", type: "tree", oid: "c".repeat(40), path: "x.jsonl/subagents" },
        { mode: "100644", type: "blob", oid: "d".repeat(40), size: 1, path: "x.jsonl/subagents/a.jsonl" },
      ],
      DEFAULT_LIMITS,
    );
    expect(d.files).toBe(1);
    expect(d.refused.map((r) => r.path)).toEqual(["x.jsonl"]);
  });
});
