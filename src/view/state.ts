import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { CtxError } from "../errors.js";

/**
 * Per-view-repository state, kept in `$GIT_DIR/ctx/state.json` (never committed, never pushed).
 * It is what the clean/smudge filter reads to find a file's anchors from its top-level folder,
 * and what the remote helper reads to know which projects this machine joined.
 *
 * The schema uses `zod/mini` (same checks and messages as classic zod, with the English locale
 * set below): the filter process reads this file at every start, and bundled `zod/mini` loads in
 * ~5 ms against ~20 ms for classic zod (docs/architecture.md, "Performance notes").
 */
export const JoinedProjectSchema = z.looseObject({
  /** This machine's absolute project root, native spelling (e.g. `C:\Users\me\proj`). */
  root: z.string().check(z.minLength(1)),
  /**
   * The view folder name of a `folder`-layout agent (Claude Code: this machine's directory key
   * for `root`); `""` in a view of a `shared`-layout agent (Codex), whose files name their project.
   */
  key: z.string(),
  /** Roster policy `rewrite_home`: whether `{{CC_HOME}}` is used for this project. */
  rewriteHome: z._default(z.boolean(), true),
});
/** One joined project of a view (root, folder name, home policy). */
export type JoinedProject = z.infer<typeof JoinedProjectSchema>;

/** The schema of `$GIT_DIR/ctx/state.json` (unknown fields kept). */
export const ViewStateSchema = z.looseObject({
  version: z.literal(1),
  /** The agent whose store this view holds (src/agents); views made before issue 11 are Claude Code's. */
  agent: z.optional(z.enum(["claude", "codex", "gemini"])),
  /** The agent's home on this machine when it is not the default (e.g. `CODEX_HOME`), native spelling. */
  agentHome: z.optional(z.string()),
  /** The cluster URL without the `ctx::` prefix (any URL git accepts). */
  cluster: z._default(z.string(), ""),
  machine: z.object({ id: z.string(), os: z.enum(["linux", "darwin", "windows"]), home: z.string() }),
  /** Joined projects by project id. */
  projects: z._default(z.record(z.string(), JoinedProjectSchema), {}),
});
/** A view's state: its agent, cluster, this machine and the joined projects by id. */
export type ViewState = z.infer<typeof ViewStateSchema>;

// zod/mini carries no messages by default; the English locale gives the same ones as classic zod.
z.config(en());

/** `$GIT_DIR/ctx/state.json` exists but is not valid. */
export class ViewStateError extends CtxError {
  readonly code = "ViewState" as const;
  constructor(readonly data: { file: string; problem: string }) {
    super(`${data.file}: ${data.problem} (run 'git ctx doctor', or remove the file and re-run 'git ctx join' for each project)`);
  }
}

/** Path of the state file inside an absolute git dir. */
export function stateFile(gitDir: string): string {
  return path.join(gitDir, "ctx", "state.json");
}

/**
 * Reads the view state of the repository whose git dir is `gitDir` (absolute).
 * @returns the state, or `undefined` when the file does not exist (not a git-ctx view).
 * @throws ViewStateError when the file exists but is not valid JSON or fails the schema.
 */
export function readViewState(gitDir: string): ViewState | undefined {
  const file = stateFile(gitDir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ViewStateError({ file, problem: `not valid JSON (${(e as Error).message})` });
  }
  const r = ViewStateSchema.safeParse(json);
  if (!r.success) throw new ViewStateError({ file, problem: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
  return r.data;
}

/** Writes the view state atomically (temp file + rename), creating `$GIT_DIR/ctx/`. */
export function writeViewState(gitDir: string, state: ViewState): void {
  const file = stateFile(gitDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, JSON.stringify(ViewStateSchema.parse(state), null, 2) + "\n");
}

/** Finds the joined project whose view folder (directory key) is `folder`. */
export function projectByFolder(state: ViewState, folder: string): { id: string; project: JoinedProject } | undefined {
  for (const [id, project] of Object.entries(state.projects)) if (project.key === folder) return { id, project };
  return undefined;
}
