/**
 * Names the inbound gate refuses (issue 22): the rules git itself applies when it checks a path
 * out (`verify_path` in git's read-cache.c, with `core.protectNTFS` and `core.protectHFS` on, as
 * they are by default since CVE-2014-9390 and CVE-2019-1353), widened to every OS a cluster's
 * machines may run: a name one machine accepts must not become `.git`, a different file or an
 * invalid path on another. Pure.
 *
 * Sources: git's `is_ntfs_dotgit` / `is_hfs_dotgit` (read-cache.c, path.c, utf8.c), the Windows
 * naming rules ("Naming Files, Paths, and Namespaces", learn.microsoft.com: reserved device names,
 * reserved characters, trailing dots and spaces stripped), Apple's HFS+ case folding that ignores
 * the code points git lists in `next_hfs_char`.
 */

/** Code points HFS+ ignores when it compares names (git utf8.c `next_hfs_char`), plus the byte-order mark. */
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/u;

/** ASCII control characters (C0 and DEL) and the C1 range: never in a session file's name, and a newline breaks git's own listings. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Characters Windows refuses in a file name (besides the separators and controls checked apart). */
const WINDOWS_RESERVED_CHARS = /[<>:"|?*]/;

/** Windows device names, with or without an extension (`NUL.txt` is the device too). */
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/** An 8.3 short name (`GIT~1`, `GITMOD~1`): on NTFS it can name another entry, `.git` included (CVE-2019-1352). */
const SHORT_NAME = /^[^.~]{1,6}~[0-9]+(\.[^.]{0,3})?$/;

/** Longest accepted path component in bytes (ext4, APFS and NTFS all stop at 255). */
export const MAX_COMPONENT_BYTES = 255;

/** Longest accepted path below a project folder, in bytes (Linux PATH_MAX is 4096 with the folder and the home above it). */
export const MAX_PATH_BYTES = 3072;

/**
 * Why one path component would be unsafe or unportable in a view, or `undefined` when it is fine.
 * Refused: empty, `.`, `..`; anything that starts with `.git` in any case (the repository itself,
 * and git's control files `.gitattributes`, `.gitmodules`, `.gitignore` at any depth), `.mailmap`;
 * a trailing dot or space (NTFS strips them: `.git.` is `.git` there); 8.3 short names; HFS
 * ignorable code points (`.g\u200cit` is `.git` on macOS); backslash and the other characters
 * Windows refuses (`:` opens an NTFS stream); control characters; Windows device names; text
 * that is not valid UTF-8 (decoded to U+FFFD); names over {@link MAX_COMPONENT_BYTES} bytes.
 */
export function componentProblem(c: string): string | undefined {
  if (c === "") return "empty path component";
  if (c === "." || c === "..") return `'${c}' path component`;
  if (CONTROL.test(c)) return "control character in the name";
  if (c.includes("\ufffd")) return "name is not valid UTF-8";
  if (c.includes("\\")) return "backslash in the name";
  if (HFS_IGNORABLE.test(c)) return "invisible Unicode character in the name (HFS+ ignores it: it could spell .git)";
  if (/[. ]$/.test(c)) return "trailing dot or space (Windows drops it: it could name another file)";
  if (WINDOWS_RESERVED_CHARS.test(c)) return 'a character Windows refuses (< > : " | ? *)';
  const lower = c.toLowerCase();
  if (lower.startsWith(".git")) return `git control name '${c}'`;
  if (lower === ".mailmap") return "git control name '.mailmap'";
  if (SHORT_NAME.test(c)) return "8.3 short name (on NTFS it can name another entry, .git included)";
  if (WINDOWS_DEVICES.test(c)) return "Windows device name";
  if (Buffer.byteLength(c, "utf8") > MAX_COMPONENT_BYTES) return `name longer than ${MAX_COMPONENT_BYTES} bytes`;
  return undefined;
}

/**
 * Why a path (relative to a project folder, `/`-separated, as `git ls-tree -r` prints it) would be
 * unsafe to check out on any machine of the cluster, or `undefined` when it is safe: a leading
 * `/` or drive letter, NUL, more than {@link MAX_PATH_BYTES} bytes, or any component refused by
 * {@link componentProblem}.
 */
export function pathProblem(p: string): string | undefined {
  if (p.length === 0) return "empty name";
  if (p.startsWith("/")) return "absolute name";
  if (/^[A-Za-z]:/.test(p)) return "drive-letter name";
  if (p.includes("\0")) return "NUL in name";
  if (Buffer.byteLength(p, "utf8") > MAX_PATH_BYTES) return `path longer than ${MAX_PATH_BYTES} bytes`;
  for (const c of p.split("/")) {
    const bad = componentProblem(c);
    if (bad) return bad;
  }
  return undefined;
}
