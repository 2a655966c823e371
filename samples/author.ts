/**
 * Authors git-ctx's shipped sample sessions: small, realistic Claude Code transcripts written by
 * us (not copied from any real user), stored as machine-neutral templates under
 * `samples/claude/<project>/` with the placeholders of {@link ./render.ts} (`@@HOME@@`,
 * `@@ROOT@@`, `@@KEY@@`).
 *
 * The shapes follow FORMATS.md ("Files in a project directory", "Line types and where absolute
 * paths occur"): compact `JSON.stringify` lines with `"\n"` endings; `uuid`/`parentUuid` chains;
 * `sessionId`, ISO-UTC `timestamp`, `version`, `gitBranch`, `isSidechain`, `userType`, `cwd` on
 * every message line (sometimes a subdirectory of the root); `tool_use` blocks with absolute
 * `file_path`/`path`/`command`; `tool_result` text with paths; `toolUseResult` with `filePath`,
 * `structuredPatch`, `stdout`; `file-history-snapshot` with absolute paths as object keys; a
 * subagent (`<session>/subagents/agent-<id>.jsonl` + `.meta.json`); a tool result saved to
 * `<session>/tool-results/<id>.txt` and referenced by absolute path; `memory/MEMORY.md` + a topic file.
 *
 * Deterministic: same code ⇒ same bytes (fixed ids and times), so `test/samples` can check that
 * the committed templates equal this script's output. Regenerate with
 * `npm run build && node dist/samples/author.js`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PH, type SampleManifest } from "./render.js";

/** One template file: path relative to its project folder, and its text. */
export interface TemplateFile {
  rel: string;
  text: string;
}

const HOME = PH.home;
const ROOT = PH.root;
const KEY = PH.key;
const VERSION = "2.1.97";

