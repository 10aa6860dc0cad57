// The connection-log archive offline, on the real binary in sandbox mode, over three starts:
//   (a) online: signed in with the sandbox's script token, the Sync button fills the archive;
//   (b) started again with the sandbox unreachable: the log view has the archived period at once
//       (no network, no sign-in); an edit made in the record dialog while the sandbox is
//       unreachable is kept as pending and shown as such;
//   (c) started again with the sandbox back: the pending edit survived the restart, the sync sends
//       it, the sandbox's record has it, and it is sent exactly once (a later change at the
//       sandbox is not overwritten by a second send).
// The sandbox goes off the network through the debug build's switch SDESK_TEST_SANDBOX_OFFLINE
// (scripts/e2e.sh sets it to a file in the run's temporary directory): while the file exists the
// built-in sandbox is stopped and its port refuses connections; without it the sandbox runs on
// the same port with the same data and script token. Sandbox sign-ins live in memory only, so
// each start signs in again, which needs the sandbox once; until then the log panel is behind
// the sign-in card (its archived rows are already loaded: (b) reads them from the page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, startApp, stopApp, invoke, until, textOf, visible, parseCount, screenshot, failureShot } from './lib/harness.mjs';

const offlineFile = process.env.SDESK_TEST_SANDBOX_OFFLINE;
const token = process.env.E2E_SCRIPT_TOKEN;
const logFile = join(process.env.XDG_DATA_HOME ?? '', 'dev.supporterdesk.desk', 'logs', 'supporter-desk.log');
const note = `called back while offline ${Date.now()}`;

let browser;
/** The record edited offline in (b): its id and the billing state picked. */
let edited = null;
/** Ids of the newest reports of this file's sandbox (read in (a)): earlier E2E files share the
 * data directory, and their sandboxes (other sizes, other times) left other reports in the
 * archive, which this sandbox does not know. */
let ours = new Set();
/** Where this test's part of the app log starts. */
let logStart = 0;

const appLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

/** The built-in sandbox's origin of the app started last (the app logs it at start). */
async function sandboxOrigin(since) {
  return until(
    () => {
      const found = [...appLog().slice(since).matchAll(/sandbox mode origin=(http:\/\/127\.0\.0\.1:\d+\/?)/g)].at(-1);
      return found ? new URL(found[1]) : null;
    },
    { timeout: 20_000, message: 'the app to log its sandbox origin' },
  );
}

/** Whether anything answers at the sandbox's origin. */
async function answers(origin) {
  try {
    await fetch(new URL('api/v1/ping', origin), { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function offline(origin) {
  writeFileSync(offlineFile, '');
  await until(async () => !(await answers(origin)), { timeout: 15_000, message: 'the sandbox to go offline' });
}

async function online(origin) {
  rmSync(offlineFile, { force: true });
  await until(() => answers(origin), { timeout: 15_000, message: 'the sandbox to come back' });
}

/** The sandbox's own copy of report `id` (paged through with its script token). */
async function sandboxRecord(origin, id) {
  let offsetId = null;
  for (let page = 0; page < 1000; page++) {
    const url = new URL('api/v1/reports/connections', origin);
    if (offsetId) url.searchParams.set('offset_id', offsetId);
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, `the sandbox lists reports: ${res.status}`);
    const body = await res.json();
    const found = body.records.find((r) => r.id === id);
    if (found) return found;
    const remaining = body.records_remaining ?? body.reports_remaining ?? 0;
    if (!remaining || !body.next_offset) return null;
    offsetId = body.next_offset;
  }
  return null;
}

async function click(selector, timeout = 10_000) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout, timeoutMsg: `${selector} is not clickable` });
  await el.click();
}

/**
 * Signs in with the sandbox's script token through the sign-in card (on the Sessions tab: the
 * log tab shows the archive while signed out), as a supporter does, and comes back to the tab
 * it was on.
 */
async function signIn() {
  const onLogs = await visible(browser, '#panel-logs');
  await click('#tab-sessions');
  await click('#use-script-token');
  const field = await browser.$('#script-token');
  await field.waitForDisplayed({ timeout: 10_000 });
  await field.setValue(token);
  await click('#script-token-submit');
  await until(() => visible(browser, '#account-name'), { timeout: 20_000, message: 'the account in the header' });
  if (onLogs) await click('#tab-logs');
}

