import type { MachineOs } from "./machine.js";
import type { Participant } from "./schema.js";

/**
 * Whether a roster entry's paths can be a real machine's (issue 22, case 4). A roster is
 * untrusted input: anyone who can push to `project/<id>` can add a participant, and its
 * `project_root` and `home` become anchors under which sync's issue-9 repair compares lines
 * (src/merge/collapse.ts). A root such as `evil` or `e` would make ordinary words read as that
 * machine's root. Pure; never throws.
 */

/** Longest path accepted (Windows' long-path limit; Linux' PATH_MAX is 4096). */
export const MAX_PATH_CHARS = 32_767;

/**
 * Why `p` is not a plausible absolute path on `os`, or `undefined` when it is. Rules:
 * - any OS: a non-empty string of at most {@link MAX_PATH_CHARS} characters, no control
 *   character (U+0000–U+001F, U+007F), no leading or trailing blank, no `.` or `..` segment
 *   (a machine writes its root resolved), and not a file-system root alone (a root of `/` or
 *   `C:\` would match every path);
 * - `linux`, `darwin`: starts with `/`;
 * - `windows`: a drive path `X:\…` or `X:/…` (any letter, either case), or a UNC path
 *   `\\server\share…` (either slash) with a server and a share; none of `<>"|?*` and no `:`
 *   past the drive.
 * @param p the path as the roster spells it (native spelling).
 */
export function implausiblePath(os: MachineOs, p: string): string | undefined {
  if (typeof p !== "string" || p.length === 0) return "empty";
  if (p.length > MAX_PATH_CHARS) return `longer than ${MAX_PATH_CHARS} characters`;
  if (/[\u0000-\u001f\u007f]/.test(p)) return "holds a control character";
  if (p.trim() !== p) return "starts or ends with a blank";
  if (os === "windows") {
    const drive = /^[A-Za-z]:[\\/]/.test(p);
    const unc = /^[\\/]{2}[^\\/]+[\\/][^\\/]+/.test(p);
    if (!drive && !unc) return "not an absolute Windows path (X:\\… or \\\\server\\share…)";
    const rest = drive ? p.slice(2) : p;
    if (/[<>"|?*:]/.test(rest)) return 'holds a character Windows refuses in a path (<>"|?*:)';
    const segs = (drive ? p.slice(3) : p.slice(2)).split(/[\\/]/);
    if (segs.some((s) => s === "." || s === "..")) return "holds a '.' or '..' segment";
    if (drive && segs.every((s) => s === "")) return "a drive root alone";
    return undefined;
  }
  if (!p.startsWith("/")) return "not an absolute path (must start with '/')";
  const segs = p.split("/").slice(1);
  if (segs.every((s) => s === "")) return "the file-system root alone";
  if (segs.some((s) => s === "." || s === "..")) return "holds a '.' or '..' segment";
  return undefined;
}

/** Whether `p` is a plausible absolute path on `os` ({@link implausiblePath} finds no reason against it). */
export function isPlausiblePath(os: MachineOs, p: string): boolean {
  return implausiblePath(os, p) === undefined;
}

/**
 * Why a roster participant's anchors cannot be a real machine's, or `undefined` when its
 * `project_root` and `home` are both plausible absolute paths for its declared `os`
 * ({@link implausiblePath}). A participant with a reason never counts as an anchor of the
 * issue-9 repair; the caller reports the reason (sync's log and warnings, `git ctx doctor`).
 * @returns e.g. `project_root 'evil': not an absolute path (must start with '/')`.
 */
export function implausibleParticipant(x: Pick<Participant, "os" | "home" | "project_root">): string | undefined {
  for (const [field, value] of [
    ["project_root", x.project_root],
    ["home", x.home],
  ] as const) {
    const why = implausiblePath(x.os, value);
    if (why) return `${field} '${printable(value)}': ${why}`;
  }
  return undefined;
}

/** `s` shortened to 80 characters with control characters escaped, for a message. */
function printable(s: string): string {
  const t = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return t.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
