import { readFileSync } from "node:fs";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { bareCluster, node, writeSession, type Node } from "../cluster/harness.js";

/**
 * Three simulated machines of three OSes sharing one session of project `proj` (issue 9's
 * scenarios): Linux A (`/home/al/proj`), macOS B (`/Users/bob/proj`), Windows C
 * (`C:\Users\carol\proj`). A inits the project with one line; B and C clone and join.
 */
export const ROOTS = { A: "/home/al/proj", B: "/Users/bob/proj", C: "C:\\Users\\carol\\proj" } as const;
export const KEYS = { A: claudeDirKey(ROOTS.A), B: claudeDirKey(ROOTS.B), C: claudeDirKey(ROOTS.C) } as const;

/** Builds transcript lines of session `sid`, timestamps `sec` seconds after `t0`. */
export function lineMaker(sid: string, t0: number): (uuid: string, sec: number, cwd: string, content: string) => string {
  return (uuid, sec, cwd, content) =>
    JSON.stringify({ type: "user", uuid, sessionId: sid, timestamp: new Date(t0 + sec * 1000).toISOString(), cwd, message: { role: "user", content } }) + "\n";
}

/** The `uuid`s of a transcript's lines, in file order. */
export function uuidsOf(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { uuid: string }).uuid);
}

/** The three machines, the cluster URL, each machine's session file and one cleanup. */
export interface Three {
  A: Node;
  B: Node;
  C: Node;
  url: string;
  /** The session's file on a machine. */
  file: (n: Node) => string;
  cleanup: () => Promise<void>;
}

/** A inits `proj` with `firstLine` in session `sid`; B and C clone `ctx::` and join under their roots. */
export async function threeMachines(sid: string, firstLine: string): Promise<Three> {
  const cluster = await bareCluster();
  const A = await node("A", { filter: true });
  const B = await node("B", { os: "darwin", pathHome: "/Users/bob", filter: true });
  const C = await node("C", { os: "windows", pathHome: "C:\\Users\\carol", filter: true });
  writeSession(A.at(KEYS.A), sid, [firstLine.trimEnd()]);
  await A.ctx(["init", "--remote", cluster.url, "--id", "proj", ROOTS.A]);
  for (const [n, root] of [
    [B, ROOTS.B],
    [C, ROOTS.C],
  ] as const) {
    await n.git(["clone", "-q", `ctx::${cluster.url}`, n.projects], { cwd: n.home });
    await n.ctx(["join", "--id", "proj", root]);
  }
  const keyOf = new Map([
    [A, KEYS.A],
    [B, KEYS.B],
    [C, KEYS.C],
  ]);
  return {
    A,
    B,
    C,
    url: cluster.url,
    file: (n) => n.at(keyOf.get(n)!, `${sid}.jsonl`),
    cleanup: async () => {
      for (const n of [A, B, C]) await n.cleanup();
      await cluster.cleanup();
    },
  };
}
