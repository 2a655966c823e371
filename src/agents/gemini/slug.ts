import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { CtxError } from "../../errors.js";

/**
 * Gemini CLI's project keying (FORMATS.md, "Gemini CLI"; read in `@google/gemini-cli` 0.61.0,
 * `ProjectRegistry` and `Storage` of its core package): `~/.gemini/projects.json`
 * `{"projects": {"<normalized root>": "<slug>"}}`, an ownership file `.project_root` holding the
 * normalized root in `tmp/<slug>/` and `history/<slug>/`, and the legacy `tmp/<sha256(root)>/`
 * folders of older versions. The normalized root is `path.resolve(root)`, lowercased on Windows.
 */

/** The ownership file in a slug folder. */
export const PROJECT_ROOT_FILE = ".project_root";

/** The operating systems a participant runs (as in the view state). */
type Os = "linux" | "darwin" | "windows";

/** `~/.gemini/projects.json` is not JSON, or not `{"projects": {…}}`: never overwritten; the user repairs it. */
export class GeminiProjectsFileError extends CtxError {
  readonly code = "GeminiProjectsFile" as const;
  constructor(readonly data: { file: string; why: string }) {
    super(
      `${data.file}: ${data.why}. git-ctx leaves it as it is: fix it (plain JSON of the form {"projects": {"<root>": "<slug>"}}) or move it away (Gemini CLI then makes a new one), and run the command again`,
    );
  }
}

/** The slug folder git-ctx would claim is owned by another root (its `.project_root` names it). */
export class GeminiSlugTakenError extends CtxError {
  readonly code = "GeminiSlugTaken" as const;
  constructor(readonly data: { folder: string; owner: string; root: string }) {
    super(
      `${data.folder} belongs to ${data.owner} (its ${PROJECT_ROOT_FILE} says so), not to ${data.root}: git-ctx never takes it over; run Gemini CLI once in ${data.root} so it claims a folder, then run the command again`,
    );
  }
}

/** The root as Gemini CLI keys it: resolved, lowercased on Windows (`ProjectRegistry.normalizePath`). */
export function normalizeGeminiRoot(root: string, os: Os): string {
  const r = os === "windows" ? path.win32.resolve(root) : path.posix.resolve(root);
  return os === "windows" ? r.toLowerCase() : r;
}

/** `projectHash` of a chat and the legacy folder name: sha256 (hex) of the root as Gemini was started in it (not normalized). */
export function geminiProjectHash(root: string): string {
  return createHash("sha256").update(root).digest("hex");
}

/** Gemini's slug of a folder name: lowercase, runs of non-`[a-z0-9]` to `-`, trimmed; `project` when empty. */
export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "-")
      .replace(/-+/g, "-")
      .replace(/^-|-$/g, "") || "project"
  );
}

/** Parsed `projects.json`: normalized root → slug. */
export type GeminiProjects = Record<string, string>;

/**
 * Reads `<geminiHome>/projects.json`; a missing file is `{}`.
 * @throws GeminiProjectsFileError when it is not plain JSON of the form `{"projects": {string: string}}`
 *   (Gemini itself would reset such a file to empty; git-ctx never overwrites it).
 */
export function readGeminiProjects(file: string): GeminiProjects {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new GeminiProjectsFileError({ file, why: `cannot be read (${(e as Error).message})` });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GeminiProjectsFileError({ file, why: `is not JSON (${(e as Error).message})` });
  }
  const projects = (v as { projects?: unknown } | null)?.projects;
  if (!projects || typeof projects !== "object" || Array.isArray(projects) || Object.values(projects).some((s) => typeof s !== "string")) {
    throw new GeminiProjectsFileError({ file, why: 'has no "projects" object of root → slug strings' });
  }
  return projects as GeminiProjects;
}

