import { spawn } from "node:child_process";
import { ctxGitConfig } from "../../git/config.js";
import { git, gitRaw } from "../../git/exec.js";
import { fail, pass, type Check, type ViewContext } from "../check.js";

/** The probe the filter must canonicalize: a transcript line with the probe root in `cwd` and in text. */
export const PROBE = { root: "/git-ctx-doctor/probe/root", home: "/git-ctx-doctor/probe" } as const;
const PROBE_INPUT = `{"cwd":"${PROBE.root}","message":{"content":"see ${PROBE.root}/src/x.ts"}}\n`;

/**
 * Filter and merge-driver config as git sees it in the view (any scope): every entry of
 * `ctxGitConfig()` must be set, and the configured filter must work: its one-shot mode
 * (`<program> clean|smudge --root --home --os linux`) must turn the probe root into
 * `{{CC_PROJECT_ROOT}}` and back, byte for byte.
 */
export async function checkConfig(ctx: ViewContext): Promise<Check[]> {
  const out: Check[] = [];
  const missing: string[] = [];
  const values = new Map<string, string>();
  for (const [key, want] of ctxGitConfig()) {
    const have = await git(["config", "--get", key], { cwd: ctx.workTree, env: ctx.env, okCodes: [0, 1] });
    values.set(key, have);
    if (!have) missing.push(`${key} is not set`);
    else if (key === "filter.ctx.required" && have !== want) missing.push(`${key} is '${have}', not '${want}' (a failing filter would commit raw paths)`);
  }
  const filterMissing = missing.filter((m) => m.startsWith("filter."));
  const mergeMissing = missing.filter((m) => m.startsWith("merge."));
  out.push(
    filterMissing.length
      ? fail("filter config", filterMissing.join("; "), "git ctx install   (or 'git ctx install --local' inside the view)")
      : pass("filter config", `filter.ctx.process = ${values.get("filter.ctx.process")}, required`),
  );
  out.push(
    mergeMissing.length
      ? fail("merge driver config", mergeMissing.join("; "), "git ctx install   (or 'git ctx install --local' inside the view)")
      : pass("merge driver config", `merge.ctx.driver = ${values.get("merge.ctx.driver")}`),
  );
  const proc = values.get("filter.ctx.process");
  if (proc) {
    const works = await probeFilter(proc, ctx.env, ctx.workTree);
    out.push(works);
    if (works.ok && process.platform !== "win32") out.push(await probeFilterMinimalPath(proc, ctx.env, ctx.workTree));
  }
  return out;
}

/** The `PATH` of the barest environments git runs in (cron, a GUI client started by the desktop, a shell without nvm). */
export const MINIMAL_PATH = "/usr/bin:/bin";

/**
 * The configured filter also runs with {@link MINIMAL_PATH} (issue 24, point 9): a bare
 * `git-ctx-filter` found only on the user's own `PATH` (npm's or nvm's folder) makes every
 * `git add` in a view fail with "git-ctx-filter: not found" in such environments, since
 * `filter.ctx.required` is true. `git ctx install` writes the absolute paths that pass.
 */
