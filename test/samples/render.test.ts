import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorSamples, MANIFEST } from "../../samples/author.js";
import { lastUuid, readManifest, renderSamples, renderString, rootFor, turnLines, type RenderedProject } from "../../samples/render.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { SAMPLES } from "../helpers/env.js";

/** Every line of a rendered transcript, parsed; asserts each is compact JSON ending in "\n". */
function parseJsonl(text: string): Record<string, unknown>[] {
  expect(text.endsWith("\n")).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(JSON.stringify(o)).toBe(line); // compact, as Claude Code writes (FORMATS.md)
      return o;
    });
}

function under(p: string, root: string, sep: string): boolean {
  return p === root || p.startsWith(root + sep);
}

describe("shipped sample templates", () => {
  it("equal what samples/author.ts generates (no hand edits drift from the generator)", () => {
    expect(readManifest(SAMPLES)).toEqual(MANIFEST);
    for (const [project, files] of Object.entries(authorSamples())) {
      for (const f of files) expect(readFileSync(path.join(SAMPLES, "claude", project, f.rel), "utf8"), f.rel).toBe(f.text);
    }
  });
  it("contain no real machine path, only placeholders", () => {
    for (const files of Object.values(authorSamples())) {
      for (const f of files) expect(f.text).not.toMatch(/\/home\/|\/Users\/|[A-Za-z]:\\\\/);
    }
  });
});

describe.each([
  { os: "linux" as const, home: "/home/alice", sep: "/" },
  { os: "darwin" as const, home: "/Users/bob", sep: "/" },
  { os: "windows" as const, home: "C:\\Users\\carol", sep: "\\" },
])("rendered for $os ($home)", ({ os, home, sep }) => {
  let t: { path: string; cleanup: () => Promise<void> };
  let projects: RenderedProject[];
  beforeAll(async () => {
    t = await dir({ unsafeCleanup: true });
    projects = renderSamples({ home, os, projectsDir: t.path });
  });
  afterAll(() => t.cleanup());

  it("writes two projects under their Claude Code directory keys", () => {
    expect(projects.map((p) => p.name)).toEqual(["webshop", "infra-tools"]);
    for (const p of projects) {
      expect(p.root).toBe(rootFor(home, os, MANIFEST.projects.find((m) => m.name === p.name)!.rootRel));
      expect(p.key).toBe(claudeDirKey(p.root));
      expect(path.basename(p.dir)).toBe(p.key);
    }
    expect(projects[0]!.root).toBe(os === "windows" ? "C:\\Users\\carol\\src\\webshop" : `${home}/src/webshop`);
  });

  it("every transcript parses as compact JSONL, every cwd is under the root, parentUuid chains hold", () => {
    let jsonlFiles = 0;
    for (const p of projects) {
      for (const rel of p.files.filter((f) => f.endsWith(".jsonl"))) {
        jsonlFiles++;
        const lines = parseJsonl(readFileSync(path.join(p.dir, rel), "utf8"));
        const seen = new Set<string>();
        let withCwd = 0;
        for (const l of lines) {
          if (typeof l.cwd === "string") {
            withCwd++;
            expect(under(l.cwd, p.root, sep), `${rel}: cwd ${l.cwd}`).toBe(true);
          }
          if (l.type === "user" || l.type === "assistant") {
            expect(typeof l.cwd).toBe("string");
            for (const k of ["uuid", "sessionId", "timestamp", "version", "gitBranch", "userType"]) expect(l[k], k).toBeTypeOf("string");
            expect(l.isSidechain).toBeTypeOf("boolean");
            expect((l.message as { role: string }).role).toBe(l.type);
            expect(new Date(l.timestamp as string).toISOString()).toBe(l.timestamp);
          }
          if (typeof l.parentUuid === "string") expect(seen.has(l.parentUuid), `${rel}: parent ${l.parentUuid}`).toBe(true);
          if (typeof l.uuid === "string") seen.add(l.uuid);
        }
        expect(withCwd).toBeGreaterThan(2);
      }
    }
    expect(jsonlFiles).toBe(4); // 3 sessions + 1 subagent
  });

  it("puts this machine's paths where Claude Code does: tool inputs, results, snapshot keys, saved output", () => {
    const web = projects[0]!;
    const main = readFileSync(path.join(web.dir, `${web.sessions.find((s) => existsSync(path.join(web.dir, s, "subagents")))}.jsonl`), "utf8");
    const lines = parseJsonl(main);
    const checkout = [web.root, "src", "cart", "checkout.ts"].join(sep);
    const inputs = lines
      .flatMap((l) => (Array.isArray((l.message as { content?: unknown })?.content) ? (l.message as { content: { input?: Record<string, unknown> }[] }).content : []))
      .flatMap((b) => (b.input ? [b.input] : []));
    expect(inputs.some((i) => i.file_path === checkout)).toBe(true);
    expect(inputs.some((i) => typeof i.command === "string" && i.command.startsWith(`cd ${web.root} && `))).toBe(true);
    const keys = lines.filter((l) => l.type === "file-history-snapshot").flatMap((l) => Object.keys((l.snapshot as { trackedFileBackups: object }).trackedFileBackups));
    expect(keys).toContain(checkout);
    // The saved tool output is referenced by absolute path (FORMATS.md), and exists when the
    // projects folder really is <home>/.claude/projects.
    const m = /Full output saved to: (\S+\.txt)/.exec(JSON.stringify(lines.map((l) => l.message)).replace(/\\\\/g, "\\"));
    expect(m).not.toBeNull();
    const rel = m![1]!
      .slice([home, ".claude", "projects", web.key].join(sep).length + 1)
      .split(sep)
      .join("/");
    expect(web.files).toContain(rel);
    // The sibling folder ~/src/webshop-old stays a sibling (boundary case for the codec).
    const second = readFileSync(path.join(web.dir, `${web.sessions.find((s) => !existsSync(path.join(web.dir, s)))}.jsonl`), "utf8");
    expect(second).toContain(JSON.stringify([home, "src", "webshop-old", "config", "shipping.json"].join(sep)).slice(1, -1));
    // No placeholder survives anywhere.
    for (const p of projects) for (const f of p.files) expect(readFileSync(path.join(p.dir, f), "utf8")).not.toMatch(/@@(HOME|ROOT|KEY)@@/);
  });

  it("memory and subagent meta are rendered as text / JSON", () => {
    const web = projects[0]!;
    expect(web.files).toEqual(expect.arrayContaining(["memory/MEMORY.md", "memory/testing.md"]));
    expect(readFileSync(path.join(web.dir, "memory", "testing.md"), "utf8")).toContain(`${[web.root, "frontend"].join(sep)} (40 suites`);
    const meta = web.files.find((f) => f.endsWith(".meta.json"))!;
    expect(JSON.parse(readFileSync(path.join(web.dir, meta), "utf8"))).toEqual({ agentType: "Explore", description: "Find applyCoupon callers" });
  });
});

