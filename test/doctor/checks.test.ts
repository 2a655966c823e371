import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import type { ViewContext } from "../../src/doctor/check.js";
import { checkHook, stopHookCommands } from "../../src/agents/claude/doctor.js";
import { checkSyncState } from "../../src/doctor/checks/syncstate.js";
import { checkVersions, parseVersion } from "../../src/doctor/checks/versions.js";
import { sameRoot } from "../../src/doctor/checks/projects.js";
import { fakeCodec } from "./fakeCodec.js";

async function ctxIn(): Promise<{ ctx: ViewContext; home: string; gitDir: string; cleanup: () => Promise<void> }> {
  const t = await dir({ unsafeCleanup: true });
  const home = path.join(t.path, "home");
  const gitDir = path.join(t.path, "view", ".git");
  mkdirSync(gitDir, { recursive: true });
  const ctx: ViewContext = {
    env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: undefined },
    workTree: path.dirname(gitDir),
    gitDir,
    state: undefined,
    machine: { os: "linux", home },
    codec: fakeCodec(),
  };
  delete ctx.env.CLAUDE_CONFIG_DIR;
  return { ctx, home, gitDir, cleanup: t.cleanup };
}

describe("Stop hook check", () => {
  const settings = (home: string, v: unknown) => {
    mkdirSync(path.join(home, ".claude"), { recursive: true });
    writeFileSync(path.join(home, ".claude", "settings.json"), typeof v === "string" ? v : JSON.stringify(v));
  };
  it.each([
    ["ours", { hooks: { Stop: [{ hooks: [{ type: "command", command: "git ctx sync --hook" }] }] } }, { ok: true }],
    ["ours by path", { hooks: { Stop: [{ hooks: [{ type: "command", command: "/usr/local/bin/git-ctx sync --hook" }] }] } }, { ok: true }],
    ["sync without --hook", { hooks: { Stop: [{ hooks: [{ type: "command", command: "git ctx sync" }] }] } }, { ok: true, warning: true }],
    ["only on SessionEnd", { hooks: { SessionEnd: [{ hooks: [{ type: "command", command: "git ctx sync --hook" }] }] } }, { ok: false, fix: "git ctx hook install" }],
    ["other hooks only", { hooks: { Stop: [{ hooks: [{ type: "command", command: "notify-send done" }] }] } }, { ok: false, fix: "git ctx hook install" }],
    ["odd shapes", { hooks: { Stop: [null, 3, { hooks: "x" }, { hooks: [null, { command: 5 }] }] } }, { ok: false, fix: "git ctx hook install" }],
    ["invalid JSON", "{ not json", { ok: false, fix: expect.stringContaining("repair the JSON") }],
  ])("%s", async (_n, v, want) => {
    const { ctx, home, cleanup } = await ctxIn();
    settings(home, v);
    expect((await checkHook(ctx))[0]).toMatchObject(want);
    await cleanup();
  });
  it("settings.json missing", async () => {
    const { ctx, cleanup } = await ctxIn();
    expect((await checkHook(ctx))[0]).toMatchObject({ ok: false, fix: "git ctx hook install" });
    await cleanup();
  });
  it("stopHookCommands collects every command", () => {
    expect(stopHookCommands({ hooks: { Stop: [{ hooks: [{ command: "a" }, { command: "b" }] }, { hooks: [{ command: "c" }] }] } })).toEqual(["a", "b", "c"]);
    expect(stopHookCommands(null)).toEqual([]);
  });
});

describe("versions check", () => {
  it("parses git's version line and enforces git ≥ 2.38, Node ≥ 20.19", async () => {
    expect(parseVersion("git version 2.39.2 (Apple Git-143)")).toEqual([2, 39]);
    expect(parseVersion("git version 2.45.1.windows.1")).toEqual([2, 45]);
    const { ctx, cleanup } = await ctxIn();
    const ok = await checkVersions(ctx, "20.19.0");
    expect(ok.find((c) => c.name === "node version")?.ok).toBe(true);
    const old = await checkVersions(ctx, "18.20.1");
    expect(old.find((c) => c.name === "node version")).toMatchObject({ ok: false, fix: expect.stringContaining("20.19") });
    await cleanup();
  });
});

describe("sync state check", () => {
  it("skips gracefully when nothing was written; reports a stale lock as a warning", async () => {
    const { ctx, gitDir, cleanup } = await ctxIn();
    const r = await checkSyncState(ctx);
    expect(r.every((c) => c.ok)).toBe(true);
    expect(r.find((c) => c.name === "last sync")).toMatchObject({ warning: true, fix: "git ctx sync" });
    const lock = path.join(gitDir, "ctx", "sync.lock");
    mkdirSync(lock, { recursive: true });
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lock, old, old);
    expect((await checkSyncState(ctx)).find((c) => c.name === "sync lock")).toMatchObject({ ok: true, warning: true, detail: expect.stringContaining("stale") });
    utimesSync(lock, new Date(), new Date());
    expect((await checkSyncState(ctx)).find((c) => c.name === "sync lock")?.detail).toBe("a sync is running now");
    await cleanup();
  });
});

describe("sameRoot", () => {
  it("compares Windows roots case- and separator-insensitively, posix roots exactly", () => {
    expect(sameRoot("C:\\Users\\Me\\App", "c:/users/me/app\\")).toBe(true);
    expect(sameRoot("/home/me/App", "/home/me/app")).toBe(false);
    expect(sameRoot("/home/me/app/", "/home/me/app")).toBe(true);
  });
});
