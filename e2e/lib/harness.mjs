// Shared helpers of the E2E suite: the WebDriver session on the real app, the test hooks' files
// (open log, export file), the second-instance deep-link hand-off, CSV parsing, screenshots.
// Environment (set by scripts/e2e.sh): APP, TAURI_DRIVER_PORT, SDESK_TEST_OPEN_LOG,
// SDESK_TEST_SAVE_PATH, E2E_SCREENSHOTS, E2E_ARTIFACTS, E2E_RECORDS.
import { remote } from 'webdriverio';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export const env = {
  app: required('APP'),
  driverPort: Number(process.env.TAURI_DRIVER_PORT || 4444),
  openLog: process.env.SDESK_TEST_OPEN_LOG,
  savePath: process.env.SDESK_TEST_SAVE_PATH,
  screenshots: process.env.E2E_SCREENSHOTS,
  artifacts: process.env.E2E_ARTIFACTS,
  records: Number(process.env.E2E_RECORDS || 10000),
};

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through scripts/e2e.sh`);
  return v;
}

/** Starts the app through tauri-driver and returns the WebdriverIO browser. */
export async function startApp() {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: env.driverPort,
    logLevel: 'warn',
    connectionRetryCount: 1,
    connectionRetryTimeout: 60_000,
    waitforTimeout: 10_000,
    capabilities: {
      browserName: 'wry',
      'tauri:options': { application: env.app },
      // WebKitWebDriver speaks classic WebDriver only; without this WebdriverIO 9 tries BiDi.
      'wdio:enforceWebDriverClassic': true,
    },
  });
  // The window becomes visible after the UI's first render; wait for the document.
  await browser.waitUntil(
    async () => (await browser.execute(() => document.readyState)) === 'complete',
    { timeout: 20_000, timeoutMsg: 'the page never finished loading' },
  );
  return browser;
}

/** Closes the WebDriver session (which closes the app). Never throws. */
export async function stopApp(browser) {
  try {
    await browser?.deleteSession();
  } catch (e) {
    console.error('deleteSession failed:', e.message);
  }
  // The session ends before the process does. A start right after would find the old one still
  // running and hand its arguments to it (single instance) instead of starting: wait it out.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && appRunning()) await sleep(100);
}

/** Whether a process of the app's binary is running. */
function appRunning() {
  const app = realpathSync(env.app);
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === app) return true;
    } catch {
      // gone, or not ours to read
    }
  }
  return false;
}

/** Calls a Tauri command from the page (the same IPC path the UI uses). Rejects with the IpcError. */
export async function invoke(browser, cmd, args = {}) {
  const res = await browser.executeAsync(
    (cmd, args, done) => {
      const core = window.__TAURI__?.core;
      const call = core ? core.invoke(cmd, args) : window.__TAURI_INTERNALS__.invoke(cmd, args);
      call.then((ok) => done({ ok }), (err) => done({ err: err ?? null }));
    },
    cmd,
    args,
  );
  if ('err' in res) {
    const e = new Error(`${cmd} failed: ${JSON.stringify(res.err)}`);
    e.ipc = res.err;
    throw e;
  }
  return res.ok;
}

/** The file the app appends every URL it would open to (SDESK_TEST_OPEN_LOG), one per line. */
export class OpenLog {
  constructor(path = env.openLog) {
    if (!path) throw new Error('SDESK_TEST_OPEN_LOG is not set');
    this.path = path;
    this.seen = this.lines().length;
  }
  lines() {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  }
  /** Remembers the current end of the log; `next()` returns only lines written after it. */
  mark() {
    this.seen = this.lines().length;
  }
  /** Waits for `count` new lines after the mark and returns them (and moves the mark past them). */
  async next(count = 1, timeout = 10_000) {
    const until = Date.now() + timeout;
    for (;;) {
      const all = this.lines();
      if (all.length - this.seen >= count) {
        const got = all.slice(this.seen, this.seen + count);
        this.seen += count;
        return got;
      }
      if (Date.now() > until) {
        throw new Error(`expected ${count} new line(s) in the open log, got: ${JSON.stringify(all.slice(this.seen))}`);
      }
      await sleep(100);
    }
  }
  /** Asserts nothing more was written after a short grace period. */
  async extra(graceMs = 500) {
    await sleep(graceMs);
    return this.lines().slice(this.seen);
  }
}

/** Waits until `fn()` returns a truthy value and returns that value. */
export async function until(fn, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${last})`);
    await sleep(interval);
  }
}

