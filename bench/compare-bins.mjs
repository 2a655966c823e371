/**
 * Compares two builds of git-ctx on the heavy-user workload in one run, alternating them on one
 * view (same files, same machine state): no-op `git ctx sync` ×6 and `git ctx sync` after
 * appending one line to 10 sessions ×N each. Used for issue 9's "no more than 10% lost" check:
 *   git worktree add /tmp/old <commit> && (cd /tmp/old && npm ci && npm run build)
 *   npm run build && node bench/compare-bins.mjs /tmp/old/bin bin [rounds]
 * Needs ../shared/corpus (the workload is generated from it). Prints medians in ms.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
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
spawnSync("rm", ["-rf", base]);
