import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start servers and create databases; two cores do not gain from more forks.
    maxWorkers: 2,
    globalSetup: ["test/support/global-setup.ts"],
    // A fix whose SQL does not parse back throws instead of being withheld (src/findings/checked-fix.ts),
    // in this process and in every CLI the tests start.
    env: { DBOPT_STRICT_SQL: "1" },
  },
});
