"""e2e_lib.py: helpers of the stepxd end-to-end tests (tests/e2e/run_e2e.py) and the demo.

- Resp: a minimal Redis client (RESP2 over a socket, pipelining), so the tests need nothing
  beyond python3 and Debian's redis-server.
- Redis: a throwaway redis-server on a random loopback port (no persistence).
- Stepxd: one stepxd process with its own flags, log file and metrics port.
- ToolServer: tests/e2e/toolserver.py in a subprocess.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class RespError(Exception):
    pass


class Resp:
    """Minimal RESP2 client: call(*args), pipeline(list of arg lists)."""

    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    @staticmethod
    def _enc(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RespError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RespError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return RespError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("utf-8", "replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RespError("bad reply %r" % line)

    def call(self, *args):
        self.sock.sendall(self._enc(args))
        r = self._read()
        if isinstance(r, RespError):
            raise r
        return r

    def pipeline(self, cmds, chunk=500):
        out = []
        for i in range(0, len(cmds), chunk):
            part = cmds[i:i + chunk]
            self.sock.sendall(b"".join(self._enc(c) for c in part))
            out.extend(self._read() for _ in part)
        return out

    def hgetall(self, key):
        r = self.call("HGETALL", key)
        return dict(zip(r[0::2], r[1::2]))

    def xrange_all(self, key):
        """Every entry of a stream as (id, {field: value})."""
        out, start = [], "-"
        while True:
            r = self.call("XRANGE", key, start, "+", "COUNT", 5000)
            for eid, fields in r:
                out.append((eid, dict(zip(fields[0::2], fields[1::2]))))
            if len(r) < 5000:
                return out
            start = "(" + r[-1][0]


class Redis:
    def __init__(self, tmp):
        self.port = free_port()
        self.dir = os.path.join(tmp, "redis-%d" % self.port)
        os.makedirs(self.dir, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--logfile", "redis.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                self.client().call("PING")
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def client(self):
        return Resp(self.port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Stepxd:
    """One stepxd process. flags: extra --key value pairs (dict)."""

    def __init__(self, binary, redis_port, machines_dir, log_path, **flags):
        self.metrics_port = free_port()
        args = [binary, "--config", os.path.join(ROOT, "conf", "stepxd.conf"),
                "--redis-port", str(redis_port), "--machines-dir", machines_dir,
                "--metrics-port", str(self.metrics_port), "--reload-interval", "300ms"]
        for k, v in flags.items():
            args += ["--" + k.replace("_", "-"), str(v)]
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.args = args

    def metrics(self):
        """Metrics as {name{labels}: value}."""
        url = "http://127.0.0.1:%d/metrics" % self.metrics_port
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                k, v = line.rsplit(" ", 1)
                out[k] = float(v)
        return out

    def healthz(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % self.metrics_port,
                                        timeout=2) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return 0

    def wait_ready(self, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("stepxd exited with %s; see %s" % (self.proc.returncode,
                                                                      self.log_path))
            if self.healthz() == 200:
                return
            time.sleep(0.05)
        raise RuntimeError("stepxd not healthy after %ss" % timeout)

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout=60):
        try:
            return self.proc.wait(timeout)
        finally:
            self.log.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()


class ToolServer:
    def __init__(self, delay_ms=0, slow_ms=2000):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "toolserver.py"), "--port", "0",
             "--delay-ms", str(delay_ms), "--slow-ms", str(slow_ms)],
            stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())
        self.url = "http://127.0.0.1:%d" % self.port

    def stats(self):
        with urllib.request.urlopen(self.url + "/stats", timeout=5) as r:
            return json.loads(r.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def machines_dir(tmp, extra=None):
    """A machines directory: conf/machines plus the bench workflows plus extra {name: def}."""
    d = os.path.join(tmp, "machines")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(ROOT, "conf", "machines")
    for f in os.listdir(src):
        if f.endswith(".asl.json") or f.endswith(".meta.json"):
            shutil.copy(os.path.join(src, f), d)
    bench = "/work/shared/bench/workflows"
    pc = os.path.join(ROOT, "bench", "workflows", "pass-chain.asl.json")
    if not os.path.exists(pc):
        pc = os.path.join(bench, "pass-chain.asl.json")
    if os.path.exists(pc):
        shutil.copy(pc, os.path.join(d, "pass-chain.asl.json"))
    for name, definition in (extra or {}).items():
        with open(os.path.join(d, name + ".asl.json"), "w") as f:
            json.dump(definition, f)
    return d


def wait_for(pred, timeout, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def mktemp():
    return tempfile.mkdtemp(prefix="stepx-e2e-")
