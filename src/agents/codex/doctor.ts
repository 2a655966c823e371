import * as path from "node:path";
import { git, gitRaw } from "../../git/exec.js";
import { canonicalize } from "../../sentinel/index.js";
import { fail, pass, warn, type AgentCheck, type AgentCheckContext } from "../check.js";
import type { Agent } from "../types.js";
import { sessionKeys } from "../keys.js";

/**
 * Checks of a Codex view (`$CODEX_HOME/sessions`, issue 11): the filter through git on a probe
 * rollout, the `notify` hook, rollouts git-ctx leaves alone (no readable `session_meta` first
 * line: never guessed), and what is never synced.
 */

/** Files of `CODEX_HOME` that never sync (FORMATS.md: machine paths, secrets, derived state). */
export const CODEX_NEVER_SYNCED = [
  "state_*.sqlite",
  "logs_*.sqlite",
  "thread_history_*.sqlite",
  "auth.json",
  "config.toml",
  "history.jsonl",
  "session_index.jsonl",
  "log/",
  "shell_snapshots/",
  "archived_sessions/",
];

/** git's clean filter on a probe rollout of the first joined project equals the codec's canonical form. */
export async function checkCodexFilter(ctx: AgentCheckContext, codex: Agent): Promise<AgentCheck[]> {
  const first = Object.entries(ctx.state?.projects ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))[0];
  if (!first || !ctx.state) return [];
  const [id, p] = first;
  const name = "filter in this view";
  const probe = "1970/01/01/rollout-1970-01-01T00-00-00-doctor-probe.jsonl";
  const meta = { timestamp: "1970-01-01T00:00:00.000Z", type: "session_meta", payload: { id: "doctor-probe", cwd: p.root, originator: "git-ctx doctor" } };
  const input = Buffer.from(
    `${JSON.stringify(meta)}\n${JSON.stringify({ timestamp: meta.timestamp, type: "event_msg", payload: { type: "agent_message", message: `probe ${p.root}` } })}\n`,
  );
  const expected = canonicalize(input, codex.anchors(p, ctx.state.machine, ctx.state.agentHome));
  const got = await gitRaw(["hash-object", "--stdin", `--path=${probe}`], { cwd: ctx.workTree, env: ctx.env, input, okCodes: [0, 1, 128] });
  if (got.code !== 0)
    return [
      fail(
        name,
        `git's clean filter failed on a probe rollout of project ${id}: ${got.stderr.trim().slice(0, 300)}`,
        "git ctx install --local   (inside the view: writes the absolute paths of node and git-ctx-filter into its config)",
      ),
    ];
  const want = await git(["hash-object", "--stdin", "--no-filters"], { cwd: ctx.workTree, env: ctx.env, input: expected });
  if (got.stdout.toString("utf8").trim() !== want)
    return [fail(name, `git's clean output differs from the codec's canonical form for a rollout of project ${id}`, "git ctx install --local   (inside the view)")];
  return [pass(name, `git add would store rollouts of project ${id} in canonical form`)];
}

/** Codex's `notify` runs git-ctx's sync. */
export async function checkCodexHook(ctx: AgentCheckContext, codex: Agent): Promise<AgentCheck[]> {
  const file = codex.hook!.file(ctx.env);
  try {
    if (await codex.hook!.installed(file)) return [pass("Codex notify hook", `${file} runs 'git ctx sync --hook' after each turn`)];
    return [fail("Codex notify hook", `${file} has no notify that runs 'git ctx sync', so nothing syncs after a Codex turn`, "git ctx hook install --agent codex")];
  } catch (e) {
    return [fail("Codex notify hook", (e as Error).message, `repair ${file}, then git ctx hook install --agent codex`)];
  }
}

/**
 * The rollouts of the view: those without a readable `session_meta` first line are named (git-ctx
 * leaves them alone: it never guesses a project); the view must be `CODEX_HOME/sessions`, so that
 * the files of {@link CODEX_NEVER_SYNCED} stay outside it.
 */
export async function checkCodexRollouts(ctx: AgentCheckContext, codex: Agent): Promise<AgentCheck[]> {
  const out: AgentCheck[] = [];
  if (path.basename(ctx.workTree) !== "sessions")
    out.push(
      fail(
        "Codex store",
        `${ctx.workTree} is not a Codex sessions folder`,
        `the Codex view must be $CODEX_HOME/sessions: git clone -c ctx.agent=codex ctx::<cluster-url> ~/.codex/sessions`,
      ),
    );
  else out.push(pass("Codex store", `${ctx.workTree}; never synced (outside the view): ${CODEX_NEVER_SYNCED.join(", ")}`));
  // doctor reads only: the key cache is used, not written
  const keys = sessionKeys(codex, ctx.workTree, { write: false });
  const bad = [...keys].filter(([, k]) => !k).map(([f]) => f);
  const n = keys.size;
  if (bad.length)
    out.push(
      warn(
        "rollouts without session_meta",
        `${bad.length} of ${n} rollout(s) have no readable session_meta first line, so git-ctx cannot tell their project and leaves them alone: ${bad.slice(0, 10).join(", ")}${bad.length > 10 ? ", …" : ""}`,
        "nothing to do if they are not Codex sessions; a rollout still being written is picked up by a later sync",
      ),
    );
  else out.push(pass("rollouts", `${n} rollout(s), each with a session_meta first line`));
  return out;
}
