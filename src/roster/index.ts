/**
 * `src/roster`: who takes part in a project and where its root is on each machine.
 * Schema and (de)serialisation ({@link ./schema.ts}), project ids ({@link ./projectId.ts}) and
 * machine identity ({@link ./machine.ts}). Agent-specific knowledge (Claude Code's directory key,
 * root inference from transcripts) is in src/agents.
 */
import type { Machine } from "./machine.js";
import type { Participant } from "./schema.js";

export * from "./machine.js";
export * from "./schema.js";
export * from "./projectId.js";

/**
 * This machine's roster entry for a project whose root here is `root` and whose view folder
 * (directory key) is `key`; `last_converged` is `now` as ISO-8601 UTC.
 */
export function participantFor(machine: Machine, root: string, key: string, now: Date): Participant {
  return {
    machine_id: machine.id,
    os: machine.os,
    home: machine.home,
    project_root: root,
    encoded_dir: key,
    last_converged: now.toISOString(),
  };
}
