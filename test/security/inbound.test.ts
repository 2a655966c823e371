import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, clusterGit, node, run, sessionLines, type Node } from "../cluster/harness.js";
import { chatHead, chatMessages, chatName, geminiNode, geminiProject, writeLines } from "../gemini/chats.js";
import { hostilePush } from "./push.js";

/**
 * Issue 22, end to end with the real bins and a real bare cluster: what a machine with push
 * access could do to the others before the inbound gate, case by case. Each test states the
 * attack, then what must hold on the victim: nothing outside the view written, nothing of the
 * hostile entry in the view, the refusal said (sync exits 1 naming it), the victim's own lines
 * kept and the rest of the project still syncing.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Every path below `dir` that is a symbolic link (lstat walk, links never followed). */
function linksBelow(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) out.push(p);
    else if (e.isDirectory() && e.name !== ".git") out.push(...linksBelow(p));
  }
  return out;
}

/** A Claude Code machine with a joined project `p` at `/home/<name>/p` holding one session of its own; returns the folder and the session file. */
async function victim(url: string, name: string, first: boolean): Promise<{ n: Node; folder: string; file: string; mine: string }> {
  const n = await node(name, { filter: true });
  cleanups.push(n.cleanup);
  const root = path.join(n.home, "p");
  mkdirSync(root, { recursive: true });
  const folder = n.at(claudeDirKey(root));
  mkdirSync(folder, { recursive: true });
  const lines = sessionLines(root, `sess-${name}`, name, 2);
  const file = path.join(folder, `sess-${name}.jsonl`);
  writeFileSync(file, lines.map((l) => l + "\n").join(""));
  await n.ctx([first ? "init" : "join", "--remote", url, "--id", "p", root], { cwd: n.home });
  return { n, folder, file, mine: lines[0]! };
}

/** Canary files in a home that no sync may touch: path → bytes. */
function canaries(home: string): Map<string, Buffer> {
  const files = [".config/git/config", ".config/autostart/x.desktop", ".ssh/authorized_keys"];
  const out = new Map<string, Buffer>();
  for (const f of files) {
    const p = path.join(home, f);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, `canary ${f}\n`);
    out.set(p, readFileSync(p));
  }
  return out;
}

function expectCanaries(c: Map<string, Buffer>): void {
  for (const [p, bytes] of c) expect(readFileSync(p).equals(bytes), `${p} changed`).toBe(true);
  for (const p of c.keys()) expect(readdirSync(path.dirname(p)).length, `${path.dirname(p)} gained files`).toBe(1);
}

