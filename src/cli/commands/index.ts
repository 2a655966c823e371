import type { CommandModule } from "yargs";
import { completionCommand } from "./completion.js";
import { doctorCommand } from "./doctor.js";
import { hookCommand } from "./hook.js";
import { initCommand } from "./init.js";
import { installCommand } from "./install.js";
import { joinCommand } from "./join.js";
import { learnCommand } from "./learn.js";
import { leaveCommand } from "./leave.js";
import { projectsCommand } from "./projects.js";
import { redactCommand } from "./redact.js";
import { resumeCommand } from "./resume.js";
import { rulesCommand } from "./rules.js";
import { scanCommand } from "./scan.js";
import { agentsCommand, sessionsCommand, showCommand } from "./sessions.js";
import { statusCommand } from "./status.js";
import { syncCommand } from "./sync.js";

/** Every `git ctx` subcommand, in the order `--help` lists them. */
export const commands: CommandModule<any, any>[] = [
  installCommand,
  initCommand,
  joinCommand,
  leaveCommand,
  projectsCommand,
  sessionsCommand,
  showCommand,
  agentsCommand,
  resumeCommand,
  syncCommand,
  statusCommand,
  hookCommand,
  scanCommand,
  redactCommand,
  learnCommand,
  rulesCommand,
  doctorCommand,
  completionCommand,
];
