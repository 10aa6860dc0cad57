// App benchmarks: Supporter Desk (release) vs a bare Tauri hello world (release, bench/hello).
// Run through scripts/bench-app.sh, which provides Xvfb, a private D-Bus session with an unlocked
// gnome-keyring, an isolated HOME, tauri-driver, and these environment variables:
//   SD_APP, HELLO_APP (binaries), TAURI_DRIVER_PORT, BENCH_RUNS (5), BENCH_KEYS_RECORDS (100000),
//   BENCH_SCRIPT_TOKEN (the sandbox's script token), BENCH_OUT (JSON results file).
//
// (i)  launch → first painted window: from just before exec() to the MapNotify of the app's
//      top-level window on the X root (seen by `xev -root -event substructure`, stamped when the
//      line arrives). Both apps create their window hidden and show it when the page, having
//      built its first DOM, calls the `app_ready` command; so "mapped" = "page rendered, window
//      shown" for both. (Supporter Desk also has a 3 s fallback that shows the window anyway.)
// (ii) idle memory, 3 s after the window was mapped: the app process and all its descendants
//      (WebKitWebProcess, WebKitNetworkProcess): sum of VmRSS (/proc/PID/status) and of Pss
//      (/proc/PID/smaps_rollup).
// (iii) keystroke → repaint in the connection-log filter with BENCH_KEYS_RECORDS rows loaded
//      (Supporter Desk only): WebDriver sends one real key to #log-filter at a time; the page's
//      capturing keydown listener stamps t0 = event.timeStamp; a MutationObserver on the log view
//      (#log-table, #totals-count) stamps every DOM change; t1 = the second requestAnimationFrame
//      after the last change caused by that key (settled = no further change for 300 ms, which
//      is not counted). Latency = t1 − t0. Keys that changed nothing are reported separately.
//      BENCH_KEYS_VARIANTS='["", ".x{…}"]' (a JSON list of extra CSS, "" = none) runs the rounds
//      with each variant in turn in the same app instance and prints, per variant, the latencies
//      and the CPU time of the web process and the app per key: the CPU time during the round
//      minus the idle rate measured for 3 s after it (the caret's blinks, timers), a figure that
//      other load on the machine hardly moves, unlike the latencies.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync, mkdirSync, realpathSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { remote } from '../e2e/node_modules/webdriverio/build/node.js';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const KEY_RECORDS = Number(process.env.BENCH_KEYS_RECORDS || 100000);
const apps = [
  { key: 'hello', name: 'Tauri hello world', bin: process.env.HELLO_APP, title: 'Hello Tauri', env: {} },
  { key: 'sd', name: 'Supporter Desk', bin: process.env.SD_APP, title: 'Supporter Desk', env: {} },
].filter((a) => (process.env.BENCH_APPS || 'hello,sd').split(',').includes(a.key));
const results = { date: new Date().toISOString(), runs: RUNS, launch: {}, rss: {}, pss: {}, detail: {}, keys: null };

const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

