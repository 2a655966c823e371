import type { Dirent } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import * as path from "node:path";
import { fail, pass, warn, type Check, type ViewContext } from "../check.js";

/** GitHub warns about files over 50 MB and rejects files over 100 MB (common git-host limits, FORMATS.md). */
export const WARN_BYTES = 50 * 1024 * 1024;
export const LIMIT_BYTES = 100 * 1024 * 1024;

/**
 * Sizes of the files in the joined projects' folders (work tree; `lstat`, so a sparse file
 * counts by its length): over {@link LIMIT_BYTES} fails (a git host would reject the push),
 * over {@link WARN_BYTES} warns.
 */
export async function checkSizes(ctx: ViewContext): Promise<Check[]> {
  const keys = Object.values(ctx.state?.projects ?? {}).map((p) => p.key);
  const big: { file: string; bytes: number }[] = [];
  for (const k of keys) await walk(ctx.workTree, k, big);
  const over = big.filter((b) => b.bytes > LIMIT_BYTES);
  const near = big.filter((b) => b.bytes > WARN_BYTES && b.bytes <= LIMIT_BYTES);
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const list = (xs: typeof big) => xs.map((b) => `${b.file} (${mb(b.bytes)})`).join(", ");
  const out: Check[] = [];
  if (over.length) {
    out.push(
      fail(
        "file sizes",
        `${over.length} file(s) over 100 MB, which git hosts such as GitHub reject: ${list(over)}`,
        `keep them out of the push: git -C ${ctx.workTree} rm --cached -- <file> and add '/<file>' to ${path.join(ctx.gitDir, "info", "exclude")} (outside git-ctx's block); start a fresh session for new work`,
      ),
    );
  }
  if (near.length) out.push(warn("file sizes", `${near.length} file(s) over 50 MB (git hosts warn, and reject at 100 MB): ${list(near)}`));
  if (!over.length && !near.length) out.push(pass("file sizes", `no file over 50 MB in ${keys.length} joined folder(s)`));
  return out;
}

async function walk(top: string, rel: string, big: { file: string; bytes: number }[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(path.join(top, rel), { withFileTypes: true });
  } catch {
    return; // a missing folder is reported by the projects check
  }
  for (const e of entries) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) await walk(top, r, big);
    else if (e.isFile()) {
      const st = await lstat(path.join(top, r));
      if (st.size > WARN_BYTES) big.push({ file: r, bytes: st.size });
    }
  }
}
