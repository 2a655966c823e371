import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { node, type Node } from "../cluster/harness.js";

/**
 * Hand-made Codex CLI rollouts (shapes from FORMATS.md, "Codex CLI"): a `session_meta` first
 * line, then `turn_context`, `response_item` (`message`, `function_call` whose `arguments` is a
 * JSON string, `function_call_output`) and `event_msg` lines, each naming the cwd.
 */

/** The view path of a rollout: `YYYY/MM/DD/rollout-<local time>-<id>.jsonl`. */
export function rolloutPath(id: string, day = "2026/01/02"): string {
  return `${day}/rollout-${day.replace(/\//g, "-")}T10-00-00-${id}.jsonl`;
}

/** The first line of a rollout recorded in `cwd`. */
export function sessionMeta(id: string, cwd: string, t0 = Date.UTC(2026, 0, 2, 10)): string {
  const ts = new Date(t0).toISOString();
  return JSON.stringify({
    timestamp: ts,
    type: "session_meta",
    payload: { id, timestamp: ts, cwd, originator: "codex_cli_rs", cli_version: "0.169.0", source: "cli", model_provider: "openai", git: { branch: "main" } },
  });
}

/** `n` turn lines naming `cwd` (tag makes them unique), timestamps after `t0`. */
export function turnLines(cwd: string, tag: string, n: number, t0 = Date.UTC(2026, 0, 2, 10)): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const timestamp = new Date(t0 + (i + 1) * 1000).toISOString();
    switch (i % 4) {
      case 0:
        out.push(JSON.stringify({ timestamp, type: "turn_context", payload: { cwd, sandbox_policy: { type: "workspace-write", writable_roots: [cwd] }, model: "gpt-5" } }));
        break;
      case 1:
        out.push(
          JSON.stringify({
            timestamp,
            type: "response_item",
            payload: { type: "message", role: "user", content: [{ type: "input_text", text: `<environment_context><cwd>${cwd}</cwd></environment_context> ${tag} ${i}` }] },
          }),
        );
        break;
      case 2:
        out.push(
          JSON.stringify({
            timestamp,
            type: "response_item",
            payload: {
              type: "function_call",
              name: "shell",
              call_id: `call_${tag}${i}`,
              arguments: JSON.stringify({ command: ["cat", `${cwd}/src/${tag}${i}.ts`], workdir: cwd }),
            },
          }),
        );
        break;
      default:
        out.push(JSON.stringify({ timestamp, type: "event_msg", payload: { type: "agent_message", message: `${tag} ${i}: read ${cwd}/src/${tag}${i}.ts` } }));
    }
  }
  return out;
}

/** Writes a rollout (first line + lines) under `sessions`; returns its absolute path. */
export function writeRollout(sessions: string, rel: string, lines: readonly string[]): string {
  const file = path.join(sessions, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.map((l) => l + "\n").join(""));
  return file;
}

/** Appends lines to a rollout (as Codex does, one write per line). */
export function appendRollout(file: string, lines: readonly string[]): void {
  for (const l of lines) appendFileSync(file, l + "\n");
}

/**
 * A simulated machine (test/cluster/harness.ts `node`, filter on) that has Codex installed: its
 * `~/.codex/sessions` exists (with `~/.claude/projects`, so both agents are present). Its cleanup
 * goes into `cleanups`.
 */
export async function codexNode(
  name: string,
  cleanups: (() => Promise<void>)[],
  o: { os?: "darwin" | "windows" | "linux"; pathHome?: string } = {},
): Promise<Node & { sessions: string }> {
  const n = await node(name, { ...o, filter: true });
  cleanups.push(n.cleanup);
  const sessions = path.join(n.home, ".codex", "sessions");
  mkdirSync(sessions, { recursive: true });
  return Object.assign(n, { sessions });
}