/** The sync status once no run is going. */
async function settled(check, message, timeout = 120_000) {
  return until(
    async () => {
      const s = await invoke(browser, 'archive_sync_status');
      return s.state === 'idle' && check(s) ? s : null;
    },
    { timeout, interval: 250, message },
  );
}

/**
 * The start of the period the log view shows: local midnight N − 1 days ago for its preset
 * (the view remembers the period picked last, e.g. by another E2E file; "last 7 days" by default).
 */
const periodFrom = () =>
  browser.execute(() => {
    const preset = document.querySelector('#preset')?.value ?? '7';
    const days = preset === 'today' ? 1 : Number(preset);
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() - (days - 1));
    return d.toISOString();
  });

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
  assert.ok(offlineFile, 'SDESK_TEST_SANDBOX_OFFLINE comes from scripts/e2e.sh');
  assert.ok(token, 'the sandbox script token (E2E_SCRIPT_TOKEN) from scripts/e2e.sh');
  rmSync(offlineFile, { force: true });
  logStart = appLog().length;
});
after(async () => {
  await stopApp(browser);
  rmSync(offlineFile, { force: true });
});

step('(a) online: the Sync button fills the archive from the sandbox', async () => {
  browser = await startApp();
  const origin = await sandboxOrigin(logStart);
  await signIn();
  await click('#tab-logs');
  // A background run may be going (5 s after launch); the button is back when it ends.
  await click('#archive-sync', 60_000);
  const status = await settled((s) => s.lastSync && !s.error && s.total >= env.records, 'a complete sync');
  // At least the sandbox's reports: earlier tests of the run share the data directory, and their
  // sandboxes (started at other times, or with another size) left some other reports there.
  assert.ok(status.total >= env.records, `the archive holds the sandbox's ${env.records} reports: ${JSON.stringify(status)}`);
  assert.equal(status.pendingEdits, 0, 'nothing pending yet');
  const page = await fetch(new URL('api/v1/reports/connections', origin), { headers: { authorization: `Bearer ${token}` } });
  ours = new Set((await page.json()).records.map((r) => r.id));
  assert.ok(ours.size > 0, "the sandbox's newest reports");
  await until(async () => /last synced/i.test((await textOf(browser, '#archive-sync-text')) ?? ''), {
    message: 'the bar to say when the archive was synced',
  });
  await stopApp(browser);
  browser = null;
});