/** A uuid-shaped id derived from a label (sha256), so ids are stable across runs. */
function uid(label: string): string {
  const h = createHash("sha256").update(label).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `toolu_…` / `msg_…` style ids derived from a label. */
function tid(prefix: string, label: string): string {
  return prefix + createHash("sha256").update(label).digest("base64url").replace(/[-_]/g, "x").slice(0, 24);
}

/** Builds one session's lines: keeps the parentUuid chain and the clock. */
class SessionWriter {
  readonly lines: object[] = [];
  private parent: string | null = null;
  /** uuid of the last line of the chain (`leafUuid` of `last-prompt` / `summary` lines). */
  get leaf(): string | null {
    return this.parent;
  }
  private clock: number;
  private n = 0;
  constructor(
    readonly sessionId: string,
    start: string,
    private cwd: string,
    private readonly extra: Record<string, unknown> = {},
    private readonly gitBranch = "main",
  ) {
    this.clock = Date.parse(start);
  }
  /** Moves the clock `ms` forward and returns the ISO time. */
  tick(ms = 1500): string {
    this.clock += ms;
    return new Date(this.clock).toISOString();
  }
  cd(cwd: string): void {
    this.cwd = cwd;
  }
  private base(uuid: string, ts: string): Record<string, unknown> {
    return {
      parentUuid: this.parent,
      isSidechain: this.extra.isSidechain ?? false,
      ...("agentId" in this.extra ? { agentId: this.extra.agentId } : {}),
      userType: "external",
      entrypoint: "cli",
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: VERSION,
      gitBranch: this.gitBranch,
      uuid,
      timestamp: ts,
    };
  }
  private push(line: Record<string, unknown>): string {
    this.lines.push(line);
    this.parent = line.uuid as string;
    return line.uuid as string;
  }
  user(content: unknown, more: Record<string, unknown> = {}): string {
    const uuid = uid(`${this.sessionId}/${this.n++}`);
    const ts = this.tick();
    return this.push({ ...this.base(uuid, ts), type: "user", message: { role: "user", content }, ...more });
  }
  assistant(content: object[], stop: "end_turn" | "tool_use" = "end_turn"): string {
    const uuid = uid(`${this.sessionId}/${this.n++}`);
    const ts = this.tick(2500);
    return this.push({
      ...this.base(uuid, ts),
      type: "assistant",
      requestId: tid("req_", `${uuid}/request`),
      message: {
        model: "claude-sonnet-4-6",
        id: tid("msg_", uuid),
        type: "message",
        role: "assistant",
        content,
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: 4, cache_creation_input_tokens: 812, cache_read_input_tokens: 15210, output_tokens: 96 + content.length * 40, service_tier: "standard" },
      },
    });
  }
  /** A tool call and its result, as two lines (assistant tool_use, then user tool_result). */
  tool(name: string, input: Record<string, unknown>, result: string, toolUseResult: unknown, isError = false): string {
    const id = tid("toolu_", `${this.sessionId}/${this.n}/${name}`);
    const a = this.assistant([{ type: "tool_use", id, name, input }], "tool_use");
    this.user([{ tool_use_id: id, type: "tool_result", content: result, is_error: isError }], { toolUseResult, sourceToolAssistantUUID: a });
    return id;
  }
  text(t: string): string {
    return this.assistant([{ type: "text", text: t }]);
  }
  snapshot(messageId: string, backups: Record<string, { backupFileName: string | null; version: number }>, update = false): void {
    const ts = this.tick(5);
    const trackedFileBackups = Object.fromEntries(Object.entries(backups).map(([k, v]) => [k, { ...v, backupTime: ts }]));
    this.lines.push({ type: "file-history-snapshot", messageId, snapshot: { messageId, trackedFileBackups, timestamp: ts }, isSnapshotUpdate: update });
  }
  system(subtype: string, more: Record<string, unknown>): void {
    const uuid = uid(`${this.sessionId}/${this.n++}`);
    const ts = this.tick(10);
    this.push({ ...this.base(uuid, ts), type: "system", subtype, isMeta: false, ...more });
  }
  raw(line: object): void {
    this.lines.push(line);
  }
  /** The transcript text: one compact JSON object per line, `"\n"` after each. */
  jsonl(): string {
    return this.lines.map((l) => JSON.stringify(l) + "\n").join("");
  }
}

