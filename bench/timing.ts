import { spawnSync, type SpawnSyncOptions } from "node:child_process";

/** Best (smallest) wall time of `reps` runs of `fn`, in seconds. */
export function time(fn: () => void, reps: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

/** The median of `xs` (the upper one for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `cmd args` to completion; its wall time in seconds. @throws Error naming the command and its stderr when it exits non-zero. */
export function timedRun(cmd: string, args: string[], o: SpawnSyncOptions): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { ...o, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