describe("issue 22: a hostile cluster on a Claude Code victim", () => {
  it("case 1: a two-step symlink chain, then a folder replacing the link, writes nothing outside the view", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const v = await victim(cluster.url, "V", true);
    const home = canaries(v.n.home);
    // step 1: two links that each look inside the folder when read alone
    hostilePush(cluster.url, "p", { "context/d/e/a": { link: "../.." }, "context/d/e/c": { link: "a/../../.." } });
    const s1 = await v.n.ctx(["sync"], { allowFail: true });
    expect(s1.code, s1.stderr).toBe(1);
    expect(s1.stderr).toContain("refused 'd/e/a' of project/p from the cluster (symbolic link");
    expect(s1.stderr).toContain("refused 'd/e/c' of project/p from the cluster (symbolic link");
    expect(linksBelow(v.n.projects)).toEqual([]);
    // step 2: `c` becomes a folder holding a git config (fsmonitor runs a program) and an autostart entry
    const marker = path.join(v.n.home, "..", "pwned");
    hostilePush(cluster.url, "p", {
      "context/d/e/c/.config/git/config": { text: `[core]\n\tfsmonitor = "touch ${marker}"\n` },
      "context/d/e/c/.config/autostart/evil.desktop": { text: "[Desktop Entry]\nExec=touch /tmp/pwned\n" },
      "context/d/e/c/memory/MEMORY.md": { text: "# looks like memory\n" },
    });
    const s2 = await v.n.ctx(["sync"], { allowFail: true });
    expect(s2.code, s2.stderr).toBe(1);
    expect(s2.stderr).toMatch(/refused 'd\/e\/c\/\.config\/git\/config' of project\/p from the cluster \(not a file Claude Code syncs here\)/);
    // as a script reads it: --json says the same, and the exit code too
    const sj = await v.n.ctx(["sync", "--json"], { allowFail: true });
    expect(sj.code).toBe(1);
    const doc = JSON.parse(sj.stdout) as { ok: boolean; views: { refused: { id: string; path?: string; message: string }[] }[] };
    expect(doc.ok).toBe(false);
    expect(doc.views[0]!.refused.map((r) => r.path)).toEqual(expect.arrayContaining(["d/e/a", "d/e/c/.config/git/config"]));
    const stj = await v.n.ctx(["status", "--json"], { allowFail: true });
    expect(stj.code).toBe(1);
    const st = JSON.parse(stj.stdout) as { ok: boolean; views: { projects: { id: string; refused: { path?: string }[] }[] }[] };
    expect(st.ok).toBe(false);
    expect(st.views[0]!.projects.find((x) => x.id === "p")!.refused.map((r) => r.path)).toContain("d/e/c/.config/git/config");
    // plain git too, through the remote helper
    const pull = await v.n.git(["pull"], { allowFail: true });
    expect(pull.code, pull.stderr).toBe(0);
    await v.n.git(["status"]); // would run an fsmonitor from a planted config
    expectCanaries(home);
    expect(existsSync(marker)).toBe(false);
    expect(linksBelow(v.n.projects)).toEqual([]);
    expect(existsSync(path.join(v.folder, "d"))).toBe(false);
    expect(readFileSync(v.file, "utf8")).toContain(v.mine);
  });

  it("case 3: a hostile .gitattributes (working-tree-encoding) never reaches the view; transcripts stay whole and syncs go on", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const a = await victim(cluster.url, "A", true);
    const b = await victim(cluster.url, "B", false);
    hostilePush(cluster.url, "p", { "context/.gitattributes": { text: "*.jsonl working-tree-encoding=UTF-16LE\n* working-tree-encoding=UTF-16LE\n" } });
    const s = await b.n.ctx(["sync"], { allowFail: true });
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/refused '\.gitattributes' of project\/p from the cluster \(git control name/);
    expect(existsSync(path.join(b.folder, ".gitattributes"))).toBe(false);
    // a .gitattributes put there by hand is neutralized by the view's info/attributes
    writeFileSync(path.join(b.folder, ".gitattributes"), "*.jsonl working-tree-encoding=UTF-16LE ident\n");
    const attr = await b.n.git(["check-attr", "working-tree-encoding", "ident", "--", path.relative(b.n.projects, b.file)]);
    expect(attr.stdout).toMatch(/working-tree-encoding: unspecified/);
    expect(attr.stdout).toMatch(/ident: unset/);
    // B's new line still reaches A whole, A's transcript is not emptied
    const more = sessionLines(path.join(b.n.home, "p"), "sess-B", "B2", 2, Date.UTC(2026, 1, 1))[0]!;
    writeFileSync(b.file, readFileSync(b.file, "utf8") + more + "\n");
    await b.n.ctx(["sync"], { allowFail: true });
    const sa = await a.n.ctx(["sync"], { allowFail: true });
    expect(sa.code).toBe(1); // still refusing the attributes file, loudly
    const got = readFileSync(path.join(a.folder, "sess-B.jsonl"), "utf8");
    expect(got).toContain('"uuid":"B2-u0"');
    expect(got.split("\n").filter(Boolean).length).toBe(3);
    const blob = (await clusterGit(cluster.url, ["cat-file", "-s", `project/p:context/sess-A.jsonl`])).stdout.trim();
    expect(Number(blob)).toBeGreaterThan(100);
  });

  it("case 5: names git itself refuses (.git., '.git ', GIT~1, .g\\u200cit, a newline) are left out, and syncing does not fail for good", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const a = await victim(cluster.url, "A", true);
    const b = await victim(cluster.url, "B", false);
    const names = [".git.", ".git ", "GIT~1", ".g\u200cit", "a\nb.jsonl", "memory:x.md"];
    hostilePush(cluster.url, "p", Object.fromEntries(names.map((n) => [`context/${n}`, { text: "x\n" }])));
    const s = await b.n.ctx(["sync"], { allowFail: true });
    expect(s.code, s.stderr).toBe(1);
    for (const n of names.filter((x) => !x.includes("\n"))) expect(s.stderr).toContain(`refused '${n}' of project/p`);
    expect(readdirSync(b.folder).sort()).toEqual(["sess-A.jsonl", "sess-B.jsonl"]);
    // the next line of A still arrives on B: nothing is stuck
    writeFileSync(a.file, readFileSync(a.file, "utf8") + sessionLines(path.join(a.n.home, "p"), "sess-A", "A2", 1, Date.UTC(2026, 1, 1))[0] + "\n");
    await a.n.ctx(["sync"], { allowFail: true });
    const again = await b.n.ctx(["sync"], { allowFail: true });
    expect(again.stderr).not.toMatch(/invalid path|unexpected header|fatal/);
    expect(readFileSync(path.join(b.folder, "sess-A.jsonl"), "utf8")).toContain('"uuid":"A2-u0"');
    expect((await b.n.git(["status", "--porcelain"])).stdout).toBe("");
  });

  it("case 7: symlinks on a real machine are not pushed (said by sync, status, doctor, scan); the other machines keep syncing", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const a = await victim(cluster.url, "A", true);
    const b = await victim(cluster.url, "B", false);
    const dropbox = path.join(a.n.home, "Dropbox", "mem");
    mkdirSync(dropbox, { recursive: true });
    writeFileSync(path.join(dropbox, "MEMORY.md"), "# mine\n");
    symlinkSync(dropbox, path.join(a.folder, "memory"));
    symlinkSync(path.join(a.n.home, "gone.jsonl"), path.join(a.folder, "dangling.jsonl"));
    writeFileSync(a.file, readFileSync(a.file, "utf8") + sessionLines(path.join(a.n.home, "p"), "sess-A", "A3", 1, Date.UTC(2026, 1, 1))[0] + "\n");
    const s = await a.n.ctx(["sync"], { allowFail: true });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/not pushed: .*\/memory \(symbolic link/);
    expect(s.stderr).toMatch(/not pushed: .*\/dangling\.jsonl \(symbolic link/);
    const tree = (await clusterGit(cluster.url, ["ls-tree", "-r", "project/p"])).stdout;
    expect(tree).not.toMatch(/^120000/m);
    expect(tree).toContain("context/sess-A.jsonl");
    const st = await a.n.ctx(["status"], { allowFail: true });
    expect(st.stdout).toMatch(/not pushed: .*\/memory \(symbolic link/);
    const scan = await a.n.ctx(["scan"], { allowFail: true });
    expect(scan.stdout).toMatch(/not pushed: .*\/dangling\.jsonl \(symbolic link/);
    const doc = await a.n.ctx(["doctor"], { allowFail: true });
    expect(doc.stdout + doc.stderr).toMatch(/not pushed.*2 file\(s\) of the view are not pushed/);
    // B is not blocked: it syncs, exit 0, and gets A's new line
    const sb = await b.n.ctx(["sync"], { allowFail: true });
    expect(sb.code, sb.stderr).toBe(0);
    expect(readFileSync(path.join(b.folder, "sess-A.jsonl"), "utf8")).toContain('"uuid":"A3-u0"');
    expect(linksBelow(b.n.projects)).toEqual([]);
    expect(lstatSync(path.join(a.folder, "memory")).isSymbolicLink()).toBe(true); // A's own link is left alone
    expect(statSync(path.join(dropbox, "MEMORY.md")).size).toBe(7);
  });
});