describe("renderString", () => {
  it("turns a placeholder path into native separators on Windows only", () => {
    const v = { home: "C:\\Users\\c", root: "C:\\Users\\c\\src\\w", os: "windows" as const };
    expect(renderString("see @@ROOT@@/src/a.ts:3 and @@HOME@@/.claude/projects/@@KEY@@/x.txt", v)).toBe(
      "see C:\\Users\\c\\src\\w\\src\\a.ts:3 and C:\\Users\\c\\.claude\\projects\\C--Users-c-src-w\\x.txt",
    );
    expect(renderString("a/b @@ROOT@@/x", { home: "/h", root: "/h/r", os: "linux" })).toBe("a/b /h/r/x");
  });
});

describe("turnLines", () => {
  it("appends a parseable user+assistant turn continuing the chain", () => {
    const t = turnLines({ sessionId: "s", cwd: "/h/r", parentUuid: "p", prompt: "hi", answer: "yo", timestamp: "2026-03-05T10:00:00.000Z", seed: "A-1" });
    const [u, a] = parseJsonl(t);
    expect(u!.parentUuid).toBe("p");
    expect(a!.parentUuid).toBe(u!.uuid);
    expect(lastUuid(t)).toBe(a!.uuid);
    expect(turnLines({ sessionId: "s", cwd: "/h/r", parentUuid: "p", prompt: "hi", answer: "yo", timestamp: "2026-03-05T10:00:00.000Z", seed: "B-1" })).not.toBe(t);
  });
});
