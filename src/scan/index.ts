/**
 * Secret detection on the bytes a push would send (issue 5, scope 1–2).
 *
 * - {@link scanBytes}: pure scanner; findings carry file, line, rule, a redacted value and a
 *   fingerprint, never the secret.
 * - {@link redactBytes}: the same content with every secret replaced by `[REDACTED:<rule>]`
 *   (`git ctx redact`).
 * - {@link loadAllowlist}: released fingerprints from git config `ctx.allow` and `.ctxallow`.
 * - {@link readHeldBack} / {@link writeHeldBack}: the quarantine list `$GIT_DIR/ctx/held-back.json`
 *   written by the remote helper's push gate, read by `git ctx status`, `scan` and `doctor`.
 */
export { scanBytes, scanPath, locateSecrets, fingerprint, redact, normalizeSecret, type Finding, type ScanOptions, type SecretSpan } from "./scanner.js";
export { redactBytes, type RedactResult } from "./redact.js";
export { RULES, boundaryBefore, isTrivialValue, type Rule } from "./rules.js";
export { shannonEntropy } from "./entropy.js";
export { loadAllowlist, parseAllowlist, ALLOW_FILE, ALLOW_CONFIG_KEY, type Allowlist, type IgnoredAllowEntry } from "./allowlist.js";
export {
  readHeldBack,
  writeHeldBack,
  heldBackFile,
  releasableHeld,
  anyReleasable,
  isHeldBackRefusal,
  HELD_BACK_PHRASE,
  HeldBackSchema,
  HeldBackFileError,
  type HeldBack,
} from "./heldback.js";
