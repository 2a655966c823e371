import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { node } from "../cluster/harness.js";
import { BIN } from "../helpers/env.js";
import { rolloutPath, sessionMeta, writeRollout } from "../codex/rollouts.js";

/** Issue 13, bad input of `git ctx resume`: each a clear error, and nothing written. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const said = (role: "user" | "assistant", text: string) =>
  JSON.stringify({
    timestamp: "2026-01-02T10:00:01.000Z",
    type: "response_item",
    payload: { type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] },
  });

describe("git ctx resume: bad input", () => {
  it("unknown id, a session with no messages, a root missing here, an unknown target, a target folder that cannot be made, no Claude Code store, and --dry-run: nothing written", async () => {
    const m = await node("B");
    cleanups.push(m.cleanup);
    const sessions = path.join(m.home, ".codex", "sessions");
    const root = path.join(m.home, "proj");
    mkdirSync(root, { recursive: true });
    writeRollout(sessions, rolloutPath("019b0000-0000-7000-8000-0000000000e1"), [sessionMeta("019b0000-0000-7000-8000-0000000000e1", root)]);
    writeRollout(sessions, rolloutPath("019b0000-0000-7000-8000-0000000000e2"), [sessionMeta("019b0000-0000-7000-8000-0000000000e2", "/nowhere/here"), said("user", "hi")]);
    writeRollout(sessions, rolloutPath("019b0000-0000-7000-8000-0000000000e3"), [
      sessionMeta("019b0000-0000-7000-8000-0000000000e3", root),
      said("user", "hello"),
      said("assistant", "hi"),
    ]);
    const claudeDir = path.join(m.home, ".claude");
    const snapshot = () => (existsSync(claudeDir) ? readdirSync(claudeDir, { recursive: true }).map(String).sort() : []);
    const before = snapshot();
    const fail = async (args: string[], re: RegExp, code = 1) => {
      const r = await m.ctx(["resume", ...args], { cwd: m.home, allowFail: true });
      expect(r.code, r.stdout).toBe(code);
      expect(r.stderr).toMatch(re);
    };
    await fail(["ffffffff", "--in", "claude"], /no session .* has the id 'ffffffff'/);
    await fail(["019b0000-0000-7000-8000-0000000000e1", "--in", "claude"], /has no message to carry over: nothing was written/);
    await fail(["019b0000-0000-7000-8000-0000000000e2", "--in", "claude"], /ran in \/nowhere\/here, which is not a directory on this machine/);
    await fail(["019b0000-0000-7000-8000-0000000000e3", "--in", "copilot"], /^error: invalid values:[\s\S]*Argument: in, Given: "copilot"/, 129); // a usage error, as git says one
    // a target folder that cannot be made (a file stands where the project folder goes): an error, nothing left
    const blocker = path.join(m.projects, root.replace(/[^A-Za-z0-9]/g, "-"));
    writeFileSync(blocker, "not a folder");
    await fail(["019b0000-0000-7000-8000-0000000000e3", "--in", "claude"], /could not be written .*; nothing was left there/);
    expect(readFileSync(blocker, "utf8")).toBe("not a folder");
    rmSync(blocker);
    const dry = await m.ctx(["resume", "019b0000-0000-7000-8000-0000000000e3", "--in", "claude", "--dry-run"], { cwd: m.home });
    expect(dry.stdout).toMatch(/would write Codex CLI session .* as a new Claude Code session: .*\.jsonl \(dry run: nothing written\)/);
    expect(snapshot()).toEqual(before);
    // --in the session's own agent: refused with the agent's own command, nothing written (issue 23, point 8)
    const codexFiles = () => readdirSync(sessions, { recursive: true }).map(String).sort();
    const rollouts = codexFiles();
    const own = await m.ctx(["resume", "019b0000-0000-7000-8000-0000000000e3", "--in", "codex"], { cwd: m.home, allowFail: true });
    expect(own.code).toBe(1);
    expect(own.stderr).toContain("session 019b0000-0000-7000-8000-0000000000e3 already is a Codex CLI session: nothing to convert, nothing was written");
    expect(own.stderr).toContain(`Continue it with: cd ${JSON.stringify(root)} && codex resume 019b0000-0000-7000-8000-0000000000e3`);
    expect(codexFiles()).toEqual(rollouts);
    // a machine without Claude Code's home: refused, nothing created
    const bare = await node("C");
    cleanups.push(bare.cleanup);
    rmSync(path.join(bare.home, ".claude"), { recursive: true, force: true });
    const root2 = path.join(bare.home, "proj");
    mkdirSync(root2, { recursive: true });
    writeRollout(path.join(bare.home, ".codex", "sessions"), rolloutPath("019b0000-0000-7000-8000-0000000000e4"), [
      sessionMeta("019b0000-0000-7000-8000-0000000000e4", root2),
      said("user", "x"),
    ]);
    const r = await bare.ctx(["resume", "019b0000-0000-7000-8000-0000000000e4", "--in", "claude"], { cwd: bare.home, allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\.claude does not exist \(start claude once on this machine\); nothing was left there/);
    expect(existsSync(path.join(bare.home, ".claude"))).toBe(false);
  });
});

/** Runs git-ctx as a user who cannot write where root can: the test's own user, or `nobody` (setpriv) when the tests run as root. */
const asOwner = (uid: number | undefined) => {
  if (uid !== 0) return "self";
  if (!existsSync("/usr/bin/setpriv")) return undefined;
  // nobody must be able to run this checkout's git-ctx (a clone under a private folder cannot)
  const probe = spawnSync("setpriv", [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--",
    process.execPath,
    "-e",
    `require("fs").accessSync(${JSON.stringify(path.join(BIN, "..", "dist", "bundle", "git-ctx.mjs"))})`,
  ]);
  return probe.status === 0 ? "nobody" : undefined;
};

