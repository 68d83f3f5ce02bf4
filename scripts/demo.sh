#!/usr/bin/env bash
# demo.sh: stepx end to end on one machine, in under 3 minutes.
#
#   bash scripts/demo.sh            [DEMO_EVENTS=20000 DEMO_AGENTS=40 DEMO_WORKERS=0]
#
# DEMO_BIN=DIR skips setup and build and uses DIR/stepxd and DIR/stepx (a build of your own).
#
# 1. installs what is missing (scripts/setup.sh, Debian packages) and builds (release)
# 2. starts redis-server on a free loopback port, data (AOF everysec) under ./var/demo/
# 3. starts the local HTTP tool server (tests/e2e/toolserver.py) for the agent workflow and
#    the fan-out's webhooks, on a free port passed to the workflows in their input
# 4. starts stepxd with conf/stepxd.conf and the machines of conf/machines/
# 5. pushes the workload: order events fanned out to subscribers (5 tenants), agent runs
#    (plan -> tools -> publish over HTTP), and a few bad events for the dead-letter stream
# 6. waits for every result, then shows results, throughput, latency, dead letters,
#    the metrics and the per-tenant bill (stepx usage)
# 7. stops everything it started (also on Ctrl-C or an error)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
EVENTS="${DEMO_EVENTS:-20000}"
AGENTS="${DEMO_AGENTS:-40}"
WORKERS="${DEMO_WORKERS:-0}"
VAR="$ROOT/var/demo"
T0=$(date +%s)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

REDIS_PORT="" TOOLS_PID="" STEPXD_PID=""
cleanup() {
    set +e
    if [ -n "$STEPXD_PID" ] && kill -0 "$STEPXD_PID" 2>/dev/null; then
        kill -TERM "$STEPXD_PID"; wait "$STEPXD_PID" 2>/dev/null
    fi
    if [ -n "$TOOLS_PID" ] && kill -0 "$TOOLS_PID" 2>/dev/null; then
        kill "$TOOLS_PID"; wait "$TOOLS_PID" 2>/dev/null
    fi
    [ -n "$REDIS_PORT" ] && scripts/redis-test.sh stop "$REDIS_PORT" "$VAR/redis"
}
trap cleanup EXIT

mkdir -p "$VAR"
if [ -n "${DEMO_BIN:-}" ]; then
    BIN="$(cd "$DEMO_BIN" && pwd)"
    say "using $BIN (DEMO_BIN: no setup, no build)"
else
    BIN="$ROOT/build/bin"
    say "setup and build"
    bash scripts/setup.sh
    bash scripts/build.sh release >"$VAR/build.log" 2>&1 ||
        { tail -30 "$VAR/build.log"; exit 1; }
    echo "built build/bin/stepxd and build/bin/stepx (log: var/demo/build.log)"
fi

say "redis-server"
rm -rf "$VAR/redis"
REDIS_PORT=$(REDIS_EXTRA="--appendonly yes --appendfsync everysec" \
    scripts/redis-test.sh start 0 "$VAR/redis")
echo "redis-server $(redis-server --version | awk '{print $3}') on 127.0.0.1:$REDIS_PORT, data in var/demo/redis"

say "tool server"
python3 tests/e2e/toolserver.py --port 0 --delay-ms 20 >"$VAR/tools.port" 2>"$VAR/tools.log" &
TOOLS_PID=$!
for _ in $(seq 1 100); do [ -s "$VAR/tools.port" ] && break; sleep 0.05; done
TOOLS_PORT=$(head -1 "$VAR/tools.port")
echo "http://127.0.0.1:$TOOLS_PORT (/plan /tools/<name> /publish /hook)"

say "stepxd"
METRICS_PORT=$(free_port)
"$BIN/stepxd" --config conf/stepxd.conf --redis-port "$REDIS_PORT" \
    --machines-dir conf/machines --metrics-port "$METRICS_PORT" --workers "$WORKERS" \
    --consumer demo >"$VAR/stepxd.log" 2>&1 &
STEPXD_PID=$!
for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$METRICS_PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$STEPXD_PID" 2>/dev/null || { cat "$VAR/stepxd.log"; exit 1; }
    sleep 0.05
done
curl -s "http://127.0.0.1:$METRICS_PORT/healthz"
grep -h "machines:" "$VAR/stepxd.log" | tail -1

