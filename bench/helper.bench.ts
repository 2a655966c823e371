import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { dir } from "tmp-promise";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import { simulatedMachineEnv, type MachineOs } from "../src/roster/machine.js";
import type { BenchRow } from "./types.js";

/**
 * Issue 3 figures for the `ctx::` remote helper, each against plain git on the same files in the
 * same run:
 * - push time of a generated project of 500 sessions / ~100 MB (first push, through the helper:
 *   split + nested atomic push) vs plain `git push` of the same files to a bare repository;
 * - clone + join time of that project on a second machine (`git clone ctx::` + `git ctx join`,
 *   smudged checkout) vs plain `git clone`;
 * - bytes a push sends after one line was appended to a 50 MB transcript, counted on the wire by
 *   a TCP proxy in front of `git daemon` (client → server), target < 64 KiB (git sends a delta
 *   only when the nested push is thin against the blob the cluster has); plain git alongside.
 * Sessions are generated at run time from corpus lines (`cwd` rewritten to the machine's root),
 * or from synthetic lines when the corpus is absent.
 */
export const title = "remote helper (push, clone+join, bytes sent after a one-line append)";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(REPO, "bin");
const CORPUS_CLAUDE = path.resolve(REPO, "../shared/corpus/claude");

/**
 * `GIT_CTX_BENCH_NO_FILTER=1` turns the clean/smudge filter off (command-line config level), to
 * measure the helper alone; the rows then say so.
 */
const NO_FILTER = { GIT_CONFIG_COUNT: "2", GIT_CONFIG_KEY_0: "filter.ctx.process", GIT_CONFIG_VALUE_0: "", GIT_CONFIG_KEY_1: "filter.ctx.required", GIT_CONFIG_VALUE_1: "false" };
const FILTER_NOTE = process.env.GIT_CTX_BENCH_NO_FILTER ? " [filter off: GIT_CTX_BENCH_NO_FILTER]" : "";

function machineEnv(home: string, id: string, os = "linux", pathHome = home): NodeJS.ProcessEnv {
  const env = simulatedMachineEnv({ home, id, author: `bench-${id}`, os: os as MachineOs, pathHome, binDir: BIN });
  if (process.env.GIT_CTX_BENCH_NO_FILTER) Object.assign(env, NO_FILTER);
  return env;
}

/** Runs a command (async: the in-process TCP proxy must keep serving) and returns its wall time in seconds. */
function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    c.on("error", reject);
    c.on("close", (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e9) : reject(new Error(`${cmd} ${args.join(" ")} failed (${code}) in ${cwd}: ${err}`))));
  });
}

/** Lines to build sessions from: every line of corpus/claude (or synthetic ones). */
function sourceLines(): string[] {
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".jsonl")) for (const l of readFileSync(p, "utf8").split("\n")) if (l.startsWith("{") && l.length < 200_000) lines.push(l);
    }
  };
  if (existsSync(CORPUS_CLAUDE)) walk(CORPUS_CLAUDE);
  if (lines.length < 100) {
    for (let i = 0; i < 2000; i++) lines.push(JSON.stringify({ type: "user", uuid: `u${i}`, cwd: "/x", message: { role: "user", content: `synthetic line ${i} `.repeat(20) } }));
  }
  return lines;
}

/** Writes `sessions` JSONL files totalling about `bytes` into `folder`, `cwd` rewritten to `root`. */
function generate(folder: string, root: string, sessions: number, bytes: number, lines: string[]): number {
  mkdirSync(folder, { recursive: true });
  const per = bytes / sessions;
  let k = 0;
  let total = 0;
  const cwd = `"cwd":${JSON.stringify(root)}`;
  for (let s = 0; s < sessions; s++) {
    const out: string[] = [];
    let size = 0;
    while (size < per) {
      const l = lines[k++ % lines.length]!.replace(/"cwd":"(?:[^"\\]|\\.)*"/g, cwd).replace(/"uuid":"/, `"uuid":"s${s}-${k}-`);
      out.push(l);
      size += l.length + 1;
    }
    const text = out.join("\n") + "\n";
    writeFileSync(path.join(folder, `session-${String(s).padStart(4, "0")}.jsonl`), text);
    total += Buffer.byteLength(text);
  }
  return total;
}