describe("issue 22: refused loudly, and never at another project's cost", () => {
  it("cases 6 and 8: a branch over the file limit is refused whole (sync exits 1, status and doctor say it with the fix), gets none of this machine's lines, and the other project syncs on", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const a = await victim(cluster.url, "A", true);
    const b = await victim(cluster.url, "B", false);
    // a second project q on both machines
    const rootQa = path.join(a.n.home, "q");
    const rootQb = path.join(b.n.home, "q");
    mkdirSync(rootQa, { recursive: true });
    mkdirSync(rootQb, { recursive: true });
    const qa = a.n.at(claudeDirKey(rootQa));
    mkdirSync(qa, { recursive: true });
    writeFileSync(path.join(qa, "q.jsonl"), sessionLines(rootQa, "q", "Q", 1)[0] + "\n");
    await a.n.ctx(["init", "--remote", cluster.url, "--id", "q", rootQa], { cwd: a.n.home });
    await b.n.ctx(["join", "--id", "q", rootQb]);
    await b.n.git(["config", "ctx.inbound.maxFiles", "50"]);
    // the attacker floods p with files (the issue measured 100,000; the limit is what matters)
    hostilePush(cluster.url, "p", Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`context/flood-${i}.jsonl`, { text: `${i}\n` }])));
    const tipBefore = (await clusterGit(cluster.url, ["rev-parse", "project/p"])).stdout.trim();
    // A writes to q, B writes to p
    writeFileSync(path.join(qa, "q.jsonl"), readFileSync(path.join(qa, "q.jsonl"), "utf8") + sessionLines(rootQa, "q", "Q2", 1, Date.UTC(2026, 2, 1))[0] + "\n");
    await a.n.ctx(["sync"], { allowFail: true });
    writeFileSync(b.file, readFileSync(b.file, "utf8") + sessionLines(path.join(b.n.home, "p"), "sess-B", "B9", 1, Date.UTC(2026, 2, 1))[0] + "\n");
    const s = await b.n.ctx(["sync"], { allowFail: true });
    expect(s.code, s.stderr).toBe(1);
    expect(s.stderr).toMatch(/refused project\/p from the cluster: cluster branch project\/p was refused: 6\d files, over the limit of 50 per project/);
    // p: nothing of the flood here, and B's line was not merged into the refused branch
    expect(readdirSync(b.folder).filter((f) => f.startsWith("flood-"))).toEqual([]);
    expect((await clusterGit(cluster.url, ["rev-parse", "project/p"])).stdout.trim()).toBe(tipBefore);
    expect(readFileSync(b.file, "utf8")).toContain('"uuid":"B9-u0"');
    // q synced on
    expect(readFileSync(path.join(b.n.at(claudeDirKey(rootQb)), "q.jsonl"), "utf8")).toContain('"uuid":"Q2-u0"');
    const st = await b.n.ctx(["status"], { allowFail: true });
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/refused project\/p from the cluster/);
    const doc = await b.n.ctx(["doctor"], { allowFail: true });
    expect(doc.code).toBe(1);
    expect(doc.stdout + doc.stderr).toMatch(/refused from the cluster/);
    expect(doc.stdout + doc.stderr).toMatch(/ctx\.inbound\.maxFiles/);
  });

  it("a branch whose every entry is refused still joins: the project's folder exists, and the joiner's first session syncs", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const a = await victim(cluster.url, "A", true);
    // the attacker replaces the whole context with entries the gate refuses (the roster is kept)
    const roster = (await clusterGit(cluster.url, ["show", "project/p:roster.json"])).stdout;
    hostilePush(
      cluster.url,
      "p",
      { "roster.json": { text: roster }, "context/evil": { link: "/etc" }, "context/run.sh": { text: "#!/bin/sh\n", mode: "100755" } },
      { replace: true },
    );
    const b = await node("B", { filter: true });
    cleanups.push(b.cleanup);
    const root = path.join(b.home, "p");
    mkdirSync(root, { recursive: true });
    const j = await b.ctx(["join", "--remote", cluster.url, "--id", "p", root], { cwd: b.home, allowFail: true });
    expect(j.code, j.stderr).toBe(0);
    const folder = b.at(claudeDirKey(root));
    expect(lstatSync(folder).isDirectory(), "git checks out no empty folder; join makes it").toBe(true);
    expect(readdirSync(folder)).toEqual([]);
    const line = sessionLines(root, "sess-B", "B", 1)[0]!;
    writeFileSync(path.join(folder, "sess-B.jsonl"), `${line}\n`);
    const s = await b.ctx(["sync"], { allowFail: true });
    expect(s.code, "the refusal is still said").toBe(1);
    expect(s.stderr).toContain("refused 'evil' of project/p from the cluster");
    expect((await clusterGit(cluster.url, ["show", "project/p:context/sess-B.jsonl"])).stdout).toContain('"uuid":"B-u0"');
    expect(existsSync(path.join(a.folder, "evil"))).toBe(false);
  });

  it("doctor names the entries and gives the plain-git commands that remove them from the branch", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const b = await victim(cluster.url, "B", true);
    hostilePush(cluster.url, "p", { "context/evil": { link: "/etc" }, "context/run.sh": { text: "#!/bin/sh\n", mode: "100755" } });
    await b.n.ctx(["sync"], { allowFail: true });
    const doc = await b.n.ctx(["doctor"], { allowFail: true });
    const text = doc.stdout + doc.stderr;
    expect(doc.code).toBe(1);
    expect(text).toContain("refused 'evil' of project/p");
    expect(text).toContain("refused 'run.sh' of project/p");
    const cmd = /d=\$\(mktemp -d\) && git clone -q -n --single-branch -b project\/p .*git -C "\$d" push -q origin project\/p && rm -rf "\$d"/.exec(
      text.replace(/\n\s*/g, " "),
    )?.[0];
    expect(cmd).toBeDefined();
    // the fix works as printed: run it, and the next sync refuses nothing
    await run("sh", ["-c", cmd!], { cwd: b.n.home, baseEnv: b.n.env });
    const again = await b.n.ctx(["sync"], { allowFail: true });
    expect(again.code, again.stderr).toBe(0);
    expect((await b.n.ctx(["status"], { allowFail: true })).code).toBe(0);
  });
});

