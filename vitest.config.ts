import { defineConfig } from "vitest/config";

// Heavy suites (real-store cluster runs) live in test/lab and run only with FAULTLINE_LAB=1 (see README).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The CLI tests run the compiled bin/faultline.js: build dist/ once before any test.
    globalSetup: ["test/build-setup.ts"],
    exclude: process.env.FAULTLINE_LAB ? [] : ["test/lab/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
