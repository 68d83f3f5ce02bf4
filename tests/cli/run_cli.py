#!/usr/bin/env python3
"""Data-driven tests of the stepx CLI.

Suites:
  validate     tests/cli/validate/*.json, one case per file:
                 {"definition": <object, or a string sent as raw text>,
                  "type": "EXPRESS" | "STANDARD"  (optional; omitted = no --type flag),
                  "args": [extra CLI args]          (optional),
                  "expect": {"valid": bool, "diagnostics": [{code, message, location}...]}
                            or {"exit": N} for usage errors}
               Diagnostics are compared exactly, in order. The exit status must be 0 when
               valid, 1 when not (or expect.exit).
  conformance  every AWS-recorded definition under /work/shared/conformance/asl (or
               --conformance DIR) must validate clean as its state_machine_type: AWS ran
               them all.

Usage: python3 tests/cli/run_cli.py --stepx PATH/stepx [--only validate|conformance] [-v]
Exits non-zero when any case fails; the last line is "N passed, N failed".
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONFORMANCE = "/work/shared/conformance/asl"


def run_validate(stepx, text, type_, args):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        f.write(text)
        path = f.name
    try:
        cmd = [stepx, "validate", path]
        if type_:
            cmd += ["--type", type_]
        cmd += args
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    finally:
        os.unlink(path)


def check_validate_case(stepx, path):
    case = json.load(open(path, encoding="utf-8"))
    d = case["definition"]
    text = d if isinstance(d, str) else json.dumps(d)
    rc, out, err = run_validate(stepx, text, case.get("type"), case.get("args", []))
    exp = case["expect"]
    if "exit" in exp:
        if rc != exp["exit"]:
            return "exit %d, want %d (stderr: %s)" % (rc, exp["exit"], err.strip())
        return None
    try:
        got = json.loads(out)
    except ValueError:
        return "stdout is not one JSON line: %r (exit %d, stderr %r)" % (out, rc, err)
    want_rc = 0 if exp["valid"] else 1
    problems = []
    if rc != want_rc:
        problems.append("exit %d, want %d" % (rc, want_rc))
    if got.get("valid") != exp["valid"]:
        problems.append("valid %r, want %r" % (got.get("valid"), exp["valid"]))
    if got.get("diagnostics") != exp.get("diagnostics", []):
        problems.append("diagnostics differ:\n      got:  %s\n      want: %s" % (
            json.dumps(got.get("diagnostics")), json.dumps(exp.get("diagnostics", []))))
    return "; ".join(problems) or None


def check_conformance_case(stepx, path):
    case = json.load(open(path, encoding="utf-8"))
    rc, out, err = run_validate(stepx, json.dumps(case["definition"]),
                                case.get("state_machine_type", "STANDARD"), [])
    if rc != 0:
        return "exit %d: %s %s" % (rc, out.strip(), err.strip())
    return None


def check_run_case(stepx, path):
    """A `stepx run` contract case: {definition | definition_text, input | input_text, args,
    expect: {exit, stdout (subset of the result line), stderr_contains, log_types}}."""
    case = json.load(open(path))
    exp = case["expect"]
    with tempfile.TemporaryDirectory(prefix="sxrun") as tmp:
        dpath = os.path.join(tmp, "def.json")
        with open(dpath, "w") as f:
            f.write(case["definition_text"] if "definition_text" in case
                    else json.dumps(case["definition"]))
        cmd = [stepx, "run", dpath]
        if "input" in case or "input_text" in case:
            ipath = os.path.join(tmp, "in.json")
            with open(ipath, "w") as f:
                f.write(case["input_text"] if "input_text" in case else json.dumps(case["input"]))
            cmd += ["--input", ipath]
        cmd += case.get("args", [])
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    problems = []
    if p.returncode != exp.get("exit", 0):
        problems.append("exit %d, want %d (stderr %r)" % (p.returncode, exp.get("exit", 0),
                                                          p.stderr[-300:]))
    if "stdout" in exp:
        lines = p.stdout.splitlines()
        if len(lines) != 1:
            problems.append("stdout has %d lines" % len(lines))
        else:
            got = json.loads(lines[0])
            for k, v in exp["stdout"].items():
                if got.get(k) != v:
                    problems.append("%s: got %r, want %r" % (k, got.get(k), v))
    if "stdout_regex" in exp and not re.search(exp["stdout_regex"], p.stdout):
        problems.append("stdout %r does not match %r" % (p.stdout[:300], exp["stdout_regex"]))
    for text in exp.get("stderr_contains", []):
        if text not in p.stderr:
            problems.append("stderr lacks %r: %r" % (text, p.stderr[-300:]))
    if "log_types" in exp:
        types = [json.loads(l)["type"] for l in p.stderr.splitlines() if l.startswith("{")]
        if types != exp["log_types"]:
            problems.append("log event types %s, want %s" % (types, exp["log_types"]))
    return "; ".join(problems) or None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stepx", required=True)
    ap.add_argument("--only", choices=["validate", "run", "conformance"])
    ap.add_argument("--conformance", default=CONFORMANCE)
    ap.add_argument("-v", action="store_true")
    opts = ap.parse_args()

    suites = []
    if opts.only in (None, "validate"):
        files = sorted(glob.glob(os.path.join(HERE, "validate", "*.json")))
        suites.append(("validate", files, check_validate_case))
    if opts.only in (None, "run"):
        files = sorted(glob.glob(os.path.join(HERE, "run", "*.json")))
        suites.append(("run", files, check_run_case))
    if opts.only in (None, "conformance") and os.path.isdir(opts.conformance):
        files = sorted(glob.glob(os.path.join(opts.conformance, "*.json")))
        suites.append(("conformance", files, check_conformance_case))

    passed = failed = 0
    for name, files, fn in suites:
        sp = sf = 0
        for f in files:
            try:
                problem = fn(opts.stepx, f)
            except Exception as e:  # a broken case file or a crash counts as a failure
                problem = "error: %r" % (e,)
            if problem is None:
                sp += 1
                if opts.v:
                    print("ok   %s/%s" % (name, os.path.basename(f)))
            else:
                sf += 1
                print("FAIL %s/%s: %s" % (name, os.path.basename(f), problem))
        print("%s: %d passed, %d failed" % (name, sp, sf))
        passed += sp
        failed += sf
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
