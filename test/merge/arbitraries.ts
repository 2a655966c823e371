import fc from "fast-check";

/** Test helpers for the merge properties: lines are latin1 strings (bytes 1:1), never containing "\n". */

/** One transcript-like line: timed JSON (few distinct times, so ties happen), untimed JSON, or raw bytes. */
export const lineArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({ t: fc.integer({ min: 0, max: 5 }), id: fc.string({ maxLength: 3 }) })
      .map(({ t, id }) => JSON.stringify({ uuid: id, timestamp: `2025-01-01T00:00:0${t}.000Z` })),
  },
  { weight: 1, arbitrary: fc.constantFrom('{"type":"summary","summary":"s"}', '{"type":"last-prompt"}', "") },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u.filter((b) => b !== 10)).toString("latin1")) },
);

/** A small pool of distinct lines; sequences drawn from it share and repeat lines often. */
export const poolArb = fc.uniqueArray(lineArb, { minLength: 1, maxLength: 10 });

/** A sequence of `pool` lines (indices drawn with repetition). */
export const seqFrom = (pool: string[], maxLength = 12): fc.Arbitrary<string[]> => fc.array(fc.nat(pool.length - 1), { maxLength }).map((ix) => ix.map((i) => pool[i]!));

/** File bytes from lines: each line ends with "\n" (an empty list gives an empty file). */
export const toFile = (lines: string[]): Buffer => Buffer.from(lines.map((l) => l + "\n").join(""), "latin1");

/** Lines of a file written by {@link toFile} (or any file ending in "\n"). */
export const fromFile = (b: Buffer): string[] => {
  const s = b.toString("latin1");
  if (s === "") return [];
  const parts = s.split("\n");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
};

export const counts = (xs: string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

/** True when `sub` is a subsequence of `seq` (greedy). */
export const isSubsequence = (sub: string[], seq: string[]): boolean => {
  let i = 0;
  for (const x of seq) if (i < sub.length && sub[i] === x) i++;
  return i === sub.length;
};

/** Longest common prefix of two line lists. */
export const commonPrefix = (a: string[], b: string[]): string[] => {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return a.slice(0, k);
};
