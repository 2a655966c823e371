/**
 * git's own words for a damaged object store (object-file.c, packfile.c, fsck.c, fetch-pack.c of
 * git 2.39): a loose object that does not inflate (`error: inflate: data stream error`, `unable to
 * unpack … header`, `loose object … is corrupt`), a pack entry that does not (`packed object … is
 * corrupt`, `bad packed object`), an object that is not there (`unable to read <oid>`, `bad
 * object`, `missing blob`, `did not receive expected object`), `cat-file: bad file`, fsck's
 * `broken link`. Matched per line, case-sensitively, as git prints them with the English locale
 * (git-ctx runs git with its own messages; a translated message is not recognised).
 */
const CORRUPTION: readonly RegExp[] = [
  /\binflate: /,
  /\bis corrupt\b/,
  /\bunable to unpack\b/,
  /\bunable to read [0-9a-f]{7,}/,
  /\bbad object\b/,
  /\bbad packed object\b/,
  /\bmissing (blob|tree|commit|tag) [0-9a-f]{7,}/,
  /\bdid not receive expected object\b/,
  /\bbroken link from\b/,
  /\bcorrupt (loose|packed) object\b/,
  /\bobject file .* is empty\b/,
  /\bgit cat-file [0-9a-f]{7,}: bad file\b/,
  /\bpackfile .* cannot be accessed\b/,
  /\bfailed to read object [0-9a-f]{7,}/,
  /\bobject [0-9a-f]{7,} is a \w+, not a \w+/,
];

/**
 * The lines of `text` (git's stderr, or an error message holding it) that say the repository's
 * object store is damaged, at most `max` (default 5), each trimmed; empty when none does.
 * Pure.
 */
export function corruptionLines(text: string, max = 5): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line && CORRUPTION.some((re) => re.test(line)) && !out.includes(line)) out.push(line);
    if (out.length >= max) break;
  }
  return out;
}

/** True when `text` holds one of git's messages for a damaged object store ({@link corruptionLines}). Pure. */
export function saysCorrupt(text: string): boolean {
  return corruptionLines(text, 1).length > 0;
}

/** git's empty tree (SHA-1 and SHA-256): git reads it without an object file, but `git fsck` calls it missing when a commit names it. */
export const EMPTY_TREES: readonly string[] = ["4b825dc642cb6eb9a060e54bf8d69288fbee4904", "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"];

/**
 * The problems in the output of `git fsck --no-dangling --no-progress` (stdout and stderr
 * joined): every line except `notice:`/`warning` lines (an unborn HEAD, a tree entry fsck
 * finds odd: nothing a read fails on) and the empty tree's `missing tree` and `broken link … to
 * tree <empty>` (a view's first commit names the empty tree, which git never writes as a file).
 * Empty means the object store is whole. Pure.
 */
export function fsckProblems(output: string): string[] {
  const lines = output.split(/\r?\n/).map((l) => l.trim());
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l || /^notice:/.test(l) || /^warning\b/.test(l)) continue;
    if (/^missing tree /.test(l) && EMPTY_TREES.some((t) => l.endsWith(t))) continue;
    if (/^broken link from/.test(l)) {
      const to = lines[i + 1] ?? "";
      if (/^to\s+tree /.test(to) && EMPTY_TREES.some((t) => to.endsWith(t))) {
        i++;
        continue;
      }
      if (/^to\s/.test(to)) {
        out.push(`${l.replace(/\s+/g, " ")} ${to.replace(/\s+/g, " ")}`);
        i++;
        continue;
      }
    }
    out.push(l);
  }
  return out;
}
