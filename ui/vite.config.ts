import { defineConfig } from "vitest/config";

// The app's CSP (tauri.conf.json) is `script-src 'self'; style-src 'self'`: the build must not
// inline scripts or styles. Vite emits external files for both; the module-preload polyfill
// (which would be injected code) is off, WebKitGTK and WebView2 support modulepreload natively.
export default defineConfig({
  base: "./",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: ["es2022", "safari16", "chrome110"],
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "happy-dom",
    // Date presets are computed in local time; a fixed zone with DST makes the tests exact.
    env: { TZ: "Europe/Berlin" },
  },
});
