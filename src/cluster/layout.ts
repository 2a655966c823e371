import { createHash } from "node:crypto";
/**
 * Names of the cluster layout (docs/cluster-format.md "Cluster layout"), shared with the public
 * context-convergence project: one orphan branch `project/<id>` per project holding `roster.json`
 * and `context/`, and a branch `main` with a README.
 */

/** Branch prefix of project branches in the cluster (`refs/heads/project/<id>`). */
export const PROJECT_BRANCH_PREFIX = "refs/heads/project/";
/** The cluster's README branch. */
export const CLUSTER_MAIN = "refs/heads/main";
/** Folder of a project branch holding the canonical project directory content. */
export const CONTEXT_DIR = "context";
/** File at the root of a project branch naming its cluster format (`{"format": N}`); absent = format 1. */
export const FORMAT_FILE = "format.json";
/**
 * The cluster format this release writes and the newest it reads (docs/cluster-format.md, "Format
 * version"): 1 = `roster.json` + `context/` (context-convergence's layout); 2 = format 1 plus one
 * folder per further agent (`codex/`) and `format.json`.
 */
export const CLUSTER_FORMAT = 2;
/** The text of {@link FORMAT_FILE} this release writes. */
export const FORMAT_TEXT = `{"format":${CLUSTER_FORMAT}}\n`;
/**
 * The blob id of {@link FORMAT_TEXT} in a SHA-1 repository (`sha1("blob <size>\0" + text)`, git's
 * object format): a branch whose `format.json` has this id needs no read (a SHA-256 repository
 * simply reads the blob).
 */
export const FORMAT_OID = createHash("sha1")
  .update(`blob ${Buffer.byteLength(FORMAT_TEXT)}\0${FORMAT_TEXT}`)
  .digest("hex");

/** File at the root of a project branch holding the roster. */
export const ROSTER_FILE = "roster.json";

/** View-repository ref: the last view commit this machine exchanged with the cluster. */
export const VIEW_LAST_REF = "refs/ctx/view/last";
export { CLUSTER_TRACKING_PREFIX, clusterTrackingRef } from "../view/refs.js";
/** The only branch of the view (what git sees through the remote helper). */
export const VIEW_BRANCH = "refs/heads/main";

/** Identity of the view commits and of the README commit: fixed, so they are deterministic. */
export const CTX_IDENTITY = { name: "git-ctx", email: "git-ctx@localhost" } as const;

/** `refs/heads/project/<id>`. */
export function projectBranch(id: string): string {
  return PROJECT_BRANCH_PREFIX + id;
}

/** `project/<id>` (the branch's short name, used in messages). */
export function projectBranchShort(id: string): string {
  return `project/${id}`;
}

/** The project id of a cluster ref `refs/heads/project/<id>`, or undefined. */
export function projectIdOfBranch(ref: string): string | undefined {
  return ref.startsWith(PROJECT_BRANCH_PREFIX) && ref.length > PROJECT_BRANCH_PREFIX.length ? ref.slice(PROJECT_BRANCH_PREFIX.length) : undefined;
}

/** README.md of the cluster's `main` branch (created by the first push when absent). */
export const CLUSTER_README = `# git-ctx context cluster

This repository holds AI coding agents' project context (session transcripts, subagents, tool
results, memory, rollouts), one project per orphan branch \`project/<id>\`, in a
machine-neutral canonical form: machine paths are replaced by sentinels such as
\`{{CC_PROJECT_ROOT}}\`. Each project branch has \`roster.json\` (each machine's root and home),
\`format.json\` (the cluster format) and one folder per agent: \`context/\` (Claude Code; the
layout is shared with context-convergence) and \`codex/\` (Codex CLI).

Use it through git-ctx, not by hand (on a new machine, one command makes every agent's view):

    git ctx install
    git ctx join --remote <this repository's URL> <project-root>
    git ctx projects

Keep this repository private: transcripts can contain secrets.
`;
