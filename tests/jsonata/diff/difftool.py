#!/usr/bin/env python3
"""Differential testing of stepx's JSONata against the reference implementation.

Runs the same cases through the reference (node ref_eval.mjs, jsonata 2.2.2, or 2.0.6 with
--aws) and through `stepx jsonata --batch`, and reports every case whose outcome differs:
result value, undefined, error code (or a hang/crash on either side). Error *message*
differences are counted apart (-m lists them).

Cases come from the generators next to this file (gen_mutate.py: mutations of the public
suite; gen_grid.py: per-feature grids; gen_spec.py: the reference document's examples and
pitfalls) or from a JSON-lines file (--cases). Each case is {id, expr, data,
undefined_input?, bindings?}.

  difftool.py --stepx build/bin/stepx [--gen grid,spec,mutate] [--cases FILE] [--aws]
              [-g ID_SUBSTR] [-n MAX_SHOWN] [-m] [--freeze OUT] [--dump FILE]

--freeze OUT writes the agreeing cases with the reference outcome as `expect` (the ctest
corpus format read by tests/jsonata/run_diff.py; --append adds to it); --dump writes every
case with both outcomes. --sample N keeps the spec cases, the ids listed in
regress_ids.txt, and one other case in N (by crc32 of the id): how the committed corpus
tests/jsonata/diff_cases.jsonl is made (see regen.sh).
"""
import argparse
import importlib
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from run_suite import batch_line, same, same_unordered  # noqa: E402

AWS_ONLY = re.compile(r"\$(eval|partition|range|hash|random|uuid|parse)\b")
CASE_TIMEOUT = 8.0  # seconds without output before a case counts as a hang


def decode(raw):
    try:
        return json.loads(raw.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, ValueError):
        try:
            return json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            return {"crash": "unparsable output"}


def run_tool(cmd, lines, timeout=CASE_TIMEOUT):
    """Feeds lines to a line-in/line-out tool; restarts it after a crash or a hang, which
    are recorded for the case being run. Returns one outcome dict per line."""
    out = []
    i = 0
    while i < len(lines):
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        rest = lines[i:]

        def feed(p=p, rest=rest):
            try:
                for ln in rest:
                    p.stdin.write(ln.encode("utf-8", "surrogatepass") + b"\n")
                p.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        th = threading.Thread(target=feed, daemon=True)
        th.start()
        buf = b""
        fd = p.stdout.fileno()
        last = time.monotonic()
        failed = None
        while i < len(lines):
            nl = buf.find(b"\n")
            if nl >= 0:
                out.append(decode(buf[:nl]))
                buf = buf[nl + 1:]
                i += 1
                last = time.monotonic()
                continue
            r, _, _ = select.select([fd], [], [], 1.0)
            if r:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    failed = "crash"
                    break
                buf += chunk
            elif time.monotonic() - last > timeout:
                failed = "hang"
                break
        if failed:
            out.append({failed: True})
            i += 1
        try:
            p.kill()
        except OSError:
            pass
        p.wait()
        th.join(1)
    return out


def tool_line(case, aws):
    ln = batch_line(case)
    ln["timelimit"] = case.get("timelimit", 5000)
    ln["depth"] = case.get("depth", 1000)
    if aws:
        ln["aws"] = True
    return json.dumps(ln, ensure_ascii=False)


def ref_line(case):
    ln = {"expr": case["expr"], "data": case.get("data"), "bindings": case.get("bindings") or {},
          "timelimit": case.get("timelimit", 5000), "depth": case.get("depth", 1000)}
    if case.get("undefined_input"):
        ln["undefined_input"] = True
    return json.dumps(ln)


def kind(o):
    for k in ("result", "undefined", "error", "hang", "crash"):
        if k in o:
            return k
    return "?"


def skipped(ref):
    """The reference hung or failed with a plain JavaScript error (a TypeError inside a
    built-in given a value it does not expect, an invalid regex, ...): not comparable."""
    return kind(ref) == "hang" or (kind(ref) == "error" and ref["error"]["code"].startswith("JS:"))


def compare(case, ref, got):
    """Returns None when equal, 'msg' when only the error message differs, else 'diff'."""
    kr, kg = kind(ref), kind(got)
    if kr != kg:
        return "diff"
    if kr == "result":
        eq = same_unordered if case.get("unordered") else same
        return None if eq(ref["result"], got["result"]) else "diff"
    if kr == "error":
        if ref["error"]["code"] != got["error"]["code"]:
            return "diff"
        if ref["error"].get("message") != got["error"].get("message"):
            return "msg"
    return None


