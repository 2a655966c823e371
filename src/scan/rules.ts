import { shannonEntropy } from "./entropy.js";

/**
 * One detection rule of the secret scanner.
 *
 * Patterns are derived from two well-kept public rule sets and cite them per rule:
 * - gitleaks `config/gitleaks.toml` (github.com/gitleaks/gitleaks, MIT), rule ids in `source`;
 * - secretlint `@secretlint/secretlint-rule-preset-recommend` 12.0.0 (MIT), rule package in `source`.
 *
 * Why not run secretlint itself: measured on the shared corpus (bench/scan.bench.ts), its preset
 * misses JSON-escaped tokens (its `(?<!\p{L})` guard rejects `ghp_…` right after a `\n` escape,
 * the very form tool output has in a transcript), has no Google-API-key, JWT, bearer, Stripe or
 * `.env` rules, and only reports AWS access key ids when an option is set. The patterns below are
 * adapted for transcripts: the text is raw bytes decoded as latin1, secrets may sit right after a
 * JSON escape (`\n`, `\"`, `\\n`), and the left boundary is checked by {@link boundaryBefore}
 * instead of `\b` (which fails after the `n` of `\n`).
 *
 * Contract for `regex`: global flag; the capture group `group` holds the secret and ends the match
 * (trailing context is only in lookaheads), so the secret's offset is `end - secret.length`.
 */
export interface Rule {
  /** Stable rule id, part of every finding's fingerprint (`sha256(rule + ":" + secret)`). */
  id: string;
  /** What the rule finds, for humans. */
  description: string;
  /** Where the pattern comes from (gitleaks rule id / secretlint rule package / own). */
  source: string;
  /** Global regex; see the contract above. */
  regex: RegExp;
  /** Capture group holding the secret (0 = whole match). */
  group: number;
  /** The secret must not continue a base64/identifier run on its left (see {@link boundaryBefore}). */
  boundary?: boolean;
  /** Minimum Shannon entropy (bits/char) of the secret, as gitleaks' `entropy` field. */
  minEntropy?: number;
  /** Rule id to report for a given secret when one regex serves several ids (e.g. GitHub prefixes). */
  idOf?: (secret: string) => string;
  /** Extra acceptance test; `start` is the secret's offset in `text`. */
  accept?: (secret: string, m: RegExpExecArray, text: string, start: number) => boolean;
}

/** Characters that continue a token run (base64, base64url, identifiers). */
function isRunChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 45 /* - */ || c === 43 /* + */ || c === 47 /* / */;
}

/**
 * True when offset `i` of `text` starts a token: at the start, after a character that cannot be
 * part of a base64/base64url/identifier run, or right after a JSON escape `\n` `\r` `\t` (the
 * letter of the escape is not part of the token). This is what keeps look-alikes inside Codex
 * `encrypted_content` and base64 image data (`…Xsk-…`, `…/AIza…`) from firing, while
 * `…\nghp_…` in an escaped tool result does fire.
 */
export function boundaryBefore(text: string, i: number): boolean {
  if (i <= 0) return true;
  const c = text.charCodeAt(i - 1);
  if (!isRunChar(c)) return true;
  return i >= 2 && text.charCodeAt(i - 2) === 92 /* \ */ && (c === 110 || c === 114 || c === 116); // n r t
}

/**
 * Source of a lookbehind that holds where {@link boundaryBefore} holds: at the start, after a
 * character that cannot continue a base64/identifier run, or after a JSON escape `\n` `\r` `\t`.
 */
const BOUNDARY = String.raw`(?:^|[^A-Za-z0-9_+\/\-]|\\[nrt])`;

/**
 * A token regex `prefix` + `rest` whose left boundary is checked inside the regex, by a lookbehind
 * placed right after `prefix` (V8 still scans for the literal prefix fast, and a prefix glued
 * inside a long base64 run is rejected at once instead of costing a scan of the run: linear time
 * on adversarial input such as `eyJeyJeyJ…`).
 */
