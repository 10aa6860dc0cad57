// What every browser test file needs: one Chromium per file, one app page per test, and the
// check that the built UI ran under the app's CSP without violations.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startHarness, type App, type Harness } from "./harness";

/**
 * Registers the file's hooks and returns `open`: it opens the app with the mocked IPC; a second
 * `open` in the same test first checks and closes the one before.
 */
export function appSuite(): (options?: Parameters<Harness["open"]>[0]) => Promise<App> {
  let harness: Harness | undefined;
  let app: App | undefined;
  const closeApp = async () => {
    if (!app) return;
    const a = app;
    app = undefined;
    expect(await a.cspViolations(), "the built UI must run under the app's CSP without violations").toEqual([]);
    await a.close();
  };
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });
  afterEach(closeApp);
  return async (options) => {
    await closeApp();
    if (!harness) throw new Error("the browser harness did not start");
    app = await harness.open(options);
    return app;
  };
}

export const text = (a: App, selector: string) => a.page.locator(selector).innerText();
export const visible = (a: App, selector: string) => a.page.locator(selector).isVisible();
