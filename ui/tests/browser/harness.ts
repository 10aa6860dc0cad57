// Headless Chromium (playwright-core + Debian's /usr/bin/chromium) with the mocked Tauri IPC.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { serveDist } from "./server";

export const MOCK_SCRIPT = fileURLToPath(new URL("./mock-tauri.js", import.meta.url));
export const SCREENSHOT_DIR = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

/** What the mock answers with; see mock-tauri.js for the defaults. */
export interface MockConfig {
  signedIn?: boolean;
  /** list_users answers these instead of the three default colleagues. */
  colleagues?: { id: string; name: string; email: string | null }[];
  sandbox?: boolean;
  memoryOnly?: boolean;
  keyringAvailable?: boolean;
  rowCount?: number;
  pages?: number;
  pageDelayMs?: number;
  /** Delay of apply_log_view answers (to see keystrokes coalesce while Rust is busy). */
  applyDelayMs?: number;
  language?: "auto" | "de" | "en";
  fail?: Record<string, { kind: string; message: string } | string>;
  /** What `app_ready` returns (a problem found at start-up). */
  startupError?: { kind: string; message: string } | null;
  /** What `archive_problem` answers (the archive could not be opened at launch). */
  archiveProblem?: { error: { kind: string; message: string }; canRebuild: boolean } | null;
  /** The Insight tab's period has no connections (the core's figures are all zero). */
  insightEmpty?: boolean;
  /** Why the core could not read the charge rates (the amounts use the default rate). */
  insightRatesError?: { kind: string; message: string };
  /** What `navigator.language` says (WebKitGTK under LANG=C says "c", which Intl rejects). */
  navigatorLanguage?: string;
  /** How long the core takes to compute the Insight figures (ms). */
  insightDelayMs?: number;
  /** Records in the connection-log archive (0: no archive in this run). */
  archivedRows?: number;
  /** > 0: an archived period of more than 100 records shows its first screen this long first. */
  firstScreenMs?: number;
  /** Adds an open session already past its validUntil. */
  expiredSession?: boolean;
  /** Adds this many open sessions already past their validUntil. */
  expiredSessions?: number;
  /** Codes `close_sessions` fails to close (a server error each). */
  failClose?: string[];
  /** What `notification_status` answers while notifications are on (default allowed). */
  notificationState?: { state: "allowed" } | { state: "blocked"; reason: string };
  /** The documentation setting (default ask). */
  documentationMode?: "off" | "ask" | "required";
  /** The sessions to document while signed in (UndocumentedSession objects). */
  undocumented?: {
    id: string;
    customer: string;
    devicename: string | null;
    sessionCode: string | null;
    start: string | null;
    end: string;
    seconds: number;
  }[];
  /** The Billing tab's worklist: "none" (no archive), "allBilled", "allExcluded", "empty". */
  billing?: "none" | "allBilled" | "allExcluded" | "empty";
  /** Connection ids whose first Mark billed fails (a server error). */
  failMark?: string[];
  /** Delay of each Mark billed connection (ms; default 20). */
  markDelayMs?: number;
  /** That many more single-connection billing cases (a busy month). */
  billingCases?: number;
  /** The rates file is invalid: the defaults with a problem. */
  ratesProblem?: boolean;
}

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export interface App {
  page: Page;
  context: BrowserContext;
  /** Every recorded IPC call, optionally only one command's. */
  calls(cmd?: string): Promise<Call[]>;
  /** Emits a Tauri event to the page's listeners. */
  emit(event: string, payload: unknown): Promise<void>;
  /** CSP violations reported by the page. */
  cspViolations(): Promise<string[]>;
  close(): Promise<void>;
}

export interface Harness {
  open(options?: { config?: MockConfig; locale?: string; colorScheme?: "light" | "dark"; timezoneId?: string }): Promise<App>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const home = await mkdtemp(join(tmpdir(), "sdesk-ui-chromium-"));
  const server = await serveDist();
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    // Chromium writes into $HOME; keep it out of the real one.
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_CACHE_HOME: join(home, ".cache") },
  });

  return {
    async open({ config = {}, locale = "en-US", colorScheme = "light", timezoneId = "UTC" } = {}) {
      const context = await browser.newContext({ locale, colorScheme, timezoneId, viewport: { width: 1100, height: 720 } });
      await context.addInitScript({ content: `window.__MOCK_CONFIG__ = ${JSON.stringify(config)};` });
      await context.addInitScript({ path: MOCK_SCRIPT });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(server.url);
      await page.waitForFunction(() => (window as unknown as { __calls: Call[] }).__calls.some((c) => c.cmd === "app_ready"));
      if (errors.length) throw new Error(`page errors during start-up: ${errors.join("; ")}`);
      return {
        page,
        context,
        calls: (cmd) => page.evaluate((c) => (window as unknown as { __calls: Call[] }).__calls.filter((x) => !c || x.cmd === c), cmd ?? null),
        emit: (event, payload) => page.evaluate(([e, p]) => (window as unknown as { __emit(e: string, p: unknown): void }).__emit(e as string, p), [event, payload] as const),
        cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
        close: () => context.close(),
      };
    },
    async stop() {
      await browser.close();
      await server.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
