#!/usr/bin/env python3
"""toolserver.py: the local HTTP tool server of the demo and the e2e tests.

Serves what conf/machines/agent.asl.json and event-fanout.asl.json call:

  POST /plan            {"goal": ...} -> {"steps": [{"tool", "args"} x 3]}
  POST /tools/<name>    -> {"tool", "answer", "score"}; name "broken" answers 500,
                           name "slow" waits --slow-ms first
  POST /publish         -> {"id": "pub-<n>"}
  POST /hook[/...]      -> {"url": path, "ok": true}   (webhook deliveries of the fan-out)
  GET  /stats           -> request counts per path prefix (JSON)

Every response may be delayed by --delay-ms (tasks in flight concurrently). The listening
port is printed on stdout as the first line (--port 0 picks a free one).
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {}
SEQ = [0]


def count(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        SEQ[0] += 1
        return SEQ[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay_ms = 0
    slow_ms = 2000

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                self.reply(200, dict(COUNTS))
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        req = self.body()
        if self.delay_ms:
            time.sleep(self.delay_ms / 1000.0)
        path = self.path.split("?")[0]
        if path == "/plan":
            count("plan")
            goal = (req or {}).get("goal", "")
            self.reply(200, {"steps": [
                {"tool": "search", "args": {"q": goal}},
                {"tool": "logs", "args": {"since": "1h"}},
                {"tool": "metrics", "args": {"window": "1h"}}]})
        elif path.startswith("/tools/"):
            name = path[len("/tools/"):]
            count("tools")
            if name == "broken":
                self.reply(500, {"error": "tool is broken"})
                return
            if name == "slow":
                time.sleep(self.slow_ms / 1000.0)
            answers = {"search": "3 reports found", "logs": "error rate peaked at 02:10",
                       "metrics": "p99 latency x4 for 20 minutes"}
            self.reply(200, {"tool": name, "answer": answers.get(name, name + " done"),
                             "score": round(0.5 + (len(name) % 5) / 10, 2)})
        elif path == "/publish":
            n = count("publish")
            self.reply(200, {"id": "pub-%d" % n})
        elif path.startswith("/hook"):
            count("hook")
            self.reply(200, {"url": path, "ok": True})
        else:
            self.reply(404, {"error": "not found"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--slow-ms", type=int, default=2000)
    a = ap.parse_args()
    Handler.delay_ms = a.delay_ms
    Handler.slow_ms = a.slow_ms
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(srv.server_address[1], flush=True)
    sys.stdout.close()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
