import { CtxError } from "../errors.js";
import { shellQuote } from "../git/shell.js";

/**
 * A cluster branch holds a tree entry that would escape the project folder when checked out:
 * a `..` or `.` component, an absolute or empty name, a backslash, a `.git` component, a
 * submodule, or a symlink whose target points outside the folder.
 */
export class UnsafeTreeEntryError extends CtxError {
  readonly code = "UnsafeTreeEntry" as const;
  constructor(readonly data: { branch: string; path: string; problem: string }) {
    super(
      `cluster branch ${data.branch} holds an unsafe entry '${data.path}' (${data.problem}); ` +
        `git-ctx refuses to check it out. Remove the entry on that branch (e.g. with a clone of the cluster) and pull again`,
    );
  }
}

/**
 * The inbound gate refused a cluster branch whole (issue 22): it holds more files than
 * `ctx.inbound.maxFiles`. Nothing of it reaches the view, and this machine's changes are not
 * merged into it; the other projects go on syncing.
 */
export class RefusedBranchError extends CtxError {
  readonly code = "RefusedBranch" as const;
  constructor(readonly data: { branch: string; why: string }) {
    super(
      `cluster branch ${data.branch} was refused: ${data.why}. Nothing of it was written here. ` +
        `If it is genuine, raise the limit (git config ctx.inbound.maxFiles <n>) and run 'git ctx sync' again; otherwise remove the files from that branch`,
    );
  }
}

/** `git ctx join` named a project id that has no `project/<id>` branch in the cluster. */
export class UnknownProjectError extends CtxError {
  readonly code = "UnknownProject" as const;
  constructor(readonly data: { id: string; cluster: string; known: string[] }) {
    super(
      `no project '${data.id}' in ${data.cluster}` +
        (data.known.length ? ` (it has: ${data.known.join(", ")})` : " (it has no projects yet)") +
        `; run 'git ctx projects' to list them and pass the right one with --id, or 'git ctx init <root>' to create it`,
    );
  }
}

/** Two joined projects would use the same view folder (the directory key is lossy). */
export class KeyCollisionError extends CtxError {
  readonly code = "KeyCollision" as const;
  constructor(readonly data: { key: string; id: string; other: string; root: string }) {
    super(
      `project '${data.id}' (root ${data.root}) would use the folder '${data.key}', already used by joined project '${data.other}'; ` +
        `Claude Code keys both roots the same way, so they cannot both be joined on this machine: move one project to another path`,
    );
  }
}

/** A folder is not a git-ctx view repository (no `$GIT_DIR/ctx/state.json`). */
export class NotAViewError extends CtxError {
  readonly code = "NoViewState" as const;
  constructor(readonly data: { dir: string }) {
    super(
      `${data.dir} is not a git-ctx view (no .git/ctx/state.json); ` +
        `run 'git clone ctx::<cluster-url> ${shellQuote(data.dir)}' on a new machine, or 'git ctx init --remote <cluster-url> <project-root>' to adopt it`,
    );
  }
}

/** The view has no cluster URL (`remote.origin.url` is not `ctx::<url>` and state has none). */
export class NoClusterError extends CtxError {
  readonly code = "NoCluster" as const;
  constructor(readonly data: { dir: string }) {
    super(`the view ${data.dir} has no cluster: pass --remote <cluster-url> (any git URL, or a local path for a new bare cluster)`);
  }
}

/** A `git push` (or pull) in the view failed; the message carries git's output. */
export class ViewGitError extends CtxError {
  readonly code = "ViewGit" as const;
  constructor(readonly data: { step: string; dir: string; output: string }) {
    super(`${data.step} failed in ${data.dir}: ${data.output.trim() || "(no output)"}; fix the cause and re-run the command (it is safe to repeat)`);
  }
}

/** The cluster cannot be listed (`git ls-remote` failed): wrong URL, no access, or no network. */
export class ClusterUnreachableError extends CtxError {
  readonly code = "ClusterUnreachable" as const;
  constructor(readonly data: { url: string; output: string }) {
    super(
      `cannot read the cluster ${data.url}: ${data.output.trim() || "(git said nothing)"}; ` +
        `check the URL and your access with 'git ls-remote ${shellQuote(data.url)}' (the same ssh keys and credential helpers apply), then re-run`,
    );
  }
}

/** `git ctx init --remote <url>` on a view that already belongs to another cluster. */
export class ClusterMismatchError extends CtxError {
  readonly code = "ClusterMismatch" as const;
  constructor(readonly data: { dir: string; current: string; requested: string }) {
    super(
      `${data.dir} is already the view of the cluster ${data.current}, not ${data.requested}; ` +
        `run git ctx init without --remote to add projects to it. If that cluster moved to the new URL, run ` +
        `'git -C ${shellQuote(data.dir)} remote set-url origin ${shellQuote(`ctx::${data.requested}`)}' and re-run; one view belongs to one cluster`,
    );
  }
}

/** The view folder is a git repository whose `origin` is not a `ctx::` cluster (the user's own backup repository, say). */
export class ForeignOriginError extends CtxError {
  readonly code = "ForeignOrigin" as const;
  constructor(readonly data: { dir: string; origin: string }) {
    super(
      `${data.dir} is a git repository whose remote 'origin' is ${data.origin}, not a git-ctx cluster; git-ctx will not replace it. ` +
        `Rename it ('git -C ${shellQuote(data.dir)} remote rename origin backup') and re-run git ctx init`,
    );
  }
}

/**
 * A cluster branch was written by a newer git-ctx (its `format.json` names a cluster format this
 * release does not read, docs/cluster-format.md "Format version"): reading it could misplace or
 * drop files, so the project is left out until git-ctx is upgraded.
 */
export class NewerClusterFormatError extends CtxError {
  readonly code = "NewerClusterFormat" as const;
  constructor(readonly data: { branch: string; format: number; supported: number }) {
    super(
      `cluster branch ${data.branch} uses cluster format ${data.format}, and this git-ctx reads formats up to ${data.supported}: ` +
        `upgrade git-ctx on this machine (npm install -g git-ctx@latest) and sync again; the branch is left as it is`,
    );
  }
}

/**
 * `git ctx init` was given a project root that does not exist on this machine, and the view holds
 * no session of it either: most likely a typo, which would make a project nobody uses (issue 24,
 * point 6). A root whose folder is gone but whose sessions are still in the store is accepted.
 */
export class ProjectRootMissingError extends CtxError {
  readonly code = "ProjectRootMissing" as const;
  constructor(readonly data: { root: string; dir: string }) {
    super(
      `project root ${data.root} does not exist on this machine, and ${data.dir} holds no session of it: ` +
        `check the path for a typo, or create the folder (mkdir -p ${shellQuote(data.root)}) and run the command again`,
    );
  }
}
