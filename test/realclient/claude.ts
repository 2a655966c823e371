/**
 * The real Claude Code client for tests: installed on demand into `<repo>/.cache/claude-code`
 * (outside the package's dependencies: it is a ~370 MB native binary and `npm ci` must stay
 * light), plus a runner for `claude -p --resume <id> <prompt>` against a local recorder.
 *
 * Facts used (FORMATS.md, "Running the real client offline"): npm 11 does not run the package's
 * postinstall; the binary ships in the platform package
 * `@anthropic-ai/claude-code-<platform>-<arch>/claude`; with `HOME=<fake home>`,
 * `ANTHROPIC_BASE_URL=http://127.0.0.1:<port>` and any `ANTHROPIC_API_KEY`, a resume POSTs
 * `/v1/messages` holding the prior conversation; an unknown session prints
 * `No conversation found with session ID: <id>`.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO } from "../helpers/env.js";
import { run, withCacheLock } from "./install.js";

/** The Claude Code version these tests were verified with (2026-11-21: resume of 4 corpus sessions). */
export const CLAUDE_CODE_VERSION = "2.1.330";
/** Install folder (git-ignored `.cache/`). Override the binary with `GIT_CTX_CLAUDE_BIN`. */
export const CLAUDE_CACHE = path.join(REPO, ".cache", "claude-code");

/** Result of {@link ensureClaudeCode}: the binary, or why the real-client tests must skip. */
export type ClaudeCode = { ok: true; bin: string; version: string } | { ok: false; why: string };

function candidates(): string[] {
  const nm = path.join(CLAUDE_CACHE, "node_modules", "@anthropic-ai");
  return [
    path.join(nm, `claude-code-${process.platform}-${process.arch}`, "claude"),
    path.join(nm, `claude-code-${process.platform}-${process.arch}-musl`, "claude"),
    path.join(nm, "claude-code", "bin", "claude.exe"),
  ];
}

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(CLAUDE_CACHE, "node_modules", "@anthropic-ai", "claude-code", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Returns the pinned real client, installing it first when missing:
 * `npm install --prefix <repo>/.cache/claude-code @anthropic-ai/claude-code@<pinned>`, then the
 * platform package's binary (or `node install.cjs` when npm ran no postinstall and no platform
 * binary is there). `GIT_CTX_SKIP_REAL_CLIENT=1` skips; `GIT_CTX_CLAUDE_BIN` names a binary to use
 * instead (its version is not checked). Never throws: a failed install (no network, unsupported platform) is a
 * `{ ok: false, why }` for the caller to skip on.
 */
export async function ensureClaudeCode(): Promise<ClaudeCode> {
  if (process.env.GIT_CTX_SKIP_REAL_CLIENT) return { ok: false, why: "GIT_CTX_SKIP_REAL_CLIENT is set" };
  const forced = process.env.GIT_CTX_CLAUDE_BIN;
  if (forced) return existsSync(forced) ? { ok: true, bin: forced, version: "(GIT_CTX_CLAUDE_BIN)" } : { ok: false, why: `GIT_CTX_CLAUDE_BIN=${forced} does not exist` };
  mkdirSync(CLAUDE_CACHE, { recursive: true });
  return withCacheLock(CLAUDE_CACHE, installLocked);
}

async function installLocked(): Promise<ClaudeCode> {
  if (installedVersion() !== CLAUDE_CODE_VERSION || !candidates().some(existsSync)) {
    const r = await run(
      "npm",
      ["install", "--prefix", CLAUDE_CACHE, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`],
      { timeoutMs: 15 * 60_000, env: process.env },
    );
    if (r.code !== 0)
      return { ok: false, why: `npm install @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}` };
    if (!candidates().some(existsSync)) {
      const inst = path.join(CLAUDE_CACHE, "node_modules", "@anthropic-ai", "claude-code", "install.cjs");
      if (existsSync(inst)) await run(process.execPath, [inst], { cwd: path.dirname(inst), timeoutMs: 10 * 60_000, env: process.env });
    }
  }
  const bin = candidates().find(existsSync);
  if (!bin) return { ok: false, why: `no Claude Code binary for ${process.platform}-${process.arch} in ${CLAUDE_CACHE}` };
  const v = await run(bin, ["--version"], { timeoutMs: 60_000, env: cleanEnv({ HOME: CLAUDE_CACHE }) });
  if (v.code !== 0 || !v.stdout.includes(CLAUDE_CODE_VERSION)) return { ok: false, why: `${bin} --version gave exit ${v.code}: ${(v.stdout + v.stderr).trim().slice(0, 200)}` };
  return { ok: true, bin, version: CLAUDE_CODE_VERSION };
}

/**
 * A minimal environment for the real client: nothing of the developer's or the coding agent's
 * own Claude settings leaks in (no `CLAUDE_*`, no real API key); telemetry, auto-update and
 * non-essential traffic are off.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    TZ: "UTC",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    ...extra,
  };
}

/** Outcome of one {@link resume} run. */
export interface ResumeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `claude -p --resume <sessionId> <prompt>` with `HOME=home`, cwd `cwd` (must exist: the
 * client looks the session up under `~/.claude/projects/<claudeDirKey(cwd)>/`) against the
 * recorder at `baseUrl`. Resolves when the process exits (killed after `timeoutMs`).
 */
export function resume(o: { bin: string; home: string; cwd: string; sessionId: string; baseUrl: string; prompt?: string; timeoutMs?: number }): Promise<ResumeRun> {
  return run(o.bin, ["-p", "--resume", o.sessionId, o.prompt ?? "continue"], {
    cwd: o.cwd,
    timeoutMs: o.timeoutMs ?? 120_000,
    env: cleanEnv({ HOME: o.home, ANTHROPIC_API_KEY: "test-key-not-real", ANTHROPIC_BASE_URL: o.baseUrl }),
  });
}
