import { existsSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { dir } from "tmp-promise";
import { simulatedMachineEnv, type MachineOs } from "../../src/roster/machine.js";

/** Repository root of git-ctx. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** `bin/` with git-ctx, git-remote-ctx and git-ctx-filter (built by `npm test`'s pretest). */
export const BIN = path.join(REPO, "bin");
/** The shared corpus of real sessions, read by path; tests that need it skip when it is absent. */
export const CORPUS = path.resolve(REPO, "../shared/corpus");
export const HAS_CORPUS = existsSync(path.join(CORPUS, "claude"));
/** Shipped sample sessions (ours, not the corpus). */
export const SAMPLES = path.join(REPO, "samples");

/** fast-check runs per property: 10^5 in CI (issue 2), fewer locally unless FC_NUM_RUNS says. */
export const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? (process.env.CI ? 100_000 : 5_000));

/** A simulated machine: its own HOME, identity and environment for spawning git and our bins. */
export interface TestMachine {
  name: string;
  /** Real directory used as $HOME. */
  home: string;
  /** Home as written in transcripts (`GIT_CTX_HOME`): equals `home` unless simulating another OS. */
  pathHome: string;
  os: MachineOs;
  /** `$HOME/.claude/projects`. */
  projects: string;
  /** Environment for child processes (PATH has bin/ first). */
  env: NodeJS.ProcessEnv;
  cleanup: () => Promise<void>;
}

/**
 * Creates a simulated machine under a fresh temp dir: HOME, XDG config, git identity,
 * `GIT_CTX_MACHINE_ID`, and optionally a simulated OS and transcript home (`GIT_CTX_OS`,
 * `GIT_CTX_HOME`). Global git config is isolated (`GIT_CONFIG_GLOBAL` in HOME).
 */
export async function makeMachine(name: string, o: { os?: MachineOs; pathHome?: string } = {}): Promise<TestMachine> {
  const t = await dir({ unsafeCleanup: true, prefix: `gitctx-${name}-` });
  const home = path.join(t.path, "home");
  mkdirSync(path.join(home, ".claude", "projects"), { recursive: true });
  const os = o.os ?? "linux";
  const pathHome = o.pathHome ?? home;
  const env = simulatedMachineEnv({ home, id: name, author: `user-${name}`, os, pathHome, binDir: BIN });
  return { name, home, pathHome, os, projects: path.join(home, ".claude", "projects"), env, cleanup: t.cleanup };
}