/** The normalized root a slug folder's `.project_root` names (absolute folder given), `undefined` when there is none. */
export function ownerOf(folder: string): string | undefined {
  try {
    return readFileSync(path.join(folder, PROJECT_ROOT_FILE), "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Where Gemini keeps slug folders: `tmp/` (the view) and `history/`, both in the Gemini home. */
function baseDirs(geminiHome: string): string[] {
  return [path.join(geminiHome, "tmp"), path.join(geminiHome, "history")];
}

/**
 * The slug folder Gemini CLI uses for `root` on this machine, by its own rules (read, never
 * written), first match wins:
 * 1. the folder recorded for the project in the view state (`stateKey`) when its `.project_root`
 *    files agree or are absent;
 * 2. the `projects.json` entry for the normalized root when every `.project_root` of that slug
 *    agrees (or is absent);
 * 3. a slug folder (in `tmp/` or `history/`) whose `.project_root` names the root;
 * 4. a new slug: {@link slugify} of the root's last name, then `-1`, `-2`, … skipping slugs that
 *    `projects.json` maps to another root and folders whose `.project_root` names another root.
 * @param geminiHome `~/.gemini` (its `tmp/` is the view).
 * @throws GeminiProjectsFileError for a damaged `projects.json`.
 */
export function chooseGeminiSlug(geminiHome: string, root: string, os: Os, stateKey?: string): { key: string; registered: boolean } {
  const want = normalizeGeminiRoot(root, os);
  const norm = (p: string) => normalizeGeminiRoot(p, os);
  const agrees = (slug: string) =>
    baseDirs(geminiHome).every((b) => {
      const o = ownerOf(path.join(b, slug));
      return o === undefined || norm(o) === want;
    });
  const projects = readGeminiProjects(path.join(geminiHome, "projects.json"));
  if (stateKey && agrees(stateKey) && (projects[want] === undefined || projects[want] === stateKey)) return { key: stateKey, registered: projects[want] === stateKey };
  const listed = projects[want];
  if (listed && agrees(listed)) return { key: listed, registered: true };
  for (const b of baseDirs(geminiHome)) {
    let names: string[] = [];
    try {
      names = readdirSync(b);
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const o = ownerOf(path.join(b, n));
      if (o !== undefined && norm(o) === want) return { key: n, registered: false };
    }
  }
  // the root's last name in its own OS's terms (a Windows root read on any machine)
  const base = slugify((os === "windows" ? path.win32 : path.posix).basename(want));
  const taken = new Set(
    Object.entries(projects)
      .filter(([r]) => r !== want)
      .map(([, s]) => s),
  );
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    if (taken.has(candidate)) continue;
    if (!agrees(candidate)) continue;
    return { key: candidate, registered: false };
  }
}

/**
 * Claims `slug` for `root` as Gemini CLI does (`ProjectRegistry.getShortId`): holding Gemini's own
 * lock on `projects.json` (proper-lockfile, `projects.json.lock`, the lock Gemini takes), re-reads
 * the file, records `root → slug` and writes it atomically (2-space JSON, as Gemini writes it);
 * then writes `.project_root` (the normalized root) into `tmp/<slug>/` and `history/<slug>/`
 * where missing. A legacy `tmp/<sha256(root)>/` folder is copied into the slug folder while that
 * holds nothing but `.project_root` (Gemini's own migration, `StorageMigration.migrateDirectory`),
 * so the first machine's old sessions become the project's. Other entries are never changed.
 * @returns notes for the user (the legacy folder adopted).
 * @throws GeminiProjectsFileError (damaged `projects.json`, never overwritten),
 *   GeminiSlugTakenError (a `.project_root` names another root), fs and lock errors.
 */
export async function claimGeminiSlug(geminiHome: string, root: string, slug: string, os: Os): Promise<string[]> {
  const file = path.join(geminiHome, "projects.json");
  const want = normalizeGeminiRoot(root, os);
  mkdirSync(geminiHome, { recursive: true });
  readGeminiProjects(file); // refuse a damaged file before creating anything
  for (const b of baseDirs(geminiHome)) {
    const o = ownerOf(path.join(b, slug));
    if (o !== undefined && normalizeGeminiRoot(o, os) !== want) throw new GeminiSlugTakenError({ folder: path.join(b, slug), owner: o, root });
  }
  if (!existsSync(file)) {
    try {
      writeFileSync(file, `${JSON.stringify({ projects: {} }, null, 2)}`, { flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  const release = await lockfile.lock(file, { retries: { retries: 100, minTimeout: 100, maxTimeout: 100 }, realpath: false });
  try {
    const projects = readGeminiProjects(file);
    if (projects[want] !== slug) {
      const text = readFileSync(file, "utf8");
      const data = JSON.parse(text) as { projects: GeminiProjects };
      data.projects[want] = slug;
      await writeFileAtomic(file, JSON.stringify(data, null, 2));
    }
  } finally {
    await release();
  }
  const notes: string[] = [];
  const folder = path.join(geminiHome, "tmp", slug);
  const legacy = path.join(geminiHome, "tmp", geminiProjectHash(root));
  const onlyMarker = !existsSync(folder) || readdirSync(folder).every((n) => n === PROJECT_ROOT_FILE);
  if (existsSync(legacy) && onlyMarker) {
    mkdirSync(folder, { recursive: true });
    cpSync(legacy, folder, { recursive: true });
    notes.push(`adopted Gemini CLI's legacy folder ${legacy} into ${folder} (copied, as Gemini CLI migrates it; the old folder is left as it is)`);
  }
  for (const b of baseDirs(geminiHome)) {
    const dir = path.join(b, slug);
    mkdirSync(dir, { recursive: true });
    if (ownerOf(dir) === undefined) writeFileSync(path.join(dir, PROJECT_ROOT_FILE), want, { flag: "wx" });
  }
  return notes;
}
