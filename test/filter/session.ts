import type { Anchors } from "../../src/sentinel/index.js";

/**
 * Small authored Claude Code project folders (not the corpus) for end-to-end filter tests: the
 * places FORMATS.md lists where absolute paths occur (cwd on every line, a subdirectory cwd, tool
 * inputs, a tool result naming the context dir, object keys of file-history snapshots, a home
 * path), plus a sibling path that must stay (`<root>2`) and a literal sentinel. With `other`, a
 * line also mentions that machine's root literally (the case only cleaning with the index blob as
 * base keeps stable on the other machine).
 */
export function authoredFolder(a: Anchors, other?: Anchors): Record<string, Buffer> {
  const win = a.os === "windows";
  const sep = win ? "\\" : "/";
  const j = (...p: string[]) => p.join(sep);
  const ctx = j(a.home, ".claude", "projects", a.key);
  const sid = "7f1c2e4a-1111-4222-8333-944455556666";
  const line = (o: object) => JSON.stringify(o) + "\n";
  const base = { sessionId: sid, version: "2.1.97", gitBranch: "main", userType: "external", isSidechain: false };
  const session =
    line({
      ...base,
      type: "user",
      uuid: "u1",
      parentUuid: null,
      timestamp: "2026-01-02T03:04:05.000Z",
      cwd: a.root,
      message: { role: "user", content: `fix ${j(a.root, "src", "app.ts")} please; the tool writes {{CC_PROJECT_ROOT}} itself` },
    }) +
    line({
      ...base,
      type: "assistant",
      uuid: "a1",
      parentUuid: "u1",
      timestamp: "2026-01-02T03:04:06.000Z",
      cwd: j(a.root, "src"),
      message: { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: { file_path: j(a.root, "src", "app.ts") } }] },
    }) +
    line({
      ...base,
      type: "user",
      uuid: "u2",
      parentUuid: "a1",
      timestamp: "2026-01-02T03:04:07.000Z",
      cwd: a.root,
      message: {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "t1",
            content: `Full output saved to: ${j(ctx, sid, "tool-results", "t1.txt")}\nsee also ${a.root}2${sep}other and ${j(a.home, ".bashrc")}`,
          },
        ],
      },
    }) +
    (other
      ? line({
          ...base,
          type: "user",
          uuid: "u9",
          parentUuid: "u2",
          timestamp: "2026-01-02T03:04:07.500Z",
          cwd: a.root,
          message: { role: "user", content: `on my other machine it lives in ${other.root}` },
        })
      : "") +
    line({ type: "file-history-snapshot", messageId: "a1", snapshot: { trackedFileBackups: { [j(a.root, "src", "app.ts")]: { backupFileName: "x@v1", version: 1 } } } });
  return {
    [`${sid}.jsonl`]: Buffer.from(session),
    [`${sid}/tool-results/t1.txt`]: Buffer.from(`listing of ${a.root}:\n${j(a.root, "src")}\n${j(a.root, "README.md")}\n`),
    [`${sid}/subagents/agent-a1.jsonl`]: Buffer.from(
      line({
        ...base,
        isSidechain: true,
        agentId: "a1",
        type: "user",
        uuid: "s1",
        parentUuid: null,
        timestamp: "2026-01-02T03:04:08.000Z",
        cwd: a.root,
        message: { role: "user", content: `grep in ${a.root}` },
      }),
    ),
    [`${sid}/subagents/agent-a1.meta.json`]: Buffer.from(JSON.stringify({ agentType: "Explore", description: "look around" })),
    ["memory/MEMORY.md"]: Buffer.from(`- Build with \`npm run build\` in ${a.root}\n- Notes live in ${j(a.root, "docs")}\n`),
  };
}

/** Every spelling of `a`'s root and home that must not survive in canonical form. */
export function machineStrings(a: Anchors): string[] {
  const out = [a.root, a.home];
  if (a.os === "windows") out.push(a.root.replace(/\\/g, "\\\\"), a.home.replace(/\\/g, "\\\\"));
  return out;
}