def load_cases(args):
    cases = []
    if args.gen:
        for g in args.gen.split(","):
            mod = importlib.import_module("gen_" + g)
            cases += list(mod.cases())
    if args.cases:
        with open(args.cases) as f:
            cases += [json.loads(ln) for ln in f if ln.strip()]
    if args.group:
        cases = [c for c in cases if args.group in c["id"]]
    if args.sample:
        with open(os.path.join(HERE, "regress_ids.txt")) as f:
            keep = {ln.strip() for ln in f if ln.strip() and not ln.startswith("#")}
        pre = "aws " if args.aws else ""
        cases = [c for c in cases if c["id"].startswith("spec/") or pre + c["id"] in keep or
                 zlib.crc32(c["id"].encode()) % args.sample == 0]
    if args.aws:
        # AWS removes $eval and adds functions 2.0.6 lacks: nothing to compare there
        cases = [c for c in cases if not AWS_ONLY.search(c["expr"])]
    seen = set()
    for c in cases:
        if c["id"] in seen:
            raise SystemExit("duplicate case id " + c["id"])
        seen.add(c["id"])
    return cases


def show(case, ref, got):
    s = "DIFF %s\n  expr: %s\n" % (case["id"], case["expr"][:400])
    if not case.get("undefined_input"):
        s += "  data: %s\n" % json.dumps(case.get("data"), ensure_ascii=False)[:300]
    s += "  ref:  %s\n  got:  %s" % (json.dumps(ref, ensure_ascii=False)[:400],
                                   json.dumps(got, ensure_ascii=False)[:400])
    print(s.encode("utf-8", "backslashreplace").decode())


def dumps(d):
    """JSON text, raw UTF-8 unless it holds lone surrogates (then \\u escapes)."""
    t = json.dumps(d, ensure_ascii=False)
    try:
        t.encode("utf-8")
        return t
    except UnicodeEncodeError:
        return json.dumps(d)


def expect_of(ref):
    if "result" in ref:
        return {"result": ref["result"]}
    if "undefined" in ref:
        return {"undefined": True}
    return {"code": ref["error"]["code"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stepx", required=True)
    ap.add_argument("--gen", default="spec,grid,mutate")
    ap.add_argument("--cases")
    ap.add_argument("--aws", action="store_true", help="compare stepx --aws with jsonata 2.0.6")
    ap.add_argument("-g", "--group")
    ap.add_argument("-n", "--max-shown", type=int, default=50)
    ap.add_argument("-m", "--messages", action="store_true", help="also list message diffs")
    ap.add_argument("--freeze")
    ap.add_argument("--append", action="store_true", help="--freeze appends")
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--dump")
    args = ap.parse_args()

    cases = load_cases(args)
    t0 = time.monotonic()
    node = ["node", "--stack-size=16000", os.path.join(HERE, "ref_eval.mjs"),
            "--version", "2.0.6" if args.aws else "2.2.2"]
    refs = run_tool(node, [ref_line(c) for c in cases])
    t1 = time.monotonic()
    gots = run_tool([args.stepx, "jsonata", "--batch"], [tool_line(c, args.aws) for c in cases])
    t2 = time.monotonic()

    ndiff = nmsg = nskip = shown = 0
    for c, r, g in zip(cases, refs, gots):
        if skipped(r):
            nskip += 1
            continue
        v = compare(c, r, g)
        if v == "diff":
            ndiff += 1
            if shown < args.max_shown:
                show(c, r, g)
                shown += 1
        elif v == "msg":
            nmsg += 1
            if args.messages and shown < args.max_shown:
                show(c, r, g)
                shown += 1
    if args.dump:
        with open(args.dump, "w") as f:
            for c, r, g in zip(cases, refs, gots):
                f.write(json.dumps({"case": c, "ref": r, "got": g}) + "\n")
    if args.freeze:
        n = 0
        with open(args.freeze, "a" if args.append else "w") as f:
            for c, r, g in zip(cases, refs, gots):
                if kind(r) not in ("result", "undefined", "error") or compare(c, r, g) == "diff":
                    continue
                if kind(r) == "error" and r["error"]["code"].startswith("JS:"):
                    continue
                d = {"id": ("aws/" if args.aws else "") + c["id"], "expr": c["expr"]}
                if c.get("undefined_input"):
                    d["undefined_input"] = True
                else:
                    d["data"] = c.get("data")
                if c.get("bindings"):
                    d["bindings"] = c["bindings"]
                if args.aws:
                    d["aws"] = True
                d["expect"] = expect_of(r)
                f.write(dumps(d) + "\n")
                n += 1
        print("froze %d cases into %s" % (n, args.freeze))
    print("%d cases (ref %.1fs, stepx %.1fs): %d differ, %d message-only, %d skipped "
          "(reference hang or JS error)" % (len(cases), t1 - t0, t2 - t1, ndiff, nmsg, nskip))
    return 1 if ndiff else 0


if __name__ == "__main__":
    sys.exit(main())
