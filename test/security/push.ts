import { execFileSync } from "node:child_process";

/**
 * What an adversary with push access does to a cluster (issue 22): commits any tree on
 * `project/<id>` with plain git plumbing, keeping what the branch holds and laying hostile
 * entries over it. `git mktree -z` accepts names git's checkout refuses (`..`, `.git`, newlines),
 * which is the point.
 */

/** One hostile entry: a file, a symbolic link (its target as the blob), or a gitlink. */
export type HostileEntry = { text: string; mode?: "100644" | "100755" } | { link: string } | { gitlink: string };

const gitIn = (url: string, args: string[], input?: string): string =>
  execFileSync("git", ["--git-dir", url, ...args], { input, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } })
    .toString("utf8")
    .trim();

/**
 * Commits on `refs/heads/project/<id>` of the bare cluster `url` a tree made of the branch's
 * current files (unless `replace`) with `entries` laid over them (paths from the branch's root,
 * e.g. `context/d/e/a`); an entry whose path crosses a file of the tree replaces it with a folder.
 * @returns the new commit id.
 */
export function hostilePush(url: string, id: string, entries: Record<string, HostileEntry>, o: { replace?: boolean; message?: string } = {}): string {
  const ref = `refs/heads/project/${id}`;
  let tip = "";
  try {
    tip = gitIn(url, ["rev-parse", "--verify", "-q", ref]);
  } catch {
    tip = "";
  }
  const flat = new Map<string, { mode: string; type: string; oid: string }>();
  if (tip && !o.replace) {
    const out = execFileSync("git", ["--git-dir", url, "ls-tree", "-r", "-z", tip]).toString("utf8");
    for (const rec of out.split("\0").filter(Boolean)) {
      const tab = rec.indexOf("\t");
      const [mode, type, oid] = rec.slice(0, tab).split(" ") as [string, string, string];
      flat.set(rec.slice(tab + 1), { mode, type, oid });
    }
  }
  for (const [p, e] of Object.entries(entries)) {
    // a folder replaces a file at any of the path's ancestors (the two-step link exploit)
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) flat.delete(parts.slice(0, i).join("/"));
    for (const k of [...flat.keys()]) if (k.startsWith(p + "/")) flat.delete(k);
    if ("gitlink" in e) flat.set(p, { mode: "160000", type: "commit", oid: e.gitlink });
    else {
      const oid = gitIn(url, ["hash-object", "-w", "--stdin"], "link" in e ? e.link : e.text);
      flat.set(p, { mode: "link" in e ? "120000" : (e.mode ?? "100644"), type: "blob", oid });
    }
  }
  type Node = { leaves: Map<string, { mode: string; type: string; oid: string }>; dirs: Map<string, Node> };
  const root: Node = { leaves: new Map(), dirs: new Map() };
  for (const [p, e] of flat) {
    const parts = p.split("/");
    let n = root;
    for (const d of parts.slice(0, -1)) {
      if (!n.dirs.has(d)) n.dirs.set(d, { leaves: new Map(), dirs: new Map() });
      n = n.dirs.get(d)!;
    }
    n.leaves.set(parts.at(-1)!, e);
  }
  const write = (n: Node): string => {
    const recs: string[] = [];
    for (const [name, e] of n.leaves) recs.push(`${e.mode} ${e.type} ${e.oid}\t${name}\0`);
    for (const [name, d] of n.dirs) recs.push(`040000 tree ${write(d)}\t${name}\0`);
    return gitIn(url, ["mktree", "-z"], recs.join(""));
  };
  const tree = write(root);
  const commit = gitIn(url, ["-c", "user.name=mallory", "-c", "user.email=m@evil", "commit-tree", tree, ...(tip ? ["-p", tip] : []), "-m", o.message ?? "hostile"]);
  gitIn(url, ["update-ref", ref, commit]);
  return commit;
}
