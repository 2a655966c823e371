import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claudeDirKey, claudePathHash } from "../../src/agents/claude/dirkey.js";
import { ancestorsOf, sameKey, transcriptFiles } from "../../src/agents/claude/infer.js";
import { CORPUS, HAS_CORPUS, NUM_RUNS } from "../helpers/env.js";

describe("claudeDirKey: FORMATS.md examples", () => {
  it("replaces every non-alphanumeric character, keeping the leading '-'", () => {
    expect(claudeDirKey("/Users/me/.agents")).toBe("-Users-me--agents");
    expect(claudeDirKey("C:\\Users\\me\\x")).toBe("C--Users-me-x");
    expect(claudeDirKey("c:\\Users\\me\\x")).toBe("c--Users-me-x");
  });
  it("turns each non-ASCII code unit, the space, '_' and '.' into '-'", () => {
    expect(claudeDirKey("/Users/me/projé ü/x_y.z")).toBe("-Users-me-proj----x-y-z");
    // a non-BMP character is two UTF-16 code units, so two dashes
    expect(claudeDirKey("/a/🚀b")).toBe("-a---b");
  });
  it("cuts keys over 200 characters and appends base36(|hash|) (vectors computed independently in Python)", () => {
    const p = "/home/dev/" + Array.from({ length: 9 }, (_, i) => `very_long.directory-name-0${i}`).join("/") + "/proj";
    expect(p.length).toBe(266);
    expect(claudePathHash(p)).toBe(176662266);
    expect(claudeDirKey(p)).toBe(
      "-home-dev-very-long-directory-name-00-very-long-directory-name-01-very-long-directory-name-02-very-long-directory-name-03-very-long-directory-name-04-very-long-directory-name-05-very-long-directory-na-2x6hh6",
    );
    // negative hash, non-ASCII and surrogate pairs in the hashed path
    const q = "C:\\Users\\Zoë\\" + Array.from({ length: 20 }, (_, i) => `Ordner ü ${i} 🚀`).join("\\");
    expect(q.length).toBe(302);
    expect(claudePathHash(q)).toBe(-1502833515);
    expect(claudeDirKey(q)).toBe(
      "C--Users-Zo--Ordner---0----Ordner---1----Ordner---2----Ordner---3----Ordner---4----Ordner---5----Ordner---6----Ordner---7----Ordner---8----Ordner---9----Ordner---10----Ordner---11----Ordner---12----Or-ouqxrf",
    );
  });
  it("keeps a key of exactly 200 characters whole", () => {
    const p = "/" + "a".repeat(199);
    expect(claudeDirKey(p)).toBe("-" + "a".repeat(199));
    expect(claudeDirKey(p + "b")).toMatch(/^-a{199}-[0-9a-z]+$/);
  });
});

describe("claudeDirKey: properties", () => {
  it("output is [A-Za-z0-9-], at most 208 chars, deterministic, and equals the plain rule up to 200", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (cwd) => {
        const k = claudeDirKey(cwd);
        expect(k).toMatch(/^[A-Za-z0-9-]*$/);
        expect(k.length).toBeLessThanOrEqual(200 + 1 + 7);
        expect(claudeDirKey(cwd)).toBe(k);
        if (cwd.length <= 200) expect(k.length).toBe(cwd.length);
        else expect(k.slice(0, 200)).toBe(cwd.replace(/[^a-zA-Z0-9]/g, "-").slice(0, 200));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/** Project folders of the corpus: `claude/<source>/<key>/` whose name looks like a key (not marot's flattened fixtures). */
function corpusFolders(): string[] {
  const out: string[] = [];
  const base = path.join(CORPUS, "claude");
  for (const src of readdirSync(base)) {
    for (const k of readdirSync(path.join(base, src))) {
      const p = path.join(base, src, k);
      if (statSync(p).isDirectory() && /^(-|[A-Za-z]--)/.test(k)) out.push(p);
    }
  }
  return out;
}

function recordedCwds(folder: string): Promise<Set<string>> {
  return transcriptFiles(folder).then((files) => {
    const s = new Set<string>();
    for (const f of files) {
      for (const line of readFileSync(f, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          const o = JSON.parse(line) as { cwd?: unknown };
          if (typeof o.cwd === "string") s.add(o.cwd);
        } catch {
          /* not JSON */
        }
      }
    }
    return s;
  });
}

describe.skipIf(!HAS_CORPUS)("claudeDirKey against real keys in the corpus", () => {
  it("every corpus folder name is the key of a cwd recorded in it: exactly, or ignoring drive-letter case on Windows, or of an ancestor (session run in a subdirectory)", async () => {
    const folders = corpusFolders();
    expect(folders.length).toBeGreaterThanOrEqual(12);
    const how: Record<string, string> = {};
    for (const f of folders) {
      const key = path.basename(f);
      const cwds = [...(await recordedCwds(f))];
      expect(cwds.length, f).toBeGreaterThan(0);
      if (cwds.some((c) => claudeDirKey(c) === key)) how[key] = "exact";
      else if (cwds.some((c) => sameKey(claudeDirKey(c), key, c))) how[key] = "windows-case";
      else if (cwds.some((c) => ancestorsOf(c).some((a) => claudeDirKey(a) === key))) how[key] = "ancestor";
      else how[key] = "none";
    }
    expect(Object.values(how)).not.toContain("none");
    // known exceptions, checked by hand: fabien's `C--` folder only records `c:\\...` cwds
    // (NTFS is case-insensitive), claude-backups' sessions ran in `<root>/agents`.
    expect(how["C--Users-acodu-dev-dashboard-mictlan"]).toBe("windows-case");
    expect(how["-home-ubuntu-Documents-claude-backups"]).toBe("ancestor");
    expect(Object.values(how).filter((h) => h === "exact").length).toBe(folders.length - 2);
  });
  it("both Windows drive-letter spellings occur as folders, each with a cwd of its own spelling", async () => {
    const idaho = corpusFolders().filter((f) => f.includes("IDAHO-VAULT"));
    const keys = idaho.map((f) => path.basename(f));
    expect(keys.some((k) => k.startsWith("c--"))).toBe(true);
    expect(keys.some((k) => k.startsWith("C--"))).toBe(true);
    for (const f of idaho) {
      const key = path.basename(f);
      const cwds = [...(await recordedCwds(f))].filter((c) => claudeDirKey(c) === key);
      expect(cwds.length, f).toBeGreaterThan(0);
      for (const c of cwds) expect(c[0]).toBe(key[0]);
    }
  });
});
