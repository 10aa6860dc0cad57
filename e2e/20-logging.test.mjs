// The log file is a convenience, not a requirement: when the app's log directory cannot be
// created, the app still starts and logs to stderr, saying why. Runs the debug binary directly
// (no WebDriver session is open any more, so it is the only instance) with XDG_DATA_HOME
// pointing at a directory whose `logs` entry is a plain file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from './lib/harness.mjs';

test('a log directory that cannot be created leaves the app running, logging to stderr', async () => {
  const data = mkdtempSync(join(process.env.E2E_TMP || '/tmp', 'logdir-'));
  mkdirSync(join(data, 'dev.supporterdesk.desk'), { recursive: true });
  writeFileSync(join(data, 'dev.supporterdesk.desk', 'logs'), 'not a directory');
  const child = spawn(env.app, [], {
    env: { ...process.env, XDG_DATA_HOME: data, SDESK_SANDBOX_RECORDS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const started = await Promise.race([
      new Promise((resolve) => {
        const poll = setInterval(() => {
          if (/sandbox mode origin=/.test(out)) {
            clearInterval(poll);
            resolve(true);
          }
        }, 50);
      }),
      exited.then(() => false),
      new Promise((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    assert.ok(started, `the app started and logged its sandbox start:\n${out}`);
    assert.match(out, /no log file, logging to stderr only/, 'it says why there is no log file');
    const early = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(null), 1500))]);
    assert.equal(early, null, `the app keeps running (exited: ${JSON.stringify(early)}):\n${out}`);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
});
