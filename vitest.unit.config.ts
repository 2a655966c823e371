import { defineConfig } from "vitest/config";

/**
 * The fast unit suite (`npm run test:unit`, under a minute): pure modules only — no git, no bins,
 * no temp folders. `npm test` (vitest.config.ts) runs these and every end-to-end suite.
 * Coverage (`npm run test:coverage`) is measured on this suite: the end-to-end suites run the code
 * in child processes (git runs our filter and helper), which v8 coverage of the test process
 * does not see.
 */
export const UNIT_TESTS = [
  "test/architecture/*.test.ts",
  "test/cli/sync-args.test.ts",
  "test/cluster/pure.test.ts",
  "test/filter/{pktline,transform}.test.ts",
  "test/helper/protocol.test.ts",
  "test/merge/*.test.ts",
  "test/gate/gate.test.ts",
  "test/roster/{dirkey,schema,plausible}.test.ts",
  "test/scan/{corpus,nearmiss,property,seeded}.test.ts",
  "test/sentinel/*.test.ts",
  "test/sync/{interleave.property,plan}.test.ts",
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    testTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    coverage: { provider: "v8", include: ["src/**/*.ts"], reporter: ["text-summary", "json-summary"], reportsDirectory: ".cache/coverage" },
  },
});
