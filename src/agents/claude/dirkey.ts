/**
 * Claude Code's project directory key: the name of the folder under `~/.claude/projects/` that
 * holds the sessions started in `cwd`.
 *
 * Rule (FORMATS.md, verified against Claude Code 2.1.328 and the corpus):
 * - every UTF-16 code unit that is not an ASCII letter or digit becomes `-`
 *   (`cwd.replace(/[^a-zA-Z0-9]/g, "-")`, so `/`, `\`, `:`, `.`, `_`, `~`, space and each
 *   half of a surrogate pair all turn into `-`; the leading `/` gives the leading `-`);
 * - a key longer than {@link MAX_KEY_PREFIX} characters is cut to 200 and gets
 *   `-` + base36(|h|) appended, where `h = ((h << 5) - h + charCodeAt(i)) | 0` runs over the
 *   whole original `cwd` (a 32-bit Java-style string hash).
 *
 * The key is lossy (`a.b`, `a-b`, `a_b` collide), so it is never decoded back into a path: the
 * project root comes from transcripts ({@link ../roster/infer.ts}) or the roster.
 * No normalisation is applied: `C:\x` and `c:\x` give `C--x` and `c--x` (both exist in the corpus).
 *
 * @param cwd the working directory exactly as Claude Code saw it (native spelling).
 * @returns the key; at most 200 + 1 + 7 characters, only `[A-Za-z0-9-]`. Never throws.
 */
export function claudeDirKey(cwd: string): string {
  const key = cwd.replace(/[^a-zA-Z0-9]/g, "-");
  if (key.length <= MAX_KEY_PREFIX) return key;
  return `${key.slice(0, MAX_KEY_PREFIX)}-${Math.abs(claudePathHash(cwd)).toString(36)}`;
}

/** Keys longer than this many characters are truncated and hashed (FORMATS.md). */
export const MAX_KEY_PREFIX = 200;

/**
 * The 32-bit string hash Claude Code appends to long keys: `h = ((h << 5) - h + c) | 0` over
 * every UTF-16 code unit `c` of `s`, starting from 0. Signed result in [-2^31, 2^31).
 */
export function claudePathHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return h;
}
