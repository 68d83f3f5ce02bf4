#!/usr/bin/env python3
"""bench_report.py: turns the raw outputs of scripts/bench.sh into results.json + a table.

Raw layout (one JSON line per file, as each benchmark prints it):

    RAW/engine/<workflow>/<impl>.<rep>.json    stepx bench / asl_peer.mjs
    RAW/park/<workflow>/<impl>.<rep>.json      stepx bench --park / asl_peer.mjs --wait-ms
    RAW/jsonata/suite/<impl>.<rep>.json        bench_jsonata / jsonata_peer.mjs
    RAW/json/docs/<impl>.<rep>.json            bench_json (both parsers in one line)
    RAW/machine.json                           written by bench.sh

<impl> is "stepx" or a peer name ("peer", "peer-2.0.6"). A file that is empty or not JSON
means that run failed; it is reported as missing, never as zero.

Ratios are formed per repetition (ours and the peer ran back to back in the same rep) and the
median of those ratios is reported, next to the median figure of each side. Nothing here
measures anything: it only reads files.

Usage: bench_report.py RAW [--json OUT.json] [--markdown OUT.md] [--docs DOC.md]
--docs replaces the text between "<!-- figures:begin -->" and "<!-- figures:end -->" in DOC.md
with the markdown table. The markdown always goes to stdout as well.
"""
import argparse
import json
import os
import re
import statistics
import sys

# The issue's targets and the peer figures it quotes (2-core machine, node 20).
ENGINE_TARGET_RATIO = 100.0
ENGINE_ISSUE_PEER_TPS = {"pass-chain": 31000, "choice-loop": 43000, "map-fanout": 28000}
JSONATA_TARGET_RATIO = 5.0
PARK_TARGET_KB = 100 * 1024
PARK_TARGET_N = 100000