/** The webshop project: two sessions (one with a subagent and a saved tool result) and memory. */
function webshop(): TemplateFile[] {
  const files: TemplateFile[] = [];
  // Session 1: a failing checkout test, fixed with Read/Edit/Bash and an Explore subagent.
  const sid = uid("webshop/session-1");
  const s = new SessionWriter(sid, "2026-03-02T09:14:05.120Z", ROOT);
  s.raw({ type: "permission-mode", permissionMode: "default", sessionId: sid });
  const u1 = uid(`${sid}/0`);
  s.snapshot(u1, {});
  s.user("The checkout total is wrong when a coupon and free shipping are combined. `npm test -- cart` fails. Can you fix it?", {
    permissionMode: "default",
    promptId: uid(`${sid}/prompt-1`),
  });
  s.assistant([{ type: "text", text: "Let me look at the checkout code and run the failing test first." }]);
  const checkout = `${ROOT}/src/cart/checkout.ts`;
  const checkoutSrc =
    'import { applyCoupon } from "./coupon";\nimport type { Cart } from "./types";\n\nexport function computeTotal(cart: Cart): number {\n  const items = cart.items.reduce((s, i) => s + i.price * i.qty, 0);\n  const shipping = cart.freeShipping ? 0 : 4.99;\n  return applyCoupon(items + shipping, cart.coupon);\n}\n';
  s.tool(
    "Read",
    { file_path: checkout },
    checkoutSrc
      .split("\n")
      .map((l, i) => `${String(i + 1).padStart(6)}\t${l}`)
      .join("\n"),
    { type: "text", file: { filePath: checkout, content: checkoutSrc, numLines: 9, startLine: 1, totalLines: 9 } },
  );
  const testOut = `FAIL src/cart/checkout.test.ts\n  ● computeTotal › coupon with free shipping\n\n    expect(received).toBe(expected)\n\n    Expected: 45\n    Received: 40.5\n\n      at Object.<anonymous> (${ROOT}/src/cart/checkout.test.ts:31:40)\n      at computeTotal (${ROOT}/src/cart/checkout.ts:7:10)\n\nTests: 1 failed, 11 passed, 12 total`;
  s.tool(
    "Bash",
    { command: `cd ${ROOT} && npm test -- cart`, description: "Run the cart tests" },
    testOut,
    { stdout: testOut, stderr: "", interrupted: false, isImage: false },
    true,
  );
  // An Explore subagent searches for other callers of applyCoupon.
  const agentId = "a3f9c2e81b7d40c5e";
  const agentPrompt = "Find every caller of applyCoupon in the webshop and say whether it passes the shipping cost in.";
  const agentToolId = tid("toolu_", `${sid}/agent`);
  const agentCall = s.assistant(
    [{ type: "tool_use", id: agentToolId, name: "Agent", input: { description: "Find applyCoupon callers", subagent_type: "Explore", prompt: agentPrompt } }],
    "tool_use",
  );
  const sub = new SessionWriter(sid, "2026-03-02T09:14:40.000Z", ROOT, { isSidechain: true, agentId });
  sub.user(agentPrompt);
  sub.tool(
    "Grep",
    { pattern: "applyCoupon\\(", path: `${ROOT}/src`, output_mode: "content", "-n": true },
    `${ROOT}/src/cart/checkout.ts:7:  return applyCoupon(items + shipping, cart.coupon);\n${ROOT}/src/api/quote.ts:22:    total: applyCoupon(subtotal, body.coupon),`,
    { mode: "content", numFiles: 2, filenames: [`${ROOT}/src/cart/checkout.ts`, `${ROOT}/src/api/quote.ts`], numLines: 2 },
  );
  sub.tool(
    "Read",
    { file_path: `${ROOT}/src/api/quote.ts`, offset: 15, limit: 12 },
    "    15\texport async function quote(body: QuoteBody) {\n    16\t  const subtotal = sum(body.items);\n    22\t    total: applyCoupon(subtotal, body.coupon),",
    { type: "text", file: { filePath: `${ROOT}/src/api/quote.ts`, content: "…", numLines: 12, startLine: 15, totalLines: 48 } },
  );
  const agentReport = `Two callers:\n- ${ROOT}/src/cart/checkout.ts:7 passes items + shipping (the bug: the coupon is applied to shipping too).\n- ${ROOT}/src/api/quote.ts:22 passes the subtotal only (correct).`;
  sub.text(agentReport);
  files.push({ rel: `${sid}/subagents/agent-${agentId}.jsonl`, text: sub.jsonl() });
  files.push({ rel: `${sid}/subagents/agent-${agentId}.meta.json`, text: JSON.stringify({ agentType: "Explore", description: "Find applyCoupon callers" }) });
  s.user([{ tool_use_id: agentToolId, type: "tool_result", content: [{ type: "text", text: agentReport }] }], {
    toolUseResult: {
      status: "completed",
      prompt: agentPrompt,
      agentId,
      content: [{ type: "text", text: agentReport }],
      totalDurationMs: 9120,
      totalTokens: 18220,
      totalToolUseCount: 2,
    },
    sourceToolAssistantUUID: agentCall,
  });
  // The edit, with the file-history snapshot keyed by absolute path.
  const editMsg = uid(`${sid}/edit-msg`);
  s.snapshot(editMsg, { [checkout]: { backupFileName: "9c1e2a4b7f3d0e65@v1", version: 1 } }, true);
  const oldLine = "  return applyCoupon(items + shipping, cart.coupon);";
  const newLine = "  return applyCoupon(items, cart.coupon) + shipping;";
  s.tool(
    "Edit",
    { file_path: checkout, old_string: oldLine, new_string: newLine, replace_all: false },
    `The file ${checkout} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n     6\t  const shipping = cart.freeShipping ? 0 : 4.99;\n     7\t${newLine}\n     8\t}`,
    {
      filePath: checkout,
      oldString: oldLine,
      newString: newLine,
      originalFile: checkoutSrc,
      structuredPatch: [
        {
          oldStart: 5,
          oldLines: 4,
          newStart: 5,
          newLines: 4,
          lines: ["   const items = cart.items.reduce((s, i) => s + i.price * i.qty, 0);", "   const shipping = cart.freeShipping ? 0 : 4.99;", `-${oldLine}`, `+${newLine}`, " }"],
        },
      ],
      userModified: false,
      replaceAll: false,
    },
  );
  // The whole suite, run from the frontend subdirectory; big output saved to tool-results/.
  s.cd(`${ROOT}/frontend`);
  const saved = "b7k2m9q4x";
  const savedPath = `${HOME}/.claude/projects/${KEY}/${sid}/tool-results/${saved}.txt`;
  const suiteLines: string[] = [];
  for (let i = 0; i < 40; i++) suiteLines.push(`PASS ${ROOT}/frontend/src/components/Product${i}.test.tsx (${(0.2 + (i % 7) * 0.13).toFixed(2)} s)`);
  suiteLines.push("", "Test Suites: 40 passed, 40 total", "Tests:       212 passed, 212 total", `Snapshots:   0 total`, `Ran all test suites in ${ROOT}/frontend.`);
  files.push({ rel: `${sid}/tool-results/${saved}.txt`, text: suiteLines.join("\n") + "\n" });
  const preview = suiteLines.slice(0, 3).join("\n");
  s.tool(
    "Bash",
    { command: "npm test -- --ci", description: "Run the whole frontend suite" },
    `Output too large (8.1KB). Full output saved to: ${savedPath}\n\nPreview (first 2KB):\n${preview}\n...`,
    { stdout: preview, stderr: "", interrupted: false, isImage: false, persistedOutputPath: savedPath },
  );
  s.cd(ROOT);
  s.tool("Bash", { command: `cd ${ROOT} && npm test -- cart`, description: "Re-run the cart tests" }, "PASS src/cart/checkout.test.ts\n\nTests: 12 passed, 12 total", {
    stdout: "PASS src/cart/checkout.test.ts\n\nTests: 12 passed, 12 total",
    stderr: "",
    interrupted: false,
    isImage: false,
  });
  s.tool(
    "Write",
    { file_path: `${HOME}/.claude/projects/${KEY}/memory/testing.md`, content: "…" },
    `File created successfully at: ${HOME}/.claude/projects/${KEY}/memory/testing.md`,
    { type: "create", filePath: `${HOME}/.claude/projects/${KEY}/memory/testing.md` },
  );
  s.text(
    `Fixed: the coupon was applied to the shipping cost as well. \`computeTotal\` in ${checkout} now applies the coupon to the items only and adds shipping afterwards; all 12 cart tests and the 40 frontend suites pass. I noted how to run the tests in memory.`,
  );
  s.system("turn_duration", { durationMs: 61240, messageCount: 24 });
  s.raw({ type: "ai-title", aiTitle: "Fix coupon applied to shipping in checkout", sessionId: sid });
  s.raw({ type: "last-prompt", lastPrompt: "The checkout total is wrong when a coupon and free shipping are combined.", leafUuid: s.leaf, sessionId: sid });
  files.push({ rel: `${sid}.jsonl`, text: s.jsonl() });

  // Session 2: config diff against an old checkout of the project (a sibling path that must
  // not be taken for the root: `/src/webshop-old` vs `/src/webshop`).
  const sid2 = uid("webshop/session-2");
  const t = new SessionWriter(sid2, "2026-03-03T16:40:11.500Z", ROOT, {}, "feature/shipping-zones");
  t.raw({ type: "permission-mode", permissionMode: "acceptEdits", sessionId: sid2 });
  t.snapshot(uid(`${sid2}/0`), {});
  t.user("What changed in the shipping config since the old webshop checkout in ~/src/webshop-old?", { permissionMode: "acceptEdits", promptId: uid(`${sid2}/prompt-1`) });
  const diff = `--- ${HOME}/src/webshop-old/config/shipping.json\n+++ ${ROOT}/config/shipping.json\n@@ -2,4 +2,6 @@\n   "currency": "EUR",\n-  "flatRate": 5.49,\n+  "flatRate": 4.99,\n+  "zones": ["EU", "UK"],\n   "freeAbove": 50\n }`;
  t.tool("Bash", { command: `diff -u ${HOME}/src/webshop-old/config/shipping.json ${ROOT}/config/shipping.json`, description: "Diff shipping config" }, diff, {
    stdout: diff,
    stderr: "",
    interrupted: false,
    isImage: false,
    returnCodeInterpretation: "Files differ",
  });
  t.tool("Glob", { pattern: "config/*.json", path: ROOT }, `${ROOT}/config/shipping.json\n${ROOT}/config/payment.json\n${ROOT}/config/tax.json`, {
    filenames: [`${ROOT}/config/shipping.json`, `${ROOT}/config/payment.json`, `${ROOT}/config/tax.json`],
    durationMs: 14,
    numFiles: 3,
    truncated: false,
  });
  const readme = `${ROOT}/README.md`;
  const e2 = uid(`${sid2}/edit-msg`);
  t.snapshot(e2, { [readme]: { backupFileName: "4d2f6a1c0b9e8d37@v1", version: 1 }, [`${ROOT}/config/shipping.json`]: { backupFileName: null, version: 1 } }, true);
  t.tool(
    "Edit",
    {
      file_path: readme,
      old_string: "## Shipping\n",
      new_string: "## Shipping\n\nZones: EU and UK. Flat rate 4.99 EUR, free above 50 EUR (see config/shipping.json).\n",
      replace_all: false,
    },
    `The file ${readme} has been updated.`,
    {
      filePath: readme,
      oldString: "## Shipping\n",
      newString: "## Shipping\n\nZones: EU and UK. Flat rate 4.99 EUR, free above 50 EUR (see config/shipping.json).\n",
      structuredPatch: [
        {
          oldStart: 40,
          oldLines: 1,
          newStart: 40,
          newLines: 3,
          lines: [" ## Shipping", "+", "+Zones: EU and UK. Flat rate 4.99 EUR, free above 50 EUR (see config/shipping.json)."],
        },
      ],
      userModified: false,
      replaceAll: false,
    },
  );
  t.text("Since the old checkout the flat rate went from 5.49 to 4.99 EUR and shipping zones (EU, UK) were added. I documented both in the README's Shipping section.");
  t.system("turn_duration", { durationMs: 20410, messageCount: 9 });
  files.push({ rel: `${sid2}.jsonl`, text: t.jsonl() });

  files.push({
    rel: "memory/MEMORY.md",
    text: "# Memory Index\n\n- [Testing](testing.md) — how to run the cart and frontend tests\n- Coupons apply to items only, never to shipping (fixed in src/cart/checkout.ts, March 2026)\n",
  });
  files.push({
    rel: "memory/testing.md",
    text: `---\nname: Testing\ndescription: How to run the webshop tests\ntype: project\n---\n\n- Cart tests: \`cd ${ROOT} && npm test -- cart\` (12 tests).\n- Frontend: run \`npm test -- --ci\` from ${ROOT}/frontend (40 suites; output is long).\n- Old checkout for comparisons: ${HOME}/src/webshop-old (read-only).\n`,
  });
  return files;
}

