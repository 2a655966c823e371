import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { CtxError } from "../errors.js";
import { MACHINE_OSES } from "./machine.js";

/**
 * One machine's entry in a project's roster. Field names follow the public context-convergence
 * project's `roster.json` so that clusters interoperate; fields this version does not know are
 * kept (zod `looseObject`) and written back unchanged.
 */
export const ParticipantSchema = z.looseObject({
  /** Stable machine id (see `src/roster/machine.ts`). */
  machine_id: z.string().check(z.minLength(1)),
  /** Decides path spellings and case rules for this machine's anchors. */
  os: z.enum(MACHINE_OSES as unknown as ["linux", "darwin", "windows"]),
  /** Home directory as written in this machine's transcripts (`/home/me`, `C:\Users\me`). */
  home: z.string().check(z.minLength(1)),
  /** Absolute project root on this machine, native spelling. */
  project_root: z.string().check(z.minLength(1)),
  /** Claude Code directory key of `project_root` on this machine (`claudeDirKey`). */
  encoded_dir: z.string().check(z.minLength(1)),
  /** ISO-8601 UTC time of this machine's last sync of the project; `null` when never. */
  last_converged: z._default(z.nullable(z.string()), null),
});
/** A roster participant (one machine). */
export type Participant = z.infer<typeof ParticipantSchema>;

/** A project's roster: `roster.json` at the top of the cluster branch `project/<id>`. */
export const RosterSchema = z.looseObject({
  /** The project id, also the branch name suffix (`project/<id>`). */
  project_id: z.string().check(z.minLength(1)),
  /** Policy: whether `<home>` is rewritten to `{{CC_HOME}}` in canonical content. */
  rewrite_home: z._default(z.boolean(), true),
  /** One entry per machine, unique by `machine_id`. */
  participants: z._default(z.array(ParticipantSchema), []),
});
/** A project's roster. */
export type Roster = z.infer<typeof RosterSchema>;

// zod/mini (not classic zod: ~0.3 MB less to load on the sync's and the helper's start, issue 15)
// carries no messages by default; the English locale gives the same ones as classic zod.
z.config(en());

/** A `roster.json` is not valid JSON or does not fit {@link RosterSchema}. */
export class InvalidRosterError extends CtxError {
  readonly code = "InvalidRoster" as const;
  constructor(readonly data: { where: string; problem: string }) {
    super(
      `invalid roster.json in ${data.where}: ${data.problem} ` +
        `(fix the file on that branch, e.g. 'git show ${data.where}' to inspect it, or remove the broken entry and run 'git ctx sync' to re-add this machine)`,
    );
  }
}

/**
 * Parses a roster from its JSON text.
 * @param text the content of `roster.json`.
 * @param where where the text came from, for the error message (e.g. `project/acme/app:roster.json`).
 * @returns the roster; unknown fields kept at both levels; defaults filled in
 *   (`rewrite_home: true`, `participants: []`, `last_converged: null`).
 * @throws InvalidRosterError when the text is not JSON, fails the schema, or lists a machine twice.
 */
export function parseRoster(text: string, where: string): Roster {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidRosterError({ where, problem: `not valid JSON (${(e as Error).message})` });
  }
  const r = RosterSchema.safeParse(json);
  if (!r.success) {
    throw new InvalidRosterError({
      where,
      problem: r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; "),
    });
  }
  const seen = new Set<string>();
  for (const p of r.data.participants) {
    if (seen.has(p.machine_id)) throw new InvalidRosterError({ where, problem: `machine '${p.machine_id}' is listed twice` });
    seen.add(p.machine_id);
  }
  return r.data;
}

/**
 * Serialises a roster the same way on every machine, so that equal rosters give equal blobs:
 * 2-space JSON, a final `"\n"`, participants sorted by `machine_id` (code-unit order).
 * Key order inside objects is kept as given (known fields first after {@link parseRoster}).
 * Inverse of {@link parseRoster} up to participant order and filled-in defaults.
 */
export function serializeRoster(r: Roster): string {
  const participants = [...r.participants].sort((a, b) => (a.machine_id < b.machine_id ? -1 : a.machine_id > b.machine_id ? 1 : 0));
  return JSON.stringify({ ...r, participants }, null, 2) + "\n";
}

/**
 * Returns a new roster where the participant with `p.machine_id` is replaced by `p` (its unknown
 * fields are kept unless `p` overrides them), or `p` is added. Pure: `r` is not modified.
 */
export function upsertParticipant(r: Roster, p: Participant): Roster {
  const old = r.participants.find((x) => x.machine_id === p.machine_id);
  const merged: Participant = old ? { ...old, ...p } : { ...p };
  const participants = old ? r.participants.map((x) => (x === old ? merged : x)) : [...r.participants, merged];
  return { ...r, participants };
}

/** A roster with no participants for `projectId`; `rewriteHome` is the `rewrite_home` policy (default true). */
export function newRoster(projectId: string, rewriteHome = true): Roster {
  return { project_id: projectId, rewrite_home: rewriteHome, participants: [] };
}
