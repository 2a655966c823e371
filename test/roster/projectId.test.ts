import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { git } from "../../src/git/exec.js";
import { normalizeRemoteUrl, projectIdFor, projectIdProblem, validateProjectId } from "../../src/roster/projectId.js";
import { NUM_RUNS } from "../helpers/env.js";

describe("normalizeRemoteUrl", () => {
  it.each([
    ["git@github.com:acme/app.git", "github.com/acme/app"],
    ["git@github.com:acme/app", "github.com/acme/app"],
    ["https://github.com/acme/app.git", "github.com/acme/app"],
    ["https://github.com/acme/app/", "github.com/acme/app"],
    ["https://user:tok@GitHub.com/acme/app", "github.com/acme/app"],
    ["ssh://git@host.example:2222/acme/app.git", "host.example/acme/app"],
    ["ssh://git@host.example/acme/app", "host.example/acme/app"],
    ["git://host/group/sub/app.git", "host/group/sub/app"],
    ["file:///srv/git/team/app.git", "team/app"],
    ["/srv/git/team/app.git", "team/app"],
    ["C:\\repos\\team\\app.git", "team/app"],
  ])("%s → %s", (url, id) => expect(normalizeRemoteUrl(url)).toBe(id));
});

describe("projectIdFor", () => {
  it("uses --id first, then origin's URL, then the base name", async () => {
    const t = await dir({ unsafeCleanup: true });
    const root = path.join(t.path, "My App");
    mkdirSync(root);
    expect(await projectIdFor(root, "team/app")).toBe("team/app");
    expect(await projectIdFor(root)).toBe("My-App");
    await git(["init", "-q", "--initial-branch=main", root]);
    expect(await projectIdFor(root)).toBe("My-App");
    await git(["-C", root, "remote", "add", "origin", "git@github.com:acme/app.git"]);
    expect(await projectIdFor(root)).toBe("github.com/acme/app");
    expect(await projectIdFor(path.join(t.path, "gone"))).toBe("gone");
    expect(await projectIdFor("C:\\Users\\me\\proj_x")).toBe("proj_x");
    await expect(projectIdFor(root, "../x")).rejects.toBeInstanceOf(InvalidInputError);
    await t.cleanup();
  });
});

describe("validateProjectId", () => {
  it.each(["..", "a/../b", "/abs", "-opt", "a\\b", "a\x01b", "a b", "a:b", "a/.hidden", "x.lock", "a//b", "a/", "a.", "a@{b", "", "a..b"])("rejects %j with the fix", (id) => {
    expect(() => validateProjectId(id)).toThrow(InvalidInputError);
    expect(() => validateProjectId(id)).toThrow(/--id/);
  });
  it.each(["app", "github.com/acme/app", "a_b-c.d", "x/y/z"])("accepts %j", (id) => expect(validateProjectId(id)).toBe(id));

  it("property: every accepted id gives a ref name that `git check-ref-format` accepts", () => {
    const ch = fc.constantFrom(..."ab./-_:@{}~^ \\*?[\x01".split(""));
    const ids = fc.array(ch, { minLength: 1, maxLength: 8 }).map((a) => a.join(""));
    const samples = fc.sample(ids, Math.min(NUM_RUNS, 300));
    let accepted = 0;
    for (const id of samples) {
      if (projectIdProblem(id) !== undefined) continue;
      accepted++;
      const r = spawnSync("git", ["check-ref-format", `refs/heads/project/${id}`]);
      expect(r.status, id).toBe(0);
    }
    expect(accepted).toBeGreaterThan(5);
  });
});
