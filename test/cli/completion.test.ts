import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { commands } from "../../src/cli/commands/index.js";
import { completionScript } from "../../src/cli/commands/completion.js";
import { completions, type CompletionSources } from "../../src/cli/complete.js";
import { configureCli } from "../../src/cli/global.js";
import { commandSpecs, globalSpec } from "../../src/cli/spec.js";
import { bareCluster, sessionLines, writeSession, type Node } from "../cluster/harness.js";
import { codexNode, rolloutPath, sessionMeta, turnLines, writeRollout } from "../codex/rollouts.js";
import { BIN } from "../helpers/env.js";

/**
 * Issue 10, conveniences: `git ctx completion bash|zsh|fish`; issue 24, point 8: completion
 * completes each subcommand's flags and values, project ids and session ids, not only the
 * subcommand names.
 */

const specs = commandSpecs(commands);
const globals = globalSpec(configureCli).options;
const fake: CompletionSources = {
  projectIds: () => ["webshop", "api", "web"],
  sessionIds: () => ["0f0501ed-aaaa", "0f05ffff-bbbb", "019b0000-cccc"],
  agentIds: () => ["claude", "codex", "gemini"],
};
const complete = (...words: string[]) => completions(words, specs, globals, fake);

describe("completions (pure)", () => {
  it("offers every subcommand, the hidden callback aside", () => {
    expect(complete("")).toEqual(commands.map((c) => String(c.command).split(" ")[0]));
    expect(complete("")).not.toContain("__complete");
    expect(complete("re")).toEqual(["resume", "redact"]);
    expect(complete("--")).toEqual(["--color", "--help", "--version"]);
  });

  it("offers a subcommand's flags, --no-<x> for a boolean on by default, not the ones given", () => {
    expect(complete("sync", "--d")).toEqual(["--dir", "--dry-run"]);
    expect(complete("sync", "--")).not.toContain("--worker"); // hidden, as in --help
    expect(complete("install", "--no")).toEqual(["--no-hooks"]);
    expect(complete("doctor", "--json", "--")).not.toContain("--json");
    expect(complete("doctor", "--")).toEqual(expect.arrayContaining(["--dir", "--fix", "--root", "--help"]));
  });

  it("offers an option's choices after it", () => {
    expect(complete("resume", "0f05", "--in", "")).toEqual(["claude", "codex", "gemini"]);
    expect(complete("doctor", "--os", "w")).toEqual(["windows"]);
    expect(complete("hook", "")).toEqual(["install", "post-merge", "status", "uninstall"]);
    expect(complete("hook", "install", "--agent", "g")).toEqual(["gemini"]);
    expect(complete("completion", "")).toEqual(["bash", "fish", "zsh"]);
  });

  it("offers project ids where a command takes one", () => {
    expect(complete("leave", "")).toEqual(["api", "web", "webshop"]);
    expect(complete("leave", "--dry-run", "we")).toEqual(["web", "webshop"]);
    expect(complete("join", "--id", "w")).toEqual(["web", "webshop"]);
    expect(complete("join", "--id", "api", "")).toEqual([]); // the root: file names
  });

  it("offers session ids for show, resume and redact", () => {
    expect(complete("show", "0f05")).toEqual(["0f0501ed-aaaa", "0f05ffff-bbbb"]);
    expect(complete("resume", "--in", "codex", "019")).toEqual(["019b0000-cccc"]);
    expect(complete("redact", "--dry-run", "0f0501ed-aaaa", "0")).toEqual(["019b0000-cccc", "0f0501ed-aaaa", "0f05ffff-bbbb"]);
  });

  it("completes each agent of a comma-separated --agents", () => {
    expect(complete("init", "--agents", "")).toEqual(["claude", "codex", "gemini"]);
    expect(complete("join", "--agents", "claude,c")).toEqual(["claude,codex"]);
  });

  it("offers nothing for a folder, a path or an unknown command (the shell completes file names)", () => {
    expect(complete("sync", "--dir", "")).toEqual([]);
    expect(complete("scan", "--", "")).toEqual([]);
    expect(complete("nosuch", "")).toEqual([]);
  });
});

/** A machine with a Claude Code and a Codex view, project `work` joined, one session in each store. */
describe("git ctx __complete and the bash script on a real view", () => {
  const cleanups: (() => Promise<void>)[] = [];
  const root = "/home/al/work";
  const rollout = "019b0000-0000-7000-8000-000000000007";
  let A: Node & { sessions: string };
  beforeAll(async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    A = await codexNode("A", cleanups);
    writeSession(A.at(claudeDirKey(root)), "5e55a1d0-0000-4000-8000-000000000001", sessionLines(root, "5e55a1d0-0000-4000-8000-000000000001", "c", 2));
    writeRollout(A.sessions, rolloutPath(rollout), [sessionMeta(rollout, root), ...turnLines(root, "o", 2)]);
    await A.ctx(["init", "--remote", cluster.url, "--id", "work", root], { cwd: A.home });
    return async () => {
      while (cleanups.length) await cleanups.pop()!();
    };
  }, 120_000);

  const run = async (...words: string[]) => (await A.ctx(["__complete", ...words], { cwd: A.home })).stdout.split("\n").filter(Boolean);

  it("offers the joined project's id and the sessions' ids", async () => {
    expect(await run("leave", "")).toEqual(["work"]);
    expect(await run("join", "--id", "w")).toEqual(["work"]);
    expect(await run("show", "")).toEqual(["019b0000-0000-7000-8000-000000000007", "5e55a1d0-0000-4000-8000-000000000001"]);
    expect(await run("resume", "5e")).toEqual(["5e55a1d0-0000-4000-8000-000000000001"]);
    expect(await run("sync", "--dr")).toEqual(["--dry-run"]);
  });

  it("prints nothing and exits 0 where it knows nothing", async () => {
    const r = await A.ctx(["__complete", "nosuch", "--"], { cwd: A.home });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
  });

  it("bash: git's completion (words, cword) and git-ctx typed directly get the candidates", () => {
    const script = completionScript("bash");
    const bash = (setup: string, fn: string) =>
      execFileSync("bash", ["-c", `${script}\n${setup}; ${fn}; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8", env: A.env, cwd: A.home })
        .split("\n")
        .filter(Boolean);
    expect(bash("words=(git ctx leave ''); cword=3", "_git_ctx")).toEqual(["work"]);
    expect(bash("words=(git ctx sy); cword=2", "_git_ctx")).toEqual(["sync"]);
    expect(bash("words=(git ctx resume 5e55); cword=3", "_git_ctx")).toEqual(["5e55a1d0-0000-4000-8000-000000000001"]);
    expect(bash("__git_cmd_idx=3; words=(git -C . ctx leave w); cword=5", "_git_ctx")).toEqual(["work"]);
    expect(bash("COMP_WORDS=(git-ctx install --no); COMP_CWORD=2", "_git_ctx_direct")).toEqual(["--no-hooks"]);
  });
});

describe("git ctx completion", () => {
  it("the command prints the script for each shell, each calling back git ctx __complete, and refuses another", () => {
    for (const sh of ["bash", "zsh", "fish"]) {
      const r = spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "completion", sh], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(completionScript(sh as "bash"));
      expect(r.stdout).toContain("git ctx __complete");
    }
    expect(spawnSync(process.execPath, [path.join(BIN, "git-ctx"), "completion", "tcsh"], { encoding: "utf8" }).status).not.toBe(0);
  });

  it("bash: the script parses", () => {
    expect(spawnSync("bash", ["-n", "-c", completionScript("bash")]).status).toBe(0);
  });
});
