import { readFileSync } from "node:fs";
import * as path from "node:path";
import { git } from "../git/exec.js";

/** Name of the allowlist file at the root of the view's work tree. */
export const ALLOW_FILE = ".ctxallow";
/** Git config key holding allowed fingerprints (multi-valued: `git config --add ctx.allow <fp>`). */
export const ALLOW_CONFIG_KEY = "ctx.allow";
const FINGERPRINT = /^[0-9a-f]{16}$/;

/** An allowlist entry that is not a fingerprint and was ignored (shown by `git ctx scan`). */
export interface IgnoredAllowEntry {
  /** `git config ctx.allow` or the allowlist file's absolute path. */
  source: string;
  /** 1-based line in the file (0 for git config). */
  line: number;
  /** The entry, shortened to its first 4 characters + `…` when longer than 8. */
  text: string;
}

/** Fingerprints a user released (false positives), see {@link loadAllowlist}. */
export interface Allowlist {
  /** 16-hex-character finding fingerprints (`Finding.fingerprint`). */
  fingerprints: Set<string>;
  /** Entries that were not fingerprints; they allow nothing. */
  ignored?: IgnoredAllowEntry[];
}

/**
 * Parses allowlist text: one fingerprint per line (several per line separated by spaces or
 * commas are accepted), `#` starts a comment, blank lines are skipped. Fingerprints are matched
 * case-insensitively (stored lower-case). Pure.
 */
export function parseAllowlist(text: string, source: string): Allowlist {
  const fingerprints = new Set<string>();
  const ignored: IgnoredAllowEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const body = raw.replace(/#.*$/, "").trim();
    if (!body) return;
    for (const tok of body.split(/[\s,]+/)) {
      const t = tok.toLowerCase();
      if (FINGERPRINT.test(t)) fingerprints.add(t);
      // shown shortened: a user may have pasted the secret itself by mistake
      else ignored.push({ source, line: source === `git config ${ALLOW_CONFIG_KEY}` ? 0 : i + 1, text: tok.length > 8 ? `${tok.slice(0, 4)}…` : tok });
    }
  });
  return { fingerprints, ignored };
}

/**
 * Loads the allowlist of a view repository: every value of git config `ctx.allow` (any scope
 * git reads for that repository: repo, global, system) plus the lines of `.ctxallow` at the
 * root of the work tree. A missing file or key is an empty list.
 *
 * @param gitDir   absolute path of the repository's git dir
 * @param workTree absolute path of the work tree; default: the parent of `gitDir` when it is
 *                 named `.git`, else no file is read
 * @throws GitCommandError when git cannot read the config (not when the key is absent)
 * @throws Error when `.ctxallow` exists but cannot be read (permissions)
 */
export async function loadAllowlist(gitDir: string, workTree?: string): Promise<Allowlist> {
  const cfg = await git(["--git-dir", gitDir, "config", "--get-all", ALLOW_CONFIG_KEY], { okCodes: [0, 1] });
  const out = parseAllowlist(cfg, `git config ${ALLOW_CONFIG_KEY}`);
  const wt = workTree ?? (path.basename(gitDir) === ".git" ? path.dirname(gitDir) : undefined);
  if (wt) {
    const file = path.join(wt, ALLOW_FILE);
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (text !== undefined) {
      const f = parseAllowlist(text, file);
      for (const fp of f.fingerprints) out.fingerprints.add(fp);
      out.ignored!.push(...f.ignored!);
    }
  }
  return out;
}
