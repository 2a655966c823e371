/**
 * The real Gemini CLI for tests: `@google/gemini-cli` installed on demand into
 * `<repo>/.cache/gemini` (outside the package's dependencies: ~100 MB), a runner for
 * `gemini --resume <id> -p <prompt>` offline, and a local stand-in for the Gemini API.
 *
 * Facts used (FORMATS.md, "Gemini CLI", "Running it offline"; checked with 0.61.0):
 * `HOME=<h> GEMINI_API_KEY=<any> GOOGLE_GEMINI_BASE_URL=<url> GEMINI_CLI_NO_RELAUNCH=true gemini
 * --skip-trust --resume <full uuid> -p <prompt>` in the project root, with `~/.gemini/settings.json`
 * selecting `gemini-api-key` auth and turning retention off; it first POSTs the router model's
 * `:generateContent` (a 400 makes it fall back), then `:streamGenerateContent?alt=sse` with
 * `contents[{role, parts[{text}|{functionCall}|{functionResponse}]}]`. Not found: exit 42.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { REPO } from "../helpers/env.js";
import { run, withCacheLock } from "./install.js";

/** The Gemini CLI version these tests were verified with. */
export const GEMINI_VERSION = "0.61.0";
/** Install folder (git-ignored `.cache/`). */
export const GEMINI_CACHE = path.join(REPO, ".cache", "gemini");
const ENTRY = path.join(GEMINI_CACHE, "node_modules", "@google", "gemini-cli", "bundle", "gemini.js");

/** The entry script, or why the real-client tests must skip. */
export type Gemini = { ok: true; entry: string } | { ok: false; why: string };

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(GEMINI_CACHE, "node_modules", "@google", "gemini-cli", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * The pinned Gemini CLI, installed first when missing (`npm install --prefix <cache>
 * @google/gemini-cli@<pinned>`). `GIT_CTX_SKIP_REAL_CLIENT=1` skips. Never throws: a failed
 * install is `{ ok: false, why }`, for the caller to skip on.
 */
export async function ensureGemini(): Promise<Gemini> {
  if (process.env.GIT_CTX_SKIP_REAL_CLIENT) return { ok: false, why: "GIT_CTX_SKIP_REAL_CLIENT is set" };
  mkdirSync(GEMINI_CACHE, { recursive: true });
  return withCacheLock(GEMINI_CACHE, async (): Promise<Gemini> => {
    if (installedVersion() !== GEMINI_VERSION || !existsSync(ENTRY)) {
      const r = await run(
        "npm",
        [
          "install",
          "--prefix",
          GEMINI_CACHE,
          "--no-save",
          "--no-package-lock",
          "--no-audit",
          "--no-fund",
          "--ignore-scripts",
          "--loglevel=error",
          `@google/gemini-cli@${GEMINI_VERSION}`,
        ],
        { timeoutMs: 15 * 60_000, env: process.env },
      );
      if (r.code !== 0) return { ok: false, why: `npm install @google/gemini-cli@${GEMINI_VERSION} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}` };
    }
    if (!existsSync(ENTRY)) return { ok: false, why: `no ${ENTRY} after the install` };
    return { ok: true, entry: ENTRY };
  });
}

/** Writes `<home>/.gemini/settings.json` for offline runs (API-key auth, no retention), merged over what is there. */
export function offlineSettings(home: string, extra: Record<string, unknown> = {}): void {
  const file = path.join(home, ".gemini", "settings.json");
  mkdirSync(path.dirname(file), { recursive: true });
  let old: Record<string, unknown> = {};
  try {
    old = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    old = {};
  }
  writeFileSync(file, JSON.stringify({ ...old, security: { auth: { selectedType: "gemini-api-key" } }, general: { sessionRetention: { enabled: false } }, ...extra }, null, 2));
}

/**
 * `gemini --skip-trust <args…>` with `HOME=home` in `cwd` against `baseUrl`, nothing of the
 * developer's environment but `PATH` (and `env`: a simulated machine's git-ctx for hooks).
 */
export function geminiRun(o: { entry: string; home: string; cwd: string; baseUrl: string; args: string[]; timeoutMs?: number; env?: NodeJS.ProcessEnv }) {
  const tmp = path.join(o.home, ".gemini-test-tmp");
  mkdirSync(tmp, { recursive: true });
  return run(process.execPath, [o.entry, "--skip-trust", ...o.args], {
    cwd: o.cwd,
    timeoutMs: o.timeoutMs ?? 180_000,
    env: {
      ...(o.env ?? { PATH: process.env.PATH }),
      HOME: o.home,
      TMPDIR: tmp,
      GEMINI_API_KEY: "test-key",
      GOOGLE_GEMINI_BASE_URL: o.baseUrl,
      GEMINI_CLI_NO_RELAUNCH: "true",
      NO_COLOR: "1",
      CI: "",
    },
  });
}

/** One streamGenerateContent request as the recorder saw it. */
export interface GeminiRequest {
  url: string;
  body: { contents?: { role: string; parts: Record<string, unknown>[] }[]; [k: string]: unknown } | undefined;
}

/** The model text every streamed reply carries (tests find it in the chat afterwards). */
export const GEMINI_REPLY = "Recorded by the git-ctx Gemini recorder.";

/**
 * Starts a stand-in for the Gemini API on 127.0.0.1: `:generateContent` (the router) gets a 400
 * (Gemini falls back to its default model), `:streamGenerateContent` is recorded and answered
 * with one SSE chunk holding {@link GEMINI_REPLY} and `finishReason: STOP`.
 */
export async function startGeminiRecorder(): Promise<{ baseUrl: string; streams: GeminiRequest[]; all: string[]; close(): Promise<void> }> {
  const streams: GeminiRequest[] = [];
  const all: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const url = req.url ?? "";
      all.push(`${req.method} ${url}`);
      if (url.includes(":streamGenerateContent")) {
        let body: GeminiRequest["body"];
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        streams.push({ url, body });
        res.writeHead(200, { "content-type": "text/event-stream" });
        const chunk = {
          candidates: [{ content: { role: "model", parts: [{ text: GEMINI_REPLY }] }, finishReason: "STOP", index: 0 }],
          usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
          modelVersion: "gemini-2.5-pro",
        };
        res.end(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
        return;
      }
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 400, message: "not served by the git-ctx recorder", status: "INVALID_ARGUMENT" } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, streams, all, close: () => new Promise<void>((r) => server.close(() => r())) };
}
