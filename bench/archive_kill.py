#!/usr/bin/env python3
"""Reliability of `sdesk archive sync` (run through scripts/kill-test.sh; prints what it did).

1. kill:       a first sync of RECORDS (100,000) records from a sandbox process, SIGKILLed at
               KILLS (20) random points; after each kill the archive is checked (SQLite:
               PRAGMA integrity_check, no id twice); then one more sync, which must end with
               exactly RECORDS unique records and integrity_check = ok.
2. concurrent: two `sdesk archive sync` processes on one new SQLite file at the same moment, and
               two more started apart while the first runs; then one more sync: exactly
               RECORDS unique records, integrity ok. Exit codes and last lines are printed.
3. postgres:   the kill test against PostgreSQL when SDESK_TEST_POSTGRES_URL is set (run under
               scripts/with-postgres.sh), checked with psql (count = count(DISTINCT id)).

Environment: SDESK_BIN, SANDBOX_BIN (the release binaries), RECORDS, KILLS, SEED (random
points), LATENCY_MS (sandbox latency per request, default 20), PARTS (kill,concurrent,postgres).
"""

import glob
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

RECORDS = int(os.environ.get("RECORDS", "100000"))
KILLS = int(os.environ.get("KILLS", "20"))
SEED = int(os.environ.get("SEED", str(int(time.time()))))
LATENCY_MS = os.environ.get("LATENCY_MS", "20")
PARTS = os.environ.get("PARTS", "kill,concurrent,postgres").split(",")
SDESK = os.environ["SDESK_BIN"]
SANDBOX = os.environ["SANDBOX_BIN"]


def start_sandbox():
    args = [SANDBOX, "--records", str(RECORDS), "--now", "2026-11-20T12:00:00Z"]
    if LATENCY_MS and LATENCY_MS != "0":
        args += ["--latency-ms", LATENCY_MS]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    url = token = None
    while url is None or token is None:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("sandbox exited early")
        if line.startswith("Sandbox listening on "):
            url = line.split("on ", 1)[1].strip()
        elif line.startswith("Script token: "):
            token = line.split(": ", 1)[1].strip()
    return proc, url, token


def sync_cmd(database):
    return [SDESK, "archive", "sync", "--database", database]


def spawn(env, database, stderr_path):
    err = open(stderr_path, "w")
    return subprocess.Popen(sync_cmd(database), env=env, stdout=subprocess.DEVNULL, stderr=err)


def last_line(path):
    with open(path, errors="replace") as f:
        lines = [l.strip() for l in f if l.strip()]
    return lines[-1] if lines else ""


def sqlite_check(path):
    """(integrity_check, rows, distinct ids, sync unfinished?) of an SQLite archive."""
    if not os.path.exists(path):
        return ("no file", 0, 0, None)
    try:
        return sqlite_check_with(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30))
    except sqlite3.OperationalError:
        # A kill while the file was being created can leave a journal that only a writer may
        # roll back ("attempt to write a readonly database"): open it as the next sync does.
        return sqlite_check_with(sqlite3.connect(path, timeout=30))


def sqlite_check_with(c):
    try:
        integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
        if not c.execute("SELECT count(*) FROM sqlite_master WHERE name='reports'").fetchone()[0]:
            return (integrity, 0, 0, None)
        rows, ids = c.execute("SELECT count(*), count(DISTINCT id) FROM reports").fetchone()
        state = c.execute("SELECT finished_at IS NULL, pages FROM sync_state").fetchone()
        return (integrity, rows, ids, state)
    finally:
        c.close()


def sqlite_pages(path):
    """Pages the sync run has committed (cheap: one row), 0 before the first."""
    try:
        c = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            row = c.execute("SELECT pages FROM sync_state").fetchone()
            return row[0] if row else 0
        finally:
            c.close()
    except sqlite3.Error:
        return 0


def pg_pages(url):
    try:
        return int(pg_run(url, "SELECT pages FROM sync_state") or 0)
    except (RuntimeError, ValueError):
        return 0


def psql_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    return found[-1] if found else shutil.which("psql")


