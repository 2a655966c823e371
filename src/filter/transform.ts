import { pipeline, type Duplex } from "node:stream";
import { agentOf } from "../agents/index.js";
import { CtxError } from "../errors.js";
import type { Anchors } from "../sentinel/index.js";
import type { ViewState } from "../view/state.js";
import type { FilterInput, FilterOutput, FilterRequest, FilterTransform } from "./process.js";

/**
 * What the clean/smudge filter does to one file of a view: find the file's anchors from its
 * top-level folder (this machine's directory key of a joined project, `$GIT_DIR/ctx/state.json`)
 * and run the sentinel codec. Everything effectful (state, index, codec) is injected, so this is
 * tested without git (test/filter/transform.test.ts).
 */

/** The anchors of one joined project on this machine (the sentinel codec's `Anchors`). */
export type FilterAnchors = Anchors;

/** The codec functions the filter uses (src/sentinel), injected so tests can pass a fake. */
export interface FilterCodec {
  /** Clean `content` reusing the lines of `base` (the index's canonical blob) that still match; see docs/architecture.md. */
  cleanWithBase(content: Buffer, anchors: FilterAnchors, base: Buffer | undefined): Buffer;
  /** Smudge: sentinels → this machine's paths. */
  localize(content: Buffer, anchors: FilterAnchors): Buffer;
  /** Streaming {@link FilterCodec.cleanWithBase}, the base read lazily from chunks (bounded memory). */
  createCleanWithBaseStream(anchors: FilterAnchors, base: AsyncIterable<Buffer> | undefined): Duplex;
  /** Streaming smudge. */
  createLocalizeStream(anchors: FilterAnchors): Duplex;
}

const FOLDERS = new WeakMap<ViewState, Map<string, ViewState["projects"][string]>>();

/** A file inside a view folder is filtered, but the repository has no `$GIT_DIR/ctx/state.json`. */
export class NotAViewError extends CtxError {
  readonly code = "FilterOutsideView" as const;
  constructor(readonly data: { gitDir: string; pathname: string }) {
    super(
      `${data.gitDir}/ctx/state.json is missing, so '${data.pathname}' cannot be filtered: this repository has filter=ctx attributes but is not a git-ctx view (run 'git ctx init' here, or remove the git-ctx block from ${data.gitDir}/info/attributes)`,
    );
  }
}

/**
 * Anchors of the joined project whose view folder is the first component of `pathname`
 * (repo-relative, `/`-separated), or `undefined` for root-level files and folders that are not a
 * joined project (those pass through unchanged: the remote helper never pushes them).
 */
export function anchorsForPath(state: ViewState, pathname: string): FilterAnchors | undefined {
  const slash = pathname.indexOf("/");
  if (slash <= 0) return undefined;
  // same lookup as projectByFolder (src/view/state.ts), without importing zod into the filter's
  // start-up, and through a per-state index (a view may hold thousands of folders)
  let byKey = FOLDERS.get(state);
  if (!byKey) {
    byKey = new Map();
    for (const x of Object.values(state.projects)) if (!byKey.has(x.key)) byKey.set(x.key, x);
    FOLDERS.set(state, byKey);
  }
  const p = byKey.get(pathname.slice(0, slash));
  if (!p) return undefined;
  // the agent's tiers (Gemini CLI: the slug folder and projectHash too)
  return agentOf(state).anchors(p, state.machine, state.agentHome);
}

/**
 * A file of a shared-layout view (Codex) whose project cannot be told: its first line is not a
 * `session_meta` under a joined root, and no joined project's cluster branch holds its path.
 */
export class UnplacedFileError extends CtxError {
  readonly code = "UnplacedFile" as const;
  constructor(readonly data: { pathname: string; command: string }) {
    super(
      `cannot ${data.command} '${data.pathname}': it belongs to no joined project (its first line names no directory under a joined root). ` +
        `Join its project ('git ctx join <root>'), or leave the file untracked ('git rm --cached -- ${data.pathname}')`,
    );
  }
}

/** The first line of `buf` (without `\n`), or `undefined` when it has none. */
function firstLineOf(buf: Buffer): string | undefined {
  const nl = buf.indexOf(10);
  return nl < 0 ? undefined : buf.toString("utf8", 0, nl);
}

