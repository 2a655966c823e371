import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { scanBytes } from "../../src/scan/index.js";
import { claudeToolResultLine, codexFunctionCallLine, rand, rng } from "../../bench/scan.seeds.js";

/** Obviously non-secret text that looks like the rules' targets must not fire (issue 5: false positives near zero). */

const r = rng(7);
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

const NEAR_MISSES: Record<string, string> = {
  "password= env reference ${PASSWORD}": "password=${PASSWORD}",
  "password= $VAR": "DB_PASSWORD=$DB_PASSWORD",
  "password <redacted>": "password=<redacted>",
  "password stars": 'password: "********"',
  "secret changeme": "secret=changeme123",
  "token from env": "token = process.env.GITHUB_TOKEN",
  "token from call": "const token = await getAccessToken(user);",
  "secret placeholder your_": "client_secret: your_client_secret_here1",
  "short password": "password=abc12",
  "letters-only value": "api_key: DefaultProviderKey",
  "token counts": '"usage":{"input_tokens":12345,"output_tokens":678,"cache_read_input_tokens":91011}',
  "max tokens": "max_tokens: 4096",
  "token file path": "token_file=/home/me/.config/gh/hosts.yml",
  "secret name": "secret_name=prod-db-credentials-v2",
  "UUID session ids": '"sessionId":"2b1c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d","uuid":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"',
  "UUID in env": "SESSION_ID=2b1c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
  "git SHA": "commit 3f786850e387550fdab836ed7e6dc881de23001b\nMerge: 8d1f2ab 77c0de1",
  "git SHA in env": "GIT_COMMIT=3f786850e387550fdab836ed7e6dc881de23001b",
  "sha256 digest": "SHA256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "model id": "export ANTHROPIC_DEFAULT_OPUS_MODEL='us.anthropic.claude-opus-4-6-v1'",
  "git remote": 'set "REPO_URL=git@github.com:someone/some-repo.git"',
  PATH: "PATH=/usr/local/bin:/usr/bin:/bin:/home/me/.local/bin",
  "prose about tokens": "Use a Bearer token in the Authorization header; the password is stored in 1Password.",
  "Bearer placeholder": 'curl -H "Authorization: Bearer $TOKEN" https://api.example.test',
  "Bearer template": "headers: { Authorization: `Bearer ${token}` }",
  "Basic auth prose": "Authorization: Basic authentication is disabled",
  "doc key placeholder": "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
  "public key": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + rand(r, ALNUM, 64) + "\n-----END PUBLIC KEY-----",
  "ellipsis tokens": "set GITHUB_TOKEN=ghp_... and OPENAI_API_KEY=sk-...",
  "xxx tokens": "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
  "URL without password": "https://user@example.com/path and postgres://localhost:5432/db",
  "URL with placeholder password": "postgres://app:${DB_PASS}@db:5432/x mysql://root:password@localhost/x",
  "npm scope": "npm_config_cache=/tmp/npm-cache",
  "semver & dates": "VERSION=2026.01.02-1234567890.12345",
};

/** Base64 of deterministic random bytes, as image data is embedded in transcripts. */
function pseudoRandomBase64(n: number, seed: number, url = false): string {
  const g = rng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(g() * 256);
  return b.toString(url ? "base64url" : "base64");
}

describe("near misses do not fire", () => {
  for (const [name, text] of Object.entries(NEAR_MISSES)) {
    it(`${name} (plain and inside a tool_result)`, () => {
      expect(scanBytes(Buffer.from(text + "\n"), "f.txt")).toEqual([]);
      expect(scanBytes(Buffer.from(claudeToolResultLine(text) + "\n"), "f.jsonl")).toEqual([]);
      expect(scanBytes(Buffer.from(codexFunctionCallLine(text) + "\n"), "f.jsonl")).toEqual([]);
    });
  }

  it("base64 image data (2 MB) in an image block", () => {
    const line = JSON.stringify({
      type: "user",
      message: { role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo" + pseudoRandomBase64(1_500_000, 11) } }] },
    });
    expect(scanBytes(Buffer.from(line + "\n"), "img.jsonl")).toEqual([]);
  });

  it("token look-alikes inside a base64url run (Codex reasoning.encrypted_content)", () => {
    // prefixes glued inside the run, as found in the corpus (…bDghp_…, …Xsk-…, …/AIza…)
    const blob = [
      "gAAAAABo" + pseudoRandomBase64(3000, 12, true),
      "bD" + "ghp_" + rand(r, ALNUM, 36),
      "X" + "sk-" + rand(r, ALNUM, 48),
      "q-" + "sk-proj-" + rand(r, ALNUM, 80),
      "Zz" + "AKIA" + rand(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16),
      "_" + "AIza" + rand(r, ALNUM, 35),
      "k" + "xoxb-" + rand(r, "0123456789", 12) + "-" + rand(r, ALNUM, 24),
      pseudoRandomBase64(3000, 13, true),
    ].join("");
    const line = JSON.stringify({ timestamp: "2026-01-02T00:00:00Z", type: "response_item", payload: { type: "reasoning", summary: [], encrypted_content: blob } });
    expect(scanBytes(Buffer.from(line + "\n"), "rollout.jsonl")).toEqual([]);
  });

  it("random binary bytes (a PNG file, an sqlite page) do not fire", () => {
    const g = rng(99);
    const b = Buffer.alloc(4_000_000);
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(g() * 256);
    expect(scanBytes(b, "x.bin")).toEqual([]);
    expect(scanBytes(randomBytes(1_000_000), "y.bin")).toEqual([]);
  });
});
