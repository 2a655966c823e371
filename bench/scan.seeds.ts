import { generateKeyPairSync } from "node:crypto";

/**
 * Seeded (fake, generated) credentials for the scanner tests: one or more per rule, built at run
 * time from a deterministic generator so that no credential-shaped literal lives in the repo.
 */

/** Deterministic xorshift32 generator. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPERNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const B64 = ALNUM + "+/";
const DIGITS = "0123456789";

/** `n` characters of `alphabet` from `r`, guaranteed to contain a digit, an upper and a lower letter when the alphabet has them. */
export function rand(r: () => number, alphabet: string, n: number): string {
  for (;;) {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
    const need = [/[0-9]/, /[A-Z]/, /[a-z]/].filter((re) => re.test(alphabet));
    if (n < 6 || need.every((re) => re.test(s))) return s;
  }
}

function b64url(s: string): string {
  return Buffer.from(s).toString("base64url");
}

/** A seeded secret: the value, the rule expected to find it, and a line of realistic text that holds it. */
export interface Seed {
  rule: string;
  secret: string;
  /** A line as it would appear in tool output (a command's stdout, a config file). */
  line: string;
  /** Also test the bare value on a line of its own (token formats that need no key name). */
  bare?: boolean;
}

/** Every rule, at least once; several forms for the rules with variants. */
export function seeds(seed = 42): Seed[] {
  const r = rng(seed);
  const out: Seed[] = [];
  const add = (rule: string, secret: string, line: (s: string) => string, bare = false) => out.push({ rule, secret, line: line(secret), bare });

  add("aws-access-key-id", "AKIA" + rand(r, UPPERNUM, 16), (s) => `AWS_ACCESS_KEY_ID=${s}`, true);
  add("aws-access-key-id", "ASIA" + rand(r, UPPERNUM, 16), (s) => `  "AccessKeyId": "${s}",`, true);
  add("aws-secret-access-key", rand(r, B64, 40), (s) => `aws_secret_access_key = ${s}`);
  add("aws-secret-access-key", rand(r, B64, 40), (s) => `export AWS_SECRET_ACCESS_KEY="${s}"`);
  add("github-pat", "ghp_" + rand(r, ALNUM, 36), (s) => `GITHUB_TOKEN=${s}`, true);
  add("github-oauth", "gho_" + rand(r, ALNUM, 36), (s) => `oauth_token: ${s}`, true);
  add("github-app-token", "ghu_" + rand(r, ALNUM, 36), (s) => `token ${s}`, true);
  add("github-app-token", "ghs_" + rand(r, ALNUM, 36), (s) => `git clone https://x-access-token:${s}@github.com/o/r.git`, true);
  add("github-refresh-token", "ghr_" + rand(r, ALNUM, 36), (s) => `refresh=${s}`, true);
  add("github-fine-grained-pat", "github_pat_" + rand(r, ALNUM, 22) + "_" + rand(r, ALNUM, 59), (s) => `gh auth login --with-token <<< ${s}`, true);
  add("gitlab-token", "glpat-" + rand(r, ALNUM, 20), (s) => `PRIVATE-TOKEN: ${s}`, true);
  add("anthropic-api-key", "sk-ant-api03-" + rand(r, ALNUM + "_-", 93) + "AA", (s) => `ANTHROPIC_API_KEY=${s}`, true);
  add("anthropic-api-key", "sk-ant-oat01-" + rand(r, ALNUM + "_-", 95), (s) => `{"accessToken":"${s}"}`, true);
  add("openai-api-key", "sk-proj-" + rand(r, ALNUM + "_-", 74) + "T3BlbkFJ" + rand(r, ALNUM + "_-", 74), (s) => `OPENAI_API_KEY=${s}`, true);
  add("openai-api-key", "sk-" + rand(r, ALNUM, 20) + "T3BlbkFJ" + rand(r, ALNUM, 20), (s) => `openai.api_key = "${s}"`, true);
  add("openai-api-key", "sk-" + rand(r, ALNUM, 48), (s) => `client = OpenAI(api_key='${s}')`, true);
  add("slack-token", `xoxb-${rand(r, DIGITS, 12)}-${rand(r, DIGITS, 13)}-${rand(r, ALNUM, 24)}`, (s) => `SLACK_BOT_TOKEN=${s}`, true);
  add("slack-token", `xoxp-${rand(r, DIGITS, 11)}-${rand(r, DIGITS, 11)}-${rand(r, DIGITS, 12)}-${rand(r, "abcdef0123456789", 32)}`, (s) => `slack_user_token: ${s}`, true);
  add("slack-webhook", `T${rand(r, UPPERNUM, 10)}/B${rand(r, UPPERNUM, 10)}/${rand(r, ALNUM, 24)}`, (s) => `curl -X POST https://hooks.slack.com/services/${s} -d '{}'`);
  add("google-api-key", "AIza" + rand(r, ALNUM + "_-", 35), (s) => `<script src="https://maps.googleapis.com/maps/api/js?key=${s}"></script>`, true);
  add("stripe-key", "sk_live_" + rand(r, ALNUM, 24), (s) => `STRIPE_SECRET_KEY=${s}`, true);
  add("stripe-key", "rk_live_" + rand(r, ALNUM, 99), (s) => `stripe.api_key = '${s}'`, true);
  add("npm-token", "npm_" + rand(r, ALNUM, 36), (s) => `//registry.npmjs.org/:_authToken=${s}`, true);
  const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${rand(r, DIGITS, 10)}","name":"Jo","iat":${rand(r, DIGITS, 10)}}`)}.${rand(r, ALNUM + "_-", 43)}`;
  add("jwt", jwt, (s) => `Cookie: session=${s}`, true);
  add("bearer-token", rand(r, ALNUM, 40), (s) => `curl -H "Authorization: Bearer ${s}" https://api.example.test/v1`);
  add("basic-auth-header", Buffer.from(`deploy:${rand(r, ALNUM, 18)}`).toString("base64"), (s) => `Authorization: Basic ${s}`);
  add("url-password", rand(r, ALNUM, 16), (s) => `DATABASE_URL=postgres://app:${s}@db.internal:5432/prod`);
  add("secret-assignment", rand(r, ALNUM, 14), (s) => `password=${s}`);
  add("secret-assignment", rand(r, ALNUM + "!@#%^*", 20), (s) => `  db_password: "${s}"`);
  add("secret-assignment", rand(r, ALNUM, 24), (s) => `client_secret = '${s}'`);
  add("secret-assignment", rand(r, "abcdef0123456789", 32), (s) => `api_key: "${s}"  # service key`);
  add("env-high-entropy", rand(r, ALNUM, 32), (s) => `WEBHOOK_SIGNING=${s}`);
  add("env-high-entropy", rand(r, ALNUM + "+/", 44), (s) => `export SENTRY_DSN_PART=${s}`);
  // issue 10, defect 8: kinds the first rule set missed
  add("azure-storage-key", rand(r, ALNUM + "+/", 86) + "==", (s) => `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${s};EndpointSuffix=core.windows.net`);
  add("azure-storage-key", rand(r, ALNUM + "+/", 43) + "=", (s) => `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${s}`);
  add("docker-config-auth", Buffer.from(`ci-bot:${rand(r, ALNUM, 20)}`).toString("base64"), (s) => `{"auths":{"ghcr.io":{"auth":"${s}"}}}`);
  add("url-password", rand(r, ALNUM, 18), (s) => `mongodb+srv://admin_user:${s}@cluster0.example.mongodb.net/db`);
  add("url-password", rand(r, ALNUM, 18), (s) => `redis://default:${s}@cache.internal:6379/0`);
  const ppkBody = Array.from({ length: 4 }, () => rand(r, ALNUM + "+/", 64)).join("\n");
  const ppk = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: me@laptop\nPublic-Lines: 2\n${rand(r, ALNUM, 64)}\n${rand(r, ALNUM, 20)}\nPrivate-Lines: 4\n${ppkBody}`;
  out.push({ rule: "putty-private-key", secret: ppk, line: ppk });
  const ed = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  out.push({ rule: "private-key", secret: ed.trimEnd(), line: ed.trimEnd() });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  out.push({ rule: "private-key", secret: rsa.trimEnd(), line: rsa.trimEnd() });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
  out.push({ rule: "private-key", secret: ec.trimEnd(), line: ec.trimEnd() });
  const pk8 = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  out.push({ rule: "private-key", secret: pk8.trimEnd(), line: pk8.trimEnd() });
  return out;
}

/** The rule ids every seed set must cover (all of RULES, with GitHub's per-prefix ids). */
export const ALL_RULE_IDS = [
  "private-key",
  "aws-access-key-id",
  "aws-secret-access-key",
  "github-pat",
  "github-oauth",
  "github-app-token",
  "github-refresh-token",
  "github-fine-grained-pat",
  "gitlab-token",
  "anthropic-api-key",
  "openai-api-key",
  "slack-token",
  "slack-webhook",
  "google-api-key",
  "stripe-key",
  "npm-token",
  "jwt",
  "bearer-token",
  "basic-auth-header",
  "url-password",
  "secret-assignment",
  "env-high-entropy",
  "azure-storage-key",
  "docker-config-auth",
  "putty-private-key",
];

/** Text around a seeded line, as a command's output would have it. */
export function toolOutput(line: string): string {
  return `$ cat .env\n# generated 2026-01-02\nNODE_ENV=production\n${line}\nPORT=8080\n`;
}