/** The infra-tools project: one short session that touches files outside the root (home tier). */
function infra(): TemplateFile[] {
  const sid = uid("infra/session-1");
  const s = new SessionWriter(sid, "2026-03-04T07:55:30.000Z", `${ROOT}/scripts`, {}, "main");
  s.raw({ type: "permission-mode", permissionMode: "default", sessionId: sid });
  s.snapshot(uid(`${sid}/0`), {});
  s.user("Make backup.sh skip node_modules, and tell me where my shell aliases for it live.", { permissionMode: "default", promptId: uid(`${sid}/prompt-1`) });
  const script = `${ROOT}/scripts/backup.sh`;
  const src = `#!/usr/bin/env bash\nset -euo pipefail\nrsync -a "${HOME}/src/" /mnt/backup/src/\n`;
  s.tool(
    "Read",
    { file_path: script },
    src
      .split("\n")
      .map((l, i) => `${String(i + 1).padStart(6)}\t${l}`)
      .join("\n"),
    { type: "text", file: { filePath: script, content: src, numLines: 4, startLine: 1, totalLines: 4 } },
  );
  const m = uid(`${sid}/edit-msg`);
  s.snapshot(m, { [script]: { backupFileName: "0a7c3e9f1d5b2468@v1", version: 1 } }, true);
  const oldS = `rsync -a "${HOME}/src/" /mnt/backup/src/`;
  const newS = `rsync -a --exclude node_modules "${HOME}/src/" /mnt/backup/src/`;
  s.tool("Edit", { file_path: script, old_string: oldS, new_string: newS, replace_all: false }, `The file ${script} has been updated.`, {
    filePath: script,
    oldString: oldS,
    newString: newS,
    structuredPatch: [{ oldStart: 3, oldLines: 1, newStart: 3, newLines: 1, lines: [`-${oldS}`, `+${newS}`] }],
    userModified: false,
    replaceAll: false,
  });
  const grep = `${HOME}/.bashrc:88:alias bk='${ROOT}/scripts/backup.sh'\n${HOME}/.bashrc:89:alias bkn='${ROOT}/scripts/backup.sh --dry-run'`;
  s.tool("Bash", { command: `grep -n backup.sh ${HOME}/.bashrc`, description: "Find the aliases" }, grep, { stdout: grep, stderr: "", interrupted: false, isImage: false });
  s.text(`backup.sh now excludes node_modules. Your aliases \`bk\` and \`bkn\` are in ${HOME}/.bashrc (lines 88–89).`);
  s.system("turn_duration", { durationMs: 15020, messageCount: 8 });
  return [
    { rel: `${sid}.jsonl`, text: s.jsonl() },
    { rel: "memory/MEMORY.md", text: "# Memory Index\n\n- Backups go to /mnt/backup via scripts/backup.sh (node_modules excluded)\n" },
  ];
}

/** The sample manifest: each project's name and its root relative to the home (POSIX `/`). */
export const MANIFEST: SampleManifest = {
  projects: [
    { name: "webshop", rootRel: "src/webshop" },
    { name: "infra-tools", rootRel: "work/infra-tools" },
  ],
};

/** Every template file of every sample project, keyed by project name. Pure. */
export function authorSamples(): Record<string, TemplateFile[]> {
  return { webshop: webshop(), "infra-tools": infra() };
}

/** Writes the templates and the manifest under `dir` (default `samples/claude` of this package). */
export function writeSamples(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(MANIFEST, null, 2) + "\n");
  for (const [project, files] of Object.entries(authorSamples())) {
    for (const f of files) {
      const p = path.join(dir, project, f.rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, f.text);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // From dist/samples/author.js or samples/author.ts: the package root is the nearest folder with package.json.
  let root = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(root, "package.json")) && path.dirname(root) !== root) root = path.dirname(root);
  writeSamples(path.join(root, "samples", "claude"));
  process.stderr.write(`samples written to ${path.join(root, "samples", "claude")}\n`);
}
