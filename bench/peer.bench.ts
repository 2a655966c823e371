import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import { simulatedMachineEnv } from "../src/roster/machine.js";
import type { Anchors } from "../src/sentinel/index.js";
import { buildWorkload } from "./heavy.bench.js";
import type { BenchRow } from "./types.js";

export const title = "heavy user against the peer: git-ctx / context-convergence, same workload, same run (issue 15)";

/** The peer implementation, read in place (MIT, stdlib-only Python): `../shared/anchors/context-convergence`. */
function peerDir(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..", "..", "shared", "anchors", "context-convergence");
}

interface Machine {
  home: string;
  env: NodeJS.ProcessEnv;
  root: string;
  key: string;
  folder: string;
}

function machine(base: string, id: string, bin: string, extraEnv: Record<string, string> = {}): Machine {
  const home = path.join(base, id);
  mkdirSync(path.join(home, ".claude", "projects"), { recursive: true });
  const root = path.join(home, "src", "heavy");
  mkdirSync(root, { recursive: true });
  const key = claudeDirKey(root);
  return { home, env: { ...simulatedMachineEnv({ home, id, binDir: bin }), ...extraEnv }, root, key, folder: path.join(home, ".claude", "projects", key) };
}

function sh(m: Machine, cmd: string[], cwd = m.home): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd[0]!, cmd.slice(1), { cwd, env: m.env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`'${cmd.join(" ")}' exited ${code}: ${err.trim().slice(-600)}`))));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** One new user line in each of `sessions` (the same lines for both tools). */
function append(m: Machine, sessions: readonly string[], tag: string): void {
  sessions.forEach((s, i) => {
    const uuid = `bench-${tag}-${i}`.padEnd(36, "0");
    appendFileSync(
      path.join(m.folder, `${s}.jsonl`),
      JSON.stringify({
        parentUuid: null,
        type: "user",
        cwd: m.root,
        sessionId: s,
        message: { role: "user", content: `peer bench ${tag} ${i}` },
        uuid,
        timestamp: new Date().toISOString(),
      }) + "\n",
    );
  });
}

const cool = () => new Promise((r) => setTimeout(r, 2500));

/**
 * The heavy-user workload (bench/heavy.bench.ts) synced by git-ctx and by context-convergence in
 * one run, two machines each (a HOME per machine), and the git-ctx/peer ratio of each step issue
 * 15 names: first push, second machine's clone + join, incremental sync on the pushing machine
 * after appending to 10 sessions, the receiving machine's first sync after join, and a later
 * incremental sync there. The peer runs as `python3 -m convergence` with PYTHONPATH at
 * `../shared/anchors/context-convergence`; skipped (a row says so) when it or python3 or the
 * corpus is missing.
 */
