import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

interface SessionsArgs {
  json: boolean;
  agent?: string;
  project?: string;
  limit: number;
}

/** `git ctx sessions`: every agent's sessions on this machine, newest first. */
export const sessionsCommand: CommandModule<object, SessionsArgs> = {
  command: "sessions",
  describe: "list every agent's sessions on this machine (Claude Code, Codex, Gemini), newest first",
  builder: (y) =>
    y
      .option("agent", { choices: ["claude", "codex", "gemini"], describe: "only this agent's sessions" })
      .option("project", { type: "string", describe: "only sessions of this project root (or below it)" })
      .option("limit", { type: "number", default: 20, describe: "at most this many" })
      .option("json", { type: "boolean", default: false, describe: "print JSON (id, agent, root, title, messages, updated, path)" })
      .example("git ctx sessions", "the 20 newest sessions of every agent")
      .example("git ctx sessions --project . --agent codex", "this project's Codex sessions") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { listSessions, formatSessions, sessionsDocument } = await import("../../commands/sessions.js");
        const list = listSessions({ agent: a.agent as "claude" | "codex" | "gemini" | undefined, project: a.project, limit: a.limit });
        process.stdout.write(a.json ? (await import("../../json/version.js")).jsonText(sessionsDocument(list)) : formatSessions(list));
      },
      { command: "sessions", json: a.json },
    ),
};

interface ShowArgs {
  id: string;
  json: boolean;
}

/** `git ctx show <id>`: one session of any agent, by id or unique prefix. */
export const showCommand: CommandModule<object, ShowArgs> = {
  command: "show <id>",
  describe: "show one session of any agent (full id or a unique prefix): its facts and messages",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "session id or a unique prefix of it" })
      .option("json", { type: "boolean", default: false, describe: "print the canonical session as JSON (native records left out)" })
      .example("git ctx show 0f0501ed", "the session whose id starts with 0f0501ed, whichever agent has it") as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { findSession, formatSession, showDocument } = await import("../../commands/sessions.js");
        const s = findSession(a.id);
        process.stdout.write(a.json ? (await import("../../json/version.js")).jsonText(showDocument(s)) : formatSession(s));
      },
      { command: "show", json: a.json },
    ),
};

interface AgentsArgs {
  json: boolean;
}

/** `git ctx agents`: the agents found here, their versions, stores and session counts. */
export const agentsCommand: CommandModule<object, AgentsArgs> = {
  command: "agents",
  describe: "the agents found on this machine: version, store, number of sessions",
  builder: (y) => y.option("json", { type: "boolean", default: false, describe: "print JSON" }) as never,
  handler: (a) =>
    runCommand(
      async () => {
        const { listAgents, formatAgents, agentsDocument } = await import("../../commands/sessions.js");
        const list = listAgents();
        process.stdout.write(a.json ? (await import("../../json/version.js")).jsonText(agentsDocument(list)) : formatAgents(list));
      },
      { command: "agents", json: a.json },
    ),
};
