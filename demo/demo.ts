/**
 * `npm run demo`: git-ctx's main job, end to end, on this machine, with no arguments and no server.
 *
 * Two simulated machines live under one temp dir: "alice-laptop" (Linux-style, transcripts under
 * `/home/alice`) and "bob-mac" (macOS-style: `GIT_CTX_OS=darwin`, `GIT_CTX_HOME=/Users/bob`), each
 * with its own `HOME`, git config and machine id; a local bare repository is the cluster. The real
 * binaries run as child processes with `bin/` first on `PATH`:
 * `git ctx install`, `git ctx init`, `git clone ctx::`, `git ctx join`, appends on both sides,
 * `git ctx sync`, plain `git commit`/`git push`/`git pull`. Sessions are the shipped samples
 * (`samples/claude`, rendered for alice).
 *
 * Checks (exit 1 when any fails): bob's files are the samples rendered for bob byte for byte and
 * name no alice path; after appends and syncs both machines hold every appended line exactly once
 * and the same canonical blob; the cluster's objects hold no machine path. Progress goes to
 * stderr, the summary to stdout.
 *
 * Usage: `node dist/demo/demo.js [--keep] [--verbose]` (`--keep` leaves the temp dir for a look).
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { dir } from "tmp-promise";
import { lastUuid, readManifest, renderSamples, rootFor, turnLines, type RenderedProject } from "../samples/render.js";
import { simulatedMachineEnv, type MachineOs } from "../src/roster/machine.js";
import { compareTree, duplicateLines, findPaths, notExactlyOnce, scanRepoObjects } from "./checks.js";

/** Package root (two levels above `dist/demo/demo.js`, one above `demo/demo.ts`). */
function packageRoot(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(d, "package.json")) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** A simulated machine of the demo. */
interface Machine {
  /** Short label: `A` or `B`. */
  label: string;
  id: string;
  os: MachineOs;
  /** Real directory used as `$HOME`. */
  home: string;
  /** Home as written in transcripts (`GIT_CTX_HOME`). */
  pathHome: string;
  /** `$HOME/.claude/projects`: the view repository. */
  projects: string;
  env: NodeJS.ProcessEnv;
}

function machine(base: string, label: string, id: string, os: MachineOs, pathHome: string, bin: string): Machine {
  const home = path.join(base, id);
  mkdirSync(path.join(home, ".claude"), { recursive: true });
  const env = simulatedMachineEnv({ home, id, os, pathHome, binDir: bin });
  return { label, id, os, home, pathHome, projects: path.join(home, ".claude", "projects"), env };
}

/** A command of the flow failed: the demo stops and says which, with its output. */
class StepFailed extends Error {}

const argv = new Set(process.argv.slice(2));
const verbose = argv.has("--verbose");
const keep = argv.has("--keep");

let stepNo = 0;
const TOTAL_STEPS = 11;
function progress(text: string): () => number {
  const t = Date.now();
  stepNo++;
  process.stderr.write(`[${String(stepNo).padStart(2)}/${TOTAL_STEPS}] ${text} …`);
  return () => {
    const ms = Date.now() - t;
    process.stderr.write(` ${(ms / 1000).toFixed(1)} s\n`);
    return ms;
  };
}

/** Runs a command on machine `m` (cwd default its home); resolves with its output; throws StepFailed. */
function run(m: Machine, cmd: string[], cwd = m.home): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd[0]!, cmd.slice(1), { cwd, env: m.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", (e) => reject(new StepFailed(`${m.label}: ${cmd.join(" ")}: ${e.message}`)));
    p.on("close", (code) => {
      if (verbose) process.stderr.write(`\n  ${m.label}$ ${cmd.join(" ")}\n${(stdout + stderr).replace(/^/gm, "    ")}`);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new StepFailed(`${m.label}: '${cmd.join(" ")}' exited ${code} (cwd ${cwd})\n${(stderr || stdout).trim()}`));
    });
  });
}

/** One named check and its outcome. */
interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function readUtf8(p: string): string {
  return existsSync(p) ? readFileSync(p, "utf8") : "";
}

