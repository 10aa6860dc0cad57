// End-of-session documentation on the real binary in sandbox mode: documentation has been on
// for three days (documentation.json written before the start, as an app that was switched on
// three days ago leaves it), the archive starts empty, the supporter signs in and syncs: the
// sandbox account's sessions of those three days with empty notes are announced by one
// notification and listed in a banner; the supporter documents the oldest through the prompt
// (notes + ticket number) and the notes, with their "Ticket: …" line, are at the sandbox and in
// the log view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, stopApp, invoke, until, textOf, visible, parseCount, screenshot, failureShot } from './lib/harness.mjs';

const token = process.env.E2E_SCRIPT_TOKEN;
const configDir = process.env.SDESK_CONFIG_DIR;
const notifyLog = process.env.SDESK_TEST_NOTIFY_LOG;
const dataDir = join(process.env.XDG_DATA_HOME ?? '', 'dev.supporterdesk.desk');
const logFile = join(dataDir, 'logs', 'supporter-desk.log');
const stamp = Date.now();
const notes = `Documented in the E2E run ${stamp}\nRestarted the print spooler.`;
const ticket = `E2E-${stamp % 100000}`;

let browser;
let logStart = 0;

const appLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
const notified = () => (existsSync(notifyLog) ? readFileSync(notifyLog, 'utf8') : '');

async function sandboxOrigin() {
  return until(
    () => {
      const found = [...appLog().slice(logStart).matchAll(/sandbox mode origin=(http:\/\/127\.0\.0\.1:\d+\/?)/g)].at(-1);
      return found ? new URL(found[1]) : null;
    },
    { timeout: 20_000, message: 'the app to log its sandbox origin' },
  );
}

async function click(selector, timeout = 10_000) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout, timeoutMsg: `${selector} is not clickable` });
  await el.click();
}

function step(name, fn) {
  test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      await failureShot(browser, t);
      await stopApp(browser);
      browser = null;
      throw e;
    }
  });
}

before(() => {
  assert.ok(token, 'the sandbox script token (E2E_SCRIPT_TOKEN) from scripts/e2e.sh');
  assert.ok(configDir && notifyLog, 'SDESK_CONFIG_DIR and SDESK_TEST_NOTIFY_LOG from scripts/e2e.sh');
  logStart = appLog().length;
  // Earlier files of the run synced this sandbox's reports already: the archive starts empty
  // here, so the sync brings them as new.
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `archive.sqlite3${suffix}`), { force: true });
  mkdirSync(configDir, { recursive: true });
  const since = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
  writeFileSync(join(configDir, 'documentation.json'), JSON.stringify({ since }));
});
after(async () => {
  await stopApp(browser);
});

step('a synced session without notes is announced, documented through the prompt, and its notes show in the log view', async () => {
  browser = await startApp();
  const origin = await sandboxOrigin();
  const settings = await invoke(browser, 'get_settings');
  assert.equal(settings.documentation.mode, 'ask', 'the default setting asks');
  const notifiedBefore = notified().length;

  await click('#tab-sessions');
  await click('#use-script-token');
  const field = await browser.$('#script-token');
  await field.waitForDisplayed({ timeout: 10_000 });
  await field.setValue(token);
  await click('#script-token-submit');
  await until(() => visible(browser, '#account-name'), { timeout: 20_000, message: 'the account in the header' });
  const account = (await invoke(browser, 'auth_status')).account;
  assert.deepEqual((await invoke(browser, 'documentation_state')).sessions, [], 'nothing listed before the first sync: the archive is empty');

  await click('#tab-logs');
  await click('#archive-sync', 60_000);
  await until(
    async () => {
      const s = await invoke(browser, 'archive_sync_status');
      return s.state === 'idle' && s.lastSync && !s.error && s.total > 0;
    },
    { timeout: 120_000, interval: 250, message: 'a complete sync' },
  );
  const state = await until(
    async () => {
      const s = await invoke(browser, 'documentation_state');
      return s.sessions.length > 0 ? s : null;
    },
    { timeout: 20_000, message: 'the sessions to document after the sync' },
  );
  const oldest = state.sessions[0];
  const threeDays = Date.now() - 3 * 24 * 3600_000;
  assert.ok(
    state.sessions.every((s) => Date.parse(s.end) >= threeDays - 60_000),
    `only sessions that ended since documentation was on: ${JSON.stringify(state.sessions.slice(0, 3))}`,
  );

  // One notification for the sync, naming the count (or the customer) and opening the oldest.
  const line = await until(
    () => notified().slice(notifiedBefore).split('\n').find((l) => l.endsWith(`| doc:${oldest.id}`)),
    { timeout: 20_000, message: 'the end-of-session notification in the test hook' },
  );
  const title = state.sessions.length === 1 ? `Document your session with ${oldest.customer}` : `Document ${state.sessions.length} sessions`;
  assert.ok(line.startsWith(`${title} | `), `the notification: ${line}`);

  // The banner, then the prompt for the oldest.
  await until(() => visible(browser, '#documentation-banner'), { message: 'the documentation banner' });
  await click('#documentation-banner-open');
  await until(() => visible(browser, '#documentation-dialog'), { message: 'the prompt' });
  const who = await textOf(browser, '#doc-who');
  assert.ok(who.includes(oldest.customer), `the prompt names the customer (${oldest.customer}): ${who}`);
  // Two lines: WebKitWebDriver drops a typed "\n", so the text is put in as a paste would.
  await browser.execute((text) => {
    const area = document.querySelector('#doc-notes');
    area.value = text;
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }, notes);
  await (await browser.$('#doc-ticket')).setValue(ticket);
  await screenshot(browser, 'app-documentation-prompt');
  await click('#doc-save');
  await until(async () => !(await visible(browser, '#documentation-dialog')), { timeout: 30_000, message: 'the prompt to close after saving' });
  const after = await invoke(browser, 'documentation_state');
  assert.ok(!after.sessions.some((s) => s.id === oldest.id), 'the documented session left the list');

  // At the sandbox (TeamViewer): the notes with the ticket line.
  const res = await fetch(new URL(`api/v1/reports/connections/${oldest.id}`, origin), { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const record = await res.json();
  assert.equal(record.notes, `${notes}\nTicket: ${ticket}`, 'the PUT wrote the notes and the ticket line');
  assert.equal(record.userid, account.userid, "it was the signed-in supporter's session");

  // In the log view: the last 7 days hold it (it ended within 3), found by its notes.
  await click('#tab-logs');
  await browser.execute(() => {
    const preset = document.querySelector('#preset');
    preset.value = '7';
    preset.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await click('#load-logs', 30_000);
  await until(async () => !(await browser.$('#load-logs').getAttribute('disabled')) && parseCount(await textOf(browser, '#totals-count')) > 0, {
    timeout: 60_000,
    message: 'the period loaded',
  });
  const filter = await browser.$('#log-filter');
  await filter.click();
  await filter.setValue(`E2E run ${stamp}`);
  await until(async () => parseCount(await textOf(browser, '#totals-count')) === 1, { timeout: 15_000, message: 'exactly the documented record' });
  const rowText = await until(
    () => browser.execute((id) => document.querySelector(`#log-table tr[data-id="${id}"]`)?.textContent ?? null, oldest.id),
    { message: 'the documented row on screen' },
  );
  assert.ok(rowText.includes(`Documented in the E2E run ${stamp}`), `the log view shows the notes: ${rowText}`);
  await screenshot(browser, 'app-documentation-log');
});
