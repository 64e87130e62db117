import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start servers and create databases; two cores do not gain from more forks.
    maxWorkers: 2,
    globalSetup: ["test/support/global-setup.ts"],
  },
});