async function main(): Promise<number> {
  const started = Date.now();
  const pkg = packageRoot();
  const bin = path.join(pkg, "bin");
  const tmp = await dir({ prefix: "git-ctx-demo-", unsafeCleanup: true });
  const base = tmp.path;
  const cluster = path.join(base, "cluster.git");
  const A = machine(base, "A", "alice-laptop", "linux", "/home/alice", bin);
  const B = machine(base, "B", "bob-mac", "darwin", "/Users/bob", bin);
  const manifest = readManifest();
  const rel = (name: string) => manifest.projects.find((p) => p.name === name)!.rootRel;
  const rootA = rootFor(A.pathHome, A.os, rel("webshop"));
  const rootB = rootFor(B.pathHome, B.os, rel("webshop"));
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const times: Record<string, number> = {};
  let failed: string | undefined;

  try {
    let done = progress("A: git ctx install (filter + merge driver in A's git config)");
    await run(A, ["git", "ctx", "install"]);
    done();

    done = progress(`A: Claude Code sessions for ${A.pathHome} (shipped samples)`);
    const projectsA = renderSamples({ home: A.pathHome, os: A.os, projectsDir: A.projects });
    const webA = projectsA.find((p) => p.name === "webshop")!;
    done();

    done = progress(`A: git ctx init --remote ${path.basename(cluster)} (a new local bare cluster) with ${projectsA.length} projects`);
    await run(A, ["git", "ctx", "init", "--remote", cluster, ...projectsA.map((p) => p.root)]);
    times.init = done();

    done = progress("B: git ctx install");
    await run(B, ["git", "ctx", "install"]);
    done();

    done = progress("B: git clone ctx::<cluster> ~/.claude/projects");
    await run(B, ["git", "clone", `ctx::${cluster}`, B.projects]);
    times.clone = done();

    done = progress(`B: git ctx join --id webshop ${rootB}`);
    await run(B, ["git", "ctx", "join", "--id", "webshop", rootB]);
    times.join = done();

    // Check 1: B's files are the samples rendered for B, byte for byte, and name no A path.
    const expectDir = path.join(base, "expected-B");
    const [webB] = renderSamples({ home: B.pathHome, os: B.os, projectsDir: expectDir, only: ["webshop"] }) as [RenderedProject];
    const expected = new Map(webB.files.map((f) => [f, readFileSync(path.join(webB.dir, ...f.split("/")))]));
    const dirB = path.join(B.projects, webB.key);
    const diffs = compareTree(dirB, expected);
    check(
      "B has every webshop file with B's paths (byte-exact vs the samples rendered for B)",
      diffs.length === 0,
      diffs.length ? diffs.map((d) => `${d.file}: ${d.problem}`).join(", ") : `${expected.size} files`,
    );
    const leaksB = findPaths(B.projects, [A.pathHome, A.home]);
    check("B's files name no path of A", leaksB.length === 0, leaksB.map((h) => `${h.file}: ${h.needle} ×${h.count}`).join(", ") || "0 hits");
    const infraKeyB = renderSamples({ home: B.pathHome, os: B.os, projectsDir: path.join(base, "expected-B-infra"), only: ["infra-tools"] })[0]!.key;
    check("B did not get the project it did not join (infra-tools)", !existsSync(path.join(B.projects, infraKeyB)), infraKeyB);

    // Appends on both sides, then sync A, B, A.
    const s1 = webA.sessions.find((s) => existsSync(path.join(webA.dir, s, "subagents")))!;
    const s2 = webA.sessions.find((s) => s !== s1)!;
    const fileA = (s: string) => path.join(webA.dir, `${s}.jsonl`);
    const fileB = (s: string) => path.join(dirB, `${s}.jsonl`);
    const now = Date.now();
    const append = (m: Machine, file: string, session: string, cwd: string, seed: string, at: number, prompt: string) => {
      const text = turnLines({ sessionId: session, cwd, parentUuid: lastUuid(readUtf8(file)), prompt, answer: `Done (${seed}).`, timestamp: new Date(at).toISOString(), seed });
      appendFileSync(file, text);
      return text
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { uuid: string }).uuid);
    };
    done = progress("A and B: both resume session 1 and append a turn; B also appends to session 2");
    const fromA = append(A, fileA(s1), s1, rootA, "alice-1", now, "Also round the total to cents.");
    const fromB1 = append(B, fileB(s1), s1, rootB, "bob-1", now + 1000, "Add a test for a 100% coupon.");
    const fromB2 = append(B, fileB(s2), s2, `${rootB}/config`, "bob-2", now + 2000, "Which zones ship for free?");
    done();

    done = progress("sync: git ctx sync on A, then B, then A");
    const t = Date.now();
    await run(A, ["git", "ctx", "sync"]);
    await run(B, ["git", "ctx", "sync"]);
    await run(A, ["git", "ctx", "sync"]);
    times.sync = Date.now() - t;
    done();

    const wantS1 = [...fromA, ...fromB1];
    const missA = notExactlyOnce(readUtf8(fileA(s1)), wantS1).concat(notExactlyOnce(readUtf8(fileA(s2)), fromB2));
    const missB = notExactlyOnce(readUtf8(fileB(s1)), wantS1).concat(notExactlyOnce(readUtf8(fileB(s2)), fromB2));
    check(
      "after sync both machines hold every appended line exactly once",
      missA.length + missB.length === 0,
      [...missA.map((x) => `A ${x.uuid}×${x.count}`), ...missB.map((x) => `B ${x.uuid}×${x.count}`)].join(", ") || `${wantS1.length + fromB2.length} lines on each side`,
    );
    const dups = [...duplicateLines(readUtf8(fileA(s1))), ...duplicateLines(readUtf8(fileB(s1)))];
    check("no line duplicated by the merge", dups.length === 0, dups.length ? `${dups.length} duplicated lines` : "0 duplicates");
    const blobA = (await run(A, ["git", "rev-parse", `HEAD:${webA.key}/${s1}.jsonl`], A.projects)).stdout.trim();
    const blobB = (await run(B, ["git", "rev-parse", `HEAD:${webB.key}/${s1}.jsonl`], B.projects)).stdout.trim();
    check("A and B committed the same canonical blob for the merged session", blobA === blobB, `${blobA.slice(0, 12)} vs ${blobB.slice(0, 12)}`);

    // Plain git from here on: B commits and pushes, A pulls.
    done = progress("B: one more turn in session 2, then plain git add / commit / push");
    const fromB3 = append(B, fileB(s2), s2, rootB, "bob-3", now + 3000, "And for the UK?");
    await run(B, ["git", "add", "--", `${webB.key}/${s2}.jsonl`], B.projects);
    await run(B, ["git", "commit", "-q", "-m", "bob: shipping zones question"], B.projects);
    await run(B, ["git", "push", "-q"], B.projects);
    times.push = done();
    done = progress("A: plain git pull");
    const pull = await run(A, ["git", "pull"], A.projects);
    times.pull = done();
    check(
      "a plain git pull on A brings B's new turn, once",
      notExactlyOnce(readUtf8(fileA(s2)), fromB3).length === 0,
      pull.stdout.split("\n").find((l) => /Fast-forward|Merge|Already/.test(l)) ?? pull.stdout.trim().split("\n")[0] ?? "",
    );
    const leaksA = findPaths(A.projects, [B.pathHome, B.home]);
    check("A's files name no path of B", leaksA.length === 0, leaksA.map((h) => `${h.file}: ${h.needle} ×${h.count}`).join(", ") || "0 hits");

    done = progress("cluster: read every object of the bare repository");
    const scan = await scanRepoObjects(cluster, [A.pathHome, B.pathHome, A.home, B.home], { skipPath: (p) => p === "roster.json" });
    done();
    check(
      "the cluster holds no machine path outside the rosters",
      scan.hits.length === 0,
      scan.hits.length
        ? scan.hits
            .slice(0, 3)
            .map((h) => `${h.oid.slice(0, 10)}: …${h.context}…`)
            .join(" | ")
        : `${scan.blobs} blobs, ${(scan.bytes / 1024).toFixed(0)} KiB, 0 hits; ${scan.skipped} roster.json blobs name the machines by design`,
    );

    // Summary.
    const total = (Date.now() - started) / 1000;
    const sessionsA = projectsA.reduce((n, p) => n + p.sessions.length, 0);
    const filesA = projectsA.reduce((n, p) => n + p.files.length, 0);
    const out = process.stdout;
    out.write("\ngit-ctx demo — two machines, one local bare cluster, plain git\n");
    out.write(`  machines: A ${A.id} (linux, ${A.pathHome})  ·  B ${B.id} (darwin, ${B.pathHome})\n`);
    out.write(
      `  sessions moved: ${sessionsA} sessions in ${projectsA.length} projects (${filesA} files with subagent, tool result, memory) pushed by A in ${(times.init! / 1000).toFixed(1)} s; B cloned and joined webshop in ${((times.clone! + times.join!) / 1000).toFixed(1)} s\n`,
    );
    out.write(`  paths rewritten: ${scan.sentinels} machine paths stored as sentinels; ${rootA} on A is ${rootB} on B\n`);
    out.write(
      `  lines merged: A +${fromA.length} and B +${fromB1.length + fromB2.length} lines appended concurrently, 3 syncs in ${(times.sync! / 1000).toFixed(1)} s; then B git push + A git pull: +${fromB3.length} lines\n`,
    );
    for (const c of checks) out.write(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}${c.ok ? "" : `: ${c.detail}`}\n`);
    const bad = checks.filter((c) => !c.ok).length;
    out.write(
      bad === 0 ? `  all ${checks.length} checks passed in ${total.toFixed(1)} s\n` : `  ${bad} of ${checks.length} checks FAILED (${total.toFixed(1)} s); files kept in ${base}\n`,
    );
    if (bad) failed = "checks";
    if (verbose) for (const c of checks) process.stderr.write(`  ${c.name}: ${c.detail}\n`);
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    process.stderr.write(`\n\ngit-ctx demo: a step failed.\n${e.message}\n(files kept in ${base}; re-run with --verbose to see every command)\n`);
    failed = "step";
  }
  if (!failed && !keep) await tmp.cleanup();
  else if (keep) process.stderr.write(`files kept in ${base} (A: ${A.home}, B: ${B.home}, cluster: ${cluster})\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`git-ctx demo: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
