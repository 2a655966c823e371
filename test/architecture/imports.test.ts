import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/env.js";

/**
 * Issue 10, habits: the import directions of docs/architecture.md hold (dependency-cruiser with
 * `.dependency-cruiser.cjs`: no folder imports a higher layer or a peer, no cycles). The rule set
 * is checked to be live too: a made-up upward edge must be reported.
 */
const bin = path.join(REPO, "node_modules", ".bin", "depcruise");

function cruise(args: string[]): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(bin, args, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: x.stdout + x.stderr };
  }
}

describe("import directions", () => {
  it("src/ has no upward, sideways or circular import", () => {
    const r = cruise(["src", "--config", ".dependency-cruiser.cjs", "--output-type", "err"]);
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.code).toBe(0);
  });

  it("the rules are live: a sentinel module importing sync is reported", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync, copyFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const t = mkdtempSync(path.join(tmpdir(), "gitctx-depcruise-"));
    try {
      mkdirSync(path.join(t, "src", "sentinel"), { recursive: true });
      mkdirSync(path.join(t, "src", "sync"), { recursive: true });
      writeFileSync(path.join(t, "src", "sentinel", "a.ts"), 'import { b } from "../sync/b.js";\nexport const a = b;\n');
      writeFileSync(path.join(t, "src", "sync", "b.ts"), "export const b = 1;\n");
      writeFileSync(path.join(t, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" }, include: ["src"] }));
      copyFileSync(path.join(REPO, ".dependency-cruiser.cjs"), path.join(t, ".dependency-cruiser.cjs"));
      let out = "";
      try {
        out = execFileSync(bin, ["src", "--config", ".dependency-cruiser.cjs", "--output-type", "err"], { cwd: t, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      } catch (e) {
        out = (e as { stdout: string }).stdout;
      }
      expect(out).toMatch(/no-upward-sentinel: src\/sentinel\/a\.ts → src\/sync\/b\.ts/);
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });
});
