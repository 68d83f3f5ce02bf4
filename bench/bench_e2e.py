#!/usr/bin/env python3
"""bench_e2e.py: stepxd end to end through Redis, against the same-run Redis ceiling.

  python3 bench/bench_e2e.py [--bin build/bin] [--ceiling-bin DIR] [--events 200000]
                             [--workers 2] [--reps 3]

For each repetition, on a fresh redis-server (loopback, no persistence):
  1. ceilings: build/bin/bench_ceiling --events N --size S in both modes, each on its own
     fresh redis-server: --mode raw (a minimal C consumer: XREADGROUP + the commit script,
     the issue's "minimal C consumer") and --mode layer (our stream layer with no engine,
     output = input); S = the pass-chain input's size; events/s from its JSON line;
  2. stepxd: one stepxd process (--workers W) running pass-chain
     (/work/shared/bench/workflows, 10 Pass states, ~1.6 KB input); bench_produce (the
     ceilings' producer loop as a process: C, pipelined 64 deep) XADDs N events flat out
     while stepxd consumes; executions/s = results /
     (last result id time - first event id time);
  3. latency: the producer paces events at half the stepxd rate measured in 2 for
     --lat-seconds; event -> result latency = result entry id time - event id time (ms,
     the resolution of stream ids) and stepxd's own histogram as a cross-check.
Prints one line per step and a JSON summary last (medians over the repetitions).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from e2e_lib import Redis, Stepxd  # noqa: E402

WF = "/work/shared/bench/workflows"


def producer(binary, port, n, payload, rate):
    """bench_produce: XADD n events (rate 0 = flat out), the same C loop, pipeline depth and
    client cost as bench_ceiling's producer, so both sides are fed alike."""
    return subprocess.Popen([binary, "--port", str(port), "--events", str(n), "--input", payload,
                             "--machine", "pass-chain", "--tenant", "bench",
                             "--rate", str(int(rate))], stdout=subprocess.DEVNULL)