def load_line(path):
    """Returns the JSON object in path (last non-empty line), or None when absent/invalid."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [x for x in f.read().splitlines() if x.strip()]
    except OSError:
        return None
    if not lines:
        return None
    try:
        v = json.loads(lines[-1])
    except ValueError:
        return None
    return v if isinstance(v, dict) else None


def collect(raw, bench):
    """Returns {case: {impl: [record per rep, in rep order]}} for one benchmark."""
    out = {}
    base = os.path.join(raw, bench)
    if not os.path.isdir(base):
        return out
    for case in sorted(os.listdir(base)):
        d = os.path.join(base, case)
        if not os.path.isdir(d):
            continue
        runs = {}
        for name in os.listdir(d):
            m = re.fullmatch(r"(.+)\.(\d+)\.json", name)
            if not m:
                continue
            runs.setdefault(m.group(1), {})[int(m.group(2))] = load_line(os.path.join(d, name))
        out[case] = {impl: [reps[k] for k in sorted(reps)] for impl, reps in runs.items()}
    return out


def median_of(recs, key):
    xs = [r[key] for r in recs if r is not None and isinstance(r.get(key), (int, float))]
    return statistics.median(xs) if xs else None


def ratio_median(ours, theirs, key):
    """Median over reps of ours[rep][key] / theirs[rep][key] (reps where both ran)."""
    rs = []
    for a, b in zip(ours, theirs):
        if a is None or b is None:
            continue
        x, y = a.get(key), b.get(key)
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and x > 0 and y > 0:
            rs.append(x / y)
    return statistics.median(rs) if rs else None


def summarize(recs, keys, need=None):
    """Median of each key over the reps, plus the count of reps that produced a record. With
    `need`, a record whose `need` field is 0 (nothing measured) counts as missing."""
    if need is not None:
        recs = [r if r is not None and r.get(need) else None for r in recs]
    s = {k: median_of(recs, k) for k in keys}
    s["reps_ok"] = sum(1 for r in recs if r is not None)
    return s


ENGINE_KEYS = ["exec_per_s", "transitions_per_s", "p50_us", "p99_us", "peak_rss_kb"]


def engine_results(raw):
    res = []
    for wf, impls in collect(raw, "engine").items():
        ours, peer = impls.get("stepx", []), impls.get("peer", [])
        res.append({
            "workflow": wf,
            "stepx": summarize(ours, ENGINE_KEYS),
            "peer": summarize(peer, ENGINE_KEYS),
            "ratio_transitions_per_s": ratio_median(ours, peer, "transitions_per_s"),
            "ratio_exec_per_s": ratio_median(ours, peer, "exec_per_s"),
            "target_ratio": ENGINE_TARGET_RATIO,
            "issue_peer_transitions_per_s": ENGINE_ISSUE_PEER_TPS.get(wf),
            "same_output": (load_line(os.path.join(raw, "engine", wf, "outputs.json")) or {}).get("same"),
            "runs": impls,
        })
    return res


def park_results(raw):
    res = []
    for wf, impls in collect(raw, "park").items():
        ours, peer = impls.get("stepx", []), impls.get("peer", [])
        res.append({
            "workflow": wf,
            "stepx": summarize(ours, ["parked", "executions", "peak_rss_kb", "failed"]),
            "peer": summarize(peer, ["n", "max_in_flight", "peak_rss_kb", "failed"]),
            "target_rss_kb": PARK_TARGET_KB,
            "target_parked": PARK_TARGET_N,
            "runs": impls,
        })
    return res


JSONATA_KEYS = ["cases", "errors", "mismatches", "evals_per_s", "geomean_evals_per_s",
                "compiles_per_s", "peak_rss_kb"]


def jsonata_results(raw):
    impls = collect(raw, "jsonata").get("suite", {})
    if not impls:
        return None
    ours = [r if r is not None and r.get("cases") else None for r in impls.get("stepx", [])]
    first = next((r for r in impls.get("stepx", []) if r), {})
    out = {"stepx": summarize(ours, JSONATA_KEYS), "peers": {}, "target_ratio": JSONATA_TARGET_RATIO,
           "stepx_selected": first.get("selected"), "stepx_errors": first.get("errors"),
           "stepx_mismatches": first.get("mismatches"), "runs": impls}
    for name, recs in sorted(impls.items()):
        if name == "stepx":
            continue
        out["peers"][name] = {
            "impl": next((r.get("impl") for r in recs if r), name),
            "summary": summarize(recs, JSONATA_KEYS),
            "ratio_evals_per_s": ratio_median(ours, recs, "evals_per_s"),
            "ratio_geomean": ratio_median(ours, recs, "geomean_evals_per_s"),
        }
        r = out["peers"][name]
        both = [x for x in (r["ratio_evals_per_s"], r["ratio_geomean"]) if x is not None]
        r["ratio_worst"] = min(both) if len(both) == 2 else None
    return out


def json_results(raw):
    recs = collect(raw, "json").get("docs", {}).get("stepx", [])
    docs = {}
    for r in recs:
        for d in (r or {}).get("docs", []):
            docs.setdefault(d["name"], {"bytes": d["bytes"], "reps": []})["reps"].append(d)
    out = []
    for name, d in docs.items():
        ours = [x.get("stepx") or None for x in d["reps"]]
        theirs = [x.get("jansson") or None for x in d["reps"]]
        out.append({
            "name": name,
            "bytes": d["bytes"],
            "stepx": summarize(ours, ["parses_per_s", "mb_per_s"]),
            "jansson": summarize(theirs, ["parses_per_s", "mb_per_s"]),
            "ratio": ratio_median(ours, theirs, "parses_per_s"),
        })
    return out


# ---------------------------------------------------------------- markdown

def fnum(x, digits=0):
    if x is None:
        return "n/a"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def fratio(x):
    return "n/a" if x is None else (f"{x:,.0f}×" if x >= 10 else f"{x:.2f}×")


def verdict(ratio, target):
    if ratio is None:
        return "not measured"
    return "met" if ratio >= target else "NOT met"


def md_engine(rows):
    out = ["| workflow | stepx transitions/s | peer transitions/s | ratio | target | "
           "stepx p50 / p99 µs | peer p50 / p99 µs | stepx / peer peak RSS | same output |",
           "|---|--:|--:|--:|---|--:|--:|--:|---|"]
    for r in rows:
        s, p = r["stepx"], r["peer"]
        out.append(
            f"| {r['workflow']} | {fnum(s['transitions_per_s'])} | {fnum(p['transitions_per_s'])} "
            f"| {fratio(r['ratio_transitions_per_s'])} | ≥{r['target_ratio']:.0f}× "
            f"({verdict(r['ratio_transitions_per_s'], r['target_ratio'])}) "
            f"| {fnum(s['p50_us'], 1)} / {fnum(s['p99_us'], 1)} "
            f"| {fnum(p['p50_us'])} / {fnum(p['p99_us'])} "
            f"| {fnum(kb_to_mb(s['peak_rss_kb']), 1)} / {fnum(kb_to_mb(p['peak_rss_kb']), 1)} MB "
            f"| {SAME.get(r['same_output'], 'not checked')} |")
    return out


SAME = {True: "yes", False: "NO"}


def kb_to_mb(kb):
    return None if kb is None else kb / 1024.0


def md_park(rows):
    out = ["| workflow | stepx parked | stepx peak RSS | target | peer in flight | peer peak RSS |",
           "|---|--:|--:|---|--:|--:|"]
    for r in rows:
        s, p = r["stepx"], r["peer"]
        ok = (s["peak_rss_kb"] is not None and s["parked"] is not None
              and s["parked"] >= r["target_parked"] and s["peak_rss_kb"] < r["target_rss_kb"])
        state = "not measured" if s["peak_rss_kb"] is None else ("met" if ok else "NOT met")
        out.append(
            f"| {r['workflow']} | {fnum(s['parked'])} | {fnum(kb_to_mb(s['peak_rss_kb']), 1)} MB "
            f"| {fnum(r['target_parked'])} parked < {r['target_rss_kb'] // 1024} MB ({state}) "
            f"| {fnum(p['max_in_flight'])} | {fnum(kb_to_mb(p['peak_rss_kb']), 1)} MB |")
    return out


def md_jsonata(j):
    s = j["stepx"]
    out = ["| implementation | cases measured | evals/s (one pass) | geomean evals/s | "
           "compiles/s | ratio one pass | ratio geomean | target |",
           "|---|--:|--:|--:|--:|--:|--:|---|",
           f"| stepx | {fnum(s['cases'])} | {fnum(s['evals_per_s'])} "
           f"| {fnum(s['geomean_evals_per_s'])} | {fnum(s['compiles_per_s'])} | | | |"]
    for p in j["peers"].values():
        q = p["summary"]
        out.append(
            f"| {p['impl']} | {fnum(q['cases'])} | {fnum(q['evals_per_s'])} "
            f"| {fnum(q['geomean_evals_per_s'])} | {fnum(q['compiles_per_s'])} "
            f"| {fratio(p['ratio_evals_per_s'])} | {fratio(p['ratio_geomean'])} "
            f"| ≥{j['target_ratio']:.0f}× on both ({verdict(p['ratio_worst'], j['target_ratio'])}) |")
    out.append("")
    if s["cases"] is not None:
        out.append(f"Of {fnum(j['stepx_selected'])} selected cases, stepx dropped "
                   f"{fnum(j['stepx_errors'])} with an error and {fnum(j['stepx_mismatches'])} "
                   f"with a wrong result; the peers ran the {fnum(s['cases'])} cases stepx "
                   f"measured.")
    else:
        out.append(f"stepx measured no case (of {fnum(j['stepx_selected'])} selected, "
                   f"{fnum(j['stepx_errors'])} raised an error, {fnum(j['stepx_mismatches'])} "
                   f"gave a wrong result); the peers ran the whole selection.")
    return out


def md_json(rows):
    out = ["| document | bytes | val_json_parse MB/s | jansson MB/s | ratio |",
           "|---|--:|--:|--:|--:|"]
    for r in rows:
        out.append(f"| {r['name']} | {fnum(r['bytes'])} | {fnum(r['stepx']['mb_per_s'], 1)} "
                   f"| {fnum(r['jansson']['mb_per_s'], 1)} | {fratio(r['ratio'])} |")
    return out


def markdown(res):
    m = res.get("machine", {})
    out = [f"Run {res.get('date', '?')} on {m.get('cpus', '?')} CPUs ({m.get('cpu_model', '?')}), "
           f"node {m.get('node', '?')}, commit {res.get('git', '?')}, {res.get('reps', '?')} "
           f"repetitions (median), load average {m.get('load_start', '?')} at start, "
           f"{m.get('load_end', '?')} at end, stepx allocator {m.get('allocator', '?')}."]
    if res.get("engine"):
        out += ["", "**Engine** (aws-local-stepfunctions 3.0.0 as the peer; transitions = states "
                "entered):", ""] + md_engine(res["engine"])
    if res.get("park"):
        out += ["", "**Parked executions** (memory):", ""] + md_park(res["park"])
    if res.get("jsonata"):
        out += ["", "**JSONata** (suite expressions, compile once, evaluate many):", ""]
        out += md_jsonata(res["jsonata"])
    if res.get("json"):
        out += ["", "**JSON parse+free** (val_json_parse into an arena vs jansson):", ""]
        out += md_json(res["json"])
    return "\n".join(out) + "\n"


def update_docs(path, md):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    begin, end = "<!-- figures:begin -->", "<!-- figures:end -->"
    i, k = text.find(begin), text.find(end)
    if i < 0 or k < i:
        sys.exit(f"bench_report: {path} has no {begin} ... {end} section")
    text = text[:i + len(begin)] + "\n" + md + text[k:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def build(raw):
    res = {}
    mach = load_line(os.path.join(raw, "machine.json")) or {}
    res["date"] = mach.pop("date", None)
    res["git"] = mach.pop("git", None)
    res["reps"] = mach.pop("reps", None)
    res["machine"] = mach
    res["engine"] = engine_results(raw)
    res["park"] = park_results(raw)
    res["jsonata"] = jsonata_results(raw)
    res["json"] = json_results(raw)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw")
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    ap.add_argument("--docs")
    a = ap.parse_args()
    res = build(a.raw)
    md = markdown(res)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(md)
    if a.docs:
        update_docs(a.docs, md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
