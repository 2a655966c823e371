import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { clusterTrackingRef, ROSTER_FILE } from "../../cluster/layout.js";
import { gitRaw } from "../../git/exec.js";
import { agentById } from "../../agents/index.js";
import { parseRoster } from "../../roster/schema.js";
import { machineIdFile } from "../../roster/machine.js";
import type { JoinedProject } from "../../view/state.js";
import { fail, pass, warn, type Check, type ViewContext } from "../check.js";
import { doctorFolder, shellQuote } from "../folder.js";
import { LIMIT_BYTES } from "./sizes.js";

/** Two roots name the same folder: equal, or equal ignoring case when both are Windows paths. */
export function sameRoot(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[\\/]+$/, "");
  if (norm(a) === norm(b)) return true;
  const win = /^[A-Za-z]:[\\/]/;
  return win.test(a) && win.test(b) && norm(a).replace(/\//g, "\\").toLowerCase() === norm(b).replace(/\//g, "\\").toLowerCase();
}

/**
 * Per joined project (from `$GIT_DIR/ctx/state.json`): its folder exists and is named by the key
 * of its root; the root the folder's transcripts record (`inferProjectRoot`) agrees with the
 * state's root; this machine's entry in the fetched roster (`refs/ctx/cluster/project/<id>:
 * roster.json`, skipped when not fetched yet) agrees too; and every file of the folder
 * round-trips byte-exact with no residue (`doctorFolder` with the state's anchors; files over
 * 100 MB are left to the sizes check).
 */
export async function checkProjects(ctx: ViewContext): Promise<Check[]> {
  const out: Check[] = [];
  const st = ctx.state;
  if (!st) return out;
  const ids = Object.keys(st.projects).sort();
  if (ids.length === 0) return [warn("projects", "no project joined yet", "git ctx join [--id <id>] <project root>")];
  for (const id of ids) out.push(...(await checkProject(ctx, id, st.projects[id]!)));
  return out;
}

async function checkProject(ctx: ViewContext, id: string, p: JoinedProject): Promise<Check[]> {
  const name = `project ${id}`;
  const out: Check[] = [];
  const folder = path.join(ctx.workTree, p.key);
  const joinFix = (root: string) => `git ctx join --id ${shellQuote(id)} ${shellQuote(root)}`;
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    const inHead = await gitRaw(["cat-file", "-e", `HEAD:${p.key}`], { cwd: ctx.workTree, env: ctx.env, okCodes: [0, 1, 128], noCtxFilter: true });
    if (inHead.code === 0)
      return [fail(name, `folder ${p.key}/ is missing from the work tree but committed in HEAD`, `git -C ${shellQuote(ctx.workTree)} checkout HEAD -- ${shellQuote(p.key)}`)];
    return [warn(name, `folder ${p.key}/ does not exist yet: no session of this project on this machine and none synced`)];
  }
  const rules = agentById("claude").folders!;
  const inf = await rules.inferRoot(folder);
  const wantKey = rules.of(p.root);
  // only a root whose key names this folder can replace the state's (a renamed folder's cwd cannot)
  if (inf && !sameRoot(inf.root, p.root) && rules.isFolderOf(p.key, inf.root)) {
    out.push(fail(`${name}: root`, `state.json says root ${p.root}, but the transcripts in ${p.key}/ record ${inf.root} (${inf.evidence} cwd fields)`, joinFix(inf.root)));
  } else if (!rules.isFolderOf(p.key, p.root)) {
    out.push(
      fail(
        `${name}: key`,
        `state.json says root ${p.root}, whose key is ${wantKey}, but the folder is ${p.key}/`,
        `git ctx join --id ${shellQuote(id)} <the project's root on this machine, whose key is ${p.key}>`,
      ),
    );
  }
  const tip = await gitRaw(["cat-file", "blob", `${clusterTrackingRef(id)}:${ROSTER_FILE}`], { cwd: ctx.workTree, env: ctx.env, okCodes: [0, 128], noCtxFilter: true });
  if (tip.code === 0) {
    const where = `${clusterTrackingRef(id)}:${ROSTER_FILE}`;
    try {
      const roster = parseRoster(tip.stdout.toString("utf8"), where);
      const me = roster.participants.find((x) => x.machine_id === st(ctx).machine.id);
      const m = st(ctx).machine;
      if (!me) out.push(warn(`${name}: roster`, `this machine (${m.id}) is not in the fetched roster yet`, "git ctx sync   (the next push adds this machine's entry)"));
      else if (me.os !== m.os || me.home !== m.home) {
        // two machines with one id (a synced ~/.config): they overwrite each other's entry (issue 10, 13)
        out.push(
          fail(
            `${name}: machine id`,
            `another machine uses this machine's id '${m.id}': the roster's entry says ${me.os}, home ${me.home}, root ${me.project_root}; this machine is ${m.os}, home ${m.home}`,
            `give this machine its own id: rm ${shellQuote(machineIdFile(ctx.env))} (or export GIT_CTX_MACHINE_ID=<a new id>), then git ctx join --id ${shellQuote(id)} ${shellQuote(p.root)}`,
          ),
        );
      } else if (!sameRoot(me.project_root, p.root) || me.encoded_dir !== p.key) {
        const rootRight = !inf || sameRoot(inf.root, p.root);
        out.push(
          fail(
            `${name}: roster`,
            `the roster says this machine's root is ${me.project_root} (folder ${me.encoded_dir}), state.json says ${p.root} (folder ${p.key})`,
            rootRight ? "git ctx sync   (the next push rewrites this machine's roster entry)" : joinFix(inf!.root),
          ),
        );
      }
    } catch (e) {
      out.push(fail(`${name}: roster`, (e as Error).message, `git ctx sync   (or repair ${where} on the cluster branch)`));
    }
  }
  const r = await doctorFolder(
    {
      folder,
      root: p.root,
      home: st(ctx).machine.home,
      os: st(ctx).machine.os,
      machineOs: st(ctx).machine.os,
      rewriteHome: p.rewriteHome,
      rerun: `git ctx doctor ${shellQuote(folder)}`,
      maxFileBytes: LIMIT_BYTES,
    },
    ctx.codec,
  );
  const c = r.totals.counts;
  const summary = `${r.totals.files} files, rewrites context-dir=${c.contextDir} root=${c.root} key=${c.key} home=${c.home}`;
  if (r.totals.roundTripFailed) {
    const files = r.problems.filter((x) => x.kind === "round-trip").map((x) => x.file);
    out.push(
      fail(
        `${name}: round trip`,
        `${r.totals.roundTripFailed} of ${r.totals.files} files do not round-trip byte-exact: ${files.slice(0, 5).join(", ")}`,
        `git ctx doctor ${shellQuote(folder)}   (details; report the bug with --json)`,
      ),
    );
  }
  if (r.totals.residue) {
    const files = r.problems.filter((x) => x.kind === "residue").map((x) => x.file);
    out.push(
      fail(
        `${name}: residue`,
        `${r.totals.residue} machine path(s) stay in canonical form in ${files.length} file(s): ${files.slice(0, 5).join(", ")}`,
        `git ctx doctor ${shellQuote(folder)}   (shows them; check the root and home spelling)`,
      ),
    );
  }
  if (out.every((x) => x.ok)) out.push(pass(name, `root ${p.root}; ${summary}; round trip byte-exact; no residue`));
  return out;
}

function st(ctx: ViewContext) {
  return ctx.state!;
}