describe.skipIf(asOwner(process.getuid?.()) === undefined)("git ctx resume: an unwritable target folder", () => {
  it("the project folder Claude Code would hold the session in is read-only: a clear error naming it, and nothing written", async () => {
    const m = await node("B");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "proj");
    mkdirSync(root, { recursive: true });
    const id = "019b0000-0000-7000-8000-0000000000f4";
    writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(id), [sessionMeta(id, root), said("user", "hello"), said("assistant", "hi")]);
    const folder = path.join(m.projects, root.replace(/[^A-Za-z0-9]/g, "-"));
    mkdirSync(folder, { recursive: true });
    const nobody = asOwner(process.getuid?.()) === "nobody";
    if (nobody) execFileSync("chown", ["-R", "65534:65534", path.dirname(m.home)]);
    chmodSync(folder, 0o555);
    const argv = [path.join(BIN, "git-ctx"), "resume", id, "--in", "claude"];
    const r = spawnSync(nobody ? "setpriv" : process.execPath, nobody ? ["--reuid=65534", "--regid=65534", "--clear-groups", "--", process.execPath, ...argv] : argv, {
      cwd: m.home,
      env: m.env,
      encoding: "utf8",
    });
    chmodSync(folder, 0o755);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`the Claude Code session git-ctx would write at ${folder}/`);
    expect(r.stderr).toMatch(/could not be written \(EACCES[^)]*\); nothing was left there/);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe("git ctx resume: a torn source line", () => {
  it("a rollout whose last line was cut short is refused, naming the file and the line; nothing is written", async () => {
    const m = await node("B");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "proj");
    mkdirSync(root, { recursive: true });
    const id = "019b0000-0000-7000-8000-0000000000f1";
    const file = writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(id), [sessionMeta(id, root), said("user", "hello"), said("assistant", "hi")]);
    const whole = readFileSync(file);
    writeFileSync(file, Buffer.concat([whole, Buffer.from('{"timestamp":"2026-01-02T10:00:02.000Z","type":"response_item","payload":{"type":"mess')]));
    const before = existsSync(m.projects) ? readdirSync(m.projects, { recursive: true }).map(String).sort() : [];
    const r = await m.ctx(["resume", id, "--in", "claude"], { cwd: m.home, allowFail: true });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(`line 4 of ${file} is not whole JSON`);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(existsSync(m.projects) ? readdirSync(m.projects, { recursive: true }).map(String).sort() : []).toEqual(before);
  });
});

