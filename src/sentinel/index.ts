import { compile, type Anchors, type Tier } from "./anchors.js";
import { cleanWithBaseBuf } from "./base.js";
import { canonicalizeBuf, localizeBuf, residueStr, sniffForm, zeroCounts } from "./codec.js";

/**
 * The sentinel codec: this machine's paths ↔ machine-neutral sentinels, on bytes.
 * The canonical form is specified in docs/cluster-format.md ("Canonical form"): four tiers
 * (`{{CC_PROJECT_CONTEXT_DIR}}`, `{{CC_PROJECT_ROOT}}`, `{{CC_ENCODED_DIR}}`, `{{CC_HOME}}`, the
 * strings of context-convergence), variant markers for non-default spellings
 * (`{{CC_PROJECT_ROOT@b1}}`), and literal sentinel text escaped one `_LIT` level up.
 *
 * Bytes are decoded as latin1 (one char per byte), so invalid UTF-8, NUL bytes and anything else
 * survive byte for byte; anchors are turned into their UTF-8 bytes the same way.
 */

export type { Anchors, Form, Spelling, Tier } from "./anchors.js";
export { SENTINEL, SENTINEL_NAME, TIERS, contextDirOf, defaultSpelling, spellPath } from "./anchors.js";
export { sniffForm, type TierCounts } from "./codec.js";
export { Cleaner, createCleanWithBaseStream } from "./base.js";
export { CHUNK_BYTES, Chunker, createCanonicalizeStream, createLocalizeStream } from "./stream.js";

function formOf(a: Anchors, s: string) {
  return a.form ?? sniffForm(s, true)!;
}

/**
 * Rewrites this machine's anchors in `input` to sentinels (clean). Inverse of {@link localize} on
 * the same machine: `localize(canonicalize(x, a), a)` equals `x` byte for byte, for any bytes.
 * Longest anchor first; path boundaries, spellings, tails and variants: docs/cluster-format.md.
 * Pure; never throws. May return `input` itself when nothing changes.
 */
export function canonicalize(input: Buffer, a: Anchors): Buffer {
  if (input.length === 0) return input;
  const s = input.toString("latin1");
  return canonicalizeBuf(input, s, compile(a), formOf(a, s));
}

/**
 * Rewrites sentinels in canonical bytes to this machine's paths (smudge): plain sentinels get the
 * machine's default spelling, variants their recorded spelling (mapped to this OS), path tails
 * get the spelling's separators, `_LIT` escapes go one level down, and sentinels this machine
 * cannot resolve (unknown variant, tier disabled) stay as they are.
 * Pure; never throws. May return `input` itself when nothing changes.
 */
export function localize(input: Buffer, a: Anchors): Buffer {
  if (input.length === 0 || input.indexOf("{{CC_") < 0) return input;
  const s = input.toString("latin1");
  return localizeBuf(input, s, compile(a), formOf(a, s));
}

/** {@link canonicalize} that also counts the rewrites per tier (for `git ctx doctor`). */
export function canonicalizeWithCounts(input: Buffer, a: Anchors): { output: Buffer; counts: Record<Tier, number> } {
  const counts = zeroCounts();
  if (input.length === 0) return { output: input, counts };
  const s = input.toString("latin1");
  return { output: canonicalizeBuf(input, s, compile(a), formOf(a, s), counts), counts };
}

/**
 * Clean with the index's canonical blob as base: lines of `work` equal to the localized lines of
 * `base` (same position, from the start, while equal) are emitted as base's canonical bytes; the
 * rest is canonicalized. Guarantees: `localize(cleanWithBase(w, a, b), a)` equals `w`; and if
 * `w` equals `localize(b, a)` then the result equals `b` byte for byte (stability across
 * machines even when text mentions another machine's paths). Streaming form: {@link Cleaner}.
 * Pure; never throws.
 */
export function cleanWithBase(work: Buffer, a: Anchors, base: Buffer | undefined): Buffer {
  if (base === undefined || base.length === 0) return canonicalize(work, a);
  return cleanWithBaseBuf(work, a, base);
}

/**
 * Machine paths of `a` still present in canonical bytes (for `git ctx doctor`): every recognised
 * spelling of every enabled tier that ends at a path boundary, whatever precedes it (so
 * `/mnt/home/me/proj` counts too); sentinel tokens are skipped. `offset` is a byte offset,
 * `text` the path as found (decoded as UTF-8). Pure; never throws.
 */
export function residue(canonical: Buffer, a: Anchors): { tier: Tier; offset: number; text: string }[] {
  if (canonical.length === 0) return [];
  return residueStr(canonical.toString("latin1"), compile(a)).map((r) => ({
    tier: r.tier,
    offset: r.offset,
    text: Buffer.from(r.text, "latin1").toString("utf8"),
  }));
}
