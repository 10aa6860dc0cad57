// The shell itself: the real binary starts under tauri-driver, shows its window with the right
// title, the page reaches Rust over IPC, and the sandbox mode is what a fresh install runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startApp, stopApp, invoke, until } from './lib/harness.mjs';

let browser;
before(async () => {
  browser = await startApp();
});
after(async () => {
  await stopApp(browser);
});

test('a visible top-level window titled "Supporter Desk" is mapped', async () => {
  // The native (X11) window title, as a window manager or `xdotool` sees it.
  const ids = await until(
    () => {
      try {
        return execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Supporter Desk$'], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    },
    { timeout: 10_000, message: 'the window to be mapped' },
  );
  assert.equal(ids.split('\n').length, 1, 'exactly one window');
});

test('the page reaches Rust: app_info over IPC', async () => {
  const info = await invoke(browser, 'app_info');
  assert.equal(info.name, 'Supporter Desk');
  assert.match(info.version, /^\d+\.\d+\.\d+/);
});

test('a fresh install starts in sandbox mode and signed out', async (t) => {
  let status;
  try {
    status = await invoke(browser, 'auth_status');
  } catch (e) {
    // Before the auth commands exist (the minimal shell) there is nothing more to check.
    if (/auth_status/.test(e.message) && /not found|unknown|command/i.test(JSON.stringify(e.ipc ?? e.message))) {
      t.skip('auth_status is not implemented yet');
      return;
    }
    throw e;
  }
  assert.equal(status.sandbox, true, 'sandbox mode by default');
  assert.equal(status.signedIn, false, 'nobody is signed in on a fresh HOME');
  assert.equal(status.account, null);
});
