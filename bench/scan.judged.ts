/**
 * Human judgement of every finding the scanner reports on the shared corpus
 * (`../shared/corpus`, real public transcripts), used by bench/scan.bench.ts and
 * test/scan/corpus.test.ts to count false positives.
 *
 * Rule of judgement (issue 5 brief): a finding that is a real credential pattern in public data is
 * a TRUE positive — the scanner is right to hold such a file back; the user releases it with the
 * allowlist if they accept publishing it. Everything not listed here counts as a FALSE positive.
 */
export interface Judged {
  fingerprint: string;
  rule: string;
  /** Where it occurs (corpus-relative path prefix). */
  where: string;
  /** Why it is a true positive. */
  why: string;
}

export const JUDGED_TRUE_POSITIVES: readonly Judged[] = [
  {
    fingerprint: "233f38b4c9c7f785",
    rule: "google-api-key",
    where: "claude/LAF-US__IDAHO-VAULT/…/tool-results/{bgl2fad3l,bsickmhv7,btma8i3l1}.txt",
    why: 'a Google Maps browser key (`"google_maps_api":"AIza…"`) scraped from a public web page into a tool result: a real, live-format key (SOURCES.md notes it)',
  },
  {
    fingerprint: "beaf3242cced8d56",
    rule: "secret-assignment",
    where: "gemini/7567491__ren/…/session-2026-01-03T08-29-d667b4d8.json",
    why: '`api_key: "d139…3cd7"` for api.imgbb.com in a config shown in the session, commented as a public test key that has expired: a real 32-hex API key of a real service',
  },
];
