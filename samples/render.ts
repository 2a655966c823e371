/**
 * Renders git-ctx's shipped sample sessions (machine-neutral templates under `samples/claude/`)
 * into a Claude Code projects folder for any machine: this is how the demo and the tests create
 * "machine A's" sessions without shipping anyone's real home directory.
 *
 * Template placeholders ({@link PH}):
 * - `@@HOME@@` the home directory as written in transcripts (`/home/alice`, `/Users/bob`, `C:\Users\carol`);
 * - `@@ROOT@@` the project root (`<home>/<rootRel>` by default);
 * - `@@KEY@@`  Claude Code's directory key of the root (`claudeDirKey`, FORMATS.md).
 *
 * A placeholder followed by `/segments` is one path: on a Windows machine its `/` become `\`.
 * `*.jsonl` and `*.json` files are parsed line by line and every string **and object key** is
 * rendered (so JSON escaping of `\` and `"` is exact), then re-serialised with `JSON.stringify`,
 * which is how Claude Code writes them (FORMATS.md); other files (`*.md`, `*.txt`) are rendered as text.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { claudeDirKey } from "../src/agents/claude/dirkey.js";
import type { MachineOs } from "../src/roster/machine.js";

/** The placeholder strings used in the templates. */
export const PH = { home: "@@HOME@@", root: "@@ROOT@@", key: "@@KEY@@" } as const;

/** `samples/claude/manifest.json`: the sample projects and where their roots live under a home. */
export interface SampleManifest {
  projects: { name: string; rootRel: string }[];
}

/** Values substituted for the placeholders on one machine for one project. */
export interface RenderVars {
  home: string;
  root: string;
  /** Defaults to `claudeDirKey(root)`. */
  key?: string;
  os: MachineOs;
}

/** One rendered project. */
export interface RenderedProject {
  /** Sample project name (folder under `samples/claude/`). */
  name: string;
  /** Absolute project root on the machine (native spelling). */
  root: string;
  /** Claude Code directory key of `root`. */
  key: string;
  /** The project folder written: `<projectsDir>/<key>`. */
  dir: string;
  /** Files written, relative to `dir`, `/`-separated, sorted. */
  files: string[];
  /** Ids of the top-level sessions (`<id>.jsonl` directly in `dir`). */
  sessions: string[];
}

/**
 * Directory of this package's `samples/` (the one holding `claude/manifest.json`), found from
 * this module's location, so it works from `samples/render.ts` (tests) and
 * `dist/samples/render.js` (demo, installed package).
 * @throws Error when the templates are not shipped next to the code (a broken install).
 */
export function samplesDir(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(path.join(d, "samples", "claude", "manifest.json"))) return path.join(d, "samples");
    if (existsSync(path.join(d, "claude", "manifest.json"))) return d;
    d = path.dirname(d);
  }
  throw new Error(`git-ctx sample templates not found above ${fileURLToPath(import.meta.url)} (reinstall the package: 'samples/' must be shipped)`);
}

/** Reads `samples/claude/manifest.json`. */
export function readManifest(dir = samplesDir()): SampleManifest {
  return JSON.parse(readFileSync(path.join(dir, "claude", "manifest.json"), "utf8")) as SampleManifest;
}

/**
 * A project root for `home` on `os`: `<home>/<rootRel>` with the machine's separator
 * (`\` on Windows). `rootRel` is `/`-separated.
 */
export function rootFor(home: string, os: MachineOs, rootRel: string): string {
  if (os === "windows") return `${home.replace(/[\\/]+$/, "")}\\${rootRel.split("/").join("\\")}`;
  return path.posix.join(home, rootRel);
}

const PATH_TOKEN = /(@@HOME@@|@@ROOT@@)((?:\/[A-Za-z0-9._@~+-]*)*)/g;

/**
 * Renders placeholders in one string. Pure, total. On Windows, the `/` of a path that starts
 * with `@@HOME@@`/`@@ROOT@@` become `\`; `@@KEY@@` inside such a path is substituted too.
 */
export function renderString(s: string, v: RenderVars): string {
  if (!s.includes("@@")) return s;
  const key = v.key ?? claudeDirKey(v.root);
  const sub = (t: string) => t.split(PH.home).join(v.home).split(PH.root).join(v.root).split(PH.key).join(key);
  return s
    .replace(PATH_TOKEN, (_m, anchor: string, rest: string) => {
      const base = anchor === PH.home ? v.home : v.root;
      const tail = v.os === "windows" ? rest.split("/").join("\\") : rest;
      return base + sub(tail);
    })
    .split(PH.key)
    .join(key);
}

function renderValue(x: unknown, v: RenderVars): unknown {
  if (typeof x === "string") return renderString(x, v);
  if (Array.isArray(x)) return x.map((e) => renderValue(e, v));
  if (x && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(x)) out[renderString(k, v)] = renderValue(e, v);
    return out;
  }
  return x;
}

/**
 * Renders one template file's text. `*.jsonl`: every non-empty line is parsed, rendered, and
 * re-serialised compactly (line endings kept as `"\n"`); `*.json`: the same for the whole text;
 * anything else: {@link renderString} on the text.
 * @throws SyntaxError when a JSON template is not valid JSON (a broken template).
 */