export async function probeFilterMinimalPath(processCmd: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Check> {
  const r = await probeFilter(processCmd, { ...env, PATH: MINIMAL_PATH }, cwd);
  const name = "filter runs without your PATH";
  return r.ok
    ? pass(name, `'${processCmd}' runs with PATH=${MINIMAL_PATH} (cron, GUI git clients)`)
    : fail(
        name,
        `with PATH=${MINIMAL_PATH} (cron, GUI git clients, a shell without nvm) git could not run the filter: ${r.detail}`,
        "git ctx install   (writes the absolute paths of node and git-ctx-filter into git config, also into this machine's views)",
      );
}

/**
 * Runs the configured filter program in one-shot mode on {@link PROBE_INPUT}: `clean` must put
 * `{{CC_PROJECT_ROOT}}` where the probe root was, `smudge` must give the input back.
 * `process` is the value of `filter.ctx.process` (`git-ctx-filter process`); its trailing
 * `process` word is replaced by the one-shot command. Run through `sh -c`, like git runs it.
 */
export async function probeFilter(processCmd: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Check> {
  const name = "filter works";
  const prefix = processCmd.replace(/\s+process\s*$/, "");
  const args = `--root ${PROBE.root} --home ${PROBE.home} --os linux`;
  const fix = "git ctx install   (writes the absolute paths of node and git-ctx-filter into git config; if git-ctx itself is gone: npm install -g git-ctx first)";
  const clean = await sh(`${prefix} clean ${args}`, Buffer.from(PROBE_INPUT), env, cwd);
  if (clean.code !== 0) return fail(name, `'${prefix} clean' failed (exit ${clean.code}): ${clean.stderr.trim().slice(0, 300) || "no message"}`, fix);
  const canon = clean.stdout.toString("utf8");
  if (canon.includes(PROBE.root) || !canon.includes("{{CC_PROJECT_ROOT}}")) {
    return fail(name, `'${prefix} clean' did not rewrite the probe root: ${JSON.stringify(canon.slice(0, 200))}`, fix);
  }
  const smudge = await sh(`${prefix} smudge ${args}`, clean.stdout, env, cwd);
  if (smudge.code !== 0) return fail(name, `'${prefix} smudge' failed (exit ${smudge.code}): ${smudge.stderr.trim().slice(0, 300) || "no message"}`, fix);
  if (!smudge.stdout.equals(Buffer.from(PROBE_INPUT))) return fail(name, `'${prefix} smudge' did not restore the probe byte for byte`, fix);
  return pass(name, `'${prefix}' cleans and smudges a probe byte-exact`);
}

function sh(cmd: string, input: Buffer, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", cmd], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolve({ code: 127, stdout: Buffer.alloc(0), stderr: e.message }));
    child.on("close", (code) => resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

/**
 * End to end through git: `git hash-object --stdin --path=<key>/doctor-probe.jsonl` runs the
 * configured clean filter exactly as `git add` would (attributes, config, state anchors); the
 * blob must equal the codec's canonical form of a probe line holding the first joined
 * project's root. Skipped (no check) when no project is joined.
 */
export async function checkFilterInView(ctx: ViewContext): Promise<Check[]> {
  const first = Object.entries(ctx.state?.projects ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))[0];
  if (!first || !ctx.state) return [];
  const [id, p] = first;
  const name = "filter in this view";
  const input = Buffer.from(`${JSON.stringify({ cwd: p.root, message: { content: `doctor probe ${p.root}` } })}\n`);
  const anchors = { os: ctx.state.machine.os, home: ctx.state.machine.home, root: p.root, key: p.key, rewriteHome: p.rewriteHome };
  const expected = ctx.codec.canonicalizeWithCounts(input, anchors).output;
  const got = await gitRaw(["hash-object", "--stdin", `--path=${p.key}/doctor-probe.jsonl`], { cwd: ctx.workTree, env: ctx.env, input, okCodes: [0, 1, 128] });
  if (got.code !== 0)
    return [
      fail(
        name,
        `git's clean filter failed on a probe in ${p.key}/ (project ${id}): ${got.stderr.trim().slice(0, 300)}`,
        "git ctx install --local   (inside the view: writes the absolute paths of node and git-ctx-filter into its config)",
      ),
    ];
  const want = await git(["hash-object", "--stdin", "--no-filters"], { cwd: ctx.workTree, env: ctx.env, input: expected });
  const have = got.stdout.toString("utf8").trim();
  if (have !== want) {
    const raw = await git(["hash-object", "--stdin", "--no-filters"], { cwd: ctx.workTree, env: ctx.env, input });
    const why = have === raw ? "git stored the probe unchanged (the filter did not run)" : "git's clean output differs from the codec's canonical form";
    return [fail(name, `${why} for ${p.key}/ (project ${id})`, "git ctx install --local   (inside the view)")];
  }
  return [pass(name, `git add would store ${p.key}/ files in canonical form`)];
}