export async function run(): Promise<BenchRow[]> {
  const peer = peerDir();
  if (!existsSync(path.join(peer, "convergence"))) return [{ name: "peer", value: Number.NaN, unit: "", note: `${peer} absent: skipped` }];
  if (spawnSync("python3", ["--version"]).status !== 0) return [{ name: "peer", value: Number.NaN, unit: "", note: "python3 absent: skipped" }];
  const bin = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "bin");
  const t = await dir({ prefix: "gitctx-peer-", unsafeCleanup: true });
  try {
    const A = machine(t.path, "ctx-a", bin);
    const B = machine(t.path, "ctx-b", bin);
    const pyEnv = { PYTHONPATH: peer };
    const PA = machine(t.path, "peer-a", bin, pyEnv);
    const PB = machine(t.path, "peer-b", bin, pyEnv);
    const to = (m: Machine): Anchors => ({ os: "linux", home: m.home, root: m.root, key: m.key, rewriteHome: true });
    const w = await buildWorkload(A.folder, to(A));
    if (!w) return [{ name: "peer", value: Number.NaN, unit: "", note: "corpus absent: skipped" }];
    // the peer gets the same sessions, localized to its own home
    await buildWorkload(PA.folder, to(PA));
    const converge = (m: Machine, args: string[]) => sh(m, ["python3", "-m", "convergence", ...args]);
    const ctxCluster = path.join(t.path, "ctx-cluster.git");
    const peerCluster = path.join(t.path, "peer-cluster.git");
    spawnSync("git", ["init", "-q", "--bare", "--initial-branch=main", peerCluster]);
    await sh(A, ["git", "ctx", "install"]);
    await sh(B, ["git", "ctx", "install"]);

    const rows: BenchRow[] = [
      {
        name: "workload",
        value: w.bytes / 2 ** 20,
        unit: "MB",
        note: `${w.sessions.length} sessions, ${w.files} files, one project, generated from the corpus (each tool gets the same sessions)`,
      },
    ];
    const row = (name: string, ctx: number, peerT: number, note: string) =>
      rows.push({ name, value: ctx, unit: "s", baseline: peerT, target: "≤ 0.5× the peer", ok: ctx <= 0.5 * peerT, note: `baseline: context-convergence; ${note}` });

    const ctxInit = await timed(() => sh(A, ["git", "ctx", "init", "--remote", ctxCluster, "--id", "heavy", A.root]));
    const peerInit = await timed(() => converge(PA, ["init", PA.root, "--remote", peerCluster, "--project-id", "heavy"]));
    row("first push (init)", ctxInit, peerInit, "git ctx init --remote vs converge init --remote");

    const ctxJoin = await timed(async () => {
      await sh(B, ["git", "clone", "-q", `ctx::${ctxCluster}`, path.join(B.home, ".claude", "projects")]);
      await sh(B, ["git", "ctx", "join", "--id", "heavy", B.root]);
    });
    const peerJoin = await timed(async () => {
      await converge(PB, ["remote", "set", peerCluster]);
      await converge(PB, ["join", PB.root, "--project-id", "heavy"]);
    });
    row("second machine: clone + join", ctxJoin, peerJoin, "git clone ctx:: + git ctx join vs converge remote set + join");

    const batch = w.sessions.slice(0, 10);
    append(A, batch, "a1");
    append(PA, batch, "a1");
    await cool();
    const ctxIncA = await timed(() => sh(A, ["git", "ctx", "sync"]));
    const peerIncA = await timed(() => converge(PA, ["sync", PA.root]));
    row("incremental sync on the pushing machine (10 sessions appended)", ctxIncA, peerIncA, "git ctx sync vs converge sync, files cold");
    rows.push({ name: "  (incremental on the pushing machine, absolute)", value: ctxIncA, unit: "s", target: "≤ 0.3 s", ok: ctxIncA <= 0.3 });

    const ctxFirstB = await timed(() => sh(B, ["git", "ctx", "sync"]));
    const peerFirstB = await timed(() => converge(PB, ["sync", PB.root]));
    row("receiving machine: first sync after join", ctxFirstB, peerFirstB, "brings the 10 appended sessions");

    append(B, batch, "b1");
    append(PB, batch, "b1");
    await cool();
    const ctxIncB = await timed(() => sh(B, ["git", "ctx", "sync"]));
    const peerIncB = await timed(() => converge(PB, ["sync", PB.root]));
    row("receiving machine: a later incremental sync (10 sessions appended)", ctxIncB, peerIncB, "files cold");
    rows.push({ name: "  (incremental on the receiving machine, absolute)", value: ctxIncB, unit: "s", target: "≤ 0.3 s", ok: ctxIncB <= 0.3 });
    rows.push({
      name: "  (first sync after join / later incremental, git-ctx)",
      value: ctxFirstB / ctxIncB,
      unit: "×",
      target: "≤ 1.5×",
      ok: ctxFirstB / ctxIncB <= 1.5,
    });
    return rows;
  } finally {
    await t.cleanup();
  }
}
