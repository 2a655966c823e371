import { describe, expect, it } from "vitest";
import { RULES, scanBytes, type Finding } from "../../src/scan/index.js";
import { ALL_RULE_IDS, claudeToolResultLine, codexFunctionCallLine, seeds, toolOutput } from "../../bench/scan.seeds.js";

/**
 * Issue 5 "done when": the seeded-secret set — every rule, in plain and JSON-escaped forms,
 * inside tool output — is found 100%, and no finding carries the secret.
 */

const SEEDS = seeds();
const FIRST = JSON.stringify({ type: "summary", summary: "setup", leafUuid: "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f" });

/** The forms one seeded line is tested in: name, file bytes, expected 1-based line of the secret. */
function forms(line: string): { form: string; file: string; bytes: Buffer; line: number }[] {
  const out = toolOutput(line);
  const secretLine = out.split("\n").indexOf(line.split("\n")[0]!) + 1;
  return [
    { form: "plain tool-results file", file: "k/s/tool-results/x.txt", bytes: Buffer.from(out), line: secretLine },
    { form: "Claude Code tool_result (JSON-escaped)", file: "k/s.jsonl", bytes: Buffer.from(`${FIRST}\n${claudeToolResultLine(out)}\n`), line: 2 },
    { form: "Codex function_call arguments (escaped twice)", file: "r.jsonl", bytes: Buffer.from(`${FIRST}\n${codexFunctionCallLine(out)}\n`), line: 2 },
  ];
}

function expectFound(findings: Finding[], rule: string, line: number, secret: string) {
  const hit = findings.filter((f) => f.rule === rule && f.line === line);
  // a Claude Code line holds tool output twice (message content and toolUseResult.stdout)
  expect(hit.length, `rule ${rule} at line ${line}; got ${JSON.stringify(findings)}`).toBeGreaterThanOrEqual(1);
  expect(new Set(hit.map((h) => h.fingerprint)).size).toBe(1);
  const shown = JSON.stringify(findings);
  expect(shown.includes(secret)).toBe(false);
  // not even the key body of a private key
  for (const part of secret.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"))) expect(shown.includes(part)).toBe(false);
  return hit[0]!;
}

describe("seeded secrets", () => {
  it("cover every rule id of RULES", () => {
    const seeded = new Set(SEEDS.map((s) => s.rule));
    for (const id of ALL_RULE_IDS) expect(seeded.has(id), id).toBe(true);
    // and ALL_RULE_IDS is complete: every rule id (or GitHub family) is in it
    for (const r of RULES) expect(ALL_RULE_IDS.some((id) => id === r.id || (r.id === "github-token" && id.startsWith("github-")))).toBe(true);
  });

  for (const s of SEEDS) {
    for (const f of forms(s.line)) {
      it(`${s.rule} in ${f.form}: ${s.line.slice(0, 40).replace(s.secret.slice(4), "…")}`, () => {
        expectFound(scanBytes(f.bytes, f.file), s.rule, f.line, s.secret);
      });
    }
    if (s.bare) {
      for (const f of forms(s.secret)) {
        it(`${s.rule} alone on a line in ${f.form}`, () => {
          expectFound(scanBytes(f.bytes, f.file), s.rule, f.line, s.secret);
        });
      }
    }
  }

  it("gives the same fingerprint in plain and escaped forms (the allowlist key is stable)", () => {
    for (const s of SEEDS) {
      const fps = forms(s.line).map((f) => scanBytes(f.bytes, f.file).find((x) => x.rule === s.rule)!.fingerprint);
      expect(new Set(fps).size, s.rule).toBe(1);
      expect(fps[0]).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it("finds every secret when all are in one transcript, each on its own line", () => {
    const lines = SEEDS.map((s) => claudeToolResultLine(toolOutput(s.line)));
    const found = scanBytes(Buffer.from(lines.join("\n") + "\n"), "all.jsonl");
    SEEDS.forEach((s, i) => {
      expect(
        found.some((f) => f.rule === s.rule && f.line === i + 1),
        `${s.rule} line ${i + 1}`,
      ).toBe(true);
    });
    expect(JSON.stringify(found).includes(SEEDS[0]!.secret)).toBe(false);
  });

  it("skips allowlisted fingerprints and only them", () => {
    const s = SEEDS.find((x) => x.rule === "github-pat")!;
    const t = SEEDS.find((x) => x.rule === "stripe-key")!;
    const bytes = Buffer.from(toolOutput(`${s.line}\n${t.line}`));
    const all = scanBytes(bytes, "f");
    const fp = all.find((f) => f.rule === "github-pat")!.fingerprint;
    const rest = scanBytes(bytes, "f", { allow: new Set([fp]) });
    expect(rest.map((f) => f.rule)).toEqual(all.filter((f) => f.fingerprint !== fp).map((f) => f.rule));
    expect(rest.some((f) => f.rule === "stripe-key")).toBe(true);
  });

  it("redacts as first 4 … last 4 (AKIA…MPLE)", () => {
    const [f] = scanBytes(Buffer.from("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"), "f");
    expect(f).toMatchObject({ rule: "aws-access-key-id", redacted: "AKIA…MPLE", line: 1 });
  });
});
