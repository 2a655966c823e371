import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";

/**
 * What the inbound gate refused the last time a view was built from the cluster
 * (`$GIT_DIR/ctx/refused.json`): written by the view build (src/cluster/view.ts, in the sync's own
 * process or in git-remote-ctx under a plain `git pull`), read by `git ctx sync` (stderr, exit
 * code), `status` and `doctor`, so a refusal is never only a line in a log (issue 22, scope 4).
 */

/** One refusal: a whole branch (no `path`) or one entry of it. */
export interface InboundRefusal {
  /** Project id (`project/<id>` on the cluster). */
  id: string;
  /** Entry path relative to the agent's folder of the branch; absent when the branch is refused whole. */
  path?: string;
  why: string;
}

/** The file's content. */
export interface Refusals {
  /** When the view was built that found them (ISO 8601). */
  at: string;
  inbound: InboundRefusal[];
}

function file(gitDir: string): string {
  return path.join(gitDir, "ctx", "refused.json");
}

/** The recorded refusals; none when the file is absent or unreadable (it is a report, not state). */
export function readRefusals(gitDir: string): Refusals {
  try {
    const r = JSON.parse(readFileSync(file(gitDir), "utf8")) as Refusals;
    if (typeof r.at === "string" && Array.isArray(r.inbound)) return { at: r.at, inbound: r.inbound.filter((x) => typeof x?.id === "string" && typeof x.why === "string") };
  } catch {
    /* none */
  }
  return { at: "", inbound: [] };
}

/**
 * Records the refusals of a view build (atomic; the file is left as it is when the list is the
 * same, so a sync that finds nothing new writes nothing). Projects not in `built` keep their
 * earlier entries (a build that did not look at them says nothing new about them).
 * @param built the project ids the build judged.
 * @throws the file system's error when `$GIT_DIR/ctx` cannot be written.
 */
export function writeInboundRefusals(gitDir: string, built: ReadonlySet<string>, refused: readonly InboundRefusal[], now: Date = new Date()): void {
  const before = readRefusals(gitDir);
  const next = [...before.inbound.filter((x) => !built.has(x.id)), ...refused].sort((a, b) => (a.id + "\0" + (a.path ?? "") < b.id + "\0" + (b.path ?? "") ? -1 : 1));
  if (JSON.stringify(next) === JSON.stringify(before.inbound)) return;
  mkdirSync(path.dirname(file(gitDir)), { recursive: true });
  writeFileAtomic.sync(file(gitDir), JSON.stringify({ at: now.toISOString(), inbound: next } satisfies Refusals, null, 2) + "\n");
}
