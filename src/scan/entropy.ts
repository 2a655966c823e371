/**
 * Shannon entropy of `s` in bits per character: `-Σ p(c)·log2 p(c)` over the distinct characters
 * of `s` (UTF-16 code units; the scanner only passes latin1-decoded bytes). `""` gives 0.
 * Typical values: `"aaaa"` 0, an English word ≈ 2.5–3, a 40-hex git SHA ≈ 3.6–4.0,
 * 40 random base62 characters ≈ 4.8–5.2. Same measure as gitleaks' `entropy` rule field
 * (gitleaks `detect/utils.go` `shannonEntropy`). Pure, never throws.
 */
export function shannonEntropy(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}
