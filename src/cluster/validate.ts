import * as posix from "node:path/posix";
import { UnsafeTreeEntryError } from "./errors.js";
import type { Plumbing, TreeEntry } from "./plumbing.js";

/**
 * Why a path (relative to a project folder, `/`-separated, as `ls-tree -r` prints it) would
 * escape the folder or touch git's own files when checked out, or `undefined` when it is safe.
 * Rejected: empty, absolute (`/x`, `C:`), backslashes, and components `.`, `..`, `.git`
 * (any case, as git itself refuses `.git` on case-insensitive file systems).
 */
export function pathProblem(p: string): string | undefined {
  if (p.length === 0) return "empty name";
  if (p.startsWith("/")) return "absolute name";
  if (/^[A-Za-z]:/.test(p)) return "drive-letter name";
  if (p.includes("\\")) return "backslash in name";
  if (p.includes("\0")) return "NUL in name";
  for (const c of p.split("/")) {
    if (c === "") return "empty path component";
    if (c === "." || c === "..") return `'${c}' path component`;
    if (c.toLowerCase() === ".git") return "'.git' path component";
  }
  return undefined;
}

/**
 * Why a symlink at `linkPath` (relative to the project folder) with target `target` points
 * outside the folder, or `undefined` when it stays inside.
 */
export function symlinkProblem(linkPath: string, target: string): string | undefined {
  if (target.length === 0) return "symlink with an empty target";
  if (target.startsWith("/") || target.startsWith("\\") || /^[A-Za-z]:/.test(target)) return `symlink to an absolute path '${target}'`;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target.replace(/\\/g, "/")));
  if (resolved === ".." || resolved.startsWith("../")) return `symlink pointing outside the project folder ('${target}')`;
  return undefined;
}

/**
 * Checks every entry below `tree` (a project branch's `context/` tree) before it becomes a view
 * folder: names by {@link pathProblem}, no submodules (mode 160000), symlinks by
 * {@link symlinkProblem}.
 * @param branch the cluster branch the tree came from (`project/<id>`), named in the error.
 * @throws UnsafeTreeEntryError for the first unsafe entry.
 */
export async function validateContextTree(p: Plumbing, tree: string, branch: string): Promise<void> {
  const entries: TreeEntry[] = await p.lsTree(tree, true);
  for (const e of entries) {
    const bad = pathProblem(e.name);
    if (bad) throw new UnsafeTreeEntryError({ branch, path: e.name, problem: bad });
    if (e.mode === "160000" || e.type === "commit") throw new UnsafeTreeEntryError({ branch, path: e.name, problem: "submodule entry" });
    if (e.mode === "120000") {
      const target = (await p.blob(e.oid)).toString("utf8");
      const sl = symlinkProblem(e.name, target);
      if (sl) throw new UnsafeTreeEntryError({ branch, path: e.name, problem: sl });
    }
  }
}