step('(b) offline: the archived period at once; an edit is kept as pending', async () => {
  writeFileSync(offlineFile, '');
  const since = appLog().length;
  browser = await startApp();
  const origin = await sandboxOrigin(since);
  assert.equal(await answers(origin), false, `the sandbox is unreachable from the start (${origin})`);
  const auth = await invoke(browser, 'auth_status');
  assert.equal(auth.signedIn, false, 'not signed in: nothing but the archive to read');

  await click('#tab-logs');
  // The log view loaded the archived period at launch; signed out (a sandbox sign-in is not
  // kept across starts) the log tab shows it with a note instead of the sign-in card.
  await until(() => visible(browser, '#logs-signed-out'), { timeout: 10_000, message: 'the signed-out note over the archive' });
  assert.equal(await visible(browser, '#log-table'), true, 'the archived rows are on screen, signed out and offline');
  const shown = await until(
    async () => {
      // The period's newest 100 come first ("newest of …, loading the rest"); its count once
      // the whole period is in (Load is enabled again).
      const [text, loading] = await browser.execute(() => [document.querySelector('#totals-count')?.textContent, !!document.querySelector('#load-logs')?.disabled]);
      const n = parseCount(text);
      return n > 0 && !loading ? n : null;
    },
    { timeout: 10_000, message: 'the archived period in the log view, with the sandbox unreachable' },
  );
  const status = await invoke(browser, 'archive_sync_status');
  assert.ok(status.lastSync, `the last sync is known offline: ${JSON.stringify(status)}`);
  const from = await periodFrom();
  await screenshot(browser, 'app-offline-signed-out');

  // Signing in needs the API once (sandbox tokens are kept in memory only); then it goes away.
  await online(origin);
  await signIn();
  await offline(origin);
  await until(() => visible(browser, '#log-table'), { message: 'the log panel after the sign-in' });
  assert.equal(
    parseCount(await textOf(browser, '#totals-count')),
    shown,
    'the panel shows the archived period it had loaded offline',
  );
  const summary = await invoke(browser, 'load_archived_logs', { query: { from, to: null } });
  assert.equal(shown, summary.totals.totalRecords, 'every archived record of the view\'s period');
  await screenshot(browser, 'app-offline-archive');

  // The first record on screen that this sandbox has (its Edit button is rendered).
  const row = (await invoke(browser, 'log_rows', { offset: 0, limit: 15 })).find((r) => ours.has(r.id));
  assert.ok(row?.id, "a record of this sandbox among the first rows on screen, to edit");
  await click(`#log-table tr[data-id="${row.id}"] button[data-action="edit"]`);
  await until(() => visible(browser, '#record-dialog'), { message: 'the record dialog' });
  const notes = await browser.$('#record-notes');
  await notes.clearValue();
  await notes.setValue(note);
  const billing = await browser.execute((current) => {
    const s = document.querySelector('#record-billing');
    const pick = [...s.options].map((o) => o.value).find((v) => v && v !== current) ?? current;
    s.value = pick;
    s.dispatchEvent(new Event('change', { bubbles: true }));
    return pick;
  }, row.billingState);
  await click('#record-save');
  await until(async () => !(await visible(browser, '#record-dialog')), {
    timeout: 60_000,
    message: 'the dialog to close: the edit is accepted offline',
  });
  edited = { id: row.id, billing };

  const pending = await settled((s) => s.pendingEdits === 1, 'the status to count the pending edit', 10_000);
  assert.deepEqual(pending.pendingIds, [row.id], 'the pending edit names the record');
  await until(() => visible(browser, '#archive-pending'), { message: 'the "not sent yet" marker in the bar' });
  assert.match(await textOf(browser, '#archive-pending'), /1/, 'the bar counts one edit not sent yet');
  assert.equal(
    await browser.execute((id) => document.querySelector(`#log-table tr[data-id="${id}"]`)?.classList.contains('pending-edit') ?? null, row.id),
    true,
    'the row is marked as pending',
  );
  await screenshot(browser, 'app-offline-pending');
  await stopApp(browser);
  browser = null;
});

step('(c) the sandbox back: the pending edit is sent exactly once', async () => {
  assert.ok(edited, 'needs the edit of (b)');
  rmSync(offlineFile, { force: true });
  const since = appLog().length;
  browser = await startApp();
  const origin = await sandboxOrigin(since);
  const kept = await invoke(browser, 'archive_sync_status');
  assert.deepEqual(kept.pendingIds, [edited.id], `the pending edit survived the restart: ${JSON.stringify(kept)}`);
  const before = await sandboxRecord(origin, edited.id);
  assert.ok(before, `the sandbox has the record ${edited.id}`);
  assert.notEqual(before.notes, note, 'the sandbox has not seen the edit yet');

  await signIn();
  // The background sync (soon after launch, or within 30 s of the sign-in) sends it first.
  const sent = await settled((s) => s.pendingEdits === 0 && s.lastSync && !s.error, 'the pending edit to be sent', 90_000);
  assert.deepEqual(sent.pendingIds, [], 'nothing pending any more');
  const after = await sandboxRecord(origin, edited.id);
  assert.equal(after.notes, note, "the sandbox's record has the offline note");
  assert.equal(after.billing_state, edited.billing, "and the offline billing state");
  await until(async () => !(await visible(browser, '#archive-pending')), { message: 'the "not sent yet" marker to go' });

  // Exactly once: a change made at TeamViewer afterwards survives the next sync.
  const changed = 'changed at TeamViewer afterwards';
  const put = await fetch(new URL(`api/v1/reports/connections/${edited.id}`, origin), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ notes: changed }),
  });
  assert.equal(put.status, 204, 'the sandbox takes the later change');
  await click('#tab-logs');
  await click('#archive-sync', 60_000);
  await settled((s) => !s.error && s.lastSync && s.lastSync !== sent.lastSync, 'the next sync');
  assert.equal((await sandboxRecord(origin, edited.id)).notes, changed, 'the offline edit was not sent a second time');
  const sends = appLog().slice(logStart).match(/a pending record edit was sent/g) ?? [];
  assert.equal(sends.length, 1, 'the app log records exactly one send of a pending edit');
});
