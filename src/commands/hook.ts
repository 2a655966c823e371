import { agentById, agentOf, type Agent, type AgentId } from "../agents/index.js";
import { gitRaw } from "../git/exec.js";
import { readViewState } from "../view/state.js";
import { claudeSettings } from "../agents/index.js";
import { jsonText, SCHEMA_VERSION } from "../json/version.js";
import type { JsonDocument } from "../json/schemas.js";

const { countOurs, defaultSettingsPath, editSettings, readSettings, withHook, withoutHook, BACKUP_SUFFIX, HOOK_COMMAND } = claudeSettings;
type HookEvent = claudeSettings.HookEvent;

/** Options of {@link hook} (`git ctx hook install|uninstall|status`). */
export interface HookCommandOptions {
  action: "install" | "uninstall" | "status" | "post-merge";
  /** Whose hook (default Claude Code's; `settings` and `event` apply to it only). */
  agent?: AgentId;
  /** Settings file; default `$CLAUDE_CONFIG_DIR/settings.json` or `~/.claude/settings.json`. */
  settings?: string;
  /** Hook event (default `Stop`: after every turn; `SessionEnd`: on exit). */
  event?: HookEvent;
  json?: boolean;
  /** install/uninstall: say whether the file would change, write nothing. */
  dryRun?: boolean;
  out?: NodeJS.WritableStream;
}

/**
 * Installs, removes or shows git-ctx's Claude Code hook (`git ctx sync --hook`) in settings.json
 * (src/hook/settings.ts): idempotent, other hooks and keys kept, invalid JSON refused (file
 * untouched), a backup `settings.json.bak-git-ctx` kept before a rewrite, atomic write.
 * @returns 0; for `status`, 0 when installed and 1 when not (scripts can test it).
 * @throws HookSettingsJsonError, HookSettingsShapeError.
 */
export async function hook(o: HookCommandOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  if (o.action === "post-merge") return postMerge();
  if (o.agent && o.agent !== "claude") return agentHook(o, agentById(o.agent), out);
  const file = o.settings ?? defaultSettingsPath();
  const event = o.event ?? "Stop";
  if (o.action === "status") {
    const n = countOurs(readSettings(file).settings, event);
    if (o.json) out.write(hookDocument({ ok: n > 0, agent: "claude", action: "status", file, event, installed: n > 0, entries: n }));
    else out.write(n > 0 ? `${event} hook installed in ${file} ('${HOOK_COMMAND}')\n` : `${event} hook not installed in ${file} (run 'git ctx hook install')\n`);
    return n > 0 ? 0 : 1;
  }
  const outcome = editSettings(file, (s) => (o.action === "install" ? withHook(s, event, file) : withoutHook(s, event)), { dryRun: o.dryRun });
  const would = o.dryRun && outcome === "changed" ? "would be " : "";
  const what = o.action === "install" ? (outcome === "changed" ? `${would}installed` : "already installed") : outcome === "changed" ? `${would}removed` : "was not installed";
  if (o.json)
    out.write(
      hookDocument({
        ok: true,
        agent: "claude",
        action: o.action,
        file,
        event,
        changed: outcome === "changed",
        dryRun: o.dryRun === true,
        ...(outcome === "changed" && !o.dryRun ? { backup: file + BACKUP_SUFFIX } : {}),
      }),
    );
  else
    out.write(
      `${event} hook ${what}: ${file}${outcome === "changed" && !o.dryRun ? ` (previous version kept as ${file + BACKUP_SUFFIX} when there was one)` : ""}${o.dryRun ? " (dry run: nothing written)" : ""}\n`,
    );
  return 0;
}

/** `git ctx hook <action> --agent <id>` for an agent other than Claude Code (its {@link Agent.hook}). */
async function agentHook(o: HookCommandOptions, agent: Agent, out: NodeJS.WritableStream): Promise<number> {
  const h = agent.hook;
  if (!h) {
    out.write(`${agent.title} has no hook git-ctx can install\n`);
    return 1;
  }
  const file = h.file(process.env);
  if (o.action === "status") {
    const installed = await h.installed(file);
    if (o.json) out.write(hookDocument({ ok: installed, agent: agent.id, action: "status", file, event: h.event, installed }));
    else
      out.write(
        installed
          ? `${agent.title} ${h.event} hook installed in ${file}\n`
          : `${agent.title} ${h.event} hook not installed in ${file} (run 'git ctx hook install --agent ${agent.id}')\n`,
      );
    return installed ? 0 : 1;
  }
  const changed = o.action === "install" ? await h.install(file, { dryRun: o.dryRun }) : await h.uninstall(file, { dryRun: o.dryRun });
  const would = o.dryRun && changed ? "would be " : "";
  const what = o.action === "install" ? (changed ? `${would}installed` : "already installed") : changed ? `${would}removed` : "was not installed";
  if (o.json)
    out.write(hookDocument({ ok: true, agent: agent.id, action: o.action === "install" ? "install" : "uninstall", file, event: h.event, changed, dryRun: o.dryRun === true }));
  else out.write(`${agent.title} ${h.event} hook ${what}: ${file}${o.dryRun ? " (dry run: nothing written)" : ""}\n`);
  return 0;
}

/**
 * `git ctx hook post-merge`: what a view's git `post-merge` hook runs after a plain `git pull`
 * (written by `configureView` for agents with `afterWrite`): the files the merge added or changed
 * (`ORIG_HEAD..HEAD`) go to the view's agent (Codex registers the rollouts in its state database).
 * Warnings go to stderr; it always exits 0 (a hook must not fail the pull).
 */
async function postMerge(): Promise<number> {
  try {
    const r = await gitRaw(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { okCodes: [0, 128] });
    if (r.code !== 0) return 0;
    const [workTree, gitDir] = r.stdout.toString("utf8").trim().split("\n") as [string, string];
    const state = readViewState(gitDir);
    const agent = agentOf(state);
    if (!state || !agent.afterWrite) return 0;
    const d = await gitRaw(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=AM", "ORIG_HEAD", "HEAD"], { cwd: workTree, okCodes: [0, 128] });
    const files = d.code === 0 ? d.stdout.toString("utf8").split("\0").filter(Boolean) : [];
    for (const w of await agent.afterWrite(workTree, files)) process.stderr.write(`git-ctx: warning: ${w}\n`);
  } catch (e) {
    process.stderr.write(`git-ctx: warning: post-merge: ${(e as Error).message}\n`);
  }
  return 0;
}

/** The `git ctx hook --json` document (src/json/schemas.ts `HookSchema`) of one agent's hook. */
function hookDocument(fields: Omit<JsonDocument<"hook">, "schemaVersion" | "command">): string {
  return jsonText({ schemaVersion: SCHEMA_VERSION, command: "hook", ...fields });
}
