import fc from "fast-check";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import * as path from "node:path";
import { parse } from "smol-toml";
import { afterEach, describe, expect, it } from "vitest";
import { CodexConfigError, NOTIFY_PREFIX, withNotify, withoutNotify } from "../../src/agents/codex/notify.js";
import { node, type Node } from "../cluster/harness.js";
import { NUM_RUNS } from "../helpers/env.js";

/**
 * Issue 11, scope 1: `git ctx install` sets Codex's `notify` to git-ctx's background sync and keeps
 * a user's own notify program running after it; uninstall restores it; nothing else in
 * `config.toml` changes.
 */

const F = "/x/config.toml";

const USER_CONFIG = `# my codex settings
model = "gpt-5"   # the default
notify = [
  "notify-send",   # desktop notification
  "Codex",
]
approval_policy = "on-request"

[mcp_servers.docs]
command = "docs-server"
args = ["--port", "1234"]
`;

describe("withNotify / withoutNotify (pure)", () => {
  it("an empty or missing file gets git-ctx's notify; uninstall gives the empty file back", () => {
    const t = withNotify("", F);
    expect(parse(t).notify).toEqual([...NOTIFY_PREFIX]);
    expect(withoutNotify(t, F)).toBe("");
  });

  it("a user's notify is kept after '--', every other line is unchanged, and uninstall restores the program", () => {
    const t = withNotify(USER_CONFIG, F);
    const doc = parse(t) as Record<string, unknown>;
    expect(doc.notify).toEqual([...NOTIFY_PREFIX, "notify-send", "Codex"]);
    expect(doc.model).toBe("gpt-5");
    expect(doc.mcp_servers).toEqual({ docs: { command: "docs-server", args: ["--port", "1234"] } });
    const otherLines = (s: string) => s.split("\n").filter((l) => !/notify|^\s*"|^\s*\]|^# git-ctx was/.test(l));
    expect(otherLines(t)).toEqual(otherLines(USER_CONFIG));
    expect(withNotify(t, F)).toBe(t); // idempotent
    expect(withoutNotify(t, F)).toBe(USER_CONFIG); // the user's own lines, byte for byte
    // a user who edited git-ctx's entry meanwhile gets the program it names now
    const edited = t.replace('"Codex"', '"Codex CLI"');
    expect((parse(withoutNotify(edited, F)) as { notify: string[] }).notify).toEqual(["notify-send", "Codex CLI"]);
  });

  it("a file without notify but with tables: the key goes above the first table, and uninstall gives the file back byte for byte", () => {
    const text = `model = "o3"\n\n[profiles.work]\nmodel = "gpt-5"\n`;
    const t = withNotify(text, F);
    expect((parse(t) as { notify: string[]; profiles: object }).notify).toEqual([...NOTIFY_PREFIX]);
    expect((parse(t) as { profiles: { work: { notify?: unknown } } }).profiles.work.notify).toBeUndefined();
    expect(withoutNotify(t, F)).toBe(text);
  });

  it("invalid TOML, or a notify that is not an array of strings: CodexConfigError naming the file", () => {
    expect(() => withNotify("model = \n[", F)).toThrow(CodexConfigError);
    expect(() => withNotify('notify = "prog"\n', F)).toThrow(/notify' is not an array of strings/);
  });

  it("property: install then uninstall keeps every other key and restores notify", () => {
    const key = fc.constantFrom("model", "approval_policy", "sandbox_mode", "model_provider");
    const val = fc.oneof(
      fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
      fc.integer().map(String),
      fc.boolean().map(String),
    );
    const prog = fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 4 }),
        fc.array(val, { minLength: 4, maxLength: 4 }),
        fc.option(prog),
        fc.boolean(),
        fc.boolean(),
        (keys, vals, user, multiline, table) => {
          const lines = keys.map((k, i) => `${k} = ${vals[i]}`);
          if (user)
            lines.splice(Math.min(1, lines.length), 0, multiline ? `notify = [\n${user.map((u) => `  ${JSON.stringify(u)},`).join("\n")}\n]` : `notify = ${JSON.stringify(user)}`);
          if (table) lines.push("[tui]", "notifications = true");
          const text = lines.join("\n") + "\n";
          const t = withNotify(text, F);
          expect((parse(t) as { notify: string[] }).notify).toEqual([...NOTIFY_PREFIX, ...(user ?? [])]);
          expect(withoutNotify(t, F)).toBe(text);
        },
      ),
      { numRuns: Math.min(NUM_RUNS, 5000) },
    );
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("git ctx install / hook on a machine with Codex", () => {
  it("install sets notify (chaining the user's program), the notify run starts that program with Codex's JSON, uninstall restores it", async () => {
    const A: Node = await node("A", { filter: true });
    cleanups.push(A.cleanup);
    const codexHome = path.join(A.home, ".codex");
    mkdirSync(codexHome, { recursive: true });
    const marker = path.join(A.home, "notified.txt");
    const prog = path.join(A.home, "my-notify.sh");
    writeFileSync(prog, `#!/bin/sh\nprintf '%s\\n' "$@" > '${marker}'\n`);
    chmodSync(prog, 0o755);
    const config = path.join(codexHome, "config.toml");
    writeFileSync(config, `model = "gpt-5"\nnotify = ["${prog}", "--from-codex"]\n`);
    const r = await A.ctx(["install"], { cwd: A.home });
    expect(r.stdout).toMatch(/codex notify/i);
    const notify = (parse(readFileSync(config, "utf8")) as { notify: string[] }).notify;
    expect(notify).toEqual([...NOTIFY_PREFIX, prog, "--from-codex"]);
    expect((await A.ctx(["hook", "status", "--agent", "codex"], { cwd: A.home })).code).toBe(0);

    // what Codex runs after a turn: our notify argv + its JSON (no view yet: the sync part is a no-op)
    const json = JSON.stringify({ type: "agent-turn-complete", "thread-id": "t1" });
    const [cmd, ...args] = notify;
    const run = await A.git([...args, json], { cwd: A.home, allowFail: true }); // cmd is "git"
    expect(cmd).toBe("git");
    expect(run.code).toBe(0);
    for (let i = 0; i < 50 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(marker, "utf8")).toBe(`--from-codex\n${json}\n`);

    await A.ctx(["hook", "uninstall", "--agent", "codex"], { cwd: A.home });
    expect(readFileSync(config, "utf8")).toBe(`model = "gpt-5"\nnotify = ["${prog}", "--from-codex"]\n`);
  });

  it("an invalid config.toml is left untouched and named; the rest of the install goes through", async () => {
    const A: Node = await node("A", { filter: true });
    cleanups.push(A.cleanup);
    mkdirSync(path.join(A.home, ".codex"), { recursive: true });
    const config = path.join(A.home, ".codex", "config.toml");
    writeFileSync(config, "model = \n[broken\n");
    const r = await A.ctx(["install"], { cwd: A.home });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/codex notify hook was not installed: .*config\.toml: not valid TOML.*git ctx install/);
    expect(readFileSync(config, "utf8")).toBe("model = \n[broken\n");
    expect(r.stdout).toMatch(/installed the claude Stop hook/);
  });
});