/** A Claude Code transcript line (JSONL record) whose tool_result content holds `text`. */
export function claudeToolResultLine(text: string): string {
  return JSON.stringify({
    parentUuid: "0b5f6a52-3c1d-4e8f-9a0b-1c2d3e4f5a6b",
    isSidechain: false,
    userType: "external",
    cwd: "/home/me/proj",
    sessionId: "7d3f2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6",
    version: "2.1.97",
    type: "user",
    message: { role: "user", content: [{ tool_use_id: "toolu_01ABCdefGHIjklMNOpqrSTUv", type: "tool_result", content: text, is_error: false }] },
    uuid: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
    timestamp: "2026-01-02T10:11:12.345Z",
    toolUseResult: { stdout: text, stderr: "", interrupted: false, isImage: false },
  });
}

/** A Codex rollout line whose function_call `arguments` (a JSON string) holds `text`: two levels of escaping. */
export function codexFunctionCallLine(text: string): string {
  return JSON.stringify({
    timestamp: "2026-01-02T10:11:12.345Z",
    type: "response_item",
    payload: {
      type: "function_call",
      name: "shell",
      arguments: JSON.stringify({ command: ["bash", "-lc", `printf '%s' "${text}"`], workdir: "/home/me/proj" }),
      call_id: "call_abc",
    },
  });
}
