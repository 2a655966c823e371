import { describe, expect, it } from "vitest";
import { parsePushSpec, runHelper, type AdvertisedRef, type HelperBackend, type HelperOptions, type PushCommand, type RefResult } from "../../src/helper/protocol.js";

/**
 * Byte-exact protocol transcripts (`git help gitremote-helpers`; GIT.md clone/push transcripts)
 * against a recording fake backend: what git sends in, exactly what the helper answers.
 */
class FakeBackend implements HelperBackend {
  calls: string[] = [];
  constructor(
    private refs: AdvertisedRef[] = [],
    private results?: (c: PushCommand[]) => RefResult[],
  ) {}
  async list(forPush: boolean, o: HelperOptions) {
    this.calls.push(`list forPush=${forPush} verbosity=${o.verbosity} progress=${o.progress}`);
    return this.refs;
  }
  async fetch(oids: string[]) {
    this.calls.push(`fetch ${oids.join(",")}`);
  }
  async push(cmds: PushCommand[], o: HelperOptions) {
    this.calls.push(`push ${JSON.stringify(cmds)} dryRun=${o.dryRun}`);
    return this.results ? this.results(cmds) : cmds.map((c) => ({ ref: c.dst, ok: true as const }));
  }
  async cloning() {
    this.calls.push("cloning");
  }
}

async function transcript(input: string, backend: HelperBackend): Promise<string> {
  let out = "";
  async function* lines() {
    for (const l of input.split("\n")) yield l;
  }
  await runHelper(lines(), backend, (s) => (out += s));
  return out;
}

const A = "a".repeat(40);

describe("git-remote-ctx protocol", () => {
  it("clone transcript: capabilities, options, list with HEAD symref, cloning, deduped fetch batch", async () => {
    const b = new FakeBackend([
      { oid: A, name: "refs/heads/main" },
      { symref: "refs/heads/main", name: "HEAD" },
    ]);
    const out = await transcript(
      ["capabilities", "option progress false", "option verbosity 1", "list", "option cloning true", `fetch ${A} refs/heads/main`, `fetch ${A} HEAD`, "", ""].join("\n"),
      b,
    );
    expect(out).toBe(["fetch", "push", "option", "", "ok", "ok", `${A} refs/heads/main`, "@refs/heads/main HEAD", "", "ok", "", ""].join("\n"));
    expect(b.calls).toEqual(["list forPush=false verbosity=1 progress=false", "cloning", `fetch ${A}`]);
  });

  it("options: known ones answer ok, unknown ones unsupported, bad values error", async () => {
    const out = await transcript(
      ["option dry-run true", "option verbosity 2", "option progress maybe", "option depth 1", "option followtags true", "option cloning false", ""].join("\n"),
      new FakeBackend(),
    );
    expect(out).toBe(["ok", "ok", "error 'maybe' is not true or false", "unsupported", "unsupported", "ok", ""].join("\n"));
  });

  it("push transcript: list for-push, a batch of push lines, one status line per ref then a blank line", async () => {
    const b = new FakeBackend([{ oid: A, name: "refs/heads/main" }], (cmds) =>
      cmds.map((c) => (c.force ? { ref: c.dst, ok: false as const, why: "force push is refused" } : { ref: c.dst, ok: true as const })),
    );
    const out = await transcript(["option dry-run true", "list for-push", "push refs/heads/main:refs/heads/main", "push +refs/heads/x:refs/heads/y", "", ""].join("\n"), b);
    expect(out).toBe(["ok", `${A} refs/heads/main`, "", "ok refs/heads/main", "error refs/heads/y force push is refused", "", ""].join("\n"));
    expect(b.calls[0]).toBe("list forPush=true verbosity=1 progress=false");
    expect(b.calls[1]).toContain("dryRun=true");
  });

  it("an empty list is a lone blank line", async () => {
    expect(await transcript("list for-push\n\n", new FakeBackend([]))).toBe("\n");
  });

  it("parses push specs: force, deletion, plain", () => {
    expect(parsePushSpec("refs/heads/main:refs/heads/main")).toEqual({ src: "refs/heads/main", dst: "refs/heads/main", force: false });
    expect(parsePushSpec("+main:refs/heads/main")).toEqual({ src: "main", dst: "refs/heads/main", force: true });
    expect(parsePushSpec(":refs/heads/main")).toEqual({ src: "", dst: "refs/heads/main", force: false });
  });

  it("an unknown command is an error (git then reports the helper failed)", async () => {
    await expect(transcript("import refs/heads/main\n", new FakeBackend())).rejects.toThrow(/unknown command 'import refs\/heads\/main'/);
  });
});
