import { defineConfig } from "vitest/config";

/** Vitest 4 (Node 20). End-to-end tests spawn real git and our bins, so timeouts are generous. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
