import * as z from "zod/mini";
import { ErrorDocumentSchema, JSON_SCHEMAS } from "./schemas.js";
import { SCHEMA_VERSION } from "./version.js";

/**
 * The text of docs/json.md: the rules every `--json` document follows, then each command's JSON
 * Schema (draft 2020-12, `z.toJSONSchema` of src/json/schemas.ts) and the error document's.
 * Pure: the same schemas give the same bytes; `npm run docs:json` writes it and
 * test/cli/json-docs.test.ts fails when the committed file differs.
 */
export function renderJsonDocs(): string {
  const block = (schema: z.ZodMiniType) => "```json\n" + JSON.stringify(z.toJSONSchema(schema, { io: "output" }), null, 2) + "\n```\n";
  const parts = [
    "# `--json` output of git ctx",
    "",
    "<!-- Generated from src/json/schemas.ts by `npm run docs:json`; do not edit (test/cli/json-docs.test.ts fails when it is stale). -->",
    "",
    `Every \`git ctx <command> --json\` prints one JSON object on stdout, schema version ${SCHEMA_VERSION}:`,
    "",
    "- always an object, never a bare array, whatever the number of agents' views: `{schemaVersion, command, ok, …}`;",
    "- the commands that visit every view (`status`, `sync`, `doctor`, `scan`, `leave`) list them in `views`, one entry per",
    "  agent's view (Claude Code, Codex CLI, Gemini CLI, in that order), each with `agent` and `dir`;",
    "- one name for one thing in every command: `dir` is a view's folder (its work tree), `root` a project's root on this",
    "  machine, `id` a project's id, `key` the project's folder in the view, `lastSync` the last sync; a human explanation",
    "  is only in a field named `message` (or a doctor check's `detail` and `fix`), never in a field to compare;",
    "- `ok` is false exactly when the exit code is non-zero;",
    "- a failed command prints the error document instead (below), with the exit code it has without `--json`.",
    "",
    "`schemaVersion` changes only when a field is removed, renamed or changes meaning; new optional fields keep it.",
    "",
    "## Errors",
    "",
    block(ErrorDocumentSchema),
  ];
  for (const [command, schema] of Object.entries(JSON_SCHEMAS)) parts.push(`## \`git ctx ${command} --json\``, "", block(schema));
  return parts.join("\n");
}
