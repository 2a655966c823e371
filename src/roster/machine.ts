import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { InvalidInputError } from "../errors.js";

/** Operating systems a participant can run; decides path spellings (FORMATS.md). */
export type MachineOs = "linux" | "darwin" | "windows";
export const MACHINE_OSES: readonly MachineOs[] = ["linux", "darwin", "windows"];

/** This machine as the roster and the codec see it. */
export interface Machine {
  /** Stable id, created once per machine (see {@link machineIdFile}). */
  id: string;
  os: MachineOs;
  /** Home directory as it appears in transcripts, e.g. `/home/me` or `C:\Users\me`. */
  home: string;
}

/**
 * Environment overrides, documented in the README ("Simulating another machine"):
 * - `GIT_CTX_MACHINE_ID`: the machine id (otherwise read from or created in {@link machineIdFile});
 * - `GIT_CTX_OS`: `linux|darwin|windows` (otherwise from `process.platform`);
 * - `GIT_CTX_HOME`: the home as written in transcripts (otherwise `os.homedir()`, i.e. `$HOME`).
 * Tests and the demo use them to simulate a Windows or macOS machine on Linux.
 */
export const ENV = { machineId: "GIT_CTX_MACHINE_ID", os: "GIT_CTX_OS", home: "GIT_CTX_HOME" } as const;

/** Maps `process.platform` to a {@link MachineOs}; anything that is not win32/darwin is `linux`. */
export function platformOs(platform: NodeJS.Platform = process.platform): MachineOs {
  return platform === "win32" ? "windows" : platform === "darwin" ? "darwin" : "linux";
}

/** Path of the file that holds this machine's id: `$XDG_CONFIG_HOME/git-ctx/machine-id` or `~/.config/git-ctx/machine-id`. */
export function machineIdFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), ".config");
  return path.join(base, "git-ctx", "machine-id");
}

/** Machine ids are short and safe in file names, refs and JSON: `[A-Za-z0-9._-]{1,64}`. */
export const MACHINE_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * This machine's OS and transcript home without touching the machine-id file (for read-only
 * commands such as `git ctx doctor`): `GIT_CTX_OS` else `process.platform`; `GIT_CTX_HOME`
 * else `$HOME` else `os.homedir()`.
 * @throws InvalidInputError when `GIT_CTX_OS` is not one of {@link MACHINE_OSES}.
 */
export function machineOsHome(env: NodeJS.ProcessEnv = process.env): { os: MachineOs; home: string } {
  const osName = (env[ENV.os] || platformOs()) as MachineOs;
  if (!MACHINE_OSES.includes(osName)) {
    throw new InvalidInputError({ what: `${ENV.os}`, value: osName, fix: `use one of ${MACHINE_OSES.join(", ")}` });
  }
  return { os: osName, home: env[ENV.home] || env.HOME || os.homedir() };
}

/**
 * Returns this machine's identity, creating and storing a machine id on first use
 * (`<hostname>-<8 hex>`, written atomically).
 * @throws InvalidInputError when `GIT_CTX_OS` or a stored/overridden id is not valid.
 */
export function currentMachine(env: NodeJS.ProcessEnv = process.env): Machine {
  const { os: osName, home } = machineOsHome(env);
  let id = env[ENV.machineId];
  if (!id) {
    const file = machineIdFile(env);
    try {
      id = readFileSync(file, "utf8").trim();
    } catch {
      const host =
        os
          .hostname()
          .replace(/[^A-Za-z0-9._-]/g, "-")
          .slice(0, 40) || "machine";
      id = `${host}-${randomBytes(4).toString("hex")}`;
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic.sync(file, id + "\n");
    }
  }
  if (!MACHINE_ID_RE.test(id)) {
    throw new InvalidInputError({ what: "machine id", value: id, fix: `edit ${machineIdFile(env)} or ${ENV.machineId} to match ${MACHINE_ID_RE}` });
  }
  return { id, os: osName, home };
}

/** Options of {@link simulatedMachineEnv}. */
export interface SimulatedMachine {
  /** Real directory used as `$HOME` (the caller creates it). */
  home: string;
  /** Machine id (`GIT_CTX_MACHINE_ID`), also used as the git author name and e-mail local part. */
  id: string;
  /** Simulated OS (`GIT_CTX_OS`), default `linux`. */
  os?: MachineOs;
  /** Home as written in transcripts (`GIT_CTX_HOME`), default `home`. */
  pathHome?: string;
  /** Folder put first on PATH (git-ctx's `bin/`, so git finds `git-remote-ctx` and `git-ctx-filter`). */
  binDir: string;
  /** git author and committer name (default `id`). */
  author?: string;
  /** Environment to start from (default `process.env`). */
  base?: NodeJS.ProcessEnv;
}

/**
 * The environment of a simulated machine on this one (the demo, the benchmarks and the tests run
 * several "machines" side by side): its own HOME and XDG config, an isolated global git config
 * (`GIT_CONFIG_GLOBAL` in HOME, no system config), a git identity, and the {@link ENV} overrides
 * for machine id, OS and transcript home. Every other `GIT_*`, `CLAUDE_*` and `CODEX_*` variable of `base` is
 * dropped so that nothing of the real machine leaks in. Pure: creates no file.
 */
export function simulatedMachineEnv(m: SimulatedMachine): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(m.base ?? process.env) };
  for (const k of Object.keys(env)) if (k.startsWith("GIT_") || k.startsWith("CLAUDE_") || k.startsWith("CODEX_")) delete env[k];
  return Object.assign(env, {
    HOME: m.home,
    XDG_CONFIG_HOME: path.join(m.home, ".config"),
    GIT_CONFIG_GLOBAL: path.join(m.home, ".gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: m.author ?? m.id,
    GIT_AUTHOR_EMAIL: `${m.id}@example.test`,
    GIT_COMMITTER_NAME: m.author ?? m.id,
    GIT_COMMITTER_EMAIL: `${m.id}@example.test`,
    [ENV.machineId]: m.id,
    [ENV.os]: m.os ?? "linux",
    [ENV.home]: m.pathHome ?? m.home,
    PATH: `${m.binDir}${path.delimiter}${(m.base ?? process.env).PATH ?? ""}`,
  });
}
