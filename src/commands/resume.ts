import { existsSync, readFileSync, statSync } from "node:fs";
import { agentById, type AgentId } from "../agents/index.js";
import { firstTornLine } from "../agents/records.js";
import { fromLastCompaction } from "../agents/session.js";
import { CtxError, InvalidInputError } from "../errors.js";
import { findSession } from "./sessions.js";
import { SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";

/** The session has nothing a target could resume. */
export class EmptySessionError extends CtxError {
  readonly code = "EmptySession" as const;
  constructor(readonly data: { agent: string; id: string; path: string }) {
    super(`${data.agent} session ${data.id} (${data.path}) has no message to carry over: nothing was written`);
  }
}

/**
 * `resume <id> --in <agent>` where the session already is that agent's (issue 23, point 8): a
 * conversion would write a truncated fork of it (from its last compaction) beside it. Nothing is
 * written; the agent's own command continues the session.
 */
export class SameAgentResumeError extends CtxError {
  readonly code = "SameAgentResume" as const;
  constructor(readonly data: { agent: string; id: string; command?: string }) {
    super(`session ${data.id} already is a ${data.agent} session: nothing to convert, nothing was written${data.command ? `. Continue it with: ${data.command}` : ""}`);
  }
}

/** A line of the source session is not whole JSON (torn or truncated): nothing is converted. */
export class TornSessionError extends CtxError {
  readonly code = "TornSession" as const;
  constructor(readonly data: { path: string; line: number; text: string }) {
    super(
      `line ${data.line} of ${data.path} is not whole JSON (${JSON.stringify(data.text)}): nothing was written. If the agent is still writing this session, run git ctx resume again when its turn has ended; otherwise repair or remove that line`,
    );
  }
}

/** The project directory the session ran in does not exist on this machine. */
export class ResumeRootError extends CtxError {
  readonly code = "ResumeRoot" as const;
  constructor(readonly data: { id: string; root?: string }) {
    super(
      data.root
        ? `session ${data.id} ran in ${data.root}, which is not a directory on this machine: resume it where its project is (git ctx join the project here first)`
        : `session ${data.id} names no project directory: it cannot be resumed in another agent`,
    );
  }
}

/** What `git ctx resume --json` prints (issue 13, scope 2). */
export interface ResumeReport {
  agent: AgentId;
  session_id: string;
  path: string;
  cwd: string;
  command: string;
  source: { agent: AgentId; session_id: string };
  warnings: string[];
  dryRun: boolean;
  /** `last-compaction`: converted from the source's last compaction point (the default); `start`: everything (`--full`, or never compacted). */
  from: "last-compaction" | "start";
  /** Where `--force` moved the earlier conversion it replaced. */
  replaced?: string;
}

/**
 * `git ctx resume <id> --in <agent>`: finds the session in any agent's store, writes it as a new
 * native session of the target agent for the same project root on this machine (the target
 * module's writer: read back and checked, nothing left on failure) and says how to continue it.
 * By default a compacted session is converted from its last compaction point, as its own agent
 * would resume it (`fromLastCompaction`; the report says so); `full` converts every message.
 * The new session's id is derived from the source's: converting the same session into the same
 * agent again is refused unless `force` (the earlier file is kept as `.bak`). An agent without a
 * writer is refused by name. The source file must be whole JSON lines (a torn line is refused).
 * @throws UnknownSessionError, AmbiguousSessionError, TornSessionError, EmptySessionError,
 *   ResumeRootError, InvalidInputError (target), ResumeExistsError, ResumeWriteError.
 */
export async function resume(o: { id: string; into: AgentId; dryRun?: boolean; force?: boolean; full?: boolean; env?: NodeJS.ProcessEnv }): Promise<ResumeReport> {
  const env = o.env ?? process.env;
  const target = agentById(o.into);
  if (!target.writeSession) throw new InvalidInputError({ what: "--in", value: o.into, fix: `git-ctx cannot write ${target.title} sessions` });
  const found = findSession(o.id, env);
  if (found.agent === target.id)
    throw new SameAgentResumeError({ agent: target.title, id: found.id, command: found.root ? target.resumeCommand?.(found.id, found.root) : undefined });
  if (found.path.endsWith(".jsonl")) {
    const torn = firstTornLine(readFileSync(found.path));
    if (torn) throw new TornSessionError({ path: found.path, ...torn });
  }
  const s = o.full ? found : fromLastCompaction(found);
  if (!s.messages.length) throw new EmptySessionError({ agent: agentById(s.agent).title, id: s.id, path: s.path });
  const root = s.root;
  if (!root || !existsSync(root) || !statSync(root).isDirectory()) throw new ResumeRootError({ id: s.id, root });
  const w = await target.writeSession(s, root, env, { dryRun: o.dryRun, force: o.force });
  const from = s !== found ? "last-compaction" : "start";
  const notes =
    from === "last-compaction"
      ? [
          `converted from the session's last compaction point${found.compaction!.timestamp ? ` (${found.compaction!.timestamp})` : ""}, as ${agentById(found.agent).title} itself resumes it: ${s.messages.length} of its messages (the ${found.compaction!.at} before it are in its summary); --full converts all ${found.messages.length}`,
        ]
      : [];
  return {
    agent: target.id,
    session_id: w.id,
    path: w.path,
    cwd: root,
    command: w.command,
    source: { agent: s.agent, session_id: s.id },
    warnings: [...notes, ...w.warnings],
    dryRun: o.dryRun === true,
    from,
    ...(w.replaced ? { replaced: w.replaced } : {}),
  };
}

/** The report as text. */
export function formatResume(r: ResumeReport): string {
  const title = agentById(r.agent).title;
  const head = r.dryRun
    ? `git ctx resume: would write ${agentById(r.source.agent).title} session ${r.source.session_id} as a new ${title} session: ${r.path} (dry run: nothing written)`
    : `git ctx resume: ${agentById(r.source.agent).title} session ${r.source.session_id} is now ${title} session ${r.session_id}\n  ${r.path}\n  continue with: ${r.command}`;
  const bak = r.replaced ? [`  ${r.dryRun ? "would move" : "moved"} the earlier conversion to ${r.replaced}`] : [];
  return [head, ...bak, ...r.warnings.map((w) => `  note: ${w}`)].join("\n") + "\n";
}

/** The `git ctx resume --json` document (src/json/schemas.ts `ResumeSchema`): the new session's `id`, the shell command to continue it as `run`. */
export function resumeDocument(r: ResumeReport): JsonDocument<"resume"> {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "resume",
    ok: true,
    dryRun: r.dryRun,
    agent: r.agent,
    id: r.session_id,
    path: r.path,
    cwd: r.cwd,
    run: r.command,
    source: { agent: r.source.agent, id: r.source.session_id },
    from: r.from,
    warnings: r.warnings.map((message) => ({ message })),
    ...(r.replaced !== undefined ? { replaced: r.replaced } : {}),
  };
}
