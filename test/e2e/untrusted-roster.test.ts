import { readdirSync, readFileSync, utimesSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localize, type Anchors } from "../../src/sentinel/index.js";
import { bareCluster, clusterGit, handBranch, node, writeSession, type Node } from "../cluster/harness.js";
import { KEYS, lineMaker, ROOTS } from "./three-machines.js";

/**
 * Issue 22, case 4: the cluster is untrusted input. Whoever can push to `project/<id>` adds a
 * roster participant and, before the victim's own transcript line, a copy of it spelled with that
 * participant's root. Before the fix the victim's sync took the pair for an issue-9 split
 * duplicate, kept the pushed copy (earlier in the file) and dropped the victim's own line from
 * its work-tree file and from the cluster, with no backup. Now a root that is not a plausible
 * absolute path never counts (and is reported), and a line this machine's agent wrote is never
 * dropped for a twin that reads differently here, whatever root the roster gives.
 */

const SID = "9c2d7e10-2222-4333-8444-a66666666666";
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const line = lineMaker(SID, T0);
const rel = `${KEYS.A}/${SID}.jsonl`;

function cold(file: string): void {
  const t = new Date(Date.now() - 10_000);
  utimesSync(file, t, t);
}

describe("e2e: a pushed roster entry and a re-spelled copy never delete the victim's own line (issue 22, case 4)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  /** The victim (Linux, root /home/al/proj) with its own line synced; the attacker's push; the victim's next sync. */
  async function attack(evilRoot: string, smuggleFirst = false): Promise<{ V: Node; url: string; own: string; out: string }> {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const V = await node("A", { filter: true });
    cleanups.push(V.cleanup);
    const first = line("v0", 0, ROOTS.A, "start");
    // the victim's own line: names its root (cwd, and a path in the text, as transcripts do)
    const own = line("v1", 10, ROOTS.A, `please read ${ROOTS.A}/src/main.ts`);
    writeSession(V.at(KEYS.A), SID, [first.trimEnd(), own.trimEnd()]);
    await V.ctx(["init", "--remote", cluster.url, "--id", "proj"].concat([ROOTS.A]));
    const file = V.at(KEYS.A, `${SID}.jsonl`);
    expect(readFileSync(file, "utf8")).toContain(own);

    // The attacker: reads the branch, adds a participant with `evilRoot` and, before the victim's
    // line, the victim's canonical line as it reads on that "machine".
    const g = async (args: string[]) => (await clusterGit(cluster.url, args)).stdout;
    const roster = JSON.parse(await g(["show", "project/proj:roster.json"])) as { participants: Record<string, unknown>[] };
    roster.participants.push({
      machine_id: "zz-evil",
      os: "linux",
      home: "/home/zz",
      project_root: evilRoot,
      encoded_dir: evilRoot.replace(/[^a-zA-Z0-9]/g, "-"),
      last_converged: null,
    });
    const files = (await g(["ls-tree", "-r", "--name-only", "project/proj", "context/"])).split("\n").filter(Boolean);
    const session = files.find((f) => f.endsWith(`${SID}.jsonl`))!;
    const stored = await g(["show", `project/proj:${session}`]);
    const lines = stored.split("\n").filter(Boolean);
    const victim = lines.find((l) => l.includes('"uuid":"v1"'))!;
    expect(victim).toContain("{{CC_PROJECT_ROOT}}");
    const evil: Anchors = { os: "linux", home: "/home/zz", root: evilRoot, key: evilRoot.replace(/[^a-zA-Z0-9]/g, "-"), rewriteHome: true };
    const copy = localize(Buffer.from(victim), evil).toString();
    expect(copy).not.toBe(victim);
    const hostile = lines.flatMap((l) => (l === victim ? [copy, l] : [l])).join("\n") + "\n";
    const rest: Record<string, string> = {};
    for (const f of files) if (f !== session) rest[f.slice("context/".length)] = await g(["show", `project/proj:${f}`]);
    if (smuggleFirst) {
      // the copy first, under the roster as it was (no twin under any known machine): the victim
      // syncs and now holds both lines; the participant comes in a later push
      await handBranch(cluster.url, "proj", await g(["show", "project/proj:roster.json"]), { ...rest, [session.slice("context/".length)]: hostile });
      cold(file);
      await V.ctx(["sync"]);
      expect(readFileSync(file, "utf8")).toContain(own);
      const now = await g(["show", `project/proj:${session}`]);
      await handBranch(cluster.url, "proj", JSON.stringify(roster, null, 2) + "\n", { ...rest, [session.slice("context/".length)]: now + line("v2", 20, ROOTS.A, "touch") });
    } else await handBranch(cluster.url, "proj", JSON.stringify(roster, null, 2) + "\n", { ...rest, [session.slice("context/".length)]: hostile });

    cold(file);
    const r = await V.ctx(["sync"], { allowFail: true });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // a second round changes nothing more
    cold(file);
    await V.ctx(["sync"]);
    return { V, url: cluster.url, own, out: r.stdout + r.stderr };
  }

  async function expectKept(V: Node, url: string, own: string): Promise<void> {
    expect(readFileSync(V.at(KEYS.A, `${SID}.jsonl`), "utf8")).toContain(own);
    const head = (await V.git(["show", `HEAD:${rel}`])).stdout;
    expect(head.split("\n").filter((l) => l.includes('"uuid":"v1"') && l.includes("{{CC_PROJECT_ROOT}}/src/main.ts"))).toHaveLength(1);
    const files = (await clusterGit(url, ["ls-tree", "-r", "--name-only", "project/proj", "context/"])).stdout.split("\n").filter(Boolean);
    const session = files.find((f) => f.endsWith(`${SID}.jsonl`))!;
    const cluster = (await clusterGit(url, ["show", `project/proj:${session}`])).stdout;
    expect(cluster.split("\n").filter((l) => l.includes('"uuid":"v1"') && l.includes("{{CC_PROJECT_ROOT}}/src/main.ts"))).toHaveLength(1);
    // no backup was needed: nothing was removed from the work tree
    const backups = path.join(V.projects, ".git", "ctx", "backup");
    let saved: string[] = [];
    try {
      saved = readdirSync(backups);
    } catch {
      /* none */
    }
    expect(saved).toEqual([]);
  }

  it("a root that is any text ('evil') never counts, and the sync says so", async () => {
    const { V, url, own, out } = await attack("evil");
    await expectKept(V, url, own);
    expect(out).toMatch(/zz-evil.*ignored.*project_root 'evil'/);
    // doctor names it too, with what to do
    const doc = await V.ctx(["doctor"], { allowFail: true });
    expect(doc.stdout + doc.stderr).toMatch(/roster participants.*project\/proj: machine 'zz-evil' \(project_root 'evil'/s);
  }, 120_000);

  it("a plausible but foreign root cannot make the victim drop its own line either", async () => {
    const { V, url, own, out } = await attack("/srv/evil");
    await expectKept(V, url, own);
    // the pushed copy is the line that arrived: it is the one dropped (it never reached the work tree)
    expect(readFileSync(V.at(KEYS.A, `${SID}.jsonl`), "utf8")).not.toContain("/srv/evil/src/main.ts");
    expect(out).toMatch(/1 duplicated line collapsed/);
  }, 120_000);

  it("nor can the copy pushed first and the participant later: the victim's own line (its reflog says so) is spared and named", async () => {
    const { V, url, own, out } = await attack("/srv/evil", true);
    await expectKept(V, url, own);
    expect(out).not.toMatch(/duplicated lines? collapsed/);
    expect(out).toMatch(/kept 1 line \(uuid v1\) this machine wrote/);
  }, 120_000);
});
