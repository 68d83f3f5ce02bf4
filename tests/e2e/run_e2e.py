#!/usr/bin/env python3
"""run_e2e.py: end-to-end tests of stepxd against a real redis-server, real stepxd processes
and a real local HTTP server (tests/e2e/toolserver.py).

  python3 tests/e2e/run_e2e.py --stepxd build/bin/stepxd [--only NAME] [--keep]

(--stepx PATH is accepted too, as the other runners take it: stepxd is looked up next to
it.) Each test starts its own redis-server on a random loopback port. Prints one line per
test and "N passed, N failed" last; exits non-zero on a failure.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_lib import Redis, Stepxd, ToolServer, machines_dir, mktemp, wait_for  # noqa: E402

EV, RES, DEAD, LOGS = "{stepx}:events", "{stepx}:results", "{stepx}:dead", "{stepx}:logs"

PASS3 = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Parameters": {"n.$": "$.n", "t.$": "$.tenant"}, "Next": "B"},
    "B": {"Type": "Pass", "Result": "ok", "ResultPath": "$.b", "Next": "C"},
    "C": {"Type": "Pass", "End": True}}}
WAIT1 = {"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 1, "Next": "D"},
    "D": {"Type": "Pass", "End": True}}}
WAIT3 = {"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3, "Next": "D"},
    "D": {"Type": "Pass", "End": True}}}
SLOWHTTP = {"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
          "Parameters": {"ApiEndpoint.$": "States.Format('{}/tools/echo', $.api)",
                         "Method": "POST", "RequestBody": {"n.$": "$.n"}},
          "ResultSelector": {"tool.$": "$.ResponseBody.tool"}, "End": True}}}
LOGALL = {"StartAt": "X", "States": {"X": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}}}

SFN = "arn:aws:states:::states:startExecution"
# nestp starts nestc and nestf; nestc waits 1 s (its parent finished long before), then
# starts nestg: four results per event, ids <id>, <id>/1 (nestc), <id>/2 (nestf), <id>/3.
NESTP = {"StartAt": "C", "States": {
    "C": {"Type": "Task", "Resource": SFN, "Next": "F", "ResultPath": "$.c",
          "Parameters": {"StateMachineArn": "nestc", "Input": {"v.$": "$.n"}}},
    "F": {"Type": "Task", "Resource": SFN, "End": True,
          "Parameters": {"StateMachineArn": "nestf", "Name.$": "States.Format('f-{}', $.n)"}}}}
NESTC = {"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 1, "Next": "G"},
    "G": {"Type": "Task", "Resource": SFN, "End": True,
          "Parameters": {"StateMachineArn": "nestg", "Input": {"g.$": "$.v"}}}}}
NESTF = {"StartAt": "X", "States": {"X": {"Type": "Fail", "Error": "Nope", "Cause": "nested"}}}
NESTG = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

EXTRA = {"nestp": NESTP, "nestc": NESTC, "nestf": NESTF, "nestg": NESTG, "pass3": PASS3, "wait1": WAIT1, "wait3": WAIT3, "slowhttp": SLOWHTTP, "logall": LOGALL}
TENANTS = ["acme", "globex", "initech", "umbrella", "default"]


class Ctx:
    """Per-test environment: temp dir, redis, machines dir, processes to stop."""

    def __init__(self, args):
        self.args = args
        self.tmp = mktemp()
        self.redis = Redis(self.tmp)
        self.r = self.redis.client()
        self.mdir = machines_dir(self.tmp, EXTRA)
        with open(os.path.join(self.mdir, "logall.meta.json"), "w") as f:
            json.dump({"loggingConfiguration": {"level": "ALL", "includeExecutionData": True,
                       "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn":
                           "arn:aws:logs:us-east-1:123456789012:log-group:/t/logall:*"}}]}}, f)
        self.procs = []
        self.tools = None
        self.nsx = 0

    def stepxd(self, **flags):
        self.nsx += 1
        flags.setdefault("workers", 2)
        flags.setdefault("consumer", "sx%d" % self.nsx)
        if flags["consumer"] is None:  # the built-in default: <host name>-<pid>
            del flags["consumer"]
        p = Stepxd(self.args.stepxd, self.redis.port, self.mdir,
                   os.path.join(self.tmp, "stepxd-%d.log" % self.nsx), **flags)
        self.procs.append(p)
        p.wait_ready()
        return p

    def toolserver(self, **kw):
        self.tools = ToolServer(**kw)
        return self.tools

    def send(self, events):
        """events: list of dicts of fields; returns the entry ids."""
        cmds = []
        for e in events:
            c = ["XADD", EV, "*"]
            for k, v in e.items():
                c += [k, v if isinstance(v, (str, bytes)) else json.dumps(v)]
            cmds.append(c)
        return self.r.pipeline(cmds)

    def results(self):
        return self.r.xrange_all(RES)

    def wait_results(self, n, timeout=60):
        return wait_for(lambda: self.r.call("XLEN", RES) >= n, timeout)

    def close(self):
        for p in self.procs:
            p.stop()
        if self.tools:
            self.tools.stop()
        self.redis.stop()
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print("    kept", self.tmp)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def nested_check(ctx, ids, tenant):
    """Every nestp event has its three nested results, each once, billed in its tenant."""
    by = exactly_once(ctx, [i + s for i in ids for s in ("", "/1", "/2", "/3")])
    idset = set(ids)
    mine = {k: f for k, f in by.items() if k.split("/")[0] in idset}
    check(len(mine) == 4 * len(ids), "%d results for %d events" % (len(mine), len(ids)))
    for i in ids:
        p, c, f, g = by[i], by[i + "/1"], by[i + "/2"], by[i + "/3"]
        check(p["status"] == "SUCCEEDED" and "parent" not in p, "parent %s" % p)
        arns = [json.loads(p["output"])["ExecutionArn"]]
        check(c["machine"] == "nestc" and c["status"] == "SUCCEEDED", "child %s" % c)
        check(":nestp:%s:" % i in c["parent"], "child's parent %s" % c["parent"])
        check(f["name"] == "f-%d" % ids.index(i) and ":nestf:%s:" % f["name"] in arns[0],
              "named child %s (parent output %s)" % (f, p["output"]))
        check(f["status"] == "FAILED" and f["error"] == "Nope", "failed child %s" % f)
        check(g["machine"] == "nestg" and ":nestc:%s:" % c["name"] in g["parent"],
              "grandchild %s, child %s" % (g, c))
        check(int(g["stop"]) >= int(c["start"]) + 1000 and int(p["stop"]) < int(g["stop"]),
              "the parent's commit waited for its nested executions")
        check(all(r["tenant"] == tenant for r in (p, c, f, g)), "nested tenant")
        check(all(int(r["billed_ms"]) >= 100 and int(r["billed_mb"]) >= 64
                  for r in (p, c, f, g)), "billed fields")
    usage_matches(ctx, mine)
    h = ctx.r.hgetall("{stepx}:usage:" + tenant)
    for m in ("nestp", "nestc", "nestf", "nestg"):
        check(int(h.get(m + "|requests", 0)) == len(ids), "%s billed %s times for %d events"
              % (m, h.get(m + "|requests"), len(ids)))
    return by


def exactly_once(ctx, ids):
    """Every id has exactly one result; returns {id: fields}."""
    res = ctx.results()
    by = {}
    for _, f in res:
        check(f["id"] not in by, "duplicate result for %s" % f["id"])
        by[f["id"]] = f
    missing = [i for i in ids if i not in by]
    check(not missing, "%d events without a result (e.g. %s)" % (len(missing), missing[:3]))
    return by


def usage_matches(ctx, by_id):
    """The usage hashes equal what the results say, per tenant and machine."""
    want = {}
    for f in by_id.values():
        k = (f["tenant"], f["machine"])
        w = want.setdefault(k, {"requests": 0, "billed_ms": 0, "billed_mb_ms": 0})
        w["requests"] += 1
        w["billed_ms"] += int(f["billed_ms"])
        w["billed_mb_ms"] += int(f["billed_ms"]) * int(f["billed_mb"])
    for (tenant, machine), w in want.items():
        h = ctx.r.hgetall("{stepx}:usage:" + tenant)
        for metric, v in w.items():
            got = int(h.get("%s|%s" % (machine, metric), 0))
            check(got == v, "usage %s %s|%s = %d, results say %d" % (tenant, machine, metric,
                                                                      got, v))


# ---------------------------------------------------------------- tests

def test_basics_and_dead_letters(ctx):
    tools = ctx.toolserver()
    sx = ctx.stepxd(max_input="2k")
    fan = {"order": {"id": "o-1", "total": 9.5}, "subscribers": [
        {"channel": "email", "address": "a@example.com"},
        {"channel": "webhook", "address": tools.url + "/hook/1"},
        {"channel": "webhook", "address": "http://127.0.0.1:1/hook"}]}
    good = ctx.send([
        {"machine": "event-fanout", "tenant": "acme", "input": fan, "name": "order-1"},
        {"machine": "agent", "tenant": "globex", "input": {"goal": "g", "api": tools.url}},
        {"machine": "pass3", "input": {"n": 1, "tenant": "x"}},
        {"machine": "logall", "tenant": "acme", "input": {}},
        # MessagePack {"n": 7, "tenant": "mp"}
        {"machine": "pass3", "tenant": "acme", "input_msgpack": b"\x82\xa1n\x07\xa6tenant\xa2mp"},
    ])
    bad = ctx.send([
        {"machine": "nope", "input": {}},
        {"machine": "pass3", "input": "{not json"},
        {"input": "{}"},
        {"machine": "pass3"},
        {"machine": "pass3", "input": {"pad": "x" * 3000}},
        {"machine": "pass3", "input_msgpack": "\xc1"},
    ])
    check(ctx.wait_results(len(good), 30), "results did not arrive")
    check(wait_for(lambda: ctx.r.call("XLEN", DEAD) >= len(bad), 10), "dead letters missing")
    by = exactly_once(ctx, good)
    f = by[good[0]]
    check(f["status"] == "SUCCEEDED" and json.loads(f["output"]) == {"orderId": "o-1",
                                                                       "notified": 3},
          "fan-out output %s" % f)
    check(f["name"] == "order-1", "execution name")
    a = by[good[1]]
    out = json.loads(a.get("output", "{}"))
    check(a["status"] == "SUCCEEDED" and out.get("published", "").startswith("pub-"),
          "agent %s" % a)
    check(len(out["answers"]) == 3, "agent answers %s" % out)
    check(by[good[2]]["tenant"] == "default", "default tenant")
    check(by[good[3]]["status"] == "FAILED" and by[good[3]]["error"] == "Boom", "Fail state")
    check(json.loads(by[good[4]]["output"]) == {"n": 7, "t": "mp", "b": "ok"},
          "msgpack input: %s" % by[good[4]])
    st = tools.stats()
    check(st.get("hook") == 1 and st.get("plan") == 1 and st.get("tools") == 3, "tool hits %s"
          % st)
    dead = {f["id"]: f["reason"] for _, f in ctx.r.xrange_all(DEAD)}
    reasons = [dead.get(i, "") for i in bad]
    check("unknown state machine" in reasons[0], reasons[0])
    check("not valid JSON" in reasons[1], reasons[1])
    check("machine" in reasons[2], reasons[2])
    check("input" in reasons[3], reasons[3])
    check("max_input" in reasons[4], reasons[4])
    check("MessagePack" in reasons[5], reasons[5])
    usage_matches(ctx, by)
    for t in ("acme", "globex", "default"):
        h = ctx.r.hgetall("{stepx}:usage:" + t)
        check(not any(k.startswith("nope|") for k in h), "dead letters billed")
    # logging: logall (level ALL) writes its history, the others (OFF/ERROR success) less
    check(wait_for(lambda: ctx.r.call("XLEN", LOGS) >= 3, 5), "log stream entries")
    logs = ctx.r.xrange_all(LOGS)
    check(any(f.get("machine") == "logall" for _, f in logs), "logall entries")
    key = 'stepx_tenant_requests_total{tenant="acme"}'
    wait_for(lambda: sx.metrics().get(key) == 3, 5)  # commit replies land just after XLEN
    m = sx.metrics()
    check(m['stepx_executions_total{status="SUCCEEDED"}'] == 4, "metrics succeeded")
    check(m['stepx_dead_letters_total{source="executor"}'] == 3, "executor dead letters")
    check(m['stepx_tenant_requests_total{tenant="acme"}'] == 3, "tenant metric")
    check(sx.healthz() == 200, "healthz")


def test_bulk_many_tenants(ctx):
    ctx.stepxd()
    events = []
    for i in range(4000):
        t = TENANTS[i % len(TENANTS)]
        if i % 4 == 3:
            events.append({"machine": "event-fanout", "tenant": t, "input": {
                "order": {"id": "o%d" % i, "total": i},
                "subscribers": [{"channel": "email", "address": "x%d@e.com" % k}
                                for k in range(1 + i % 5)]}})
        else:
            events.append({"machine": "pass3", "tenant": t, "input": {"n": i, "tenant": t}})
    t0 = time.time()
    ids = ctx.send(events)
    check(ctx.wait_results(len(ids), 90), "only %d of %d results" % (ctx.r.call("XLEN", RES),
                                                                      len(ids)))
    dt = time.time() - t0
    by = exactly_once(ctx, ids)
    check(all(f["status"] == "SUCCEEDED" for f in by.values()), "a bulk execution failed")
    for i, eid in enumerate(ids[:200]):
        f = by[eid]
        if events[i]["machine"] == "pass3":
            check(json.loads(f["output"]) == {"n": i, "t": events[i]["tenant"], "b": "ok"},
                  "output of %d: %s" % (i, f["output"]))
        else:
            check(json.loads(f["output"])["notified"] == 1 + i % 5, "fan-out %d" % i)
    usage_matches(ctx, by)
    print("    %d events in %.2fs (%.0f/s incl. producer)" % (len(ids), dt, len(ids) / dt))


def test_tasks_in_flight_concurrently(ctx):
    tools = ctx.toolserver(delay_ms=1000)
    sx = ctx.stepxd()
    evs = [{"machine": "wait1", "input": {"i": i}} for i in range(150)]
    evs += [{"machine": "slowhttp", "input": {"n": i, "api": tools.url}} for i in range(100)]
    t0 = time.time()
    ids = ctx.send(evs)
    peak = [0]

    def done():
        peak[0] = max(peak[0], sx.metrics()["stepx_executions_in_flight"])
        return ctx.r.call("XLEN", RES) >= len(ids)
    check(wait_for(done, 40, 0.1), "not all finished")
    dt = time.time() - t0
    by = exactly_once(ctx, ids)
    bad = [f for f in by.values() if f["status"] != "SUCCEEDED"]
    check(not bad, "failures: %s" % bad[:2])
    check(dt < 12, "250 one-second executions took %.1fs: not concurrent" % dt)
    check(peak[0] >= 50, "peak in flight %d" % peak[0])
    print("    250 x 1s (Wait / HTTP) in %.2fs, peak %d in flight" % (dt, peak[0]))


def test_backpressure(ctx):
    sx = ctx.stepxd(workers=1, max_executions=5)
    ids = ctx.send([{"machine": "wait1", "input": {}} for _ in range(20)])
    peak = [0]

    def done():
        peak[0] = max(peak[0], sx.metrics()["stepx_executions_in_flight"])
        return ctx.r.call("XLEN", RES) >= len(ids)
    check(wait_for(done, 30, 0.05), "not all finished")
    m = sx.metrics()
    check(peak[0] <= 5, "in flight %d > max_executions" % peak[0])
    check(m["stepx_read_pauses_total"] >= 1, "never paused")
    exactly_once(ctx, ids)


def test_two_processes_share_group_and_kill9(ctx):
    fast = {"claim_idle": "1500ms", "claim_interval": "300ms", "max_executions": 150}
    a = ctx.stepxd(**fast)
    b = ctx.stepxd(**fast)
    ids = ctx.send([{"machine": "pass3", "tenant": TENANTS[i % 3], "input": {"n": i}}
                    for i in range(3000)])
    check(ctx.wait_results(len(ids), 60), "phase 1 incomplete")
    # the commit replies reach the processes' counters just after the results are in Redis
    wait_for(lambda: a.metrics()["stepx_results_written_total"] +
             b.metrics()["stepx_results_written_total"] >= len(ids), 5)
    wa = a.metrics()["stepx_results_written_total"]
    wb = b.metrics()["stepx_results_written_total"]
    check(wa > 0 and wb > 0 and wa + wb == len(ids), "shared group: %d + %d" % (wa, wb))
    # phase 2: kill -9 one process while it holds executions
    ids2 = ctx.send([{"machine": "wait1", "tenant": TENANTS[i % 3], "input": {"n": i}}
                     for i in range(800)])
    check(wait_for(lambda: a.metrics()["stepx_executions_in_flight"] > 20, 10), "a idle")
    a.signal(signal.SIGKILL)
    a.wait()
    check(ctx.wait_results(len(ids) + len(ids2), 60), "lost events after kill -9: %d of %d"
          % (ctx.r.call("XLEN", RES), len(ids) + len(ids2)))
    time.sleep(0.5)
    by = exactly_once(ctx, ids + ids2)
    check(len(by) == len(ids) + len(ids2), "extra results")
    usage_matches(ctx, by)
    total = sum(int(ctx.r.hgetall("{stepx}:usage:" + t).get(m + "|requests", 0))
                for t in TENANTS[:3] for m in ("pass3", "wait1"))
    check(total == len(ids) + len(ids2), "billed %d for %d events" % (total,
                                                                    len(ids) + len(ids2)))
    check(b.metrics()["stepx_entries_reclaimed_total"] > 0, "b reclaimed nothing")


def test_default_consumer_names(ctx):
    """Two processes on one host without --consumer get distinct consumer names
    (<host>-<pid>-<i>) and share the work of one group."""
    import socket
    a = ctx.stepxd(consumer=None)
    b = ctx.stepxd(consumer=None)
    ids = ctx.send([{"machine": "pass3", "input": {"n": i}} for i in range(2000)])
    check(ctx.wait_results(len(ids), 60), "results did not arrive")
    exactly_once(ctx, ids)
    names = []
    for c in ctx.r.call("XINFO", "CONSUMERS", EV, "stepxd"):
        names.append(dict(zip(c[0::2], c[1::2]))["name"])
    host = socket.gethostname()[:63]
    want = sorted("%s-%d-%d" % (host, p.proc.pid, i) for p in (a, b) for i in range(2))
    check(sorted(names) == want, "consumers %s, want %s" % (names, want))
    wait_for(lambda: a.metrics()["stepx_results_written_total"] +
             b.metrics()["stepx_results_written_total"] >= len(ids), 5)
    wa = a.metrics()["stepx_results_written_total"]
    wb = b.metrics()["stepx_results_written_total"]
    check(wa > 0 and wb > 0 and wa + wb == len(ids), "shared group: %d + %d" % (wa, wb))


def test_nested_executions(ctx):
    sx = ctx.stepxd()
    ids = ctx.send([{"machine": "nestp", "tenant": "acme", "input": {"n": i}}
                    for i in range(50)])
    check(ctx.wait_results(4 * len(ids), 30), "nested results did not arrive")
    nested_check(ctx, ids, "acme")
    key = 'stepx_tenant_requests_total{tenant="acme"}'
    check(wait_for(lambda: sx.metrics().get(key) == 4 * len(ids), 5), "tenant metric %s"
          % sx.metrics().get(key))


def test_nested_redelivered_once(ctx):
    """A process stopped while its events wait for nested executions: another takes the
    events over and runs everything again; when the first wakes up its commits find the
    entries acked and write and bill none of their nested results."""
    fast = {"claim_idle": "1500ms", "claim_interval": "300ms", "workers": 1}
    a = ctx.stepxd(**fast)
    ids = ctx.send([{"machine": "nestp", "tenant": "globex", "input": {"n": i}}
                    for i in range(40)])
    check(wait_for(lambda: a.metrics()["stepx_executions_in_flight"] >= 40, 10), "a idle")
    a.signal(signal.SIGSTOP)
    try:
        b = ctx.stepxd(**fast)
        check(ctx.wait_results(4 * len(ids), 30), "b did not take the events over")
    finally:
        a.signal(signal.SIGCONT)
    check(wait_for(lambda: a.metrics()["stepx_results_duplicate_total"] >= 1, 10),
          "a's late commits were not duplicates")
    time.sleep(0.5)
    nested_check(ctx, ids, "globex")
    check(b.metrics()["stepx_entries_reclaimed_total"] > 0, "b reclaimed nothing")


def test_machine_tenant(ctx):
    """NAME.meta.json's tenant bills the events that carry none; an event's tenant wins."""
    for m in ("nestp", "pass3"):
        with open(os.path.join(ctx.mdir, m + ".meta.json"), "w") as f:
            json.dump({"tenant": "t-" + m}, f)
    with open(os.path.join(ctx.mdir, "badtenant.asl.json"), "w") as f:
        json.dump(NESTG, f)
    with open(os.path.join(ctx.mdir, "badtenant.meta.json"), "w") as f:
        json.dump({"tenant": "x:2024-01-02"}, f)
    sx = ctx.stepxd()
    nest = ctx.send([{"machine": "nestp", "input": {"n": i}} for i in range(5)])
    own = ctx.send([{"machine": "pass3", "input": {"n": 1, "tenant": "x"}},
                    {"machine": "pass3", "tenant": "acme", "input": {"n": 2, "tenant": "x"}},
                    {"machine": "nestg", "input": {}}])
    check(ctx.wait_results(4 * len(nest) + len(own), 30), "results did not arrive")
    nested_check(ctx, nest, "t-nestp")  # nested ones follow their root event's tenant
    by = {f["id"]: f for _, f in ctx.results()}
    got = [by[i]["tenant"] for i in own]
    check(got == ["t-pass3", "acme", "default"], "tenants %s" % got)
    usage_matches(ctx, by)
    check(sx.metrics()["stepx_machine_load_errors"] >= 1, "bad metadata tenant accepted")


def test_sigterm_drains(ctx):
    sx = ctx.stepxd()
    ids = ctx.send([{"machine": "wait1", "input": {"n": i}} for i in range(300)])
    check(wait_for(lambda: sx.metrics()["stepx_executions_in_flight"] > 50, 10), "idle")
    sx.signal(signal.SIGTERM)
    rc = sx.wait(30)
    check(rc == 0, "exit code %s" % rc)
    info = ctx.r.call("XINFO", "GROUPS", EV)[0]
    g = dict(zip(info[0::2], info[1::2]))
    check(g["pending"] == 0, "pending after drain: %s" % g["pending"])
    done = ctx.r.call("XLEN", RES)
    check(done > 50, "drain finished only %d" % done)
    # what was never read is still there for the next process
    ctx.stepxd()
    check(ctx.wait_results(len(ids), 30), "leftovers not processed")
    exactly_once(ctx, ids)


def test_sigterm_grace_leaves_pending(ctx):
    sx = ctx.stepxd(shutdown_grace="300ms")
    ids = ctx.send([{"machine": "wait3", "input": {"n": i}} for i in range(40)])
    check(wait_for(lambda: sx.metrics()["stepx_executions_in_flight"] >= 40, 10), "idle")
    sx.signal(signal.SIGTERM)
    rc = sx.wait(30)
    check(rc == 1, "exit code %s (want 1: work left pending)" % rc)
    check(ctx.r.call("XLEN", RES) == 0, "results written after the grace")
    ctx.stepxd(claim_idle="500ms", claim_interval="200ms")
    check(ctx.wait_results(len(ids), 30), "pending work not taken over")
    exactly_once(ctx, ids)


def test_hot_reload(ctx):
    ctx.stepxd()
    p = os.path.join(ctx.mdir, "fresh.asl.json")
    with open(p, "w") as f:
        json.dump({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}},
                  f)
    time.sleep(1.0)
    i1 = ctx.send([{"machine": "fresh", "input": {}}])
    check(ctx.wait_results(1, 10), "fresh machine not loaded")
    with open(p, "w") as f:
        json.dump({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 2, "End": True}}},
                  f)
    time.sleep(1.0)
    i2 = ctx.send([{"machine": "fresh", "input": {}}])
    ctx.r.call("HSET", "{stepx}:machines", "fromredis", json.dumps({
        "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "r",
                                                         "End": True}}},
        "type": "EXPRESS", "revision": 1}))
    time.sleep(1.0)
    i3 = ctx.send([{"machine": "fromredis", "input": {}}])
    check(ctx.wait_results(3, 10), "reloaded machines did not run")
    by = exactly_once(ctx, i1 + i2 + i3)
    outs = [by[i].get("output") for i in i1 + i2 + i3]
    check(outs == ["1", "2", '"r"'], "outputs after reloads: %s" % outs)


def test_check_and_help(ctx):
    import subprocess
    ok = subprocess.run([ctx.args.stepxd, "--check", "--machines-dir", ctx.mdir],
                        capture_output=True, text=True, timeout=30)
    check(ok.returncode == 0, "check rc %d: %s" % (ok.returncode, ok.stderr[-300:]))
    check('stepx_machine_info{machine="pass3"' in ok.stdout, "check lists machines")
    with open(os.path.join(ctx.mdir, "broken.asl.json"), "w") as f:
        f.write('{"StartAt": "Missing", "States": {}}')
    bad = subprocess.run([ctx.args.stepxd, "--check", "--machines-dir", ctx.mdir],
                         capture_output=True, text=True, timeout=30)
    check(bad.returncode == 1 and "broken" in bad.stderr, "check of a broken definition")
    typo = subprocess.run([ctx.args.stepxd, "--check", "--no-such-key", "1"],
                          capture_output=True, text=True, timeout=30)
    check(typo.returncode == 2 and "no-such-key" in typo.stderr.replace("_", "-"),
          "unknown flag: %s" % typo.stderr)
    h = subprocess.run([ctx.args.stepxd, "--help"], capture_output=True, text=True, timeout=30)
    check(h.returncode == 0 and "--max-executions" in h.stdout, "help")


TESTS = [test_check_and_help, test_basics_and_dead_letters, test_bulk_many_tenants, test_tasks_in_flight_concurrently,
         test_backpressure, test_two_processes_share_group_and_kill9, test_default_consumer_names,
         test_nested_executions, test_nested_redelivered_once, test_machine_tenant,
         test_sigterm_drains,
         test_sigterm_grace_leaves_pending, test_hot_reload]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stepxd")
    ap.add_argument("--stepx")
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if not args.stepxd:
        base = os.path.dirname(args.stepx) if args.stepx else "build/bin"
        args.stepxd = os.path.join(base, "stepxd")
    args.stepxd = os.path.abspath(args.stepxd)
    if not shutil.which("redis-server"):
        print("redis-server not installed")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for t in TESTS:
        if args.only and args.only not in t.__name__:
            continue
        ctx = None
        t0 = time.time()
        try:
            ctx = Ctx(args)
            t(ctx)
            passed += 1
            print("PASS %s (%.1fs)" % (t.__name__, time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001
            failed += 1
            print("FAIL %s (%.1fs): %s" % (t.__name__, time.time() - t0, e), flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc()
            if ctx:
                args.keep = True
        finally:
            if ctx:
                ctx.close()
                args.keep = False if not ap.parse_args().keep else True
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
