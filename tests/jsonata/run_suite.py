#!/usr/bin/env python3
"""Runs the JSONata conformance corpus (/work/shared/jsonata-suite/*.jsonl) through
`stepx jsonata` and compares results as JSON values.

Default: one `stepx jsonata --batch` process fed every case on stdin (fast); --spawn runs
one `stepx jsonata` process per case instead (the plain CLI path). Honours `unordered`,
`timelimit`/`depth` and error `code`. Prints the pass rate per group and a final line
"N passed, N failed"; exits non-zero when any case fails. -v prints every failure.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
from collections import OrderedDict

SUITE = "/work/shared/jsonata-suite"


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def same_unordered(a, b):
    if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
        return same(a, b)
    rest = list(b)
    for x in a:
        for i, y in enumerate(rest):
            if same(x, y):
                del rest[i]
                break
        else:
            return False
    return True


def verdict(case, got):
    exp = case["expect"]
    if "code" in exp:
        return "error" in got and got["error"].get("code") == exp["code"]
    if exp.get("undefined"):
        return got.get("undefined") is True
    if "result" in exp:
        if "result" not in got:
            return False
        if case.get("unordered"):
            return same_unordered(got["result"], exp["result"])
        return same(got["result"], exp["result"])
    return False


def batch_line(case):
    line = {"expr": case["expr"], "data": case.get("data"), "bindings": case.get("bindings") or {}}
    try:
        case["expr"].encode("utf-8")
    except UnicodeEncodeError:
        # lone surrogates in the expression text: send its WTF-8 bytes in hex
        del line["expr"]
        line["expr_hex"] = case["expr"].encode("utf-8", "surrogatepass").hex()
    if case.get("undefined_input"):
        line["undefined_input"] = True
    if case.get("aws"):
        line["aws"] = True
    if "timelimit" in case and "depth" in case:
        line["timelimit"] = case["timelimit"]
        line["depth"] = case["depth"]
    return line


def run_batch(stepx, cases):
    text = "".join(json.dumps(batch_line(c)) + "\n" for c in cases)
    p = subprocess.run([stepx, "jsonata", "--batch"], input=text.encode(), capture_output=True,
                       timeout=1200)
    try:  # WTF-8: lone surrogates in strings come out as their 3-byte forms
        text = p.stdout.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        text = p.stdout.decode("utf-8", "replace")
    outs = text.rstrip("\n").split("\n")  # not splitlines(): U+2028 is text
    if len(outs) != len(cases):
        sys.stderr.write("batch run produced %d lines for %d cases (rc %d)\n%s\n" %
                         (len(outs), len(cases), p.returncode, p.stderr.decode()[-2000:]))
    res = []
    for i in range(len(cases)):
        try:
            res.append(json.loads(outs[i]))
        except (IndexError, ValueError):
            res.append({"crash": True})
    return res


def run_spawn(stepx, case, tmp):
    cmd = [stepx, "jsonata"]
    if not case.get("undefined_input"):
        path = os.path.join(tmp, "in.json")
        with open(path, "w") as f:
            json.dump(case.get("data"), f)
        cmd += ["--input", path]
    if case.get("bindings"):
        path = os.path.join(tmp, "bind.json")
        with open(path, "w") as f:
            json.dump(case["bindings"], f)
        cmd += ["--bindings", path]
    if "timelimit" in case and "depth" in case:
        cmd += ["--time-limit", str(case["timelimit"]), "--depth-limit", str(case["depth"])]
    cmd.append(case["expr"])
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        return json.loads(p.stdout.decode("utf-8", "replace").strip() or "{}")
    except (subprocess.TimeoutExpired, ValueError):
        return {"crash": True}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stepx", required=True)
    ap.add_argument("--suite", default=SUITE)
    ap.add_argument("--spawn", action="store_true", help="one process per case")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-g", "--group", help="only groups containing this text")
    args = ap.parse_args()

    cases = []
    for path in sorted(glob.glob(os.path.join(args.suite, "*.jsonl"))):
        with open(path) as f:
            for line in f:
                if line.strip():
                    c = json.loads(line)
                    if args.group and args.group not in c["id"].split("/")[0]:
                        continue
                    cases.append(c)
    if args.spawn:
        with tempfile.TemporaryDirectory() as tmp:
            results = [run_spawn(args.stepx, c, tmp) for c in cases]
    else:
        results = run_batch(args.stepx, cases)

    groups = OrderedDict()
    passed = failed = 0
    for case, got in zip(cases, results):
        g = case["id"].split("/")[0]
        ok = verdict(case, got)
        groups.setdefault(g, [0, 0])[0 if ok else 1] += 1
        if ok:
            passed += 1
        else:
            failed += 1
            if args.verbose:
                print(("FAIL %s\n  expr: %s\n  want: %s\n  got:  %s" %
                      (case["id"], case["expr"][:300], json.dumps(case["expect"])[:300],
                       json.dumps(got)[:300])).encode("utf-8", "backslashreplace").decode())
    for g, (p, f) in groups.items():
        if f or args.verbose:
            print("%-32s %4d/%-4d %5.1f%%" % (g, p, p + f, 100.0 * p / (p + f)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