say "workload: $EVENTS order events, $AGENTS agent runs, 5 bad events"
python3 - "$REDIS_PORT" "$TOOLS_PORT" "$EVENTS" "$AGENTS" "$METRICS_PORT" <<'EOF'
import json, sys, time, urllib.request
sys.path.insert(0, "tests/e2e")
from e2e_lib import Resp
port, tools, n, agents, mport = (int(a) for a in sys.argv[1:])
api = "http://127.0.0.1:%d" % tools
r = Resp(port)
tenants = ["acme", "globex", "initech", "umbrella", "hooli"]
cmds = []
for i in range(n):
    subs = [{"channel": "email", "address": "ops%d@example.com" % k} for k in range(1 + i % 4)]
    if i % 20 == 0:  # every 20th order also notifies a webhook (a real HTTP call)
        subs.append({"channel": "webhook", "address": api + "/hook/order"})
    ev = {"order": {"id": "o-%06d" % i, "total": round(10 + i % 90 + 0.5, 2)},
          "subscribers": subs}
    cmds.append(["XADD", "{stepx}:events", "*", "machine", "event-fanout",
                 "tenant", tenants[i % 5], "name", "order-%06d" % i, "input", json.dumps(ev)])
for i in range(agents):
    cmds.append(["XADD", "{stepx}:events", "*", "machine", "agent", "tenant", "agents",
                 "name", "agent-%03d" % i,
                 "input", json.dumps({"goal": "incident %d" % i, "api": api})])
bad = [["XADD", "{stepx}:events", "*", "machine", "no-such-machine", "input", "{}"],
       ["XADD", "{stepx}:events", "*", "machine", "event-fanout", "input", "{oops"],
       ["XADD", "{stepx}:events", "*", "input", "{}"],
       ["XADD", "{stepx}:events", "*", "machine", "event-fanout"],
       ["XADD", "{stepx}:events", "*", "machine", "event-fanout", "tenant", "acme",
        "input", json.dumps({"order": {"total": 1}})]]  # runs, fails: InvalidEvent
t0 = time.time()
ids = r.pipeline(cmds + bad)
t_sent = time.time()
want = len(cmds) + 1
dead_want = len(bad) - 1
while True:
    done, dead = r.call("XLEN", "{stepx}:results"), r.call("XLEN", "{stepx}:dead")
    if done >= want and dead >= dead_want:
        break
    if time.time() - t0 > 120:
        print("timeout: %d of %d results" % (done, want)); sys.exit(1)
    time.sleep(0.05)
t_done = time.time()
res = r.xrange_all("{stepx}:results")
first_ev = int(ids[0].split("-")[0])
lat = sorted(int(rid.split("-")[0]) - int(f["id"].split("-")[0]) for rid, f in res)
last = max(int(rid.split("-")[0]) for rid, f in res)
by_status = {}
for _, f in res:
    by_status[f["status"]] = by_status.get(f["status"], 0) + 1
print("sent %d events in %.2fs; all %d results in %.2fs" % (len(ids), t_sent - t0, len(res),
                                                          t_done - t0))
print("throughput: %.0f executions/s (first event to last result, %d ms)" % (
    len(res) * 1000.0 / max(1, last - first_ev), last - first_ev))
print("event -> result latency under this burst: p50 %d ms, p99 %d ms, max %d ms" % (
    lat[len(lat) // 2], lat[int(len(lat) * 0.99)], lat[-1]))
print("statuses:", json.dumps(by_status))

def show(f):
    keep = {k: f[k] for k in ("name", "machine", "tenant", "status", "billed_ms", "billed_mb")}
    if "output" in f:
        keep["output"] = json.loads(f["output"])
    else:
        keep["error"], keep["cause"] = f.get("error"), f.get("cause")
    print("  " + json.dumps(keep))
print("\nsample results:")
seen = set()
for _, f in res:
    key = (f["machine"], f["status"])
    if key not in seen:
        seen.add(key)
        show(f)
print("\ndead letters:")
for _, f in r.xrange_all("{stepx}:dead"):
    print("  %-18s %s" % (f.get("machine", "-"), f["reason"]))
with urllib.request.urlopen("http://127.0.0.1:%d/stats" % tools) as h:
    print("\ntool server requests:", h.read().decode())
print("execution log entries ({stepx}:logs):", r.call("XLEN", "{stepx}:logs"))
with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport) as h:
    lines = [l for l in h.read().decode().splitlines() if not l.startswith("#")]
print("\nmetrics (excerpt of /metrics):")
for l in lines:
    if l.startswith(("stepx_executions_total", "stepx_transitions_total", "stepx_stream_",
                     "stepx_dead_letters_total", "stepx_event_to_result_ms_count",
                     "stepx_tenant_requests_total", "stepx_machines ")):
        print("  " + l)
EOF

say "per-tenant bill (stepx usage)"
"$BIN/stepx" usage --redis "127.0.0.1:$REDIS_PORT"

say "stopping (SIGTERM: stepxd drains)"
kill -TERM "$STEPXD_PID"
wait "$STEPXD_PID" && echo "stepxd drained and exited 0" || echo "stepxd exited $?"
STEPXD_PID=""
tail -2 "$VAR/stepxd.log"
echo "demo took $(( $(date +%s) - T0 ))s"
