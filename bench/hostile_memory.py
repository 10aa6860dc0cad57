#!/usr/bin/env python3
"""Peak memory of `sdesk reports export` against two hostile report servers on loopback.

  endless-body    GET /api/v1/reports/connections answers 200 with a chunked JSON body that
                  never ends (records forever).
  endless-paging  every page carries 1,000 records with fresh ids, records_remaining 10**9 and a
                  new next_offset: the paging never finishes by itself.

For each, runs the CLI under /usr/bin/time -v and prints its exit code, error line, wall time and
maximum resident set size. The goal (issue 7): under 200 MiB for both.
Usage: python3 bench/hostile_memory.py PATH/TO/sdesk
"""
import http.server
import json
import re
import socketserver
import subprocess
import sys
import tempfile
import threading
import uuid

RECORD = {
    "userid": "u1", "username": "Hostile", "deviceid": "d1", "devicename": "PC",
    "groupid": "g1", "groupname": "G", "start_date": "2026-11-01T10:00:00Z",
    "end_date": "2026-11-01T10:30:00Z", "billing_state": "Bill", "notes": "x" * 200,
}


def record_bytes():
    rec = dict(RECORD, id=str(uuid.uuid4()))
    return json.dumps(rec).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "endless-body"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if not self.path.startswith("/api/v1/reports/connections"):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.mode == "endless-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                self.chunk(b'{"records":[' + record_bytes())
                while True:
                    self.chunk(b"," + b",".join(record_bytes() for _ in range(200)))
            except (BrokenPipeError, ConnectionResetError):
                return
        else:
            recs = [record_bytes() for _ in range(1000)]
            body = (b'{"records":[' + b",".join(recs) + b'],"records_remaining":1000000000,'
                    b'"next_offset":"' + str(uuid.uuid4()).encode() + b'"}')
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def run(sdesk, mode):
    Handler.mode = mode
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    with tempfile.TemporaryDirectory() as d:
        cmd = ["/usr/bin/time", "-v", sdesk, "--api-url", url, "reports", "export",
               "--from", "2026-11-01", "--to", "2026-11-02", "--out", f"{d}/out.csv"]
        env = {"SDESK_TOKEN": "hostile-test-token", "PATH": "/usr/bin:/bin", "HOME": d}
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    srv.shutdown()
    err = p.stderr
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", err).group(1)
    line = next((l for l in err.splitlines() if l.startswith("error:")), "(no error line)")
    print(f"{mode:15} exit {p.returncode}  wall {wall}  max RSS {rss / 1024:.1f} MiB  {line}")
    return rss


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for m in ("endless-body", "endless-paging"):
        run(sys.argv[1], m)
