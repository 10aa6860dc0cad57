#!/usr/bin/env python3
"""Issue 8, item 9 (a) and (b): the app left alone, signed in, its window hidden.

Run through scripts/bench-live.sh (Xvfb, a private D-Bus session, an isolated HOME). The app is
started as a login start with "start minimised" (`--autostart`; the window stays in the tray and
the live list refreshes at its hidden interval) and signs in to its built-in sandbox by itself
(`SDESK_SANDBOX_SIGN_IN=1`). Nothing else touches it.

  idle    CPU time (utime + stime of the app and every descendant: WebKitWebProcess,
          WebKitNetworkProcess) over BENCH_LIVE_MINUTES (5) with the default settings, as % of
          one core. Target <= 1 %.
  growth  settings with a 1-second refresh (visible and hidden); RSS of the tree sampled every
          minute over BENCH_LIVE_MINUTES (60): first, last, max, growth. Target <= 5 MiB.

Prints a table and writes JSON to target/bench-app/live-<mode>.json.
"""
import json
import os
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def children_map():
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                parent[int(d)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except OSError:
                pass
    return parent


def tree(root):
    parent = children_map()
    out = [root]
    i = 0
    while i < len(out):
        out += [p for p, pp in parent.items() if pp == out[i]]
        i += 1
    return out


def sample(root):
    cpu_ticks = 0
    rss_kib = 0
    procs = {}
    for p in tree(root):
        try:
            with open(f"/proc/{p}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            ticks = int(fields[11]) + int(fields[12])
            with open(f"/proc/{p}/status") as f:
                rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/comm") as f:
                comm = f.read().strip()
        except (OSError, ValueError):
            continue
        cpu_ticks += ticks
        rss_kib += rss
        procs[comm] = procs.get(comm, 0) + rss
    return cpu_ticks * 1000 / HZ, rss_kib / 1024, procs


def main():
    mode = sys.argv[1]
    app = os.environ["SD_APP"]
    minutes = float(os.environ.get("BENCH_LIVE_MINUTES", "5" if mode == "idle" else "60"))
    # Release builds read the settings from the (isolated) XDG config directory only.
    config = os.path.join(os.environ["XDG_CONFIG_HOME"], "dev.supporterdesk.desk")
    os.makedirs(config, exist_ok=True)
    live = {"visibleSeconds": 1, "hiddenSeconds": 1} if mode == "growth" else {"visibleSeconds": 30, "hiddenSeconds": 120}
    with open(os.path.join(config, "settings.json"), "w") as f:
        settings = {"desktop": {"startAtLogin": True, "startMinimised": True}, "live": live}
        # BENCH_LIVE_SETTINGS: more settings (JSON) merged in, e.g. '{"archive": {"autoSync": false}}'.
        settings.update(json.loads(os.environ.get("BENCH_LIVE_SETTINGS", "{}")))
        json.dump(settings, f)
    env = dict(os.environ, SDESK_SANDBOX_SIGN_IN="1")
    log = open(os.path.join(os.environ["BENCH_DIR"], f"live-{mode}-app.log"), "w")
    child = subprocess.Popen([app, "--autostart"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(20)  # start-up, sign-in, first list, the archive's first sync
        with open(log.name) as f:
            text = f.read()
        if "the live session list started" not in text:
            sys.exit(f"the app did not sign in and start its live list; see {log.name}")
        hidden = "the window stays in the tray" in text
        c0, r0, procs0 = sample(child.pid)
        t0 = time.monotonic()
        step = float(os.environ.get("BENCH_LIVE_STEP", 30 if mode == "idle" else 60))
        samples = [{"atS": 0, "rssMiB": round(r0, 1), "cpuMs": 0}]
        while time.monotonic() - t0 < minutes * 60 - 1:
            time.sleep(step)
            c, r, procs = sample(child.pid)
            samples.append({"atS": round(time.monotonic() - t0), "rssMiB": round(r, 1), "cpuMs": round(c - c0), "rssByProcessKiB": procs})
            by = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sorted(procs.items()))
            print(f"#   {mode} +{samples[-1]['atS']} s: RSS {r:.1f} MiB ({by}), CPU {c - c0:.0f} ms; load {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
        wall = (time.monotonic() - t0) * 1000
        c1, r1, procs1 = sample(child.pid)
        rss = [s["rssMiB"] for s in samples]
        result = {
            "mode": mode, "minutes": minutes, "live": live, "windowHidden": hidden,
            "cpuPercentOfOneCore": round(100 * (c1 - c0) / wall, 3),
            "rssFirstMiB": rss[0], "rssLastMiB": rss[-1], "rssMaxMiB": max(rss), "rssGrowthMiB": round(rss[-1] - rss[0], 1),
            "rssByProcessKiB": procs1, "samples": samples,
        }
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
    out = os.path.join(os.environ["BENCH_DIR"], f"live-{mode}.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"| measure | Supporter Desk | target |")
    print(f"|---|---|---|")
    if mode == "idle":
        print(f"| idle CPU of the process tree, signed in, window hidden: {hidden}, {minutes:g} min | {result['cpuPercentOfOneCore']} % of one core | <= 1 % |")
    else:
        print(f"| RSS growth of the process tree, 1 s refresh, {minutes:g} min | {result['rssGrowthMiB']} MiB (first {rss[0]}, last {rss[-1]}, max {max(rss)}) | <= 5 MiB |")
    print(f"(details: {out})")


if __name__ == "__main__":
    main()