/** Text of an element, or its value for form fields, or its href for links. */
export async function textOf(browser, selector) {
  return browser.execute((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    if ('value' in el && el.tagName !== 'BUTTON' && el.tagName !== 'LI' && el.tagName !== 'PROGRESS') return el.value;
    const t = (el.innerText ?? el.textContent ?? '').trim();
    if (t) return t;
    return el.getAttribute('href') ?? '';
  }, selector);
}

/** Is the element present and rendered (not hidden)? */
export async function visible(browser, selector) {
  return browser.execute((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    if (el.closest('[hidden]')) return false;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  }, selector);
}

/** A number shown in the UI ("10,000", "10.000", "10 000" → 10000). */
export function parseCount(text) {
  const digits = String(text ?? '').replace(/[^0-9]/g, '');
  return digits === '' ? NaN : Number(digits);
}

/**
 * Plays the system browser on the sandbox's consent page: GET the authorize URL, POST the form
 * with decision=approve, and return the redirect's Location (the deep link) without following it.
 */
export async function approveConsent(authorizeUrl, decision = 'approve') {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html.slice(0, 300)}`);
  const form = html.match(/<form[^>]*action="([^"]+)"/i);
  const request = html.match(/name="request"\s+value="([^"]*)"/i);
  if (!form || !request) throw new Error(`no consent form in: ${html.slice(0, 500)}`);
  if (!/id="approve"/.test(html) || !/id="deny"/.test(html)) throw new Error('consent page lacks #approve/#deny');
  const action = new URL(unescapeHtml(form[1]), authorizeUrl);
  const res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: unescapeHtml(request[1]), decision }).toString(),
  });
  const location = res.headers.get('location');
  if (![302, 303, 307].includes(res.status) || !location) {
    throw new Error(`decision answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
  }
  return location;
}

function unescapeHtml(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Starts the app binary a second time with `url` as its argument, as the OS does for a deep link.
 * Single-instance (over the D-Bus session) hands the URL to the running instance and this
 * process exits. Resolves with { code, ms, stderr }.
 */
export function secondInstance(url, timeout = 15_000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(env.app, [url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the second instance did not exit within ${timeout} ms (single-instance not working?): ${out}`));
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - t0, output: out });
    });
  });
}

/** Waits until a file exists and its size is stable, then returns its contents. */
export async function readWhenWritten(path, timeout = 20_000) {
  let last = -1;
  return until(
    () => {
      if (!existsSync(path)) return false;
      const size = statSync(path).size;
      const stable = size > 0 && size === last;
      last = size;
      return stable ? readFileSync(path, 'utf8') : false;
    },
    { timeout, interval: 200, message: `${path} to be written` },
  );
}

/** RFC 4180 CSV → array of records (arrays of strings). Handles quotes, "" and embedded newlines. */
export function parseCsv(text, delimiter = ',') {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Saves a screenshot of the app window (after a pause: right after a DOM change it can be stale). */
export async function screenshot(browser, name, { pauseMs = 1000 } = {}) {
  const dir = env.screenshots;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  await sleep(pauseMs);
  const path = join(dir, `${name}.png`);
  await browser.saveScreenshot(path);
  return path;
}

/** For `afterEach`: a screenshot of the failing state, into the artifacts dir. */
export async function failureShot(browser, t) {
  if (!browser || !env.artifacts || !t) return;
  try {
    mkdirSync(env.artifacts, { recursive: true });
    const safe = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await browser.saveScreenshot(join(env.artifacts, `failure-${safe}.png`));
  } catch {
    /* the session may be gone */
  }
}