def pg_run(url, sql):
    out = subprocess.run([psql_bin(), url, "-At", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


def pg_check(url):
    try:
        rows, ids = pg_run(url, "SELECT count(*), count(DISTINCT id) FROM reports").split("|")
        state = pg_run(url, "SELECT finished_at IS NULL, pages FROM sync_state")
        return ("n/a", int(rows), int(ids), state or None)
    except RuntimeError:
        return ("n/a", 0, 0, None)


def kill_test(env, database, check, pages_now, tmp, label):
    rng = random.Random(SEED)
    pages = max(RECORDS // 1000, 1)
    # Kill points spread over the whole sync: wait until the archive holds a random number of
    # pages (sorted; the first at 0 = during start-up, opening and migration), then a random
    # 0-50 ms more (inside a request, a decode or a commit), then SIGKILL.
    targets = sorted(rng.sample(range(0, pages - 2), KILLS - 1)) + [0]
    targets = [0] + targets[:-1]
    print(f"\n== {label}: first sync of {RECORDS} records, SIGKILL at {KILLS} random points "
          f"(seed {SEED}, sandbox latency {LATENCY_MS} ms/request)")
    print(f"  kill points (committed pages to wait for): {targets}")
    kills = 0
    attempts = 0
    problems = []
    for target in targets:
        attempts += 1
        stderr_path = os.path.join(tmp, f"kill{attempts}.err")
        before = check()[1]
        p = spawn(env, database, stderr_path)
        deadline = time.monotonic() + 120
        while pages_now() < target and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        delay = rng.uniform(0.0, 0.05)
        time.sleep(delay)
        if p.poll() is not None:
            print(f"  run {attempts}: ended before the kill (exit {p.returncode}: "
                  f"{last_line(stderr_path)}); not counted")
            if p.returncode == 0:
                problems.append("a run completed the sync before all kills")
            continue
        p.send_signal(signal.SIGKILL)
        p.wait()
        kills += 1
        integrity, rows, ids, state = check()
        # A kill before the first run created the file (a process start of a few ms) loses
        # nothing: there is nothing yet, and the next run creates the archive.
        never_created = integrity == "no file" and before == 0
        ok = (integrity in ("ok", "n/a") or never_created) and rows == ids
        if not ok:
            problems.append(f"after kill {kills}: integrity {integrity}, {rows} rows, {ids} ids")
        print(f"  kill {kills:2}: at >= {target:2} pages + {delay * 1000:4.1f} ms, archive "
              f"{before:6} -> {rows:6} records, distinct ids {ids:6}, integrity {integrity}, "
              f"sync state (unfinished, pages) {state}{'' if ok else '  <-- PROBLEM'}")
    if kills < KILLS:
        problems.append(f"only {kills} of {KILLS} kills hit a running sync")
    stderr_path = os.path.join(tmp, "final.err")
    t = time.monotonic()
    p = subprocess.run(sync_cmd(database), env=env, stdout=subprocess.DEVNULL,
                       stderr=open(stderr_path, "w"))
    took = time.monotonic() - t
    integrity, rows, ids, state = check()
    print(f"  final sync: exit {p.returncode} in {took:.2f} s: {last_line(stderr_path)}")
    passed = (p.returncode == 0 and rows == RECORDS and ids == RECORDS
              and integrity in ("ok", "n/a") and not problems)
    print(f"  result: {rows} records, {ids} distinct ids, integrity_check {integrity} -> "
          f"{'PASS' if passed else 'FAIL'}")
    for pr in problems:
        print(f"  problem: {pr}")
    return passed


def concurrent_test(env, tmp):
    print(f"\n== concurrent: two `sdesk archive sync` on one new SQLite file ({RECORDS} records)")
    passed = True
    for label, gap in (("started together", 0.0), ("second 0.5 s later", 0.5)):
        db = os.path.join(tmp, f"concurrent-{int(gap * 10)}.sqlite3")
        errs = [os.path.join(tmp, f"c{int(gap * 10)}-{i}.err") for i in (1, 2)]
        t = time.monotonic()
        a = spawn(env, db, errs[0])
        time.sleep(gap)
        b = spawn(env, db, errs[1])
        a.wait()
        b.wait()
        took = time.monotonic() - t
        for name, proc, err in (("first ", a, errs[0]), ("second", b, errs[1])):
            print(f"  {label}: {name} exit {proc.returncode}: {last_line(err)}")
        integrity, rows, ids, _ = sqlite_check(db)
        print(f"  {label}: both done in {took:.2f} s: {rows} records, {ids} distinct ids, "
              f"integrity {integrity}")
        locked = [e for e in errs if "locked" in open(e, errors="replace").read()]
        if locked:
            print(f"  {label}: a 'locked' error was printed ({len(locked)} process(es))")
        final_err = os.path.join(tmp, f"c{int(gap * 10)}-final.err")
        p = subprocess.run(sync_cmd(db), env=env, stdout=subprocess.DEVNULL,
                           stderr=open(final_err, "w"))
        integrity, rows, ids, _ = sqlite_check(db)
        ok = p.returncode == 0 and rows == ids == RECORDS and integrity == "ok" and not locked
        passed &= ok
        print(f"  {label}: final sync exit {p.returncode}: {last_line(final_err)} -> {rows} "
              f"records, {ids} distinct ids, integrity {integrity}: {'PASS' if ok else 'FAIL'}")
    return passed


def main():
    tmp = tempfile.mkdtemp(prefix="sdesk-kill.")
    sandbox, url, token = start_sandbox()
    env = dict(os.environ, SDESK_API_URL=url, SDESK_TOKEN=token)
    env.pop("SDESK_DATABASE_URL", None)
    results = {}
    try:
        print(f"sandbox {url} with {RECORDS} records; sdesk = {SDESK}")
        if "kill" in PARTS:
            db = os.path.join(tmp, "kill.sqlite3")
            results["SQLite kill test"] = kill_test(env, db, lambda: sqlite_check(db),
                                                    lambda: sqlite_pages(db), tmp,
                                                    "SQLite kill test")
        if "concurrent" in PARTS:
            results["SQLite concurrent syncs"] = concurrent_test(env, tmp)
        server = os.environ.get("SDESK_TEST_POSTGRES_URL", "")
        if "postgres" in PARTS:
            if not server:
                print("\n== PostgreSQL kill test skipped: SDESK_TEST_POSTGRES_URL is not set "
                      "(run through scripts/with-postgres.sh)")
            else:
                name = f"sdesk_kill_{uuid.uuid4().hex}"
                pg_run(server, f"CREATE DATABASE {name}")
                base, _, query = server.partition("?")
                db_url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
                results["PostgreSQL kill test"] = kill_test(
                    env, db_url, lambda: pg_check(db_url), lambda: pg_pages(db_url), tmp,
                    "PostgreSQL kill test")
    finally:
        sandbox.terminate()
        sandbox.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n== summary")
    for name, ok in results.items():
        print(f"  {name}: {'PASS' if ok else 'FAIL'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
