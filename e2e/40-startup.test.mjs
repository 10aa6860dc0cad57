// Start at login, minimised to the tray: started with the autostart entry's argument and the
// "start minimised" setting, the real binary renders its UI but keeps the window hidden; started
// by hand with the same settings it shows the window. Runs the binary directly (no WebDriver
// session is open any more, so it is the only instance), with a settings directory of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, until } from './lib/harness.mjs';

function visibleWindows() {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Supporter Desk$'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function run(args, check) {
  const config = mkdtempSync(join(process.env.E2E_TMP || '/tmp', 'startup-'));
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({ desktop: { startAtLogin: false, startMinimised: true } }),
  );
  const child = spawn(env.app, args, {
    env: { ...process.env, SDESK_CONFIG_DIR: config, SDESK_SANDBOX_RECORDS: '10', SDESK_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await check(() => out);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(config, { recursive: true, force: true });
  }
}

test('started at login with "start minimised" the window stays in the tray', async () => {
  await run(['--autostart'], async (out) => {
    await until(() => /the UI is ready; the window stays in the tray/.test(out()), {
      timeout: 20_000,
      message: `the UI to report ready while hidden:\n${out()}`,
    });
    assert.match(out(), /started at login: the window stays in the tray/, 'the start was recognised as an autostart');
    assert.equal(visibleWindows(), '', `no window is mapped after the UI is ready:\n${out()}`);
  });
});

test('started by hand with the same settings the window shows', async () => {
  await run([], async (out) => {
    const ids = await until(visibleWindows, { timeout: 20_000, message: `the window to be mapped:\n${out()}` });
    assert.equal(ids.split('\n').length, 1, 'exactly one window');
    assert.doesNotMatch(out(), /window stays in the tray/, 'a start by hand is not an autostart');
  });
});