/** A TCP proxy to `port` counting bytes client → server and back. */
async function countingProxy(port: number): Promise<{ port: number; up: () => number; down: () => number; reset: () => void; close: () => void }> {
  let up = 0,
    down = 0;
  const server = net.createServer((c) => {
    const s = net.connect(port, "127.0.0.1");
    c.on("data", (b) => (up += b.length));
    s.on("data", (b) => (down += b.length));
    c.pipe(s);
    s.pipe(c);
    c.on("error", () => s.destroy());
    s.on("error", () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    up: () => up,
    down: () => down,
    reset: () => {
      up = 0;
      down = 0;
    },
    close: () => server.close(),
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function daemon(base: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn("git", ["daemon", "--reuseaddr", `--base-path=${base}`, "--export-all", "--enable=receive-pack", "--listen=127.0.0.1", `--port=${port}`, base], {
    stdio: "ignore",
    detached: true,
  });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, "127.0.0.1", () => {
        c.destroy();
        r(true);
      });
      c.on("error", () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const lines = sourceLines();
  const t = await dir({ unsafeCleanup: true, prefix: "gitctx-bench-helper-" });
  try {
    // ---- 500 sessions / 100 MB: push, clone + join -------------------------------------------
    const homeA = path.join(t.path, "A"),
      homeB = path.join(t.path, "B");
    const envA = machineEnv(homeA, "A"),
      envB = machineEnv(homeB, "B", "darwin", "/Users/b");
    const rootA = path.join(homeA, "src", "big"),
      rootB = "/Users/b/src/big";
    const viewA = path.join(homeA, ".claude", "projects"),
      viewB = path.join(homeB, ".claude", "projects");
    mkdirSync(viewA, { recursive: true });
    mkdirSync(homeB, { recursive: true });
    const cluster = path.join(t.path, "cluster.git");
    await sh(path.join(BIN, "git-ctx"), ["init", "--remote", cluster, "--id", "big", rootA], viewA, envA);
    const keyA = claudeDirKey(rootA);
    const bytes = generate(path.join(viewA, keyA), rootA, 500, 100e6, lines);
    await sh("git", ["add", "--", keyA], viewA, envA);
    await sh("git", ["commit", "-q", "-m", "500 sessions"], viewA, envA);
    const ctxPush = await sh("git", ["push", "-q"], viewA, envA);
    // plain git baseline: the same files, no filter, plain bare repository
    const plain = path.join(t.path, "plain"),
      plainBare = path.join(t.path, "plain.git");
    generate(path.join(plain, keyA), rootA, 500, 100e6, lines);
    await sh("git", ["init", "-q", "--initial-branch=main", plain], t.path, envA);
    await sh("git", ["init", "-q", "--bare", "--initial-branch=main", plainBare], t.path, envA);
    await sh("git", ["add", "--", keyA], plain, envA);
    await sh("git", ["commit", "-q", "-m", "500 sessions"], plain, envA);
    const plainPush = await sh("git", ["push", "-q", plainBare, "main"], plain, envA);
    const mb = (bytes / 1e6).toFixed(0);
    rows.push({
      name: `push 500 sessions / ${mb} MB (first push)`,
      value: ctxPush,
      unit: "s",
      baseline: plainPush,
      note: "ctx: `git push` through git-remote-ctx (split, roster, nested atomic push) vs plain `git push` of the same files" + FILTER_NOTE,
    });

    const tClone = await sh("git", ["clone", "-q", `ctx::${cluster}`, viewB], homeB, envB);
    const tJoin = await sh(path.join(BIN, "git-ctx"), ["join", "--id", "big", rootB], viewB, envB);
    const tPlainClone = await sh("git", ["clone", "-q", "--no-local", plainBare, path.join(t.path, "plain-clone")], t.path, envB);
    rows.push({
      name: `clone + join 500 sessions / ${mb} MB`,
      value: tClone + tJoin,
      unit: "s",
      baseline: tPlainClone,
      note: `ctx: git clone ctx:: ${tClone.toFixed(2)} s + git ctx join ${tJoin.toFixed(2)} s (fetch, smudged checkout of B's paths) vs plain \`git clone --no-local\` (pack transfer, not hard links)${FILTER_NOTE}`,
    });

    // ---- bytes sent after a one-line append to a 50 MB transcript ----------------------------
    const base = path.join(t.path, "served");
    mkdirSync(base, { recursive: true });
    await sh("git", ["init", "-q", "--bare", "--initial-branch=main", path.join(base, "cluster.git")], t.path, envA);
    await sh("git", ["init", "-q", "--bare", "--initial-branch=main", path.join(base, "plain.git")], t.path, envA);
    const d = await daemon(base);
    const proxy = await countingProxy(d.port);
    try {
      const homeC = path.join(t.path, "C");
      const envC = machineEnv(homeC, "C");
      const rootC = path.join(homeC, "src", "one");
      const keyC = claudeDirKey(rootC);
      const viewC = path.join(homeC, ".claude", "projects");
      generate(path.join(viewC, keyC), rootC, 1, 50e6, lines);
      const url = `git://127.0.0.1:${proxy.port}/cluster.git`;
      await sh(path.join(BIN, "git-ctx"), ["init", "--remote", url, "--id", "one", rootC], viewC, envC);
      const file = path.join(viewC, keyC, "session-0000.jsonl");
      const extra = JSON.stringify({ type: "user", uuid: "appended", cwd: rootC, message: { role: "user", content: "one more line" } }) + "\n";
      appendFileSync(file, extra);
      await sh("git", ["add", "--", keyC], viewC, envC);
      await sh("git", ["commit", "-q", "-m", "one line"], viewC, envC);
      proxy.reset();
      await sh("git", ["push", "-q"], viewC, envC);
      const ctxUp = proxy.up();
      // plain git, same file, same append
      const plainC = path.join(t.path, "plainC");
      generate(path.join(plainC, keyC), rootC, 1, 50e6, lines);
      await sh("git", ["init", "-q", "--initial-branch=main", plainC], t.path, envC);
      await sh("git", ["add", "--", keyC], plainC, envC);
      await sh("git", ["commit", "-q", "-m", "big"], plainC, envC);
      const plainUrl = `git://127.0.0.1:${proxy.port}/plain.git`;
      await sh("git", ["push", "-q", plainUrl, "main"], plainC, envC);
      appendFileSync(path.join(plainC, keyC, "session-0000.jsonl"), extra);
      await sh("git", ["commit", "-q", "-am", "one line"], plainC, envC);
      proxy.reset();
      await sh("git", ["push", "-q", plainUrl, "main"], plainC, envC);
      const plainUp = proxy.up();
      rows.push({
        name: "bytes sent by a push after a one-line append to a 50 MB transcript",
        value: ctxUp / 1024,
        unit: "KiB",
        baseline: plainUp / 1024,
        target: "< 64 KiB",
        ok: ctxUp < 64 * 1024,
        note:
          "client → server bytes on the wire (TCP proxy before git daemon), all connections of the push (ls-remote, fetch, atomic push); baseline: plain git push of the same change" +
          FILTER_NOTE,
      });
    } finally {
      proxy.close();
      if (d.child.pid) process.kill(-d.child.pid, "SIGTERM"); // git daemon and its git-daemon child
    }
  } finally {
    await t.cleanup();
  }
  return rows;
}
