import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { afterEach, describe, expect, it } from "vitest";
import { doctor } from "../../src/commands/doctor.js";
import { doctorFolder, formatFolderReport } from "../../src/doctor/folder.js";
import { FolderReportSchema } from "../../src/doctor/report.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { fakeCodec } from "./fakeCodec.js";

const HOME = "/home/me";
const ROOT = "/home/me/src/app";
const KEY = claudeDirKey(ROOT);
const line = (o: Record<string, unknown>) => JSON.stringify({ cwd: ROOT, sessionId: "s1", ...o }) + "\n";

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** A project folder written by the test: 2 sessions, a subagent, a tool result, memory. */
async function authoredFolder(extra: Record<string, string> = {}): Promise<string> {
  const t = await dir({ unsafeCleanup: true });
  cleanups.push(t.cleanup);
  const f = path.join(t.path, KEY);
  const files: Record<string, string> = {
    "s1.jsonl":
      line({ type: "user", message: { content: `read ${ROOT}/README.md` } }) +
      line({ type: "assistant", message: { content: `saved to ${HOME}/.claude/projects/${KEY}/s1/tool-results/a.txt` } }),
    "s1/subagents/agent-1.jsonl": line({ type: "user", isSidechain: true, message: { content: `${HOME}/notes` } }),
    "s1/tool-results/a.txt": `ls ${ROOT}\n${ROOT}/x\n`,
    "memory/MEMORY.md": "# memory\nno paths here\n",
    "empty.jsonl": "",
    ...extra,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(f, rel)), { recursive: true });
    writeFileSync(path.join(f, rel), text);
  }
  return f;
}

