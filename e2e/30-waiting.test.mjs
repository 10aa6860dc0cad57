// Waiting customers on the real binary: signed in with the sandbox's script token, a customer
// comes online in the sandbox (scripts/e2e.sh sets SDESK_SANDBOX_ARRIVAL_SECS to a few seconds),
// the live list notices it, the notification is recorded (SDESK_TEST_NOTIFY_LOG) and the tray's
// count changes (SDESK_TEST_TRAY_LOG). The tray menu itself cannot be clicked under Xvfb; the
// focus path (tray entry → session detail) is covered by the browser tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startApp, stopApp, invoke, until, failureShot } from './lib/harness.mjs';

const notifyLog = process.env.SDESK_TEST_NOTIFY_LOG;
const trayLog = process.env.SDESK_TEST_TRAY_LOG;
const lines = (path) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);
const count = (line) => Number(/^count=(\d+) \|/.exec(line ?? '')?.[1] ?? NaN);

let browser;
before(async () => {
  assert.ok(notifyLog && trayLog, 'SDESK_TEST_NOTIFY_LOG and SDESK_TEST_TRAY_LOG come from scripts/e2e.sh');
  browser = await startApp();
});
after(async () => {
  try {
    await invoke(browser, 'sign_out');
  } catch {
    // already signed out
  }
  await stopApp(browser);
});

test('a customer coming online raises a notification and changes the tray count', async (t) => {
  try {
    const token = process.env.E2E_SCRIPT_TOKEN;
    assert.ok(token, 'the sandbox script token (E2E_SCRIPT_TOKEN) from scripts/e2e.sh');
    const status = await invoke(browser, 'sign_in_with_script_token', { token });
    assert.equal(status.signedIn, true, 'signed in with the script token');
    const baseline = await until(
      async () => {
        const snapshot = await invoke(browser, 'live_snapshot');
        return snapshot.status.state === 'ok' ? snapshot : null;
      },
      { timeout: 20_000, message: 'the first live list' },
    );
    const notifiedBefore = lines(notifyLog).length;
    const trayBefore = await until(
      () => {
        const last = lines(trayLog).at(-1);
        return count(last) === baseline.waiting.length ? last : null;
      },
      { timeout: 10_000, message: `the tray to count the ${baseline.waiting.length} customers of the first list` },
    );

    // Ask for fresh lists (instead of waiting 30 s for the next poll) until someone arrives.
    const notice = await until(
      async () => {
        await invoke(browser, 'refresh_sessions');
        return lines(notifyLog).slice(notifiedBefore)[0];
      },
      { timeout: 60_000, interval: 1500, message: 'a waiting-customer notification' },
    );
    const [title, body, code] = notice.split(' | ');
    assert.equal(title, 'Customer waiting', `the notification's title: ${notice}`);
    assert.match(body, /^(.+ is waiting|A customer is waiting) — s[\d-]+/, `the body names the customer and code: ${notice}`);
    assert.ok(body.includes(code), `the body shows the session's code: ${notice}`);

    const snapshot = await invoke(browser, 'live_snapshot');
    assert.ok(
      snapshot.waiting.some((s) => s.code === code) || lines(notifyLog).length > notifiedBefore + 1,
      `the announced session is among the waiting ones (or already left again): ${code}`,
    );
    const trayAfter = await until(
      () => lines(trayLog).slice(lines(trayLog).indexOf(trayBefore) + 1).find((l) => l.includes(code)),
      { timeout: 10_000, message: 'a tray change that lists the new customer' },
    );
    assert.notEqual(trayAfter, trayBefore, 'the tray was rebuilt');
    assert.ok(Number.isInteger(count(trayAfter)) && count(trayAfter) >= 1, `the tray counts the waiting customer: ${trayAfter}`);
    assert.match(trayAfter, / \| Quit$/, `the menu ends with Quit: ${trayAfter}`);
  } catch (e) {
    await failureShot(browser, t);
    throw e;
  }
});
