import { agentOf } from "../../agents/index.js";
import { readRefusals, refusalMessage, removalCommands } from "../../gate/index.js";
import { viewOutboundRefusals } from "../../gate/view.js";
import { fail, pass, warn, type Check, type ViewContext } from "../check.js";
import { gitRaw } from "../../git/exec.js";
import { parseRoster } from "../../roster/schema.js";
import { implausibleParticipant } from "../../roster/plausible.js";

/**
 * The inbound gate's findings (issue 22, src/gate; docs/security.md):
 * - `refused from the cluster` fails when the last view build refused a joined project's branch
 *   (whole, or entries of it), with the plain-git commands that remove the entries from the
 *   branch (git-ctx itself never deletes in the cluster);
 * - `not pushed` warns for files of the view's commit that the push leaves out because other
 *   machines would refuse them (a symbolic link, a file the agent does not sync);
 * - `roster participants` warns for participants of a joined project's fetched roster whose root
 *   or home is not a plausible absolute path for their OS (src/roster/plausible.ts): sync never
 *   counts them as evidence (issue 22, scope 3), and says so; doctor names them too.
 * Reads only.
 */
export async function checkGate(ctx: ViewContext): Promise<Check[]> {
  const state = ctx.state;
  if (!state) return [];
  const out: Check[] = [];
  const agent = agentOf(state);
  const refused = readRefusals(ctx.gitDir).inbound.filter((r) => state.projects[r.id]);
  if (refused.length === 0) out.push(pass("refused from the cluster", "the inbound gate refused nothing of the joined projects at the last fetch"));
  for (const id of [...new Set(refused.map((r) => r.id))].sort()) {
    const mine = refused.filter((r) => r.id === id);
    const entries = mine.filter((r) => r.path !== undefined).map((r) => r.path!);
    const detail = mine
      .slice(0, 5)
      .map((r) => refusalMessage(r))
      .join("; ");
    const more = mine.length > 5 ? ` (+${mine.length - 5} more)` : "";
    out.push(
      fail(
        "refused from the cluster",
        detail + more,
        entries.length
          ? `nothing of these entries was written here. If they should not be on the branch, remove them (on any machine): ${removalCommands(state.cluster, id, agent.clusterDir, entries)}`
          : `see docs/security.md; for a branch over the file limit: git config ctx.inbound.maxFiles <n>`,
      ),
    );
  }
  const odd: string[] = [];
  for (const id of Object.keys(state.projects).sort()) {
    const where = `refs/ctx/cluster/project/${id}:roster.json`;
    const r = await gitRaw(["cat-file", "blob", where], { cwd: ctx.workTree, env: ctx.env, okCodes: [0, 128], noCtxFilter: true });
    if (r.code !== 0) continue;
    try {
      for (const x of parseRoster(r.stdout.toString("utf8"), where).participants) {
        const why = implausibleParticipant(x);
        if (why) odd.push(`project/${id}: machine '${x.machine_id}' (${why})`);
      }
    } catch {
      /* an invalid roster is the roster check's */
    }
  }
  if (odd.length)
    out.push(
      warn(
        "roster participants",
        `${odd.length} participant(s) with a root or home that is not a plausible path for their OS, never counted as evidence by sync: ${odd.slice(0, 5).join("; ")}`,
        "if no machine of yours wrote them, someone with push access to the cluster did: remove the entries from roster.json on that branch",
      ),
    );
  const notPushed = await viewOutboundRefusals(ctx.workTree, state, "HEAD", ctx.env).catch(() => []);
  if (notPushed.length)
    out.push(
      warn(
        "not pushed",
        `${notPushed.length} file(s) of the view are not pushed (other machines would refuse them): ${notPushed
          .slice(0, 5)
          .map((n) => `${n.path} (${n.why})`)
          .join("; ")}`,
        "replace a symbolic link with the files it points to, or move files the agent does not use out of the project folder",
      ),
    );
  return out;
}