function tok(prefix: string, rest: string, flags = "g"): RegExp {
  return new RegExp(`(?:${prefix})(?<=${BOUNDARY}(?:${prefix}))(?:${rest})`, flags);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER =
  /example|placeholder|changeme|change_me|redacted|dummy|your[_-]|yourpass|xxxx|\*\*\*|\.\.\.|…|\$\{|\{\{|\$\(|<|>|%s|insert|replace|fake|sample|test_?pass|lorem/i;

/**
 * True when an assigned value is obviously not a credential: a placeholder (`${PASSWORD}`,
 * `<redacted>`, `changeme`, `xxxx`, `***`), a reference (`$X`, `%X%`), a path, a URL, a UUID, a
 * number/date, or an identifier made only of letters and `_.-` (gitleaks' generic-api-key
 * allowlist `^[a-zA-Z_.-]+$`). Used by the assignment rules only.
 */
export function isTrivialValue(v: string): boolean {
  if (v.length < 8) return true;
  const c0 = v[0]!;
  if ("$%@*#~/.<{[&!".includes(c0)) return true;
  if (PLACEHOLDER.test(v)) return true;
  if (/^[A-Za-z_.\-]+$/.test(v)) return true;
  if (/^[0-9.\-_:+TZ\/]+$/.test(v)) return true;
  if (UUID.test(v)) return true;
  if (v.includes("://")) return true;
  if (/^(?:true|false|null|none|undefined|nil)$/i.test(v)) return true;
  // repeated single character or a simple run ("aaaaaaaa", "12345678" caught above)
  if (/^(.)\1+$/.test(v)) return true;
  return false;
}

const SECRETISH_NAME = /KEY|SECRET|TOKEN|PASS|PWD|AUTH|CRED|PRIVATE|SIGNATURE|SALT|SESSION|COOKIE/i;

/**
 * The `.env` variable name ending right before offset `eq` (an `=`): `[A-Z][A-Z0-9_]{1,63}` that
 * starts a word (see {@link boundaryBefore}), or `undefined`.
 */
function envNameBefore(text: string, eq: number): string | undefined {
  let i = eq;
  while (i > 0 && eq - i < 64) {
    const c = text.charCodeAt(i - 1);
    if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) i--;
    else break;
  }
  if (eq - i < 2) return undefined;
  const first = text.charCodeAt(i);
  if (first < 65 || first > 90) return undefined;
  if (!boundaryBefore(text, i)) return undefined;
  return text.slice(i, eq);
}

/** Length of the longest run of `[A-Za-z0-9+/]` in `s` (the random part of a token). */
function longestRun(s: string): number {
  let best = 0;
  for (const r of s.match(/[A-Za-z0-9+\/]+/g) ?? []) if (r.length > best) best = r.length;
  return best;
}

/** GitHub token prefixes → gitleaks rule ids. */
function githubId(s: string): string {
  if (s.startsWith("github_pat_")) return "github-fine-grained-pat";
  switch (s.slice(0, 3)) {
    case "ghp":
      return "github-pat";
    case "gho":
      return "github-oauth";
    case "ghr":
      return "github-refresh-token";
    default:
      return "github-app-token"; // ghu_, ghs_
  }
}

/** A base64 value that decodes to printable `user:password` with a non-trivial password (HTTP Basic auth, Docker `auths`). */
function isBase64UserPassword(s: string): boolean {
  const dec = Buffer.from(s, "base64").toString("latin1");
  const i = dec.indexOf(":");
  return i > 0 && i < dec.length - 3 && /^[\x20-\x7e]+$/.test(dec) && !isTrivialValue(dec.slice(i + 1).padEnd(8, "\0"));
}

/** `[A-Za-z0-9]` classes found in a string (lower, upper, digit). */
function classes(s: string): number {
  return (/[a-z]/.test(s) ? 1 : 0) + (/[A-Z]/.test(s) ? 1 : 0) + (/[0-9]/.test(s) ? 1 : 0);
}

/**
 * The rule set, in priority order: when two findings overlap, the earlier rule wins (specific
 * token formats before the generic assignment and `.env` rules).
 */
export const RULES: readonly Rule[] = [
  {
    id: "private-key",
    description: "PEM/OpenSSH/PGP private key block (BEGIN … PRIVATE KEY, with at least 64 body characters), plain or with JSON-escaped line breaks",
    source: "gitleaks private-key; secretlint @secretlint/secretlint-rule-privatekey",
    // header, optional RFC 1421 headers (Proc-Type/DEK-Info), >= 64 chars of base64 body with real or
    // escaped line breaks, optional END line. A block cut short (e.g. `head -5 id_rsa`) still counts.
    regex:
      /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:(?:\s|\\{1,2}[nrt])*[A-Za-z-]{3,20}: ?[^\\\n]{1,200}(?:\n|\\{1,2}n)){0,4}(?:[A-Za-z0-9+\/=\s]|\\{1,2}[nrt]){64,65536}(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)?/g,
    group: 0,
    accept: (s) => {
      const body = s.replace(/^-----BEGIN[^\n\\]*?-----/, "").replace(/\\{1,2}[nrt]|\s|-----END.*$/g, "");
      return body.length >= 64 && shannonEntropy(body) >= 4;
    },
  },
  {
    id: "aws-access-key-id",
    description: "AWS access key id (AKIA/ASIA/ABIA/ACCA/A3T…, 20 characters)",
    source: "gitleaks aws-access-token; secretlint @secretlint/secretlint-rule-aws (AWSAccessKeyIDPattern)",
    regex: tok(String.raw`A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA`, String.raw`[A-Z0-9]{16}(?![A-Za-z0-9])`),
    group: 0,
    boundary: true,
    minEntropy: 3,
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key assigned to aws_secret_access_key / AWS_SECRET_ACCESS_KEY / SecretAccessKey",
    source: "secretlint @secretlint/secretlint-rule-aws (AWSSecretPatten)",
    regex:
      /(?:AWS|aws|Aws)?_?(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)(?:\\{0,3}["'])?\s*(?::|=>|=)\s*(?:\\{0,3}["'])?([A-Za-z0-9\/+=]{40})(?![A-Za-z0-9\/+=])/g,
    group: 1,
    minEntropy: 3.5,
  },
  {
    id: "github-token",
    description: "GitHub token: ghp_ (PAT), gho_ (OAuth), ghu_/ghs_ (app), ghr_ (refresh), github_pat_ (fine-grained)",
    source: "gitleaks github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat; secretlint @secretlint/secretlint-rule-github",
    regex: tok(String.raw`gh[pousr]_|github_pat_`, String.raw`(?<=gh[pousr]_)[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])|(?<=github_pat_)[A-Za-z0-9_]{22,251}(?![A-Za-z0-9_])`),
    group: 0,
    boundary: true,
    minEntropy: 3,
    idOf: githubId,
  },
  {
    id: "gitlab-token",
    description: "GitLab token: glpat- (personal), gldt-, glrt-, glptt-, glft-, glsoat-, glcbt-, glagent-, gloas-, glimt-, glffct-",
    source: "gitleaks gitlab-pat, gitlab-pat-routable, gitlab-deploy-token, gitlab-runner-authentication-token, …; secretlint @secretlint/secretlint-rule-gitlab",
    regex: tok(String.raw`gl(?:pat|dt|rt|ptt|ft|soat|cbt|agent|oas|imt|ffct)-`, String.raw`[A-Za-z0-9_\-]{20,300}(?:\.[0-9a-z]{9})?(?![A-Za-z0-9_\-])`),
    group: 0,
    boundary: true,
    minEntropy: 3,
  },
  {
    id: "anthropic-api-key",
    description: "Anthropic key or OAuth token: sk-ant-api03-…, sk-ant-admin01-…, sk-ant-oat01-…, sk-ant-ort01-…",
    source: "gitleaks anthropic-api-key, anthropic-admin-api-key; secretlint @secretlint/secretlint-rule-anthropic (lengths relaxed to 32–300)",
    regex: tok(String.raw`sk-ant-`, String.raw`(?:api|admin|oat|ort|sid)\d{2}-[A-Za-z0-9_\-]{32,300}(?![A-Za-z0-9_\-])`),
    group: 0,
    boundary: true,
    minEntropy: 3.5,
  },
  {
    id: "openai-api-key",
    description: "OpenAI key: sk-proj-/sk-svcacct-/sk-admin-…, legacy sk-…T3BlbkFJ…, or sk- followed by 32+ mixed-case alphanumerics",
    source: "gitleaks openai-api-key; secretlint @secretlint/secretlint-rule-openai; the sk-<32+> form is ours (many providers use sk- keys)",
    regex: tok(String.raw`sk-`, String.raw`(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,300}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{32,200})(?![A-Za-z0-9_\-])`),
    group: 0,
    boundary: true,
    minEntropy: 3.5,
    accept: (s) => s.startsWith("sk-proj-") || s.startsWith("sk-svcacct-") || s.startsWith("sk-admin-") || classes(s.slice(3)) === 3,
  },
  {
    id: "slack-token",
    description: "Slack token xoxb-/xoxp-/xoxa-/xoxr-/xoxs-/xoxo-/xoxe- and app-level xapp-",
    source: "gitleaks slack-bot-token, slack-user-token, slack-legacy-*, slack-app-token; secretlint @secretlint/secretlint-rule-slack (SLACK_TOKEN_PATTERN)",
    regex: tok(
      String.raw`xox[abeoprs]-|xapp-`,
      String.raw`(?:(?<=xox[abeoprs]-)(?:\d-)?[A-Za-z0-9]{8,64}(?:-[A-Za-z0-9]{1,64}){0,6}|(?<=xapp-)\d-[A-Za-z0-9]{4,64}-\d{1,20}-[A-Za-z0-9]{8,128})(?![A-Za-z0-9\-])`,
    ),
    group: 0,
    boundary: true,
    minEntropy: 3,
    accept: (s) => /\d/.test(s.slice(5)),
  },
  {
    id: "slack-webhook",
    description: "Slack incoming-webhook / workflow URL (the path after hooks.slack.com is the secret)",
    source: "gitleaks slack-webhook-url; secretlint @secretlint/secretlint-rule-slack (IncomingWebhooksPattern)",
    regex: /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9+\/]{30,120})(?![A-Za-z0-9+\/])/g,
    group: 1,
    minEntropy: 3,
  },
  {
    id: "google-api-key",
    description: "Google (GCP / Maps / Firebase) API key AIza… (39 characters)",
    source: "gitleaks gcp-api-key",
    regex: tok(String.raw`AIza`, String.raw`[A-Za-z0-9_\-]{35}(?![A-Za-z0-9_\-])`),
    group: 0,
    boundary: true,
    minEntropy: 3.5,
  },
  {
    id: "stripe-key",
    description: "Stripe secret or restricted key sk_live_/rk_live_ (also _test_/_prod_)",
    source: "gitleaks stripe-access-token",
    regex: tok(String.raw`[rs]k_(?:live|test|prod)_`, String.raw`[A-Za-z0-9]{10,99}(?![A-Za-z0-9])`),
    group: 0,
    boundary: true,
    minEntropy: 2.5,
  },
  {
    id: "npm-token",
    description: "npm access token npm_…",
    source: "gitleaks npm-access-token; secretlint @secretlint/secretlint-rule-npm",
    regex: tok(String.raw`npm_`, String.raw`[A-Za-z0-9]{36}(?![A-Za-z0-9])`),
    group: 0,
    boundary: true,
    minEntropy: 3,
  },
  {
    id: "jwt",
    description: "JSON Web Token eyJ….eyJ….<signature>",
    source: "gitleaks jwt (escaped-slash variants dropped: JWTs are base64url; header and payload are JSON objects, so they start with eyJ or, after a space, eyA)",
    regex: tok(String.raw`ey[JA]`, String.raw`[A-Za-z0-9_\-]{15,4096}\.ey[JA][A-Za-z0-9_\-]{15,16384}\.(?:[A-Za-z0-9_\-]{10,2048}={0,2})?(?![A-Za-z0-9_\-])`),
    group: 0,
    boundary: true,
    minEntropy: 3,
  },
  {
    id: "bearer-token",
    description: "Bearer token after `Bearer ` (Authorization headers, curl -H)",
    source: "gitleaks curl-auth-header (Bearer branch), generalised to any `Bearer <token>`",
    regex: /[Bb][Ee][Aa][Rr][Ee][Rr][ \t]+(?=([A-Za-z0-9\-._~+\/]{16,1024}={0,3}))\1(?![A-Za-z0-9\-._~+\/=])/g,
    group: 1,
    minEntropy: 3,
    accept: (s) => /[0-9]/.test(s) && /[A-Za-z]/.test(s) && !isTrivialValue(s),
  },
  {
    id: "basic-auth-header",
    description: "`Authorization: Basic <base64 user:password>`",
    source: "gitleaks curl-auth-header (Basic branch); secretlint @secretlint/secretlint-rule-basicauth",
    regex: /authorization(?:\\{0,3}["'])?[ \t]*[:=][ \t]*(?:\\{0,3}["'])?basic[ \t]+(?=([A-Za-z0-9+\/]{8,4096}={0,2}))\1(?![A-Za-z0-9+\/=])/gi,
    group: 1,
    accept: isBase64UserPassword,
  },
  {
    id: "azure-storage-key",
    description: "Azure storage account key or Service Bus / Event Hubs shared access key in a connection string (AccountKey=…, SharedAccessKey=…)",
    source: "secretlint @secretlint/secretlint-rule-azure (AzureStorageAccountKey pattern); gitleaks azure-ad-client-secret covers only AD secrets",
    regex: /(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+\/]{40,100}={0,2})(?![A-Za-z0-9+\/=])/g,
    group: 1,
    minEntropy: 4,
  },
  {
    id: "docker-config-auth",
    description: 'Registry credentials in a Docker/Podman config.json (`"auths": {"<registry>": {"auth": "<base64 user:password>"}}`), plain or JSON-escaped',
    source: "own rule; format: Docker CLI config.json `auths.<registry>.auth` (docs.docker.com, 'docker login'); same decoding check as the basic-auth rule",
    regex: /\\{0,3}"auth\\{0,3}"[ \t]{0,3}:[ \t]{0,3}\\{0,3}"([A-Za-z0-9+\/]{8,4096}={0,2})\\{0,3}"/g,
    group: 1,
    accept: isBase64UserPassword,
  },
  {
    id: "putty-private-key",
    description: "PuTTY private key file (PuTTY-User-Key-File-2/3 … Private-Lines: n, then the base64 body), plain or with JSON-escaped line breaks",
    source: "own rule; format: PuTTY .ppk (PuTTY manual, appendix C); gitleaks and secretlint cover only PEM/OpenSSH armor",
    regex:
      /PuTTY-User-Key-File-[23]:[^\n\\]{0,100}(?:\r?\n|\\{1,2}r?\\{0,2}n)(?:[^\n\\]{0,600}(?:\r?\n|\\{1,2}r?\\{0,2}n)){0,30}?Private-Lines: ?\d{1,4}(?:\r?\n|\\{1,2}r?\\{0,2}n)(?:[A-Za-z0-9+\/=]|\r?\n|\\{1,2}[nr]){64,20000}/g,
    group: 0,
    accept: (s) =>
      shannonEntropy(
        s
          .slice(s.indexOf("Private-Lines"))
          .replace(/^Private-Lines: ?\d+/, "")
          .replace(/\\{1,2}[nr]|\s/g, ""),
      ) >= 4,
  },
  {
    id: "url-password",
    description: "Password inside a URL's userinfo (scheme://user:password@host), e.g. database connection strings",
    source: "secretlint @secretlint/secretlint-rule-basicauth, @secretlint/secretlint-rule-database-connection-string",
    // anchored on the literal "://" (fast); the scheme before it is checked in `accept`
    regex: /:\/\/([^\s:\/@"'`\\<>]{1,100}):([^\s@\/"'`\\<>]{6,200})(?=@)/g,
    group: 2,
    accept: (s, m, text) =>
      /[A-Za-z][A-Za-z0-9+.\-]{1,20}$/.test(text.slice(Math.max(0, m.index - 21), m.index)) &&
      s !== m[1] &&
      !isTrivialValue(s.length >= 8 ? s : s.padEnd(8, "#")) &&
      shannonEntropy(s) >= 2.5 &&
      !/^(?:pass(?:word)?|secret|postgres|root|admin|guest|user)\d*$/i.test(s),
  },
  {
    id: "secret-assignment",
    description: "password= / secret= / token= / api_key= (and :, :=, =>) assignments with a non-trivial value",
    source: "gitleaks generic-api-key (keywords, allowlist of placeholders, entropy), narrowed to credential words",
    // keyword alternation factored and guarded by a first-letter lookahead: ~1.6× faster in V8
    regex:
      /(?=[pstacPSTAC])(?:pass(?:w(?:or)?d|phrase)|secret|token|a(?:pi|ccess|uth)[_\-]?key|private[_\-]?key|credentials?)[A-Za-z0-9_.\-]{0,24}(?:\\{0,3}["'])?[ \t]{0,3}(?:=|:=|:|=>)[ \t]{0,3}(?:\\{0,3}["'`])?(?=([^\s"'`\\;,&<>(){}\[\]|]{8,200}))\1(?=$|[\s"'`\\;,&<>)}\]|])/gi,
    group: 1,
    minEntropy: 3,
    accept: (s, m) => {
      const name = m[0].slice(0, m[0].length - s.length).toLowerCase();
      // gitleaks generic-api-key allowlist: names that hold no credential
      if (/(?:secret|token|key)[_.\-]?(?:length|name|size|type|id|ids|count|file|path|url|uri|endpoint|usage|limit|budget|s\b)|tokens|tokenizer|csrf|public[_.\-]?token/.test(name))
        return false;
      return !isTrivialValue(s) && /[0-9]/.test(s);
    },
  },
  {
    id: "env-high-entropy",
    description: ".env-style NAME=VALUE line whose value has high Shannon entropy (≥ 4.0 bits/char, ≥ 3.0 when NAME looks like a credential)",
    source: "own rule (threshold from gitleaks generic-api-key's entropy 3.5 and measured on the corpus)",
    // anchored on the literal "=" (fast); NAME is read backwards from it in `accept`
    regex: /=(?:\\{0,3}["'])?(?=([A-Za-z0-9+\/_\-.~:@%!*#^]{16,512}={0,3}))\1(?=$|[\s"'`\\;,&])/g,
    group: 1,
    accept: (s, m, text) => {
      const name = envNameBefore(text, m.index);
      if (name === undefined) return false;
      if (UUID.test(s) || s.includes("://") || s.startsWith("/") || s.startsWith("~") || s.startsWith(".")) return false;
      if (/^[0-9a-f]{7,64}$/i.test(s) && !SECRETISH_NAME.test(name)) return false; // hashes, git SHAs
      if ((s.match(/\//g) ?? []).length >= 2 && !/[+=]/.test(s)) return false; // paths
      if (isTrivialValue(s)) return false;
      // a credential has a long random run; model ids, hostnames, versions are short dotted words
      if (longestRun(s) < (SECRETISH_NAME.test(name) ? 8 : 16)) return false;
      return shannonEntropy(s) >= (SECRETISH_NAME.test(name) ? 3 : 4) && classes(s) >= 2;
    },
  },
];
