/**
 * The real Codex CLI for tests: `@openai/codex` installed on demand into `<repo>/.cache/codex`
 * (outside the package's dependencies: ~400 MB), and a runner for `codex exec` against the local
 * Responses recorder (./responses.ts).
 *
 * Facts used (FORMATS.md, "Codex CLI"; checked with 0.169.0): the native binary ships in the
 * platform package `@openai/codex-<platform>-<arch>/vendor/<triple>/bin/codex`; `codex exec
 * --skip-git-repo-check -c 'openai_base_url="<url>/v1"' [resume <id>|--last] <prompt>` with any
 * `OPENAI_API_KEY` runs offline against that URL (`OPENAI_BASE_URL` is ignored); `HOME` decides
 * `CODEX_HOME` (`~/.codex`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO } from "../helpers/env.js";
import { run, withCacheLock } from "./install.js";

/** The Codex CLI version these tests were verified with (2026-12-03). */
export const CODEX_VERSION = "0.169.0";
/** Install folder (git-ignored `.cache/`). Override the binary with `GIT_CTX_CODEX_BIN`. */
export const CODEX_CACHE = path.join(REPO, ".cache", "codex");

/** The binary, or why the real-client tests must skip. */
export type Codex = { ok: true; bin: string } | { ok: false; why: string };

function findBin(): string | undefined {
  const base = path.join(CODEX_CACHE, "node_modules", "@openai", `codex-${process.platform}-${process.arch}`, "vendor");
  let triples: string[] = [];
  try {
    triples = readdirSync(base);
  } catch {
    return undefined;
  }
  return triples.map((t) => path.join(base, t, "bin", "codex")).find(existsSync);
}

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(CODEX_CACHE, "node_modules", "@openai", "codex", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * The pinned Codex CLI, installed first when missing (`npm install --prefix <cache>
 * @openai/codex@<pinned>`). `GIT_CTX_SKIP_REAL_CLIENT=1` skips; `GIT_CTX_CODEX_BIN` names a binary
 * to use instead. Never throws: a failed install is `{ ok: false, why }`, for the caller to skip on.
 */
export async function ensureCodex(): Promise<Codex> {
  if (process.env.GIT_CTX_SKIP_REAL_CLIENT) return { ok: false, why: "GIT_CTX_SKIP_REAL_CLIENT is set" };
  const forced = process.env.GIT_CTX_CODEX_BIN;
  if (forced) return existsSync(forced) ? { ok: true, bin: forced } : { ok: false, why: `GIT_CTX_CODEX_BIN=${forced} does not exist` };
  mkdirSync(CODEX_CACHE, { recursive: true });
  return withCacheLock(CODEX_CACHE, async (): Promise<Codex> => {
    if (installedVersion() !== CODEX_VERSION || !findBin()) {
      const r = await run(
        "npm",
        ["install", "--prefix", CODEX_CACHE, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `@openai/codex@${CODEX_VERSION}`],
        { timeoutMs: 15 * 60_000, env: process.env },
      );
      if (r.code !== 0) return { ok: false, why: `npm install @openai/codex@${CODEX_VERSION} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}` };
    }
    const bin = findBin();
    if (!bin) return { ok: false, why: `no Codex binary for ${process.platform}-${process.arch} in ${CODEX_CACHE}` };
    const v = await run(bin, ["--version"], { timeoutMs: 60_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: CODEX_CACHE } });
    if (v.code !== 0 || !v.stdout.includes(CODEX_VERSION)) return { ok: false, why: `${bin} --version gave exit ${v.code}: ${(v.stdout + v.stderr).trim().slice(0, 200)}` };
    return { ok: true, bin };
  });
}

/**
 * `codex exec --skip-git-repo-check -c openai_base_url=<baseUrl> <args…>` with `HOME=home` (so
 * `CODEX_HOME=<home>/.codex`) in `cwd`, nothing of the developer's environment but `PATH`.
 * @returns exit code (null when killed after `timeoutMs`), stdout, stderr.
 */
export function codexExec(o: { bin: string; home: string; cwd: string; baseUrl: string; args: string[]; timeoutMs?: number; env?: NodeJS.ProcessEnv }) {
  return run(o.bin, ["exec", "--skip-git-repo-check", "-c", `openai_base_url="${o.baseUrl}"`, ...o.args], {
    cwd: o.cwd,
    timeoutMs: o.timeoutMs ?? 120_000,
    // `env`: a simulated machine's environment (its git-ctx on PATH, its git config), for the programs Codex starts (notify)
    env: { ...o.env, PATH: o.env?.PATH ?? process.env.PATH ?? "/usr/bin:/bin", HOME: o.home, LANG: "C.UTF-8", TZ: "UTC", OPENAI_API_KEY: "test-key-not-real" },
  });
}