/** Dependencies of {@link makeCtxTransform}. */
export interface CtxTransformDeps {
  codec: FilterCodec;
  /** The view state (read once per process by the caller); `undefined` when there is none. May throw ViewStateError. */
  state: () => ViewState | undefined;
  /** Absolute git dir, for messages. */
  gitDir: string;
  /** The canonical blob the index holds for `pathname` (stage 0), or `undefined` when none. */
  readIndexBlob: (pathname: string) => Promise<Buffer | undefined>;
  /** The same blob as a stream of chunks (for content too large to hold), or `undefined` when none. */
  streamIndexBlob: (pathname: string) => Promise<AsyncIterable<Buffer> | undefined>;
  /**
   * Shared-layout views only: the joined project of a path when its content cannot tell (smudge,
   * or content too large to hold): the cluster branch that holds it, else the work-tree file's
   * first line. Default: none.
   */
  placeShared?: (pathname: string, state: ViewState) => Promise<string | undefined>;
}

/**
 * Builds the filter transform of a view repository:
 * - root-level files pass through unchanged (without reading the state);
 * - files of folders that are not joined projects pass through unchanged;
 * - clean: `cleanWithBase(content, anchors, indexBlob)`; content spilled to disk (too large to
 *   hold) is cleaned as a stream, the index blob streamed too;
 * - smudge: `localize`, streamed for spilled content.
 * @throws (via the returned promise) NotAViewError for a folder file when there is no state;
 *   ViewStateError when the state is invalid; codec errors. The filter answers `status=error`.
 */
export function makeCtxTransform(deps: CtxTransformDeps): FilterTransform {
  return async (req: FilterRequest, input: FilterInput): Promise<FilterOutput> => {
    if (req.pathname.indexOf("/") <= 0) return passThrough(input);
    const state = deps.state();
    if (!state) throw new NotAViewError({ gitDir: deps.gitDir, pathname: req.pathname });
    const anchors = agentOf(state).layout === "shared" ? await sharedAnchors(deps, state, req, input) : anchorsForPath(state, req.pathname);
    if (!anchors) return passThrough(input);
    if (req.command === "clean") {
      if (input.buffer) return deps.codec.cleanWithBase(input.buffer, anchors, await deps.readIndexBlob(req.pathname));
      return piped(input, deps.codec.createCleanWithBaseStream(anchors, await deps.streamIndexBlob(req.pathname)));
    }
    if (input.buffer) return deps.codec.localize(input.buffer, anchors);
    return piped(input, deps.codec.createLocalizeStream(anchors));
  };
}

/**
 * Anchors of a file of a shared-layout view (issue 11): its project is the joined root holding
 * its first line's `session_meta.cwd` (clean, content in memory), else {@link CtxTransformDeps.placeShared}.
 * Files that are not the agent's session files pass through.
 * @throws UnplacedFileError when no joined project can be found for a session file.
 */
async function sharedAnchors(deps: CtxTransformDeps, state: ViewState, req: FilterRequest, input: FilterInput): Promise<FilterAnchors | undefined> {
  const agent = agentOf(state);
  if (agent.isSessionPath && !agent.isSessionPath(req.pathname)) return undefined;
  const first = req.command === "clean" && input.buffer ? firstLineOf(input.buffer) : undefined;
  const id = (first !== undefined ? agent.projectOfFile?.(first, state) : undefined) ?? (await deps.placeShared?.(req.pathname, state));
  const project = id === undefined ? undefined : state.projects[id];
  if (!project) throw new UnplacedFileError({ pathname: req.pathname, command: req.command });
  return agent.anchors(project, state.machine, state.agentHome);
}

function passThrough(input: FilterInput): FilterOutput {
  return input.buffer ?? (input.stream() as AsyncIterable<Buffer>);
}

/** Pipes the input's stream through `t`; errors of either side surface when iterating `t`. */
function piped(input: FilterInput, t: Duplex): AsyncIterable<Buffer> {
  pipeline(input.stream(), t, () => {});
  return t as AsyncIterable<Buffer>;
}
