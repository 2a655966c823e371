/**
 * Corpus sessions the real-client tests resume, and the machine each was recorded on. Read by
 * path from `../shared/corpus/claude` (never copied). Chosen to cover: a Linux session with a
 * subagent and saved tool results, a Windows session with subagents, tool results and memory
 * (drive letter in both cases), a macOS session with two subagents, and a second Windows project.
 */
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import type { MachineOs } from "../../src/roster/machine.js";
import { CORPUS } from "../helpers/env.js";

/** One corpus session and the machine it came from. */
export interface CorpusCase {
  /** Short label for test names. */
  name: string;
  /** Project folder, relative to `corpus/claude`. */
  folder: string;
  sessionId: string;
  os: MachineOs;
  /** Home as written in the transcript. */
  home: string;
  /** Project root as written in the transcript's `cwd` fields (the roster's `project_root`). */
  root: string;
  /** Has `<session>/subagents/`. */
  subagents: boolean;
}

export const CASES: CorpusCase[] = [
  {
    name: "linux, subagent + tool results",
    folder: "4thehalibit__omarchy-backup/-home-vwestberg-Claude",
    sessionId: "8c880a68-969b-4b92-8733-a4927179d072",
    os: "linux",
    home: "/home/vwestberg",
    root: "/home/vwestberg/Claude",
    subagents: true,
  },
  {
    name: "windows, subagents + tool results + memory",
    folder: "LAF-US__IDAHO-VAULT/c--Users-loganf-Documents-IDAHO-VAULT",
    sessionId: "7280d7ee-fb42-42c7-a7eb-e8f636279107",
    os: "windows",
    home: "C:\\Users\\loganf",
    root: "C:\\Users\\loganf\\Documents\\IDAHO-VAULT",
    subagents: true,
  },
  {
    name: "macos, two subagents",
    folder: "Xu-Wentao__dotfile/-Users-xuwentao-Projects-github-volcano",
    sessionId: "7ef4b236-d946-48a6-a856-e45b02af7be7",
    os: "darwin",
    home: "/Users/xuwentao",
    root: "/Users/xuwentao/Projects/github/volcano",
    subagents: true,
  },
  {
    name: "windows, lower-case drive",
    folder: "fabien-lessirard__dotfiles/C--Users-acodu-dev-dashboard-mictlan",
    sessionId: "66db2ce0-393a-4771-9986-2462861a8eb7",
    os: "windows",
    home: "C:\\Users\\acodu",
    root: "c:\\Users\\acodu\\dev\\dashboard_mictlan",
    subagents: true,
  },
];

/** Absolute path of a case's project folder in the corpus. */
export function caseDir(c: CorpusCase): string {
  return path.join(CORPUS, "claude", c.folder);
}

/** The session's files, relative to the project folder (`/`-separated): the transcript and `<id>/**`. */
export function sessionFiles(c: CorpusCase): string[] {
  const dir = caseDir(c);
  const out = [`${c.sessionId}.jsonl`];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel))) {
      const r = `${rel}/${e}`;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else out.push(r);
    }
  };
  try {
    walk(c.sessionId);
  } catch {
    // no per-session folder
  }
  return out.sort();
}
