import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dir } from "tmp-promise";
import { chooseGeminiSlug, claimGeminiSlug, GeminiProjectsFileError, GeminiSlugTakenError, geminiProjectHash, slugify } from "../../src/agents/index.js";

/**
 * Issue 12, scope 1: the slug folder of a root is found and claimed by Gemini CLI's own rules
 * (`ProjectRegistry` of 0.61.0), and git-ctx never overwrites a registry it cannot read.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function home(): Promise<string> {
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-gemini-" });
  cleanups.push(t.cleanup);
  const g = path.join(t.path, ".gemini");
  mkdirSync(path.join(g, "tmp"), { recursive: true });
  return g;
}

const owner = (g: string, base: string, slug: string, root: string) => {
  mkdirSync(path.join(g, base, slug), { recursive: true });
  writeFileSync(path.join(g, base, slug, ".project_root"), root);
};

describe("Gemini CLI slugs", () => {
  it("slugify is Gemini's: lowercase, runs of other characters to one '-', trimmed, 'project' when empty", () => {
    expect(slugify("My Proj_2")).toBe("my-proj-2");
    expect(slugify("--IDAHO--VAULT--")).toBe("idaho-vault");
    expect(slugify("日本")).toBe("project");
  });

  it("chooses the registry's slug when its .project_root agrees, else a folder naming the root, else a new slug numbered past collisions", async () => {
    const g = await home();
    expect(chooseGeminiSlug(g, "/home/al/proj", "linux")).toEqual({ key: "proj", registered: false });
    // a folder of another root takes 'proj'; the registry maps another root to 'proj-1'
    owner(g, "tmp", "proj", "/home/al/other/proj");
    writeFileSync(path.join(g, "projects.json"), JSON.stringify({ projects: { "/srv/proj": "proj-1" } }));
    expect(chooseGeminiSlug(g, "/home/al/proj", "linux").key).toBe("proj-2");
    // a .project_root in history/ naming the root wins over a new slug
    owner(g, "history", "renamed", "/home/al/proj");
    expect(chooseGeminiSlug(g, "/home/al/proj", "linux").key).toBe("renamed");
    // the registry's entry wins when its markers agree
    writeFileSync(path.join(g, "projects.json"), JSON.stringify({ projects: { "/home/al/proj": "mine" } }));
    expect(chooseGeminiSlug(g, "/home/al/proj", "linux")).toEqual({ key: "mine", registered: true });
    // an entry whose .project_root names another path is not used (Gemini drops it)
    owner(g, "tmp", "mine", "/elsewhere");
    expect(chooseGeminiSlug(g, "/home/al/proj", "linux").key).toBe("renamed");
  });

  it("Windows roots are keyed lowercased; posix roots as they are", async () => {
    const g = await home();
    // a new Windows root's slug is its last name's, whatever OS reads it
    expect(chooseGeminiSlug(g, "C:\\Users\\Al\\Code\\Blueprint-GUI", "windows").key).toBe("blueprint-gui");
    owner(g, "tmp", "idaho-vault", "c:\\users\\loganf\\documents\\idaho-vault");
    expect(chooseGeminiSlug(g, "C:\\Users\\LoganF\\Documents\\IDAHO-VAULT", "windows").key).toBe("idaho-vault");
    // posix paths keep their case: another spelling is another project
    owner(g, "tmp", "proj", "/home/al/proj");
    expect(chooseGeminiSlug(g, "/home/Al/proj", "linux").key).toBe("proj-1");
  });

  it("claim writes projects.json (keeping other entries) and both .project_root files; a second claim changes nothing", async () => {
    const g = await home();
    writeFileSync(path.join(g, "projects.json"), JSON.stringify({ projects: { "/srv/x": "x" } }, null, 2));
    await claimGeminiSlug(g, "C:\\Users\\Al\\Proj", "proj", "windows");
    expect(JSON.parse(readFileSync(path.join(g, "projects.json"), "utf8"))).toEqual({ projects: { "/srv/x": "x", "c:\\users\\al\\proj": "proj" } });
    for (const b of ["tmp", "history"]) expect(readFileSync(path.join(g, b, "proj", ".project_root"), "utf8")).toBe("c:\\users\\al\\proj");
    const before = readFileSync(path.join(g, "projects.json"));
    await claimGeminiSlug(g, "C:\\Users\\Al\\Proj", "proj", "windows");
    expect(readFileSync(path.join(g, "projects.json"))).toEqual(before);
    // Gemini's lock is released (no projects.json.lock left behind)
    expect(readdirSync(g).filter((n) => n.endsWith(".lock"))).toEqual([]);
  });

  it("adopts the legacy sha256(root) folder into an empty slug folder, leaving the old one", async () => {
    const g = await home();
    const legacy = path.join(g, "tmp", geminiProjectHash("/home/al/proj"), "chats");
    mkdirSync(legacy, { recursive: true });
    writeFileSync(path.join(legacy, "session-1.json"), "{}");
    const notes = await claimGeminiSlug(g, "/home/al/proj", "proj", "linux");
    expect(notes.join("\n")).toMatch(/adopted/);
    expect(readFileSync(path.join(g, "tmp", "proj", "chats", "session-1.json"), "utf8")).toBe("{}");
    expect(existsSync(path.join(legacy, "session-1.json"))).toBe(true);
  });

  it("a projects.json with comments or invalid JSON, or of another shape, is a clear error and is never overwritten", async () => {
    for (const text of ['{"projects": {} // mine\n}', "{not json", '{"projects": ["a"]}', '{"projects": {"/a": 1}}']) {
      const g = await home();
      const file = path.join(g, "projects.json");
      writeFileSync(file, text);
      expect(() => chooseGeminiSlug(g, "/home/al/proj", "linux")).toThrow(GeminiProjectsFileError);
      await expect(claimGeminiSlug(g, "/home/al/proj", "proj", "linux")).rejects.toThrow(/projects\.json: .*leaves it as it is/);
      expect(readFileSync(file, "utf8")).toBe(text);
      expect(existsSync(path.join(g, "tmp", "proj", ".project_root"))).toBe(false);
    }
  });

  it("a slug whose .project_root names another root is never taken over", async () => {
    const g = await home();
    owner(g, "history", "proj", "/somebody/else");
    await expect(claimGeminiSlug(g, "/home/al/proj", "proj", "linux")).rejects.toThrow(GeminiSlugTakenError);
    expect(readFileSync(path.join(g, "history", "proj", ".project_root"), "utf8")).toBe("/somebody/else");
    expect(existsSync(path.join(g, "projects.json"))).toBe(false);
  });
});