export function renderFile(rel: string, text: string, v: RenderVars): string {
  if (rel.endsWith(".jsonl")) {
    return text
      .split("\n")
      .map((line) => (line === "" ? line : JSON.stringify(renderValue(JSON.parse(line), v))))
      .join("\n");
  }
  if (rel.endsWith(".json")) {
    const trailing = text.endsWith("\n") ? "\n" : "";
    return JSON.stringify(renderValue(JSON.parse(text), v)) + trailing;
  }
  return renderString(text, v);
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Options of {@link renderSamples}. */
export interface RenderSamplesOptions {
  /** Home as written in transcripts on this machine. */
  home: string;
  os: MachineOs;
  /** Where Claude Code keeps projects on this machine (`~/.claude/projects`). */
  projectsDir: string;
  /** Root per project name; default `rootFor(home, os, rootRel)`. */
  roots?: Record<string, string>;
  /** Only these projects (default: all in the manifest). */
  only?: string[];
  /** Also create each root as a real directory (`mkdir -p`), e.g. for the real client (its cwd). */
  createRoots?: boolean;
  /** Templates folder (default {@link samplesDir}). */
  from?: string;
}

/**
 * Writes the sample projects for one machine into `projectsDir/<key>/` (overwriting files of the
 * same names, leaving other files alone).
 * @returns one {@link RenderedProject} per project, in manifest order.
 * @throws the fs error when `projectsDir` cannot be written.
 */
export function renderSamples(o: RenderSamplesOptions): RenderedProject[] {
  const from = o.from ?? samplesDir();
  const manifest = readManifest(from);
  const out: RenderedProject[] = [];
  for (const p of manifest.projects) {
    if (o.only && !o.only.includes(p.name)) continue;
    const root = o.roots?.[p.name] ?? rootFor(o.home, o.os, p.rootRel);
    const key = claudeDirKey(root);
    const dir = path.join(o.projectsDir, key);
    const src = path.join(from, "claude", p.name);
    const files = listFiles(src);
    const v: RenderVars = { home: o.home, root, key, os: o.os };
    for (const rel of files) {
      const dest = path.join(dir, ...rel.split("/"));
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, renderFile(rel, readFileSync(path.join(src, ...rel.split("/")), "utf8"), v));
    }
    if (o.createRoots) mkdirSync(root, { recursive: true });
    const sessions = files.filter((f) => !f.includes("/") && f.endsWith(".jsonl")).map((f) => f.slice(0, -".jsonl".length));
    out.push({ name: p.name, root, key, dir, files, sessions });
  }
  return out;
}

/** Options of {@link turnLines}. */
export interface TurnOptions {
  sessionId: string;
  /** `cwd` of the new lines (native spelling of this machine). */
  cwd: string;
  /** uuid of the line the turn continues (the session's last `uuid`), or null. */
  parentUuid: string | null;
  /** The user's prompt and the assistant's answer. */
  prompt: string;
  answer: string;
  /** ISO UTC time of the user line; the answer is 1 s later. */
  timestamp: string;
  /** Seed for the two new uuids (e.g. `"A-1"`); must differ between appends. */
  seed: string;
}

/**
 * One user + assistant turn as two compact JSON lines (each ending in `"\n"`), shaped like
 * Claude Code's (FORMATS.md common fields). Used by the demo to append on both machines.
 * Pure; ids are derived from `seed`.
 */
export function turnLines(o: TurnOptions): string {
  const id = (n: number) => {
    const x = createHash("sha256").update(`${o.sessionId}/${o.seed}/${n}`).digest("hex");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-8${x.slice(17, 20)}-${x.slice(20, 32)}`;
  };
  const common = { isSidechain: false, userType: "external", entrypoint: "cli", cwd: o.cwd, sessionId: o.sessionId, version: "2.1.97", gitBranch: "main" };
  const u = id(1);
  const a = id(2);
  const t2 = new Date(Date.parse(o.timestamp) + 1000).toISOString();
  const user = { parentUuid: o.parentUuid, ...common, type: "user", message: { role: "user", content: o.prompt }, uuid: u, timestamp: o.timestamp };
  const assistant = {
    parentUuid: u,
    ...common,
    type: "assistant",
    message: {
      model: "claude-sonnet-4-6",
      id: `msg_${a.replace(/-/g, "").slice(0, 24)}`,
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: o.answer }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 40 },
    },
    uuid: a,
    timestamp: t2,
  };
  return JSON.stringify(user) + "\n" + JSON.stringify(assistant) + "\n";
}

/** The `uuid` of the last line of a transcript's text that has one, or null. */
export function lastUuid(jsonl: string): string | null {
  const lines = jsonl.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /"uuid":"([^"]+)"/.exec(lines[i]!);
    if (m) return m[1]!;
  }
  return null;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `node dist/samples/render.js <projectsDir> <home> [linux|darwin|windows]`: render for a look.
  const [projectsDir, home, os = "linux"] = process.argv.slice(2);
  if (!projectsDir || !home) {
    process.stderr.write("usage: node dist/samples/render.js <projectsDir> <home> [linux|darwin|windows]\n");
    process.exit(2);
  }
  for (const p of renderSamples({ projectsDir, home, os: os as MachineOs })) process.stdout.write(`${p.dir}  (${p.files.length} files, root ${p.root})\n`);
}
