import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../../src/git/exec.js";
import { REPO } from "../helpers/env.js";

/**
 * mergeFile under real git: a minimal driver script that calls the BUILT src/merge (dist/, made
 * by `npm run build` / pretest) is configured as `merge.ctx.driver`, and `git merge-tree` is run
 * in both directions, as the remote helper does in canonical space. The CLI wiring of
 * `git-ctx-filter merge` is tested by the filter's own tests.
 */
const DIST = path.join(REPO, "dist", "src", "merge", "index.js");

describe.skipIf(!existsSync(DIST))("mergeFile as a git merge driver (git merge-tree)", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const g = (...args: string[]): Promise<string> => git(args, { cwd: root, env: { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } });
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  const line = (n: number, s: number): string => `{"n":${n},"timestamp":"2025-01-01T00:00:0${s}.000Z"}\n`;

  beforeAll(async () => {
    const t = await dir({ unsafeCleanup: true, prefix: "gitctx-merge-" });
    root = t.path;
    cleanup = t.cleanup;
    const driver = path.join(root, "..", `${path.basename(root)}-driver.mjs`);
    writeFileSync(
      driver,
      `import { readFileSync, writeFileSync } from "node:fs";
const { mergeFile } = await import(${JSON.stringify(DIST)});
const [o, a, b, l, p] = process.argv.slice(2);
const r = mergeFile(p, readFileSync(o), readFileSync(a), readFileSync(b), { markerSize: Number(l) || 7 });
writeFileSync(a, r.merged);
process.exit(r.conflict ? 1 : 0);
`,
    );
    await g("init", "-q", "--initial-branch=main");
    await g("config", "user.name", "t");
    await g("config", "user.email", "t@example.test");
    await g("config", "merge.ctx.driver", `node ${JSON.stringify(driver)} %O %A %B %L %P`);
    write(".gitattributes", "*.jsonl merge=ctx\n*.md merge=ctx\n");
    write("-home-me-p/s.jsonl", line(0, 0));
    write("-home-me-p/memory/MEMORY.md", "- base\n");
    write("-home-me-p/memory/topic.md", "one\ntwo\n");
    await g("add", "-A");
    await g("commit", "-qm", "base");
    await g("checkout", "-qb", "other");
    write("-home-me-p/s.jsonl", line(0, 0) + line(2, 2) + line(3, 4));
    write("-home-me-p/memory/MEMORY.md", "- base\n- other\n");
    write("-home-me-p/memory/topic.md", "one\nTWO (other)\n");
    await g("commit", "-qam", "other");
    await g("checkout", "-q", "main");
    write("-home-me-p/s.jsonl", line(0, 0) + line(1, 1) + line(4, 3));
    write("-home-me-p/memory/MEMORY.md", "- base\n- main\n");
    write("-home-me-p/memory/topic.md", "one\nTWO (main)\n");
    await g("commit", "-qam", "main");
  });
  afterAll(async () => cleanup?.());

  it("merge-tree gives one tree whichever side is ours; transcript and index merged, topic conflicted", async () => {
    const run = async (a: string, b: string): Promise<{ tree: string; out: string }> => {
      const r = await git(["merge-tree", "--write-tree", a, b], { cwd: root, okCodes: [0, 1] });
      return { tree: r.split("\n")[0]!, out: r };
    };
    const ab = await run("main", "other");
    const ba = await run("other", "main");
    expect(ab.out).toContain("CONFLICT (content): Merge conflict in -home-me-p/memory/topic.md");
    expect(ab.out).not.toContain("Merge conflict in -home-me-p/s.jsonl");
    const show = (t: string, p: string): Promise<string> => g("cat-file", "blob", `${t}:${p}`);
    // the conflicted topic differs (ours first); transcript and index are the same blob both ways
    expect(await g("rev-parse", `${ab.tree}:-home-me-p/s.jsonl`)).toBe(await g("rev-parse", `${ba.tree}:-home-me-p/s.jsonl`));
    expect(await g("rev-parse", `${ab.tree}:-home-me-p/memory/MEMORY.md`)).toBe(await g("rev-parse", `${ba.tree}:-home-me-p/memory/MEMORY.md`));
    expect(await show(ab.tree, "-home-me-p/s.jsonl")).toBe((line(0, 0) + line(1, 1) + line(2, 2) + line(4, 3) + line(3, 4)).trimEnd());
    expect(await show(ab.tree, "-home-me-p/memory/MEMORY.md")).toBe("- base\n- main\n- other");
    expect(await show(ab.tree, "-home-me-p/memory/topic.md")).toBe("one\n<<<<<<< ours\nTWO (main)\n=======\nTWO (other)\n>>>>>>> theirs");
  });
});