describe("git ctx resume: converting the same session again", () => {
  for (const into of ["claude", "codex", "gemini"] as const) {
    it(`into ${into}: refused without --force (the first conversion untouched); --force keeps it as .bak and writes the new one in its place, with the same id`, async () => {
      const m = await node("B");
      cleanups.push(m.cleanup);
      mkdirSync(path.join(m.home, ".codex"), { recursive: true });
      mkdirSync(path.join(m.home, ".gemini"), { recursive: true });
      const root = path.join(m.home, "proj");
      mkdirSync(root, { recursive: true });
      const id = "019b0000-0000-7000-8000-0000000000f2";
      const src = writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(id), [
        sessionMeta(id, root),
        said("user", "first question"),
        said("assistant", "first answer"),
      ]);
      // a Codex source converted into Codex is a plain copy: convert a Claude Code one then
      let source = id;
      if (into === "codex") {
        const first = JSON.parse((await m.ctx(["resume", id, "--in", "claude", "--json"], { cwd: m.home })).stdout) as { id: string };
        source = first.id;
      }
      const one = JSON.parse((await m.ctx(["resume", source, "--in", into, "--json"], { cwd: m.home })).stdout) as { id: string; path: string };
      const firstBytes = readFileSync(one.path);
      // the user goes on in the converted session
      writeFileSync(one.path, Buffer.concat([firstBytes, Buffer.from("\n")]));
      const kept = readFileSync(one.path);
      const again = await m.ctx(["resume", source, "--in", into], { cwd: m.home, allowFail: true });
      expect(again.code, again.stdout).toBe(1);
      expect(again.stderr).toContain(`already converted into`);
      expect(again.stderr).toContain(one.id);
      expect(again.stderr).toMatch(/--force/);
      expect(readFileSync(one.path)).toEqual(kept);
      expect(existsSync(`${one.path}.bak`)).toBe(false);
      // the source grew: --force converts it again in place, the earlier file kept
      if (into !== "codex") writeFileSync(src, Buffer.concat([readFileSync(src), Buffer.from(said("user", "second question") + "\n")]));
      const dry = await m.ctx(["resume", source, "--in", into, "--force", "--dry-run"], { cwd: m.home });
      expect(dry.stdout).toContain(`would move the earlier conversion to ${one.path}.bak`);
      expect(existsSync(`${one.path}.bak`)).toBe(false);
      const two = JSON.parse((await m.ctx(["resume", source, "--in", into, "--force", "--json"], { cwd: m.home })).stdout) as {
        id: string;
        path: string;
        replaced: string;
      };
      expect(two.id).toBe(one.id);
      expect(two.path).toBe(one.path);
      expect(two.replaced).toBe(`${one.path}.bak`);
      expect(readFileSync(`${one.path}.bak`)).toEqual(kept);
      if (into !== "codex") expect(readFileSync(two.path, "utf8")).toContain("second question");
      // a second --force never overwrites the first backup
      const three = JSON.parse((await m.ctx(["resume", source, "--in", into, "--force", "--json"], { cwd: m.home })).stdout) as { replaced: string };
      expect(three.replaced).toBe(`${one.path}.bak.2`);
      expect(readFileSync(`${one.path}.bak`)).toEqual(kept);
    });
  }
});

describe("git ctx resume: from the last compaction point", () => {
  it("a compacted Codex rollout converts from its replacement_history by default, and says so; --full converts everything", async () => {
    const m = await node("B");
    cleanups.push(m.cleanup);
    const root = path.join(m.home, "proj");
    mkdirSync(root, { recursive: true });
    const id = "019b0000-0000-7000-8000-0000000000f3";
    const compacted = JSON.stringify({
      timestamp: "2026-01-02T10:05:00.000Z",
      type: "compacted",
      payload: {
        message: "",
        replacement_history: [
          { type: "message", role: "user", content: [{ type: "input_text", text: "early question" }] },
          { type: "message", role: "user", content: [{ type: "input_text", text: "SUMMARY of the early work" }] },
        ],
      },
    });
    writeRollout(path.join(m.home, ".codex", "sessions"), rolloutPath(id), [
      sessionMeta(id, root),
      said("user", "early question"),
      said("assistant", "EARLY ANSWER only before the compaction"),
      compacted,
      said("user", "late question"),
      said("assistant", "late answer"),
    ]);
    const r = JSON.parse((await m.ctx(["resume", id, "--in", "claude", "--json"], { cwd: m.home })).stdout) as { path: string; from: string; warnings: { message: string }[] };
    expect(r.from).toBe("last-compaction");
    expect(r.warnings[0]!.message).toMatch(/from the session's last compaction point \(2026-01-02T10:05:00.000Z\).*--full converts all 4/);
    const text = readFileSync(r.path, "utf8");
    expect(text).toContain("SUMMARY of the early work");
    expect(text).toContain("late answer");
    expect(text).not.toContain("EARLY ANSWER");
    mkdirSync(path.join(m.home, ".gemini"), { recursive: true });
    const full = JSON.parse((await m.ctx(["resume", id, "--in", "gemini", "--full", "--json"], { cwd: m.home })).stdout) as {
      path: string;
      from: string;
      warnings: { message: string }[];
    };
    expect(full.from).toBe("start");
    expect(full.warnings.map((w) => w.message).join("\n")).not.toMatch(/compaction point/);
    const all = readFileSync(full.path, "utf8");
    expect(all).toContain("EARLY ANSWER");
    expect(all).toContain("late answer");
    expect(all).not.toContain("SUMMARY of the early work");
  });
});
