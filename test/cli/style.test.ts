import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { paint, parseColorMode, setOutputMode, showProgress, useColor } from "../../src/commands/style.js";

/** A stream that says it is (or is not) a terminal, as `process.stdout` does. */
const stream = (isTTY: boolean) => ({ isTTY, write: () => true }) as unknown as NodeJS.WritableStream;

/** Issue 24: colour and progress by git's rules, where a test can pretend to be a terminal. */
describe("colour and progress decisions", () => {
  beforeAll(() => {
    // no user or system git config: color.ui unset
    process.env.GIT_CONFIG_GLOBAL = "/dev/null";
    process.env.GIT_CONFIG_NOSYSTEM = "1";
  });
  afterEach(() => setOutputMode("auto"));

  it("auto: a terminal is coloured unless NO_COLOR is set and not empty; a pipe never", () => {
    expect(useColor(stream(true), {})).toBe(true);
    expect(useColor(stream(true), { NO_COLOR: "" })).toBe(true);
    expect(useColor(stream(true), { NO_COLOR: "1" })).toBe(false);
    expect(useColor(stream(false), {})).toBe(false);
  });

  it("--color=always colours a pipe (and wins over NO_COLOR), --no-color never colours a terminal", () => {
    setOutputMode(parseColorMode("always"));
    expect(useColor(stream(false), { NO_COLOR: "1" })).toBe(true);
    expect(paint(stream(false), "error", "x")).toBe("\u001b[31mx\u001b[39m");
    setOutputMode(parseColorMode(false));
    expect(useColor(stream(true), {})).toBe(false);
    expect(paint(stream(true), "ok", "x")).toBe("x");
  });

  it("reads --color values as git does", () => {
    expect([undefined, "", "true", "always", "never", "false", "auto", false].map((v) => parseColorMode(v))).toEqual([
      "auto",
      "always",
      "always",
      "always",
      "never",
      "never",
      "auto",
      "never",
    ]);
    expect(() => parseColorMode("sometimes")).toThrow(/always, never or auto/);
  });

  it("progress: on a terminal or with --progress, never with -q or --no-progress", () => {
    expect(showProgress(stream(true), {})).toBe(true);
    expect(showProgress(stream(false), {})).toBe(false);
    expect(showProgress(stream(false), { progress: true })).toBe(true);
    expect(showProgress(stream(true), { progress: true, quiet: true })).toBe(false);
    expect(showProgress(stream(true), { progress: false })).toBe(false);
  });
});