def proc_cpu(pid):
    """CPU seconds (user + system) of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def info_cpu(r):
    info = r.call("INFO", "cpu")
    vals = dict(l.split(":", 1) for l in info.splitlines() if ":" in l)
    return float(vals["used_cpu_user"]) + float(vals["used_cpu_sys"])


def id_ms(eid):
    return int(eid.split("-")[0])


def ceiling(binary, port, n, size, mode):
    out = subprocess.run([binary, "--port", str(port), "--events", str(n), "--size", str(size),
                          "--mode", mode], capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_stepxd(args, tmp, redis, n, rate):
    mdir = os.path.join(tmp, "machines")
    os.makedirs(mdir, exist_ok=True)
    with open(os.path.join(WF, "pass-chain.asl.json")) as f, \
            open(os.path.join(mdir, "pass-chain.asl.json"), "w") as g:
        g.write(f.read())
    flags = {"workers": args.workers, "machines_registry": "off", "consumer": "bench"}
    flags.update(args.opts)
    sx = Stepxd(os.path.join(args.bin, "stepxd"), redis.port, mdir,
                os.path.join(tmp, "stepxd.log"), **flags)
    sx.wait_ready()
    r = redis.client()
    cpu0, rcpu0 = proc_cpu(sx.proc.pid), info_cpu(r)
    p = producer(os.path.join(args.ceiling_bin, "bench_produce"), redis.port, n,
                 os.path.join(WF, "pass-chain.input.json"), rate)
    deadline = time.time() + 600
    while r.call("XLEN", "{stepx}:results") < n and time.time() < deadline:
        if p.poll() not in (None, 0):
            sx.stop()
            raise SystemExit("bench_produce failed (exit %s)" % p.returncode)
        time.sleep(0.02)
    p.wait()
    cpu = proc_cpu(sx.proc.pid) - cpu0
    redis_cpu = info_cpu(r) - rcpu0
    first = r.call("XRANGE", "{stepx}:events", "-", "+", "COUNT", 1)[0][0]
    res = r.xrange_all("{stepx}:results")
    m = sx.metrics()
    sx.stop()
    lat = sorted(id_ms(rid) - id_ms(f["id"]) for rid, f in res)
    span = max(id_ms(rid) for rid, _ in res) - id_ms(first)
    ok = sum(1 for _, f in res if f["status"] == "SUCCEEDED")
    return {"results": len(res), "succeeded": ok, "eps": len(res) * 1000.0 / max(1, span),
            "p50_ms": lat[len(lat) // 2], "p99_ms": lat[int(len(lat) * 0.99)],
            "hist_count": m.get("stepx_event_to_result_ms_count", 0),
            "stepxd_us_per_event": cpu * 1e6 / max(1, len(res)),
            "redis_us_per_event": redis_cpu * 1e6 / max(1, len(res))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--ceiling-bin",
                    help="directory of bench_ceiling and bench_produce (default: --bin)")
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--lat-seconds", type=float, default=10)
    ap.add_argument("--stepxd-opt", action="append", default=[], metavar="KEY=VALUE",
                    help="extra stepxd option (repeatable), e.g. read_count=512")
    ap.add_argument("--only-stepxd", action="store_true",
                    help="skip the ceilings and the latency step (tuning runs)")
    args = ap.parse_args()
    args.opts = dict(kv.split("=", 1) for kv in args.stepxd_opt)
    args.bin = os.path.abspath(args.bin)
    args.ceiling_bin = os.path.abspath(args.ceiling_bin or args.bin)
    size = os.path.getsize(os.path.join(WF, "pass-chain.input.json"))
    ceil, raw, sx, lat, cpu, rcpu = [], [], [], [], [], []
    for rep in range(args.reps):
        for step in (("stepxd",) if args.only_stepxd else ("raw", "ceiling", "stepxd", "latency")):
            tmp = tempfile.mkdtemp(prefix="stepx-bench-")
            redis = Redis(tmp)
            try:
                if step in ("raw", "ceiling"):
                    c = ceiling(os.path.join(args.ceiling_bin, "bench_ceiling"), redis.port,
                                args.events, size, "raw" if step == "raw" else "layer")
                    (raw if step == "raw" else ceil).append(c["eps"])
                    name = "raw ceiling" if step == "raw" else "layer ceiling"
                    print("rep %d %s: %.0f events/s (p50 %.2f ms, p99 %.2f ms; redis %.1f "
                          "us/event)" % (rep, name, c["eps"], c["p50_ms"], c["p99_ms"],
                                         c.get("redis_us_per_event", 0)), flush=True)
                elif step == "stepxd":
                    s = run_stepxd(args, tmp, redis, args.events, 0)
                    sx.append(s["eps"])
                    cpu.append(s["stepxd_us_per_event"])
                    rcpu.append(s["redis_us_per_event"])
                    ratios = "" if args.only_stepxd else " = %.0f %% of raw, %.0f %% of layer" % (
                        100 * s["eps"] / raw[-1], 100 * s["eps"] / ceil[-1])
                    print("rep %d stepxd pass-chain: %.0f executions/s%s (%d/%d succeeded; "
                          "stepxd %.1f us/event, redis %.1f us/event)" % (
                              rep, s["eps"], ratios, s["succeeded"], s["results"],
                              s["stepxd_us_per_event"], s["redis_us_per_event"]), flush=True)
                else:
                    rate = sx[-1] / 2
                    n = int(rate * args.lat_seconds)
                    s = run_stepxd(args, tmp, redis, n, rate)
                    lat.append(s)
                    print("rep %d latency at %.0f/s (half load): p50 %d ms, p99 %d ms" % (
                        rep, rate, s["p50_ms"], s["p99_ms"]), flush=True)
            finally:
                redis.stop()
                subprocess.run(["rm", "-rf", tmp])
    if args.only_stepxd:
        print(json.dumps({"bench": "e2e", "only_stepxd": True, "opts": args.opts,
                          "stepxd_eps": statistics.median(sx),
                          "stepxd_us_per_event": statistics.median(cpu),
                          "redis_us_per_event": statistics.median(rcpu)}))
        return
    ratios = [a / b for a, b in zip(sx, ceil)]
    raw_ratios = [a / b for a, b in zip(sx, raw)]
    summary = {"bench": "e2e", "workflow": "pass-chain", "events": args.events,
               "workers": args.workers, "input_bytes": size,
               "raw_eps": statistics.median(raw), "ceiling_eps": statistics.median(ceil),
               "stepxd_eps": statistics.median(sx),
               "ratio_raw": statistics.median(raw_ratios),
               "ratios_raw": [round(x, 3) for x in raw_ratios],
               "ratio": statistics.median(ratios), "ratios": [round(x, 3) for x in ratios],
               "stepxd_us_per_event": statistics.median(cpu),
               "redis_us_per_event": statistics.median(rcpu),
               "half_load_eps": statistics.median(s["eps"] for s in lat),
               "p50_ms": statistics.median(s["p50_ms"] for s in lat),
               "p99_ms": statistics.median(s["p99_ms"] for s in lat)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
