import { defineConfig } from "vitest/config";

// Browser tests: headless Chromium (playwright-core) against the built `dist/` with a mocked
// Tauri IPC. Run after `npm run build`.
export default defineConfig({
  test: {
    include: ["tests/browser/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
