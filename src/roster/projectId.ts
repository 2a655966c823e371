import { existsSync } from "node:fs";
import { InvalidInputError } from "../errors.js";
import { git } from "../git/exec.js";

/**
 * Chooses a project's id (the cluster branch is `project/<id>`), in this order:
 * 1. `explicit` (`--id`), validated as is;
 * 2. the URL of the project root's `origin` remote (`git -C root remote get-url origin`),
 *    normalised by {@link normalizeRemoteUrl} to `host/owner/repo`, so every clone of one repo
 *    gets the same id on every machine;
 * 3. the root's base name (separators `/` and `\`), with characters outside `[A-Za-z0-9._-]`
 *    replaced by `-`.
 * @throws InvalidInputError when the result fails {@link validateProjectId} (only possible for
 *   `explicit`, or a base name with nothing usable in it).
 */
export async function projectIdFor(root: string, explicit?: string): Promise<string> {
  if (explicit !== undefined) return validateProjectId(explicit);
  if (existsSync(root)) {
    try {
      const url = await git(["-C", root, "remote", "get-url", "origin"], { noCtxFilter: true });
      const id = normalizeRemoteUrl(url.trim());
      if (id) return validateProjectId(id);
    } catch {
      /* not a repository, or no origin: fall back to the base name */
    }
  }
  const base =
    root
      .replace(/[\\/]+$/, "")
      .split(/[\\/]/)
      .pop() ?? "";
  return validateProjectId(sanitizeSegment(base));
}

/**
 * `git@github.com:acme/app.git`, `https://github.com/acme/app(.git)`, `ssh://git@host:22/acme/app`,
 * `git://host/acme/app`, `file:///srv/git/app.git`, `/srv/git/app.git` → `host/owner/repo`
 * (no user, port, `.git` or trailing slash; host lower-cased; each segment sanitised to
 * `[A-Za-z0-9._-]`). Local paths give their last two segments. `undefined` when nothing usable.
 */
export function normalizeRemoteUrl(url: string): string | undefined {
  let host = "";
  let rest: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^/:]*)(?::\d*)?(\/.*)?$/i.exec(url);
  const scp = /^(?:[^@/]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(url);
  if (scheme && scheme[1]!.toLowerCase() !== "file") {
    host = scheme[2]!.toLowerCase();
    rest = scheme[3] ?? "";
  } else if (scheme) {
    rest = scheme[3] ?? "";
  } else if (scp && !/^[A-Za-z]$/.test(scp[1]!)) {
    host = scp[1]!.toLowerCase();
    rest = scp[2]!;
  } else rest = url;
  let segs = rest.split(/[\\/]+/).filter((s) => s && s !== "." && s !== "..");
  if (segs.length) segs[segs.length - 1] = segs[segs.length - 1]!.replace(/\.git$/, "");
  segs = segs.map(sanitizeSegment).filter(Boolean);
  if (!host) segs = segs.slice(-2);
  const id = [host && sanitizeSegment(host), ...segs].filter(Boolean).join("/");
  return id || undefined;
}

/** Replaces characters outside `[A-Za-z0-9._-]` with `-`, trims leading `-`/`.` and trailing `.`, drops `.lock`. */
function sanitizeSegment(s: string): string {
  return s
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .replace(/\.lock$/, "-lock")
    .replace(/\.{2,}/g, ".")
    .replace(/^[-.]+/, "")
    .replace(/\.+$/, "");
}

/**
 * Checks that `id` is safe as a project id: used in the ref `project/<id>`, in file names and in
 * messages. Rules: not empty, at most 200 characters, no `\`, no leading `/` or `-`, no `..`
 * segment, no control characters, and `project/<id>` passes git's ref-name rules
 * (`git help check-ref-format`: no component starting with `.` or ending in `.lock`, no `..`,
 * no space `~ ^ : ? * [`, no `@{`, no `//`, not ending in `/` or `.`, not `@`).
 * @returns `id` unchanged.
 * @throws InvalidInputError naming the rule and the fix (`--id <host/owner/repo>`).
 */
export function validateProjectId(id: string): string {
  const bad = projectIdProblem(id);
  if (bad) throw new InvalidInputError({ what: "project id", value: id, fix: `${bad}; choose another with --id, e.g. --id github.com/me/project` });
  return id;
}

/** The first rule `id` breaks (see {@link validateProjectId}), or `undefined` when it is valid. */
export function projectIdProblem(id: string): string | undefined {
  if (id.length === 0) return "it is empty";
  if (id.length > 200) return "it is longer than 200 characters";
  if (/[\x00-\x1f\x7f]/.test(id)) return "it contains a control character";
  if (id.includes("\\")) return "it contains '\\'";
  if (id.startsWith("/")) return "it starts with '/'";
  if (id.startsWith("-")) return "it starts with '-'";
  if (id.split("/").includes("..") || id.includes("..")) return "it contains '..'";
  if (/[ ~^:?*[]/.test(id)) return "it contains one of: space ~ ^ : ? * [";
  if (id.includes("@{")) return "it contains '@{'";
  if (id.includes("//")) return "it contains '//'";
  if (id.endsWith("/")) return "it ends with '/'";
  if (id.endsWith(".")) return "it ends with '.'";
  for (const c of id.split("/")) {
    if (c.startsWith(".")) return `its part '${c}' starts with '.'`;
    if (c.endsWith(".lock")) return `its part '${c}' ends with '.lock'`;
  }
  return undefined;
}
