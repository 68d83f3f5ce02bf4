#!/usr/bin/env python3
"""Mutations of the public JSONata suite's expressions and inputs (deterministic).

For each case of /work/shared/jsonata-suite/*.jsonl a seeded generator (seed = crc32 of the
case id) picks up to PER_CASE single-site mutations: swap a binary operator, a numeric or
string literal, a built-in function name, a field name (for `*`, `**` or a missing name),
drop or add a predicate / keep-array `[]`, flip an order-by direction; or replace the input
(null, no input, wrapped in an array, an empty object). Cases with time/depth guards and the
performance group are left out. Running this file prints the cases as JSON lines.
"""
import glob
import json
import os
import random
import re
import sys
import zlib

SUITE = "/work/shared/jsonata-suite"
PER_CASE = 12

TOKEN = re.compile(r'''
    (?P<comment>/\*.*?\*/)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<bt>`[^`]*`)
  | (?P<num>(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<op>\.\.|:=|!=|>=|<=|\*\*|~>|\?:|\?\?|[-+*/%&=<>^.\[\](){},;:?@#|])
  | (?P<var>\$[A-Za-z0-9_$]*)
  | (?P<name>[^\s\-+*/%&=<>^.\[\](){},;:?@#|!~"'`$]+)
  | (?P<ws>\s+)
  | (?P<other>.)
''', re.S | re.X)

BINOPS = ["+", "-", "*", "/", "%", "&", "=", "!=", "<", "<=", ">", ">=", "and", "or", "in",
          "~>", "??", "?:"]
NUMS = ["0", "1", "1.5", "1e21", "0.1", "100", "3", "2.5", "1e-7"]
STRS = ['""', '"ß😀"', '"a,b"', '"0"', '"Hello World"', "'x'"]
FUNC_GROUPS = [
    ["sum", "max", "min", "average", "count"],
    ["uppercase", "lowercase", "trim", "length", "string", "base64encode", "encodeUrlComponent"],
    ["substringBefore", "substringAfter", "contains", "split", "join"],
    ["keys", "spread", "type", "exists", "boolean", "not", "distinct", "reverse"],
    ["map", "filter", "single", "sort"],
    ["floor", "ceil", "abs", "round", "sqrt", "number"],
    ["append", "zip", "merge", "lookup"],
    ["formatNumber", "formatInteger", "formatBase"],
    ["match", "replace"],
    ["each", "sift"],
]
FUNCS = {f: g for g in FUNC_GROUPS for f in g}


def tokens(expr):
    return [(m.lastgroup, m.group()) for m in TOKEN.finditer(expr)]


def join(toks):
    return "".join(t for _, t in toks)


def mutations(toks, rng):
    """Yields (label, new_expression) candidates, all single-site."""
    idx = [(i, k, t) for i, (k, t) in enumerate(toks)]
    out = []
    for i, k, t in idx:
        if (k == "op" and t in BINOPS) or (k == "name" and t in ("and", "or", "in")):
            if i > 0 and toks[i - 1][1] in "([,{:":
                continue  # unary minus / wildcard positions
            for o in rng.sample(BINOPS, 2):
                if o != t:
                    out.append(("op", i, " %s " % o))
        elif k == "num":
            out.append(("num", i, rng.choice(NUMS)))
        elif k == "str":
            out.append(("str", i, rng.choice(STRS)))
        elif k == "var" and t[1:] in FUNCS:
            alt = [f for f in FUNCS[t[1:]] if f != t[1:]]
            out.append(("fn", i, "$" + rng.choice(alt)))
        elif k in ("name", "bt") and t not in ("and", "or", "in", "true", "false", "null",
                                                "function"):
            out.append(("name", i, rng.choice(["*", "**", "missing", t + "[]", t + "[0]",
                                               t + "[-1]", t + "[1]"])))
        elif k == "op" and t == "[":
            depth = 0
            for j in range(i, len(toks)):
                if toks[j][1] == "[":
                    depth += 1
                elif toks[j][1] == "]":
                    depth -= 1
                    if depth == 0:
                        if i > 0 and toks[i - 1][0] in ("name", "bt", "op") and toks[i - 1][1] in (")", "]") or \
                                (i > 0 and toks[i - 1][0] in ("name", "bt")):
                            out.append(("droppred", (i, j), ""))
                        break
        elif k == "op" and t == "^":
            for j in range(i + 1, min(i + 4, len(toks))):
                if toks[j][1] in ("<", ">"):
                    out.append(("orderdir", j, ">" if toks[j][1] == "<" else "<"))
                    break
    return out


def apply_mut(toks, m):
    kind, where, repl = m
    t = list(toks)
    if kind == "droppred":
        i, j = where
        del t[i:j + 1]
    else:
        t[where] = (t[where][0], repl)
    return join(t)


DATA_MUTS = [("null", False, None), ("noinput", True, None), ("eobj", False, {}),
             ("earr", False, [])]


def case_mutants(c):
    rng = random.Random(zlib.crc32(c["id"].encode()))
    toks = tokens(c["expr"])
    cands = mutations(toks, rng)
    rng.shuffle(cands)
    seen = {c["expr"]}
    n = 0
    for m in cands:
        if n >= PER_CASE - 1:
            break
        e = apply_mut(toks, m)
        if e in seen:
            continue
        seen.add(e)
        yield "%s:%s" % (m[0], n), e, c.get("data"), c.get("undefined_input", False)
        n += 1
    # one input mutation (plus the input wrapped in an array when there is one)
    label, undef, d = rng.choice(DATA_MUTS)
    yield "data-" + label, c["expr"], d, undef
    if not c.get("undefined_input") and c.get("data") is not None:
        yield "data-wrap", c["expr"], [c.get("data")], False


def cases():
    for path in sorted(glob.glob(os.path.join(SUITE, "*.jsonl"))):
        if "performance" in path:
            continue
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                c = json.loads(line)
                if "timelimit" in c or "depth" in c:
                    continue
                for label, e, d, undef in case_mutants(c):
                    m = {"id": "mut/%s/%s" % (c["id"], label), "expr": e, "data": d}
                    if undef:
                        m["undefined_input"] = True
                    if c.get("bindings"):
                        m["bindings"] = c["bindings"]
                    yield m


if __name__ == "__main__":
    for c in cases():
        sys.stdout.write(json.dumps(c) + "\n")
