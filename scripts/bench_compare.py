#!/usr/bin/env python3
"""Reference figures for the engine benchmarks: sequential curl of the sandbox's pages, the
end-to-end `sdesk reports export`, and Python's csv module writing the same rows. Reads the
criterion results from target/criterion and prints the ratios the targets are stated in."""

import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REL = os.path.join(ROOT, "target", "release")
RECORDS = 100_000
RUNS = 5
COLUMNS = ("id,start_date,end_date,duration_seconds,userid,username,deviceid,devicename,groupid,"
           "groupname,support_session_type,session_code,end_customer_name,end_customer_email,"
           "billing_state,fee,currency,notes,contact_id").split(",")


def median_seconds(fn, runs=RUNS):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def criterion(name):
    """Mean of a criterion benchmark in seconds, or None."""
    for dirpath, _, files in os.walk(os.path.join(ROOT, "target", "criterion")):
        if "estimates.json" in files and dirpath.endswith(os.path.join(name, "new")):
            with open(os.path.join(dirpath, "estimates.json")) as f:
                return json.load(f)["mean"]["point_estimate"] / 1e9
    return None


def start_sandbox():
    proc = subprocess.Popen([os.path.join(REL, "sdesk-sandbox"), "--records", str(RECORDS)],
                            stdout=subprocess.PIPE, text=True)
    url = token = None
    while url is None or token is None:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("sandbox exited early")
        if line.startswith("Sandbox listening on "):
            url = line.split("on ", 1)[1].strip().rstrip("/")
        elif line.startswith("Script token: "):
            token = line.split(": ", 1)[1].strip()
    return proc, url, token


def page_urls(url, token):
    """All page URLs (following next_offset) and all records, fetched once, untimed."""
    urls, records, offset = [], [], None
    while True:
        u = f"{url}/api/v1/reports/connections" + (f"?offset_id={offset}" if offset else "")
        urls.append(u)
        req = urllib.request.Request(u, headers={"Authorization": f"Bearer {token}"})
        body = json.load(urllib.request.urlopen(req))
        records.extend(body["records"])
        if body.get("records_remaining", 0) == 0:
            return urls, records
        offset = body["next_offset"]


def row(r):
    def esc(v):
        v = "" if v is None else str(v)
        return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r", "\0") else v
    ec = r.get("end_customer") or {}
    return [r["id"], r.get("start_date", ""), r.get("end_date", ""), "0", esc(r.get("userid")),
            esc(r.get("username")), esc(r.get("deviceid")), esc(r.get("devicename")),
            esc(r.get("groupid")), esc(r.get("groupname")), str(r.get("support_session_type", "")),
            esc(r.get("session_code")), esc(ec.get("name")), esc(ec.get("email")),
            esc(r.get("billing_state")), str(r.get("fee") or ""), esc(r.get("currency")),
            esc(r.get("notes")), esc(r.get("contact_id"))]


def main():
    proc, url, token = start_sandbox()
    try:
        urls, records = page_urls(url, token)
        assert len(records) == RECORDS, len(records)
        args = ["curl", "-sS", "--fail", "-H", f"Authorization: Bearer {token}"]
        for u in urls:
            args += [u, "-o", os.devnull]
        curl_s = median_seconds(lambda: subprocess.run(args, check=True))
        env = dict(os.environ, SDESK_API_URL=url, SDESK_TOKEN=token)
        out_csv = os.path.join(ROOT, "target", "bench-export.csv")
        cli = [os.path.join(REL, "sdesk"), "reports", "export", "--out", out_csv]
        cli_s = median_seconds(lambda: subprocess.run(cli, env=env, check=True,
                                                      stderr=subprocess.DEVNULL))
    finally:
        proc.terminate()
        proc.wait()

    rows = [row(r) for r in records]

    def py_csv():
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
    py_s = median_seconds(py_csv)

    print(f"\n== reference figures ({RECORDS} records, {len(urls)} pages, median of {RUNS})")
    print(f"sequential curl of the same pages:        {curl_s * 1000:8.1f} ms")
    print(f"sdesk reports export (fetch+decode+CSV):  {cli_s * 1000:8.1f} ms")
    print(f"python csv.writer, same rows (prepared):  {py_s * 1000:8.1f} ms")
    fetch = criterion("fetch_100k_sandbox/report_fetch")
    export = criterion("csv_export_100k/sink")
    fsort = criterion("filter_sort_100k/text_mueller_sort_username")
    if fetch:
        print(f"core fetch_100k_sandbox (criterion):      {fetch * 1000:8.1f} ms"
              f"  = {fetch / curl_s:.2f}x curl (target <= 1.2x)")
    if export:
        print(f"core csv_export_100k (criterion):         {export * 1000:8.1f} ms"
              f"  = {py_s / export:.1f}x faster than python csv (target >= 10x)")
    if fsort:
        print(f"core filter_sort_100k text+sort (crit.):  {fsort * 1000:8.2f} ms (target <= 10 ms)")


if __name__ == "__main__":
    sys.exit(main())
