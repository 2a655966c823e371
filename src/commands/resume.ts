import { existsSync, statSync } from "node:fs";
import { agentById, type AgentId } from "../agents/index.js";
import { CtxError, InvalidInputError } from "../errors.js";
import { findSession } from "./sessions.js";

/** The session has nothing a target could resume. */
export class EmptySessionError extends CtxError {
  readonly code = "EmptySession" as const;
  constructor(readonly data: { agent: string; id: string; path: string }) {
    super(`${data.agent} session ${data.id} (${data.path}) has no message to carry over: nothing was written`);
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
}

/**
 * `git ctx resume <id> --in <agent>`: finds the session in any agent's store, writes it as a new
 * native session of the target agent for the same project root on this machine (the target
 * module's writer: read back and checked, nothing left on failure) and says how to continue it.
 * The whole session is converted (an agent without a writer is refused by name).
 * @throws UnknownSessionError, AmbiguousSessionError, EmptySessionError, ResumeRootError,
 *   InvalidInputError (target), ResumeWriteError.
 */
export async function resume(o: { id: string; into: AgentId; dryRun?: boolean; env?: NodeJS.ProcessEnv }): Promise<ResumeReport> {
  const env = o.env ?? process.env;
  const target = agentById(o.into);
  if (!target.writeSession) throw new InvalidInputError({ what: "--in", value: o.into, fix: `git-ctx cannot write ${target.title} sessions` });
  const s = findSession(o.id, env);
  if (!s.messages.length) throw new EmptySessionError({ agent: agentById(s.agent).title, id: s.id, path: s.path });
  const root = s.root;
  if (!root || !existsSync(root) || !statSync(root).isDirectory()) throw new ResumeRootError({ id: s.id, root });
  const w = await target.writeSession(s, root, env, { dryRun: o.dryRun });
  return {
    agent: target.id,
    session_id: w.id,
    path: w.path,
    cwd: root,
    command: w.command,
    source: { agent: s.agent, session_id: s.id },
    warnings: w.warnings,
    dryRun: o.dryRun === true,
  };
}

/** The report as text. */
export function formatResume(r: ResumeReport): string {
  const title = agentById(r.agent).title;
  const head = r.dryRun
    ? `git ctx resume: would write ${agentById(r.source.agent).title} session ${r.source.session_id} as a new ${title} session: ${r.path} (dry run: nothing written)`
    : `git ctx resume: ${agentById(r.source.agent).title} session ${r.source.session_id} is now ${title} session ${r.session_id}\n  ${r.path}\n  continue with: ${r.command}`;
  return [head, ...r.warnings.map((w) => `  note: ${w}`)].join("\n") + "\n";
}
