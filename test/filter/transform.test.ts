import { Readable, Transform } from "node:stream";
import { describe, expect, it } from "vitest";
import type { FilterInput, FilterOutput, FilterRequest } from "../../src/filter/process.js";
import { anchorsForPath, makeCtxTransform, NotAViewError, type FilterAnchors, type FilterCodec } from "../../src/filter/transform.js";
import type { ViewState } from "../../src/view/state.js";

const state: ViewState = {
  version: 1,
  cluster: "",
  machine: { id: "a", os: "windows", home: "C:\\Users\\me" },
  projects: { p1: { root: "C:\\Users\\me\\proj", key: "C--Users-me-proj", rewriteHome: false } },
};

/** A fake codec that tags its output with the call, so tests see which path ran with which args. */
function fakeCodec(calls: string[]): FilterCodec {
  const tag = (what: string, a: FilterAnchors, extra = "") => {
    calls.push(`${what} ${a.key} ${a.root} ${a.home} ${a.os} ${a.rewriteHome}${extra}`);
  };
  const upper = () =>
    new Transform({
      transform(c: Buffer, _e, cb) {
        cb(null, Buffer.from(c.toString("latin1").toUpperCase(), "latin1"));
      },
    });
  return {
    cleanWithBase: (c, a, b) => (tag("cleanWithBase", a, ` base=${b?.toString() ?? "none"}`), Buffer.from(`C(${c})`)),
    localize: (c, a) => (tag("localize", a), Buffer.from(`L(${c})`)),
    createCleanWithBaseStream: (a, b) => (tag("cleanStream", a, ` base=${b ? "stream" : "none"}`), upper()),
    createLocalizeStream: (a) => (tag("localizeStream", a), upper()),
  };
}

const mem = (s: string): FilterInput => ({ size: s.length, buffer: Buffer.from(s), file: undefined, stream: () => Readable.from([Buffer.from(s)]) });
const spilled = (s: string): FilterInput => ({ size: s.length, buffer: undefined, file: "/tmp/x", stream: () => Readable.from([Buffer.from(s)]) });
const req = (command: "clean" | "smudge", pathname: string): FilterRequest => ({ command, pathname, meta: { command, pathname } });

async function text(o: FilterOutput): Promise<string> {
  if (Buffer.isBuffer(o)) return o.toString();
  const parts: Buffer[] = [];
  for await (const c of o) parts.push(c);
  return Buffer.concat(parts).toString();
}

function setup(st: ViewState | undefined | (() => never), blob?: string) {
  const calls: string[] = [];
  const t = makeCtxTransform({
    codec: fakeCodec(calls),
    gitDir: "/g/.git",
    state: typeof st === "function" ? st : () => st,
    readIndexBlob: async (p) => (calls.push(`index ${p}`), blob === undefined ? undefined : Buffer.from(blob)),
    streamIndexBlob: async (p) => (calls.push(`indexStream ${p}`), blob === undefined ? undefined : Readable.from([Buffer.from(blob)])),
  });
  return { t, calls };
}

describe("anchors of a file come from its top-level folder", () => {
  it("builds the anchors from the machine and the joined project", () => {
    expect(anchorsForPath(state, "C--Users-me-proj/s/subagents/a.jsonl")).toEqual({
      os: "windows",
      home: "C:\\Users\\me",
      root: "C:\\Users\\me\\proj",
      key: "C--Users-me-proj",
      rewriteHome: false,
    });
  });
  it.each(["C--Users-me-proj", "/C--Users-me-proj/x", "other/x.jsonl", "c--Users-me-proj/x.jsonl", "C--Users-me-proj-2/x"])("'%s' has no anchors", (p) => {
    expect(anchorsForPath(state, p)).toBeUndefined();
  });
});

describe("the view's filter transform", () => {
  it("cleans a joined project's file with the index blob as base", async () => {
    const { t, calls } = setup(state, "BASE");
    expect(await text(await t(req("clean", "C--Users-me-proj/s.jsonl"), mem("work")))).toBe("C(work)");
    expect(calls).toEqual(["index C--Users-me-proj/s.jsonl", "cleanWithBase C--Users-me-proj C:\\Users\\me\\proj C:\\Users\\me windows false base=BASE"]);
  });

  it("cleans without a base when the index has none", async () => {
    const { t, calls } = setup(state);
    await t(req("clean", "C--Users-me-proj/s.jsonl"), mem("work"));
    expect(calls[1]).toMatch(/base=none$/);
  });

  it("smudges with localize", async () => {
    const { t, calls } = setup(state, "BASE");
    expect(await text(await t(req("smudge", "C--Users-me-proj/memory/MEMORY.md"), mem("canon")))).toBe("L(canon)");
    expect(calls).toEqual(["localize C--Users-me-proj C:\\Users\\me\\proj C:\\Users\\me windows false"]);
  });

  it("streams spilled content, with the index blob streamed as base", async () => {
    const { t, calls } = setup(state, "BASE");
    expect(await text(await t(req("clean", "C--Users-me-proj/big.jsonl"), spilled("abc")))).toBe("ABC");
    expect(calls).toEqual(["indexStream C--Users-me-proj/big.jsonl", "cleanStream C--Users-me-proj C:\\Users\\me\\proj C:\\Users\\me windows false base=stream"]);
    const s2 = setup(state);
    expect(await text(await s2.t(req("smudge", "C--Users-me-proj/big.jsonl"), spilled("xyz")))).toBe("XYZ");
    expect(s2.calls).toEqual(["localizeStream C--Users-me-proj C:\\Users\\me\\proj C:\\Users\\me windows false"]);
  });

  it("passes root-level files through without reading the state, and files of unjoined folders unchanged", async () => {
    const boom = () => {
      throw new Error("state must not be read");
    };
    const { t, calls } = setup(boom);
    expect(await text(await t(req("clean", "README.md"), mem("/home/me/x")))).toBe("/home/me/x");
    const s2 = setup(state);
    expect(await text(await s2.t(req("clean", "-home-other/s.jsonl"), mem("/home/other/x")))).toBe("/home/other/x");
    expect(await text(await s2.t(req("smudge", "-home-other/s.jsonl"), spilled("big")))).toBe("big");
    expect([...calls, ...s2.calls]).toEqual([]);
  });

  it("fails (the filter answers status=error) for a folder file when the repository has no view state", async () => {
    const { t } = setup(undefined);
    await expect(t(req("clean", "C--Users-me-proj/s.jsonl"), mem("x"))).rejects.toBeInstanceOf(NotAViewError);
  });

  it("propagates an invalid state as a failure", async () => {
    const { t } = setup(() => {
      throw new Error("bad state.json");
    });
    await expect(t(req("smudge", "C--Users-me-proj/s.jsonl"), mem("x"))).rejects.toThrow(/bad state/);
  });
});