describe("issue 22: a hostile cluster on a Gemini CLI victim", () => {
  it("case 2: pushed checkpoints, shell_history and .project_root are never written into the slug folder, and the victim's own are never taken", async () => {
    const cluster = await bareCluster();
    cleanups.push(cluster.cleanup);
    const A = await geminiNode("A", cleanups);
    const rootA = "/home/al/proj";
    const folderA = geminiProject(A.gemini, rootA, "proj");
    const id = "0f0501ed-ab2c-47db-b6f0-b25ba98ff82c";
    const chat = writeLines(path.join(folderA, "chats", chatName(id)), [chatHead(id, rootA), ...chatMessages(rootA, "a", 2)]);
    writeFileSync(path.join(folderA, "shell_history"), "my secret shell history\n");
    await A.ctx(["init", "--remote", cluster.url, "--id", "proj", "--agents", "gemini", rootA], { cwd: A.home });
    hostilePush(cluster.url, "proj", {
      "gemini/checkpoints/checkpoint-evil.json": { text: '{"commitHash":"evil"}' },
      "gemini/shell_history": { text: "rm -rf ~\n" },
      "gemini/.project_root": { text: "/somewhere/else" },
    });
    const s = await A.ctx(["sync"], { cwd: A.home, allowFail: true });
    expect(s.code, s.stderr).toBe(1);
    expect(s.stderr).toMatch(/refused 'checkpoints' of project\/proj|refused 'checkpoints\/checkpoint-evil\.json' of project\/proj/);
    expect(s.stderr).toContain("refused 'shell_history' of project/proj");
    expect(existsSync(path.join(folderA, "checkpoints"))).toBe(false);
    expect(readFileSync(path.join(folderA, "shell_history"), "utf8")).toBe("my secret shell history\n");
    expect(readFileSync(path.join(folderA, ".project_root"), "utf8")).toBe(rootA);
    // the victim's own machine-local files are not tracked, so never pushed
    const tracked = (await A.git(["ls-files"], { cwd: A.tmp })).stdout;
    expect(tracked).not.toMatch(/shell_history|\.project_root|checkpoints/);
    await A.ctx(["sync"], { cwd: A.home, allowFail: true });
    const inCluster = (await clusterGit(cluster.url, ["show", "project/proj:gemini/shell_history"])).stdout;
    expect(inCluster).toBe("rm -rf ~\n"); // the attacker's, never the victim's
    expect(readFileSync(chat, "utf8")).toContain(rootA);
  });
});
