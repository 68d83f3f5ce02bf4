#!/usr/bin/env python3
"""test_bench_report.py: checks bench/bench_report.py on a made-up raw directory.

What matters in the report: ratios are formed within a repetition and then the median is
taken; a failed run (empty or broken file) is missing, never zero; a JSONata run that
measured no case is "not measured"; the docs section is replaced in place. Prints
"N passed, N failed" last, exits non-zero on a failure.
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
import bench_report  # noqa: E402

RESULTS = {"passed": 0, "failed": 0}


def check(name, cond):
    if cond:
        RESULTS["passed"] += 1
    else:
        RESULTS["failed"] += 1
        print(f"FAIL {name}")


def put(raw, rel, obj):
    path = os.path.join(raw, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj) + "\n")


def engine_rec(tps, eps=1.0):
    return {"exec_per_s": eps, "transitions_per_s": tps, "p50_us": 1, "p99_us": 2,
            "peak_rss_kb": 1024}


def make_raw(raw):
    # Per-rep ratios 100/1, 300/2, 50/0.5 = 100x, 150x, 100x: median 100x. A fourth rep whose
    # peer run failed gives no ratio but still counts in our median (100,300,50,1000 -> 200).
    for rep, (ours, peer) in enumerate([(100, 1), (300, 2), (50, 0.5)], start=1):
        put(raw, f"engine/pass-chain/stepx.{rep}.json", engine_rec(ours))
        put(raw, f"engine/pass-chain/peer.{rep}.json", engine_rec(peer))
    put(raw, "engine/pass-chain/stepx.4.json", engine_rec(1000))
    put(raw, "engine/pass-chain/peer.4.json", "")  # failed run
    put(raw, "engine/pass-chain/outputs.json", {"same": True})
    put(raw, "engine/choice-loop/outputs.json", {"same": False})
    # Choice-loop: our runs all failed.
    put(raw, "engine/choice-loop/stepx.1.json", "not json\n")
    put(raw, "engine/choice-loop/peer.1.json", engine_rec(10))
    # Park.
    put(raw, "park/wait-park/stepx.1.json",
        {"parked": 100000, "executions": 100000, "peak_rss_kb": 90000, "failed": 0})
    put(raw, "park/wait-park/peer.1.json",
        {"n": 1000, "max_in_flight": 1000, "peak_rss_kb": 200000, "failed": 0})
    # JSONata: ours measured nothing.
    put(raw, "jsonata/suite/stepx.1.json", {"cases": 0, "selected": 830, "errors": 830,
                                            "mismatches": 0, "evals_per_s": 0})
    put(raw, "jsonata/suite/peer.1.json", {"impl": "jsonata@2.2.2", "cases": 830,
                                           "evals_per_s": 300, "geomean_evals_per_s": 30000})
    # JSON: one doc, two reps.
    for rep, (a, b) in enumerate([(10, 2), (12, 2)], start=1):
        put(raw, f"json/docs/stepx.{rep}.json", {"docs": [
            {"name": "small", "bytes": 500, "stepx": {"parses_per_s": a, "mb_per_s": a / 2},
             "jansson": {"parses_per_s": b, "mb_per_s": b / 2}, "ratio": a / b}]})
    put(raw, "machine.json", {"date": "2024-01-01 00:00 UTC", "git": "abc", "reps": 3,
                              "cpus": 2, "load_start": "1 1 1", "load_end": "1 1 1"})


def test_engine(res):
    rows = {r["workflow"]: r for r in res["engine"]}
    pc = rows["pass-chain"]
    check("engine ratio is the median of per-rep ratios", abs(pc["ratio_transitions_per_s"] - 100) < 1e-9)
    check("engine failed peer rep ignored", pc["peer"]["reps_ok"] == 3)
    check("engine ours median over 4 reps", pc["stepx"]["transitions_per_s"] == 200)
    cl = rows["choice-loop"]
    check("engine broken file is missing", cl["stepx"]["reps_ok"] == 0)
    check("engine missing side gives no ratio", cl["ratio_transitions_per_s"] is None)
    check("engine missing side has no figure", cl["stepx"]["transitions_per_s"] is None)
    check("engine outputs agree", pc["same_output"] is True and cl["same_output"] is False)


def test_other(res):
    check("park figures", res["park"][0]["stepx"]["peak_rss_kb"] == 90000)
    j = res["jsonata"]
    check("jsonata nothing measured is None", j["stepx"]["evals_per_s"] is None)
    check("jsonata peer ratio None", j["peers"]["peer"]["ratio_geomean"] is None)
    check("jsonata selection kept", j["stepx_selected"] == 830)
    doc = res["json"][0]
    check("json ratio median of 5 and 6", abs(doc["ratio"] - 5.5) < 1e-9)
    check("json medians", doc["stepx"]["parses_per_s"] == 11)


def test_markdown(res, tmp):
    md = bench_report.markdown(res)
    check("markdown engine verdict", "| pass-chain | 200 | 1 | 100× | ≥100× (met)" in md)
    check("markdown not measured", "not measured" in md)
    check("markdown output check", "| yes |" in md and "| NO |" in md)
    check("markdown park met", "(met)" in md.split("Parked")[1])
    doc = os.path.join(tmp, "doc.md")
    with open(doc, "w", encoding="utf-8") as f:
        f.write("intro\n<!-- figures:begin -->\nold\n<!-- figures:end -->\ntail\n")
    bench_report.update_docs(doc, md)
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    check("docs old figures replaced", "old" not in text and md in text)
    check("docs text kept", text.startswith("intro\n") and text.endswith("end -->\ntail\n"))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw")
        make_raw(raw)
        res = bench_report.build(raw)
        test_engine(res)
        test_other(res)
        test_markdown(res, tmp)
    print(f"bench_report: {RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
