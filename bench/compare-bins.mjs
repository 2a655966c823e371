/**
 * Compares two builds of git-ctx on the heavy-user workload in one run, alternating them on one
 * view (same files, same machine state): no-op `git ctx sync` ×6 and `git ctx sync` after
 * appending one line to 10 sessions ×N each, then `git ctx sync --hook` (Claude Code's Stop hook
 * JSON on stdin) ×3N each, alternating with a bare `node -e 0`, each after the view is idle again
 * (the detached sync it started has ended). Used for issue 9's "no more than 10% lost" check:
 *   git worktree add /tmp/old <commit> && (cd /tmp/old && npm ci && npm run build)
 *   npm run build && node bench/compare-bins.mjs /tmp/old/bin bin [rounds]
 * Needs ../shared/corpus (the workload is generated from it). Prints medians in ms.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import * as path from "node:path";
const { buildWorkload } = await import(new URL("../dist/bench/heavy.bench.js", import.meta.url).href);
const { simulatedMachineEnv } = await import(new URL("../dist/src/roster/machine.js", import.meta.url).href);
const { claudeDirKey } = await import(new URL("../dist/src/agents/claude/dirkey.js", import.meta.url).href);
const [oldBin, newBin, roundsArg] = process.argv.slice(2).map((x, i) => (i < 2 ? path.resolve(x) : x));
if (!oldBin || !newBin) throw new Error("usage: node bench/compare-bins.mjs <old bin dir> <new bin dir> [rounds]");
const rounds = Number(roundsArg ?? 6);
const base = path.join((await import("node:os")).tmpdir(), `gitctx-compare-${process.pid}`);
spawnSync("rm", ["-rf", base]);
mkdirSync(base);
const home = path.join(base, "a");
mkdirSync(path.join(home, ".claude"), { recursive: true });
const root = path.join(home, "src", "heavy");
mkdirSync(root, { recursive: true });
const key = claudeDirKey(root);
const folder = path.join(home, ".claude", "projects", key);
const w = await buildWorkload(folder, { os: "linux", home, root, key, rewriteHome: true });
const envFor = (bin) => simulatedMachineEnv({ home, id: "a", binDir: bin });
const run = (bin, args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync("git", args, { cwd: home, env: envFor(bin), encoding: "utf8" });
  if (r.status) console.log(r.stderr);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
run(newBin, ["ctx", "install"]);
run(newBin, ["ctx", "init", "--remote", path.join(base, "cl.git"), "--id", "heavy", root]);
run(newBin, ["ctx", "sync"]);
const res = { old: [], new: [] };
for (let i = 0; i < rounds; i++)
  for (const [k, bin] of [
    ["old", oldBin],
    ["new", newBin],
  ])
    res[k].push(run(bin, ["ctx", "sync"]));
const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log("no-op ms old", res.old.map(Math.round), "median", Math.round(med(res.old)));
console.log("no-op ms new", res.new.map(Math.round), "median", Math.round(med(res.new)));
const inc = { old: [], new: [] };
let n = 0;
for (let i = 0; i < rounds; i++)
  for (const [k, bin] of [
    ["old", oldBin],
    ["new", newBin],
  ]) {
    for (const s of w.sessions.slice(0, 10))
      appendFileSync(
        path.join(folder, `${s}.jsonl`),
        JSON.stringify({ type: "user", uuid: `x-${n++}`, cwd: root, message: { content: "x" }, timestamp: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString() }) + "\n",
      );
    inc[k].push(run(bin, ["ctx", "sync"]));
  }
console.log("incr ms old", inc.old.map(Math.round), "median", Math.round(med(inc.old)));
console.log("incr ms new", inc.new.map(Math.round), "median", Math.round(med(inc.new)));
console.log(`new/old: no-op ${(med(res.new) / med(res.old)).toFixed(2)}×, incremental ${(med(inc.new) / med(inc.old)).toFixed(2)}×`);
const gitDir = path.join(home, ".claude", "projects", ".git"); // the view is the whole store
const waitIdle = () => {
  const deadline = Date.now() + 120_000;
  while (["sync.pending", "sync.lock"].some((f) => existsSync(path.join(gitDir, "ctx", f)))) {
    if (Date.now() > deadline) throw new Error("background sync did not finish");
    spawnSync("sleep", ["0.1"]);
  }
};
const timed = (cmd, args, env, input) => {
  waitIdle();
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: home, env, input, encoding: "utf8" });
  if (r.status) console.log(r.stderr);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const hookInput = JSON.stringify({ session_id: w.sessions[0], hook_event_name: "Stop", cwd: root });
const hook = { old: [], new: [], node: [] };
for (let i = 0; i < rounds * 3; i++) {
  for (const [k, bin] of [
    ["old", oldBin],
    ["new", newBin],
  ])
    hook[k].push(timed(process.execPath, [path.join(bin, "git-ctx"), "sync", "--hook"], { ...envFor(bin), GIT_CTX_HOOK_QUIET_MS: "0" }, hookInput));
  hook.node.push(timed(process.execPath, ["-e", "0"], envFor(newBin)));
}
waitIdle();
for (const k of ["old", "new", "node"]) console.log(`hook ms ${k}`, hook[k].map(Math.round), "median", Math.round(med(hook[k])));
console.log(`hook: new/old ${(med(hook.new) / med(hook.old)).toFixed(2)}×, new − node -e 0: ${Math.round(med(hook.new) - med(hook.node))} ms`);
spawnSync("rm", ["-rf", base]);
