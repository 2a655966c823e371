import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/env.js";
import { run } from "./harness.js";

/** `git ctx <cmd> --help` of the cluster commands shows at least one runnable example of the command itself. */
describe("--help of init, join, projects", () => {
  it.each(["init", "join", "projects"])("git ctx %s --help has an example", async (cmd) => {
    const r = await run(path.join(BIN, "git-ctx"), [cmd, "--help"]);
    const examples = r.stdout.split("\nExamples:\n")[1];
    expect(examples, r.stdout).toBeDefined();
    const lines = examples!.split("\n").filter((l) => l.trim());
    expect(lines.some((l) => l.includes(`git ctx ${cmd}`))).toBe(true);
  });
});