describe("doctorFolder (doctor's own logic, with a stand-in codec)", () => {
  it("infers the root, checks every file, sums the counts and passes a healthy folder", async () => {
    const f = await authoredFolder();
    const r = await doctorFolder({ folder: f, home: HOME, machineOs: "linux" }, fakeCodec());
    expect(FolderReportSchema.parse(r)).toEqual(r);
    expect(r.root).toMatchObject({ path: ROOT, source: "inferred", evidence: 3 });
    expect(r.anchors).toEqual({ os: "linux", home: HOME, root: ROOT, key: KEY, rewriteHome: true });
    expect(r.files.map((x) => x.file)).toEqual(["empty.jsonl", "memory/MEMORY.md", "s1.jsonl", "s1/subagents/agent-1.jsonl", "s1/tool-results/a.txt"]);
    // counted independently: cwd on 3 lines + 1 in content + 2 in the tool result
    expect(r.totals.counts).toEqual({ contextDir: 1, root: 3 + 1 + 2, key: 0, home: 1 });
    expect(r.files.find((x) => x.file === "s1/tool-results/a.txt")!.counts.root).toBe(2);
    expect(r.totals).toMatchObject({ files: 5, roundTripFailed: 0, residue: 0 });
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    const text = formatFolderReport(r);
    expect(text).toContain("round trip  5/5 byte-exact");
    expect(text).toContain("ok: nothing needs attention");
    expect(text).not.toContain("✗");
  });

  it("reports a round-trip failure per file with the first differing byte and a fix", async () => {
    const f = await authoredFolder({ "bad.jsonl": line({ type: "user", message: { content: "BREAK" } }) });
    const r = await doctorFolder({ folder: f, home: HOME, machineOs: "linux" }, fakeCodec({ breakOn: "BREAK" }));
    expect(r.ok).toBe(false);
    expect(r.totals.roundTripFailed).toBe(1);
    expect(r.files.find((x) => x.file === "bad.jsonl")).toMatchObject({ roundTrip: false, firstDiff: 0 });
    expect(r.problems).toEqual([expect.objectContaining({ kind: "round-trip", file: "bad.jsonl", fix: expect.stringContaining("--json") })]);
    expect(formatFolderReport(r)).toMatch(/✗ bad\.jsonl: .*\n {4}fix: /);
  });

  it("reports residue with the hits and how to fix the anchors", async () => {
    const f = await authoredFolder({ "other.jsonl": line({ type: "user", message: { content: "/mnt/other/app and /mnt/other/app" } }) });
    const r = await doctorFolder({ folder: f, home: HOME, machineOs: "linux" }, fakeCodec({ residueOf: "/mnt/other/app" }));
    expect(r.totals.residue).toBe(2);
    const fr = r.files.find((x) => x.file === "other.jsonl")!;
    expect(fr.residue).toBe(2);
    expect(fr.residueHits[0]).toMatchObject({ tier: "root", text: "/mnt/other/app" });
    expect(r.problems[0]).toMatchObject({ kind: "residue", file: "other.jsonl", fix: expect.stringContaining("--root") });
  });

  it("without any cwd: no root, exit-worthy problem naming --root; --root fixes it", async () => {
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    const f = path.join(t.path, "-x");
    mkdirSync(path.join(f, "memory"), { recursive: true });
    writeFileSync(path.join(f, "memory", "MEMORY.md"), "/srv/x/a\n");
    const r = await doctorFolder({ folder: f, home: HOME, machineOs: "linux", rerun: "git ctx doctor /p/-x" }, fakeCodec());
    expect(r.ok).toBe(false);
    expect(r.root).toBeNull();
    expect(r.problems).toEqual([expect.objectContaining({ kind: "no-root", fix: "git ctx doctor /p/-x --root <the project's absolute path on this machine>" })]);
    const r2 = await doctorFolder({ folder: f, root: "/srv/x", home: HOME, machineOs: "linux" }, fakeCodec());
    expect(r2.ok).toBe(true);
    expect(r2.root).toEqual({ path: "/srv/x", source: "option" });
    expect(r2.totals.counts.root).toBe(1);
  });

  it("uses windows anchors for a Windows root and skips symlinks", async () => {
    const win = "C:\\Users\\me\\app";
    const t = await dir({ unsafeCleanup: true });
    cleanups.push(t.cleanup);
    const f = path.join(t.path, claudeDirKey(win));
    mkdirSync(f);
    writeFileSync(path.join(f, "s.jsonl"), JSON.stringify({ cwd: win }) + "\n");
    symlinkSync("/etc/passwd", path.join(f, "link.jsonl"));
    const r = await doctorFolder({ folder: f, home: "C:\\Users\\me", machineOs: "linux" }, fakeCodec());
    expect(r.anchors?.os).toBe("windows");
    expect(r.skipped).toEqual([{ file: "link.jsonl", why: "symbolic link" }]);
    expect(r.files.map((x) => x.file)).toEqual(["s.jsonl"]);
    const forced = await doctorFolder({ folder: f, home: "/home/me", os: "linux", machineOs: "linux" }, fakeCodec());
    expect(forced.problems[0]).toMatchObject({ kind: "os-mismatch", fix: expect.stringContaining("--os windows") });
  });
});

describe("doctor command (folder mode)", () => {
  it("returns 0 and prints text for a healthy folder, 1 and JSON when attention is needed", async () => {
    const f = await authoredFolder();
    let out = "";
    const env = { HOME, GIT_CTX_OS: "linux" };
    expect(await doctor({ folder: f, env, write: (s) => (out += s), codec: fakeCodec() })).toBe(0);
    expect(out).toContain(`root        ${ROOT} (inferred from 3 of 3 cwd fields)`);
    out = "";
    expect(await doctor({ folder: f, env, json: true, write: (s) => (out += s), codec: fakeCodec({ residueOf: "{{CC_PROJECT_ROOT}}/x" }) })).toBe(1);
    const j = FolderReportSchema.parse(JSON.parse(out).folder);
    expect(j.problems[0]!.fix).toContain(`git ctx doctor ${f} --root`);
    // --home overrides the environment's home
    out = "";
    await doctor({ folder: f, env, home: "/elsewhere", json: true, write: (s) => (out += s), codec: fakeCodec() });
    expect(JSON.parse(out).folder.anchors.home).toBe("/elsewhere");
  });
});
