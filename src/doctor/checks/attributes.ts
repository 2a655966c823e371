import { readdir } from "node:fs/promises";
import { ctxAttributeLines } from "../../git/config.js";
import { git, gitRaw } from "../../git/exec.js";
import { fail, pass, warn, type Check, type ViewContext } from "../check.js";
import { shellQuote } from "../folder.js";
import { agentById, agentOf } from "../../agents/index.js";

/**
 * Attributes and excludes as git applies them in the view (`git check-attr`, `git check-ignore
 * --no-index`): for each joined project a transcript path must get `filter=ctx` and `merge=ctx`
 * and must not be ignored; top-level folders of projects that are not joined must be ignored
 * (`$GIT_DIR/info/exclude`: `/*`, then `!/<key>/` per joined project).
 */
export async function checkAttributes(ctx: ViewContext): Promise<Check[]> {
  const out: Check[] = [];
  const keys = [...new Set(Object.values(ctx.state?.projects ?? {}).map((p) => p.key))];
  const probeKeys = keys.length ? keys : ["-git-ctx-doctor-probe"];
  const agent = agentOf(ctx.state);
  // the agent names where its session files live (a Codex project's key is "": its rollouts are
  // under YYYY/MM/DD/, and `/doctor-probe.jsonl` would be outside the repository)
  const probe = (k: string, name: string) => agent.probePath?.(k, name) ?? `${k}/${name}`;
  const badAttr: string[] = [];
  for (const k of probeKeys) {
    const p = probe(k, "doctor-probe.jsonl");
    const text = await git(["check-attr", "filter", "merge", "--", p], { cwd: ctx.workTree, env: ctx.env });
    const attrs = Object.fromEntries(text.split("\n").map((l) => l.slice(p.length + 2).split(": ") as [string, string]));
    if (attrs.filter !== "ctx" || attrs.merge !== "ctx") badAttr.push(`${p}: filter=${attrs.filter ?? "?"} merge=${attrs.merge ?? "?"}`);
  }
  out.push(
    badAttr.length
      ? fail(
          "attributes",
          `transcripts do not go through the ctx filter and merge driver: ${badAttr.join("; ")} (expected the lines ${ctxAttributeLines().join(" | ")} in $GIT_DIR/info/attributes)`,
          "git ctx install --local   (run inside the view)",
        )
      : pass("attributes", `filter=ctx merge=ctx on *.jsonl in ${probeKeys.length} folder(s)`),
  );
  if (!ctx.state) return out;
  const problems: string[] = [];
  const nested: string[] = [];
  // a path the view syncs in each folder: an agent that syncs only some entries (Gemini CLI's
  // chats/) has the rest of its folders ignored on purpose
  const first = agent.folderEntries?.[0];
  const synced = (k: string) => (first === undefined ? probe(k, "x.jsonl") : first.endsWith("/") ? `${k}/${first}x.jsonl` : `${k}/${first}`);
  // a project without a folder of its own (key "": a shared store, whose excludes hide every file
  // and whose sync stages its files with --force) has no folder that must be visible
  const folders = keys.filter(Boolean);
  for (const k of folders) {
    const src = await ignoredBy(ctx, synced(k));
    if (src === undefined) continue;
    // a .gitignore inside a project folder (someone's, or synced by an earlier release): sync adds
    // the folder with --force, so only plain git commands are affected
    if (src.startsWith(`${k}/`) || src.includes(`/${k}/`)) nested.push(src);
    else problems.push(`joined folder ${k}/ is ignored (by ${src})`);
  }
  if (nested.length) {
    out.push(
      warn(
        "nested .gitignore",
        `${[...new Set(nested)].join(", ")} hide sessions from plain git commands (git status, git add) in the view; git ctx sync syncs them anyway and never syncs a .gitignore`,
        `rm ${[...new Set(nested)].map((f) => shellQuote(`${ctx.workTree}/${f}`)).join(" ")}`,
      ),
    );
  }
  const joined = new Set(folders);
  // a folder that does not exist yet (a project another machine joins later) must be ignored too
  if (!(await ignored(ctx, "-git-ctx-doctor-unjoined-probe/x.jsonl")))
    problems.push("new top-level folders are not ignored: git-ctx's block ('/*', then '!/<key>/' per joined project) is missing from $GIT_DIR/info/exclude");
  let others = 0;
  for (const e of await readdir(ctx.workTree, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === ".git" || joined.has(e.name)) continue;
    others++;
    if (!(await ignored(ctx, `${e.name}/x.jsonl`))) problems.push(`folder ${e.name}/ of a project this machine has not joined is not ignored (it would be committed)`);
  }
  out.push(
    problems.length ? fail("excludes", problems.join("; "), rejoinFix(ctx)) : pass("excludes", `${folders.length} joined folder(s) visible, ${others} other folder(s) ignored`),
  );
  return out;
}

/** The file (view-relative when inside the view) whose pattern ignores `p`, or `undefined`. */
async function ignoredBy(ctx: ViewContext, p: string): Promise<string | undefined> {
  const r = await gitRaw(["check-ignore", "-v", "--no-index", "--", p], { cwd: ctx.workTree, env: ctx.env, okCodes: [0, 1] });
  if (r.code !== 0) return undefined;
  const src = r.stdout.toString("utf8").split(":")[0] ?? "";
  return src.startsWith(ctx.workTree + "/") ? src.slice(ctx.workTree.length + 1) : src;
}

async function ignored(ctx: ViewContext, p: string): Promise<boolean> {
  const r = await gitRaw(["check-ignore", "-q", "--no-index", "--", p], { cwd: ctx.workTree, env: ctx.env, okCodes: [0, 1] });
  return r.code === 0;
}

/** `git ctx join` is safe to re-run and rewrites git-ctx's block of `$GIT_DIR/info/exclude` from state.json. */
function rejoinFix(ctx: ViewContext): string {
  const first = Object.entries(ctx.state?.projects ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))[0];
  const why = "(safe to re-run: rewrites git-ctx's block of $GIT_DIR/info/exclude from the joined projects)";
  if (first && agentById("claude").folders!.of(first[1].root) === first[1].key) return `git ctx join --id ${shellQuote(first[0])} ${shellQuote(first[1].root)}   ${why}`;
  return `git ctx join ${first ? `--id ${shellQuote(first[0])}` : "[--id <id>]"} <project root>   ${why}`;
}
