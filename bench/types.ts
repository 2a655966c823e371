/** One measured figure of `npm run bench`. */
export interface BenchRow {
  /** Short name, e.g. `codec canonicalize (corpus)`. */
  name: string;
  /** The figure, in `unit`. */
  value: number;
  /** Unit of `value`, e.g. `MB/s`, `s`, `MB`, `x` (ratio), `KiB`. */
  unit: string;
  /** Baseline figure measured in the same run (same unit), when the row is a comparison. */
  baseline?: number;
  /** Target from the issue, as text (e.g. `≥ 250 MB/s`, `≤ 1.5×`). */
  target?: string;
  /** Whether the target is met (undefined when there is no target). */
  ok?: boolean;
  /** What was measured, how, on what input. */
  note?: string;
}

/** A benchmark module in `bench/*.bench.ts` exports `run`. */
export type BenchModule = { title: string; run: () => Promise<BenchRow[]> };