// ---- X root watcher --------------------------------------------------------------------------
function watchMaps() {
  const xev = spawn('stdbuf', ['-oL', 'xev', '-root', '-event', 'substructure'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const maps = []; // { id: number, t: ms }
  // xev prints each event over several lines:
  //   MapNotify event, serial 18, synthetic NO, window 0x50d,
  //       event 0x50d, window 0x400003, override NO
  let pending = null; // arrival time of a MapNotify header line
  createInterface({ input: xev.stdout }).on('line', (line) => {
    if (line.startsWith('MapNotify')) {
      pending = performance.now();
      return;
    }
    if (pending === null) return;
    const m = line.match(/event 0x[0-9a-f]+,\s*window (0x[0-9a-f]+)/i);
    if (m) maps.push({ id: parseInt(m[1], 16), t: pending });
    pending = null;
  });
  return { maps, stop: () => xev.kill('SIGTERM') };
}

function windowIds(title) {
  try {
    // (stderr ignored: xdotool reports BadWindow when a window vanishes during the search)
    return execFileSync('xdotool', ['search', '--name', `^${title}$`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// ---- process tree memory ---------------------------------------------------------------------
function descendants(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(d), ppid);
    } catch { /* gone */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

function memory(pid) {
  const procs = [];
  for (const p of descendants(pid)) {
    try {
      const comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      const rss = Number(readFileSync(`/proc/${p}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      const pss = Number(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m)?.[1] ?? 0);
      procs.push({ pid: p, comm, rssKiB: rss, pssKiB: pss });
    } catch { /* gone */ }
  }
  return { procs, rssKiB: procs.reduce((s, p) => s + p.rssKiB, 0), pssKiB: procs.reduce((s, p) => s + p.pssKiB, 0) };
}

/** CPU time (ms) used so far by each process of the tree under `root`, by command name. */
function cpuByComm(root) {
  const out = {};
  for (const p of descendants(root)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
      const comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      out[comm] = (out[comm] ?? 0) + ms;
    } catch { /* gone */ }
  }
  return out;
}

/** PID of the running process whose executable is `bin` (the app tauri-driver started). */
function pidOf(bin) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/exe`) === bin) return Number(d);
    } catch { /* gone */ }
  }
  return null;
}

async function stopTree(child) {
  const tree = descendants(child.pid);
  child.kill('SIGTERM');
  const t = Date.now();
  while (Date.now() - t < 5000 && tree.some((p) => { try { process.kill(p, 0); return true; } catch { return false; } })) await sleep(50);
  for (const p of tree) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

// ---- (i) + (ii) ------------------------------------------------------------------------------
async function launchOnce(app) {
  const watch = watchMaps();
  await sleep(300); // xev is listening
  const t0 = performance.now();
  // Launch and memory are measured with the app's default sandbox size (what a user starts);
  // only the keystroke benchmark's instance (started by tauri-driver) gets the big sandbox.
  const env = { ...process.env, ...app.env };
  delete env.SDESK_SANDBOX_RECORDS;
  const child = spawn(app.bin, [], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let mapped = null;
  const deadline = Date.now() + 30_000;
  while (!mapped && Date.now() < deadline) {
    await sleep(20);
    if (watch.maps.length === 0) continue;
    const ids = new Set(windowIds(app.title));
    mapped = watch.maps.find((m) => ids.has(m.id) && m.t >= t0) ?? null;
  }
  watch.stop();
  if (!mapped) {
    await stopTree(child);
    throw new Error(`${app.name}: no window "${app.title}" was mapped within 30 s. stderr: ${stderr.slice(-2000)}`);
  }
  const launchMs = mapped.t - t0;
  await sleep(3000);
  const mem = memory(child.pid);
  await stopTree(child);
  await sleep(500);
  return { launchMs, mem };
}

async function launchBench() {
  // Interleaved (hello, app, hello, app, …) so that a change in machine load hits both alike.
  for (const app of apps) {
    console.error(`# ${app.name}: warm-up run`);
    await launchOnce(app); // page cache, fontconfig cache, WebKit cache in the bench HOME
  }
  const runs = Object.fromEntries(apps.map((a) => [a.key, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const app of apps) {
      const r = await launchOnce(app);
      console.error(`#   ${app.key} run ${i + 1}: mapped after ${r.launchMs.toFixed(0)} ms; RSS ${(r.mem.rssKiB / 1024).toFixed(0)} MiB, PSS ${(r.mem.pssKiB / 1024).toFixed(0)} MiB (${r.mem.procs.map((p) => `${p.comm} ${(p.rssKiB / 1024).toFixed(0)}`).join(', ')}); load avg ${loadavg()[0].toFixed(2)}`);
      runs[app.key].push(r);
    }
  }
  for (const app of apps) {
    const rs = runs[app.key];
    results.launch[app.key] = median(rs.map((r) => r.launchMs));
    results.rss[app.key] = median(rs.map((r) => r.mem.rssKiB)) / 1024;
    results.pss[app.key] = median(rs.map((r) => r.mem.pssKiB)) / 1024;
    results.detail[app.key] = rs.map((r) => ({ launchMs: Math.round(r.launchMs), rssMiB: +(r.mem.rssKiB / 1024).toFixed(1), pssMiB: +(r.mem.pssKiB / 1024).toFixed(1), procs: r.mem.procs }));
  }
}

// ---- (iii) -----------------------------------------------------------------------------------
async function keystrokeBench() {
  const browser = await remote({
    hostname: '127.0.0.1', port: Number(process.env.TAURI_DRIVER_PORT), logLevel: 'warn',
    capabilities: { browserName: 'wry', 'tauri:options': { application: process.env.SD_APP }, 'wdio:enforceWebDriverClassic': true },
  });
  try {
    const invoke = async (cmd, args = {}) => {
      // The UI bundles @tauri-apps/api (no window.__TAURI__ global); its invoke is this one.
      const r = await browser.executeAsync((c, a, done) => window.__TAURI_INTERNALS__.invoke(c, a).then((ok) => done({ ok }), (err) => done({ err })), cmd, args);
      if ('err' in r) throw new Error(`${cmd}: ${JSON.stringify(r.err)}`);
      return r.ok;
    };
    await browser.waitUntil(async () => (await browser.execute(() => document.readyState)) === 'complete', { timeout: 20_000 });
    let status = await invoke('auth_status');
    if (!status.signedIn) status = await invoke('sign_in_with_script_token', { token: process.env.BENCH_SCRIPT_TOKEN });
    if (!status.signedIn) throw new Error('could not sign in with the sandbox script token');
    await browser.$('#account-name').waitForDisplayed({ timeout: 15_000 });
    const preset = await browser.$('#preset');
    await browser.waitUntil(async () => {
      await browser.$('#tab-logs').click();
      return preset.isDisplayed();
    }, { timeout: 15_000, interval: 500, timeoutMsg: 'the connection log tab did not open' });
    await preset.selectByAttribute('value', '90');
    const tl = performance.now();
    await browser.$('#load-logs').click();
    await browser.waitUntil(
      () => browser.execute(() => { const p = document.querySelector('#progress'); return !!p && p.max > 0 && p.value >= p.max; }),
      { timeout: 600_000, interval: 250, timeoutMsg: 'the log load did not complete' },
    );
    // The 90-day window holds nearly all of the sandbox's records (a few start before it).
    const count = await browser.waitUntil(async () => {
      const n = Number(((await browser.$('#totals-count').getText()) || '').replace(/[^0-9]/g, ''));
      return n > 0 && n;
    }, { timeout: 30_000, timeoutMsg: '#totals-count stayed empty' });
    if (count < KEY_RECORDS * 0.98 || count > KEY_RECORDS) {
      throw new Error(`${count} records loaded, expected about ${KEY_RECORDS}: is SDESK_SANDBOX_RECORDS honoured by the release build?`);
    }
    const loadMs = performance.now() - tl;
    console.error(`# loaded ${count} records in ${(loadMs / 1000).toFixed(1)} s`);
    // The app's first archive sync (5 s after launch; it copies the sandbox's 100,000 records
    // into SQLite once, about 2 s of CPU) is waited for: the keystrokes measure the log view,
    // not a first sync running beside it (BENCH_KEYS_DURING_SYNC=1 types at once, as before).
    if (process.env.BENCH_KEYS_DURING_SYNC !== '1') {
      const ts = performance.now();
      await browser.waitUntil(async () => {
        const st = await invoke('archive_sync_status');
        return st.state === 'idle' && st.lastSync != null;
      }, { timeout: 120_000, interval: 250, timeoutMsg: 'the archive\'s first sync did not end' });
      console.error(`# the archive's first sync ended ${((performance.now() - ts) / 1000).toFixed(1)} s later`);
    }

    await browser.execute(() => {
      const b = (window.__bench = { t0: null, muts: [], painted: new Map() });
      const filter = document.querySelector('#log-filter');
      filter.addEventListener('keydown', (e) => { b.t0 = e.timeStamp; b.muts = []; b.painted = new Map(); b.keydownAt = performance.now() - e.timeStamp; }, true);
      // Each batch of DOM changes in the log view is stamped, and so is the second animation
      // frame after it (the first rAF runs before that frame is painted, the second after).
      const mo = new MutationObserver(() => {
        if (b.t0 === null) return;
        const m = performance.now();
        b.muts.push(m);
        requestAnimationFrame(() => requestAnimationFrame(() => b.painted.set(m, performance.now())));
      });
      for (const sel of ['#log-table', '#totals-count']) {
        const el = document.querySelector(sel);
        if (el) mo.observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
      }
      // Resolves once the view has settled (300 ms without changes, not counted) and the frame
      // after the last change was painted.
      b.settle = (done) => {
        const start = performance.now();
        const poll = () => {
          const last = b.muts.length ? b.muts[b.muts.length - 1] : null;
          const now = performance.now();
          if (last !== null && now - last >= 300 && b.painted.has(last)) {
            done({
              latency: b.painted.get(last) - b.t0, changes: b.muts.length,
              muts: b.muts.map((m) => Math.round(m - b.t0)),
              painted: b.muts.map((m) => (b.painted.has(m) ? Math.round(b.painted.get(m) - b.t0) : null)),
              handlerDelay: Math.round(b.keydownAt),
            });
          } else if (last === null && now - start > 2000) {
            done({ latency: null, changes: 0 });
          } else setTimeout(poll, 20);
        };
        poll();
      };
    });
    const filter = await browser.$('#log-filter');
    await filter.click();
    await sleep(3000); // let the app finish whatever follows the load
    // Context: is the page visible/focused (rAF is throttled otherwise), and how fast do idle
    // animation frames come?
    const idle = await browser.executeAsync((done) => {
      const stamps = [];
      const t = () => { stamps.push(performance.now()); if (stamps.length < 31) requestAnimationFrame(t); else done({
        visibility: document.visibilityState, focus: document.hasFocus(),
        intervals: stamps.slice(1).map((x, i) => x - stamps[i]),
      }); };
      requestAnimationFrame(t);
    });
    const idleFrames = idle.intervals;
    console.error(`# page ${idle.visibility}, focus ${idle.focus}; idle frame interval median ${median(idleFrames).toFixed(1)} ms`);
    const appPid = pidOf(realpathSync(process.env.SD_APP));
    const cpu0 = appPid ? cpuByComm(appPid) : {};
    const load0 = loadavg()[0];
    const tk = performance.now();
    const keys = [];
    const rounds = Number(process.env.BENCH_KEY_ROUNDS || 6);
    const word = 'desktop-4';
    // Experiments without a rebuild (see the header): round r runs with the extra CSS
    // BENCH_KEYS_VARIANTS[r % n], as a constructed style sheet (the CSP forbids <style> markup,
    // not the CSSOM), so the variants share one app instance and the machine's load.
    const variants = process.env.BENCH_KEYS_VARIANTS ? JSON.parse(process.env.BENCH_KEYS_VARIANTS) : null;
    const idleCpu = async (label) => {
      const a = cpuByComm(appPid); await sleep(4000); const b = cpuByComm(appPid);
      console.error(`# idle 4 s ${label}: web ${(b.WebKitWebProces - a.WebKitWebProces)} ms, app ${(b['supporter-desk-'] - a['supporter-desk-'])} ms, load ${loadavg()[0].toFixed(2)}`);
    };
    if (variants && appPid) await idleCpu('before typing');
    for (let r = 0; r < rounds; r++) {
      const variant = variants ? r % variants.length : 0;
      if (variants) {
        await browser.execute((css) => {
          const b = window.__bench;
          if (!b.sheet) { b.sheet = new CSSStyleSheet(); document.adoptedStyleSheets = [...document.adoptedStyleSheets, b.sheet]; }
          b.sheet.replaceSync(css);
        }, variants[variant]);
        await sleep(500);
      }
      const seq = [...word.split(''), ...Array(word.length).fill('Backspace')];
      const c0 = appPid ? cpuByComm(appPid) : {};
      const tr0 = performance.now();
      for (const k of seq) {
        await browser.keys(k);
        // Leave the page alone while the key is processed and painted: a WebDriver script
        // evaluation in that window competes with it for the page's main thread.
        await sleep(Number(process.env.BENCH_KEY_QUIET_MS ?? 200));
        const res = await browser.executeAsync((done) => window.__bench.settle(done));
        keys.push({ key: k, variant, ...res });
      }
      const c1 = appPid ? cpuByComm(appPid) : {};
      const roundMs = performance.now() - tr0;
      let idleWeb = 0;
      if (variants && appPid) { const i0 = cpuByComm(appPid); await sleep(3000); idleWeb = (cpuByComm(appPid).WebKitWebProces - i0.WebKitWebProces) / 3000; }
      (results.variantCpu ??= []).push({ variant, web: (c1.WebKitWebProces ?? 0) - (c0.WebKitWebProces ?? 0), app: (c1['supporter-desk-'] ?? 0) - (c0['supporter-desk-'] ?? 0), keys: seq.length, roundMs, idleWeb });
    }
    if (variants && appPid) await idleCpu('after typing');
    if (variants) {
      variants.forEach((css, v) => {
        const ks = keys.filter((k) => k.variant === v && k.latency !== null);
        const l = ks.map((k) => k.latency), d = ks.map((k) => k.muts.at(-1)), g = ks.map((k) => k.latency - k.muts.at(-1));
        console.error(`# variant ${v} [${css || 'baseline'}]: n ${l.length} median ${median(l).toFixed(1)} p90 ${pct(l, 90).toFixed(1)} p95 ${pct(l, 95).toFixed(1)} max ${Math.max(...l).toFixed(0)}; dom median ${median(d)} p95 ${pct(d, 95)}; paint-after-dom median ${median(g).toFixed(1)} p95 ${pct(g, 95).toFixed(1)}`);
        const cs = results.variantCpu.filter((c) => c.variant === v);
        const n = cs.reduce((a, c) => a + c.keys, 0);
        console.error(`#   CPU per key (incl. 300 ms settle): web ${(cs.reduce((a, c) => a + c.web, 0) / n).toFixed(1)} ms, app ${(cs.reduce((a, c) => a + c.app, 0) / n).toFixed(1)} ms; web per round ${cs.map((c) => c.web).join(' ')}; idle web % ${cs.map((c) => (c.idleWeb * 100).toFixed(0)).join(' ')}; web per key above idle ${(cs.reduce((a, c) => a + c.web - c.idleWeb * c.roundMs, 0) / n).toFixed(1)} ms`);
      });
    }
    const typingMs = performance.now() - tk;
    const cpu1 = appPid ? cpuByComm(appPid) : {};
    const cpuShare = Object.fromEntries(Object.keys(cpu1).map((c) => [c, Math.round(((cpu1[c] - (cpu0[c] ?? 0)) / typingMs) * 100)]));
    console.error(`# while typing (${(typingMs / 1000).toFixed(1)} s, incl. 300 ms settle per key): CPU % of one core ${JSON.stringify(cpuShare)}; machine load avg ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
    const lat = keys.filter((k) => k.latency !== null).map((k) => k.latency);
    results.keys = {
      records: count, loadMs: Math.round(loadMs), idleFrameIntervalMs: median(idleFrames), cpuPercentWhileTyping: cpuShare, loadAvgBefore: load0, keystrokes: keys.length, measured: lat.length,
      noChange: keys.length - lat.length, medianMs: median(lat), p95Ms: pct(lat, 95), maxMs: Math.max(...lat),
      // When the DOM had the new view (the IPC answer applied) vs when it was on screen.
      domUpdatedMedianMs: median(keys.filter((k) => k.latency !== null).map((k) => k.muts.at(-1))),
      domUpdatedP95Ms: pct(keys.filter((k) => k.latency !== null).map((k) => k.muts.at(-1)), 95),
      samples: keys.map((k) => ({ key: k.key, ms: k.latency === null ? null : +k.latency.toFixed(1), changes: k.changes, mutationsAtMs: k.muts, paintedAtMs: k.painted, keydownHandlerDelayMs: k.handlerDelay })),
    };
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

// ---- the frame floor -------------------------------------------------------------------------
// How often each app's page gets an animation frame while nothing changes (median interval of
// 240 requestAnimationFrame callbacks, 2 s after the page loaded; and their p95). Under Xvfb WebKit composites in
// software, so this is the floor a keystroke's repaint cannot beat; measured for both apps to
// tell the platform's cost from the app's.
async function frameFloor() {
  results.frames = {};
  for (const app of apps) {
    const browser = await remote({
      hostname: '127.0.0.1', port: Number(process.env.TAURI_DRIVER_PORT), logLevel: 'warn',
      capabilities: { browserName: 'wry', 'tauri:options': { application: app.bin }, 'wdio:enforceWebDriverClassic': true },
    });
    try {
      await browser.waitUntil(async () => (await browser.execute(() => document.readyState)) === 'complete', { timeout: 20_000 });
      await sleep(2000);
      const intervals = await browser.executeAsync((done) => {
        const stamps = [];
        const tick = () => {
          stamps.push(performance.now());
          if (stamps.length < 241) requestAnimationFrame(tick);
          else done(stamps.slice(1).map((x, i) => x - stamps[i]));
        };
        requestAnimationFrame(tick);
      });
      results.frames[app.key] = +median(intervals).toFixed(1);
      results.framesP95 = { ...results.framesP95, [app.key]: +pct(intervals, 95).toFixed(1) };
      console.error(`# ${app.name}: idle animation-frame interval over 240 frames: median ${median(intervals).toFixed(1)} ms, p95 ${pct(intervals, 95).toFixed(1)} ms, max ${Math.max(...intervals).toFixed(1)} ms`);
    } finally {
      await browser.deleteSession().catch(() => {});
    }
  }
}

// ---- (iv) launch → first rows of the archive ----------------------------------------------------
// Both apps started through tauri-driver (a WebDriver session each run, after one warm-up run).
// t0 = just before the session is requested (tauri-driver and WebKitWebDriver then start the
// app). Supporter Desk: t1 = its User Timing mark `sdesk:first-log-rows` (the log view filled its
// first row with data; the log tab is selected as soon as the session is up, so the rows are
// on screen) — with BENCH_ARCHIVE_RECORDS archived by bench-app.sh, read from the archive at
// launch with no network and no sign-in, for the period picked in the warm-up run (90 days). The hello world: t1 = its page's first contentful
// paint (or DOMContentLoaded where WebKit has no paint timing). Both include the WebDriver
// start-up alike. Epoch times on one machine clock: Date.now() here, timeOrigin there.
async function archiveLaunchBench() {
  // The period shown at launch is the one last picked (remembered by the log view): the warm-up
  // run picks BENCH_ARCHIVE_PRESET (90 days), the measured runs open on it.
  const measure = async (app, warmUp = false) => {
    const t0 = Date.now();
    const browser = await remote({
      hostname: '127.0.0.1', port: Number(process.env.TAURI_DRIVER_PORT), logLevel: 'warn',
      capabilities: { browserName: 'wry', 'tauri:options': { application: app.bin }, 'wdio:enforceWebDriverClassic': true },
    });
    try {
      if (app.key === 'sd') {
        await browser.waitUntil(async () => {
          await browser.$('#tab-logs').click();
          return browser.$('#panel-logs').isDisplayed();
        }, { timeout: 30_000, interval: 50, timeoutMsg: 'the log tab did not open (is there an archive?)' }).catch(async (e) => {
          const page = await browser.execute(() => document.body.innerText.slice(0, 600)).catch((x) => `(page unreadable: ${x.message})`);
          throw new Error(`${e.message}; the page says: ${page}`);
        });
      }
      const t1 = await browser.waitUntil(
        () => browser.execute((key, name) => {
          if (key === 'sd') {
            const m = performance.getEntriesByName(name)[0];
            return m ? performance.timeOrigin + m.startTime : false;
          }
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          if (fcp) return performance.timeOrigin + fcp.startTime;
          const nav = performance.getEntriesByType('navigation')[0];
          return nav && nav.domContentLoadedEventEnd > 0 ? performance.timeOrigin + nav.domContentLoadedEventEnd : false;
        }, app.key, 'sdesk:first-log-rows'),
        { timeout: 300_000, interval: 20, timeoutMsg: `${app.name}: no first rows / paint` },
      );
      const rows = app.key === 'sd' ? await browser.execute(() => (document.querySelector('#totals-count')?.textContent || '').replace(/[^0-9]/g, '')) : '';
      // Where the time went: the page's start (its time origin) after t0, then its marks.
      const marks = await browser.execute(() => ({
        origin: performance.timeOrigin,
        marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('sdesk:')).map((m) => [m.name.slice(6), Math.round(m.startTime)]),
      }));
      const steps = `page +${Math.round(marks.origin - t0)} ms; ${marks.marks.map(([n, ms]) => `${n} ${ms}`).join(', ')}`;
      if (warmUp && app.key === 'sd') {
        await browser.$('#preset').selectByAttribute('value', process.env.BENCH_ARCHIVE_PRESET || '90');
        await sleep(500); // the choice is stored at once; let the page settle before it quits
      }
      return { ms: t1 - t0, rows, steps };
    } finally {
      await browser.deleteSession().catch(() => {});
      await sleep(500);
    }
  };
  results.archiveLaunch = {};
  for (const app of apps) await measure(app, true); // warm-up (Supporter Desk: picks the period)
  const runs = Object.fromEntries(apps.map((a) => [a.key, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const app of apps) {
      const r = await measure(app);
      console.error(`#   ${app.key} run ${i + 1}: ${r.ms.toFixed(0)} ms${r.rows ? ` (${r.rows} rows in the view)` : ''}; load avg ${loadavg()[0].toFixed(2)}; ${r.steps}`);
      runs[app.key].push(r);
    }
  }
  for (const app of apps) results.archiveLaunch[app.key] = { medianMs: median(runs[app.key].map((r) => r.ms)), runs: runs[app.key] };
}

// ---- (v) Insight tab: opened → charts painted ----------------------------------------------------
// With BENCH_ARCHIVE_RECORDS archived (bench-app.sh, as for (iv)) and the Insight period picked in
// the warm-up run (BENCH_INSIGHT_PRESET, 90 days), each run starts the release app through
// tauri-driver on the log tab, waits until the figures the UI asks for after launch have arrived
// (User Timing mark `sdesk:insight-ready`; its time after the page's start is reported as "figures
// ready"), then, inside the page: t0 = performance.now() just before the tab's click(); t1 = the
// second requestAnimationFrame after the tab drew its charts (mark `sdesk:insight-painted` after
// t0), i.e. the frame that shows them. First paint = t1 − t0. Also reported: t(mark) − t0, the
// synchronous build of the DOM and the two uPlot canvases.
async function insightBench() {
  const app = apps.find((a) => a.key === 'sd');
  if (!app) throw new Error('the insight benchmark needs Supporter Desk (BENCH_APPS=sd)');
  const measure = async (warmUp = false) => {
    const t0 = Date.now();
    const browser = await remote({
      hostname: '127.0.0.1', port: Number(process.env.TAURI_DRIVER_PORT), logLevel: 'warn',
      capabilities: { browserName: 'wry', 'tauri:options': { application: app.bin }, 'wdio:enforceWebDriverClassic': true },
    });
    try {
      await browser.waitUntil(async () => {
        const tab = await browser.$('#tab-logs');
        if (!(await tab.isExisting())) return false; // the page is still loading
        await tab.click();
        return browser.$('#panel-logs').isDisplayed();
      }, { timeout: 30_000, interval: 50, timeoutMsg: 'the log tab did not open (is there an archive?)' }).catch(async (e) => {
        const page = await browser.execute(() => document.body.innerText.slice(0, 600)).catch((x) => `(page unreadable: ${x.message})`);
        throw new Error(`${e.message}; the page says: ${page}`);
      });
      if (warmUp) {
        await browser.$('#tab-insight').click();
        await browser.$('#insight-preset').selectByAttribute('value', process.env.BENCH_INSIGHT_PRESET || '90');
        await browser.$('#tab-logs').click(); // the runs start on the log tab
        await sleep(1000);
        return null;
      }
      const ready = await browser.waitUntil(
        () => browser.execute(() => { const m = performance.getEntriesByName('sdesk:insight-ready')[0]; return m ? m.startTime : false; }),
        { timeout: 300_000, interval: 20, timeoutMsg: 'the insight figures never arrived' },
      );
      const r = await browser.executeAsync((done) => {
        const start = performance.now();
        document.querySelector('#tab-insight').click();
        const check = () => {
          const m = performance.getEntriesByName('sdesk:insight-painted').find((e) => e.startTime >= start);
          if (m) requestAnimationFrame(() => requestAnimationFrame(() => done({ ms: performance.now() - start, drawnMs: m.startTime - start })));
          else requestAnimationFrame(check);
        };
        check();
      });
      const shown = await browser.execute(() => ({
        connections: document.querySelector('#insight-connections')?.textContent || '',
        days: document.querySelectorAll('#insight-time details tbody tr').length,
        canvases: document.querySelectorAll('#panel-insight canvas').length,
      }));
      return { ...r, readyMs: ready, launchMs: Date.now() - t0, ...shown };
    } finally {
      await browser.deleteSession().catch(() => {});
      await sleep(500);
    }
  };
  await measure(true);
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await measure();
    console.error(`#   insight run ${i + 1}: tab → charts painted ${r.ms.toFixed(1)} ms (drawn after ${r.drawnMs.toFixed(1)} ms); figures ready ${Math.round(r.readyMs)} ms after the page started; ${r.connections} connections, ${r.days} days, ${r.canvases} canvases; load avg ${loadavg()[0].toFixed(2)}`);
    runs.push(r);
  }
  results.insight = { medianMs: median(runs.map((r) => r.ms)), maxMs: Math.max(...runs.map((r) => r.ms)), readyMedianMs: median(runs.map((r) => r.readyMs)), runs };
}

// ---- main --------------------------------------------------------------------------------------
const only = process.env.BENCH_ONLY || 'all';
if (only === 'all' || only === 'launch') await launchBench();
if (only === 'all' || only === 'keys' || only === 'frames') {
  try {
    await frameFloor();
  } catch (e) {
    console.error(`# frame-floor measurement failed: ${e.message}`);
  }
}
if (only === 'archive') await archiveLaunchBench();
if (only === 'insight') await insightBench();
if (only === 'all' || only === 'keys') {
  try {
    await keystrokeBench();
  } catch (e) {
    console.error(`# keystroke benchmark failed: ${e.message}`);
    results.keysError = e.message;
  }
}

const f = (v, d = 0) => (v === undefined || v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(d));
const ratio = (a, b) => (a && b ? a / b : NaN);
const rows = [];
if (results.launch.sd !== undefined || results.launch.hello !== undefined) {
  const lr = ratio(results.launch.sd, results.launch.hello);
  const rr = ratio(results.rss.sd, results.rss.hello);
  const pr = ratio(results.pss.sd, results.pss.hello);
  rows.push(['launch → window mapped (median ms)', f(results.launch.hello), f(results.launch.sd), f(lr, 2) + '×', '≤ 1.2×', lr <= 1.2 ? 'met' : 'MISSED']);
  rows.push(['idle RSS, process tree (median MiB)', f(results.rss.hello), f(results.rss.sd), f(rr, 2) + '×', '≤ 1.2×', rr <= 1.2 ? 'met' : 'MISSED']);
  rows.push(['idle PSS, process tree (median MiB)', f(results.pss.hello), f(results.pss.sd), f(pr, 2) + '×', '(info)', '']);
}
if (results.frames?.sd !== undefined && results.frames?.hello !== undefined) {
  const fr = ratio(results.frames.sd, results.frames.hello);
  rows.push(['idle animation-frame interval (median ms)', f(results.frames.hello, 1), f(results.frames.sd, 1), f(fr, 2) + '×', '(info)', '']);
  rows.push(['idle animation-frame interval (p95 ms)', f(results.framesP95?.hello, 1), f(results.framesP95?.sd, 1), '', '(info)', '']);
}
if (results.keys) {
  rows.push([`keystroke → repaint, ${results.keys.records} rows (median ms)`, 'n/a', f(results.keys.medianMs, 1), '', '≤ 50 ms', results.keys.medianMs <= 50 ? 'met' : 'MISSED']);
  rows.push([`keystroke → repaint, ${results.keys.records} rows (p95 ms)`, 'n/a', f(results.keys.p95Ms, 1), '', '≤ 50 ms', results.keys.p95Ms <= 50 ? 'met' : 'MISSED']);
} else if (results.keysError) {
  rows.push(['keystroke → repaint', 'n/a', 'failed', '', '≤ 50 ms', results.keysError.slice(0, 60)]);
}
if (results.archiveLaunch?.sd) {
  const h = results.archiveLaunch.hello?.medianMs;
  const a = results.archiveLaunch.sd.medianMs;
  const r = ratio(a, h);
  const rowsIn = results.archiveLaunch.sd.runs[0]?.rows;
  rows.push([`launch → first rows of the archive (${process.env.BENCH_ARCHIVE_RECORDS || '?'} archived; ${rowsIn} in the view) / hello: first paint (median ms)`, f(h), f(a), f(r, 2) + '×', '≤ 1.3×', r <= 1.3 ? 'met' : 'MISSED']);
}
if (results.insight) {
  const r0 = results.insight.runs[0];
  rows.push([`Insight tab opened → charts painted (${process.env.BENCH_ARCHIVE_RECORDS || '?'} archived; ${r0?.connections} connections in ${r0?.days} days) (median ms)`, 'n/a', f(results.insight.medianMs, 1), '', '≤ 150 ms', results.insight.medianMs <= 150 ? 'met' : 'MISSED']);
  rows.push(['Insight tab opened → charts painted (max ms)', 'n/a', f(results.insight.maxMs, 1), '', '(info)', '']);
  rows.push(['page start → insight figures ready (median ms)', 'n/a', f(results.insight.readyMedianMs), '', '(info)', '']);
}
const head = ['measure', 'hello world', 'Supporter Desk', 'ratio', 'target', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(line(head));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
if (results.keys) console.log(`(keystrokes: ${results.keys.keystrokes} sent, ${results.keys.measured} changed the view; DOM updated after ${f(results.keys.domUpdatedMedianMs)} ms median / ${f(results.keys.domUpdatedP95Ms)} ms p95; max ${f(results.keys.maxMs, 1)} ms; load of ${results.keys.records} records took ${(results.keys.loadMs / 1000).toFixed(1)} s)`);
if (process.env.BENCH_OUT) {
  mkdirSync(join(process.env.BENCH_OUT, '..'), { recursive: true });
  writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 2));
  console.log(`(details: ${process.env.BENCH_OUT})`);
}
