#!/usr/bin/env python3
"""Run the ASL conformance cases through `stepx run` and report pass rates per feature.

Cases: every *.json of schema asl-conformance-case/1 in ../shared/conformance/asl/ (recorded
against AWS) and in tests/conformance/cases/ (ours, derived from the spec digests). Each case
is run as

    stepx run DEF --input IN --type TYPE --fast-waits [--mock-config M --test-case TC
              --state-machine-name SM]

and its one-line JSON result is compared with `expected`: status, then output (as JSON
values, objects unordered; numbers compared by their text when the case recorded the raw
output text) or error and cause. Placeholders (masked ARNs, UUIDs, timestamps) match by
regex or any value at their path.

Known failures are listed, with a reason, in tests/conformance/known-failures.txt. A listed
case that fails is reported as XFAIL; a listed case that passes is an error (XPASS), so the
list only ever shrinks. The last line is "N passed, N failed" (xfails are reported apart).
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Num(str):
    """A JSON number kept as its source text (for exact-text comparison)."""


def load_exact(text):
    return json.loads(text, parse_float=Num, parse_int=Num)


def parse_path(path):
    """'$.a[0]['b c']' -> ['a', 0, 'b c']."""
    out, i = [], 1
    assert path.startswith('$'), path
    while i < len(path):
        c = path[i]
        if c == '.':
            j = i + 1
            while j < len(path) and path[j] not in '.[':
                j += 1
            out.append(path[i + 1:j])
            i = j
        elif c == '[':
            j = path.index(']', i)
            tok = path[i + 1:j]
            if tok[:1] in "'\"":
                # a quoted name may contain ']'
                q = tok[0]
                k = path.index(q + ']', i + 2)
                out.append(path[i + 2:k])
                i = k + 2
                continue
            out.append(int(tok))
            i = j + 1
        else:
            raise ValueError('bad placeholder path ' + path)
    return out


def matches_placeholder(ph, actual):
    if ph.get('any_value'):
        return True
    # A mocked case replays AWS's masked recording: the mock's value is the masked text itself.
    if 'expected' in ph and actual == ph['expected']:
        return True
    text = actual if isinstance(actual, str) else json.dumps(actual, separators=(',', ':'))
    return re.fullmatch(ph['regex'], text, re.S) is not None


def same(exp, act, path, phs, exact, why):
    """Deep compare exp (expected) with act; phs maps tuple(path) -> placeholder."""
    key = tuple(path)
    if key in phs:
        ok = matches_placeholder(phs[key], act)
        if not ok:
            why.append('placeholder %s: %r' % (key, act))
        return ok
    if isinstance(exp, dict):
        if not isinstance(act, dict) or set(exp) != set(act):
            why.append('at %s: keys %s vs %s' % (list(path), sorted(exp) if isinstance(exp, dict) else exp,
                                                  sorted(act) if isinstance(act, dict) else act))
            return False
        return all(same(exp[k], act[k], path + [k], phs, exact, why) for k in exp)
    if isinstance(exp, list):
        if not isinstance(act, list) or len(exp) != len(act):
            why.append('at %s: %s vs %s' % (list(path), short(exp), short(act)))
            return False
        return all(same(e, a, path + [i], phs, exact, why) for i, (e, a) in enumerate(zip(exp, act)))
    if isinstance(exp, bool) or exp is None or isinstance(act, bool) or act is None:
        ok = type(exp) is type(act) and exp == act
    elif isinstance(exp, Num) or isinstance(act, Num) or isinstance(exp, (int, float)):
        if not (isinstance(act, (int, float, Num)) and not isinstance(act, bool)):
            ok = False
        elif exact and isinstance(exp, Num) and isinstance(act, Num):
            ok = str(exp) == str(act)
        else:
            ok = float(exp) == float(act)
    else:
        ok = isinstance(act, str) and not isinstance(act, Num) and exp == act
    if not ok:
        why.append('at %s: expected %s, got %s' % (list(path), short(exp), short(act)))
    return ok


def short(v):
    s = json.dumps(v, separators=(',', ':'))
    return s if len(s) < 300 else s[:300] + '...'


def run_case(stepx, path, timeout):
    case = json.load(open(path))
    name = os.path.splitext(os.path.basename(path))[0]
    with tempfile.TemporaryDirectory(prefix='sxconf') as tmp:
        dpath = os.path.join(tmp, 'def.json')
        ipath = os.path.join(tmp, 'input.json')
        with open(dpath, 'w') as f:
            json.dump(case['definition'], f)
        with open(ipath, 'w') as f:
            json.dump(case.get('input', {}), f)
        cmd = [stepx, 'run', dpath, '--input', ipath, '--fast-waits',
               '--type', case.get('state_machine_type') or 'STANDARD']
        if case.get('mock_config') is not None:
            mpath = os.path.join(tmp, 'mock.json')
            with open(mpath, 'w') as f:
                json.dump(case['mock_config'], f)
            cmd += ['--mock-config', mpath, '--test-case', case.get('test_case') or 'AwsRecorded']
        cmd += ['--state-machine-name', case.get('state_machine_name') or 'ConformanceMachine']
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return name, case, False, 'timeout after %ss' % timeout
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or len(lines) != 1:
        return name, case, False, 'exit %d, stdout %r, stderr %r' % (
            p.returncode, p.stdout[-300:], p.stderr[-500:])
    exact = case.get('output_encoding') == 'json_text' and case.get('output_json_text') is not None
    try:
        got = load_exact(lines[0]) if exact else json.loads(lines[0])
    except ValueError as e:
        return name, case, False, 'bad JSON from stepx: %s: %r' % (e, lines[0][:300])
    exp = case['expected']
    phs = {}
    for ph in case.get('placeholders') or []:
        phs.setdefault(ph.get('field', 'output'), {})[tuple(parse_path(ph['path']))] = ph
    why = []
    if got.get('status') != exp['status']:
        why.append('status %s (expected %s): %s' % (got.get('status'), exp['status'], short(got)))
        return name, case, False, '; '.join(why)
    if exp['status'] == 'SUCCEEDED':
        want = load_exact(case['output_json_text']) if exact else exp.get('output')
        ok = same(want, got.get('output'), [], phs.get('output', {}), exact, why)
    else:
        ok = True
        for field in ('error', 'cause'):
            e, a = exp.get(field), got.get(field)
            fph = phs.get(field, {})
            if () in fph and a is not None:
                good = matches_placeholder(fph[()], a)
            else:
                good = e == a
            if not good:
                why.append('%s: expected %r, got %r' % (field, e, a))
                ok = False
    return name, case, ok, '; '.join(why)


def load_known(path):
    known = {}
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line and not line.startswith('#'):
                name, _, reason = line.partition(' ')
                known[name] = reason.strip()
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--stepx', default=os.path.join(ROOT, 'build', 'bin', 'stepx'))
    ap.add_argument('--cases', action='append',
                    help='case directories (default: ../shared/conformance/asl and tests/conformance/cases)')
    ap.add_argument('--filter', default='', help='only cases whose file name contains this')
    ap.add_argument('--known', default=os.path.join(HERE, 'known-failures.txt'))
    ap.add_argument('-j', type=int, default=max(2, (os.cpu_count() or 2) * 2))
    ap.add_argument('-v', action='store_true', help='print every failure in full')
    ap.add_argument('--timeout', type=int, default=60)
    ap.add_argument('--list-failures', action='store_true',
                    help='print failing case names (for known-failures.txt)')
    args = ap.parse_args()
    dirs = args.cases or [os.path.join(os.path.dirname(ROOT), 'shared', 'conformance', 'asl'),
                          os.path.join(HERE, 'cases')]
    files = sorted(f for d in dirs for f in glob.glob(os.path.join(d, '*.json'))
                   if args.filter in os.path.basename(f))
    if not files:
        print('no cases found in %s' % dirs)
        return 2
    known = load_known(args.known)
    per = {}
    failed, xfail, xpass, passed = [], [], [], 0
    ours_dir = os.path.join(HERE, 'cases')
    origin_tot = {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        results = pool.map(lambda f: (f,) + run_case(args.stepx, f, args.timeout), files)
        for path, name, case, ok, why in results:
            ql = 'jsonata' if 'JSONata' in json.dumps(case['definition']) else 'jsonpath'
            origin = 'ours' if os.path.dirname(os.path.abspath(path)) == ours_dir else 'aws'
            ot = origin_tot.setdefault('%s/%s' % (origin, ql), [0, 0])
            ot[1] += 1
            ot[0] += 1 if ok else 0
            feat = '%s/%s' % (case.get('feature') or 'other', ql)
            st = per.setdefault(feat, [0, 0])
            st[1] += 1
            if ok:
                st[0] += 1
            if name in known:
                if ok:
                    xpass.append(name)
                else:
                    xfail.append((name, why))
            elif ok:
                passed += 1
            else:
                failed.append((name, why))
    print('%-32s %9s' % ('feature/query-language', 'pass'))
    for feat in sorted(per):
        ok, n = per[feat]
        print('%-32s %4d/%-4d %5.1f%%' % (feat, ok, n, 100.0 * ok / n))
    tot_ok = sum(v[0] for v in per.values())
    tot = sum(v[1] for v in per.values())
    print('%-32s %4d/%-4d %5.1f%%' % ('TOTAL', tot_ok, tot, 100.0 * tot_ok / tot))
    for o in sorted(origin_tot):
        ok, n = origin_tot[o]
        print('%-32s %4d/%-4d %5.1f%%' % ('  recorded by AWS, ' + o.split('/')[1] if o.startswith('aws')
                                          else '  derived (ours), ' + o.split('/')[1], ok, n,
                                          100.0 * ok / n))
    for name, why in failed:
        print('FAIL %s: %s' % (name, why if args.v else why[:400]))
    for name in xpass:
        print('XPASS %s: listed in known-failures.txt but passes: remove it' % name)
    if args.v:
        for name, why in xfail:
            print('XFAIL %s (%s): %s' % (name, known[name], why[:400]))
    if args.list_failures:
        for name, _ in failed:
            print(name)
    print('known failures (xfail): %d' % len(xfail))
    print('%d passed, %d failed' % (passed, len(failed) + len(xpass)))
    return 1 if failed or xpass else 0


if __name__ == '__main__':
    sys.exit(main())
