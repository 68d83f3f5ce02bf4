#!/usr/bin/env python3
"""Systematic per-feature grids for the JSONata differential test (deterministic).

Sections (case id prefix):
  op/     every binary operator over every pair of sample values, unary minus, `[]`, conditions
  fn/     every built-in with each argument position replaced by every sample value,
          missing arguments, context defaulting
  hof/    $map/$filter/$reduce/$single/$sort/$each/$sift with lambdas of 0..4 parameters,
          built-ins, partial applications, sequences
  num/    number printing / $string / $formatNumber / $formatBase / $round / $number edges
  str/    string functions on non-ASCII and astral text
  rx/     regex flags, classes, replacement patterns, $match/$split/$contains
  path/   paths, predicates, sequences, wildcards, parent, focus, index, sort, group, transform
Running this file prints the cases as JSON lines.
"""
import json
import sys

# label, expression (evaluated against DATA)
VALUES = [
    ("undef", "nothing"),
    ("null", "null"),
    ("true", "true"),
    ("false", "false"),
    ("zero", "0"),
    ("negzero", "-0"),
    ("one", "1"),
    ("neg", "-2.5"),
    ("frac", "0.1"),
    ("big", "1e21"),
    ("inf", "(1/0)"),
    ("nan", "(0/0)"),
    ("estr", '""'),
    ("str", '"abc"'),
    ("numstr", '"12"'),
    ("uni", '"ßé😀x"'),
    ("earr", "[]"),
    ("arr", "[1,2]"),
    ("sarr", '["b","a"]'),
    ("mix", '[1,"a",null]'),
    ("arr1", "[3]"),
    ("nest", "[[1,2],[3]]"),
    ("eobj", "{}"),
    ("obj", '{"a":1,"b":"x"}'),
    ("oarr", '[{"a":1},{"a":2}]'),
    ("fn", "$sum"),
    ("lambda", "function($x){$x}"),
    ("regex", "/b/"),
    ("seq", "items.n"),
    ("seq1", "items[0].n"),
    ("inarr", "list"),
]

DATA = {
    "items": [{"n": 1, "s": "x"}, {"n": 2, "s": "y"}, {"n": 3}],
    "list": [4, 5],
    "o": {"a": 1, "b": [1, 2], "c": {"d": "e"}},
    "s": "hello",
    "num": 12.5,
}

BINOPS = ["+", "-", "*", "/", "%", "&", "=", "!=", "<", "<=", ">", ">=", "and", "or", "in",
          "?:", "??", "~>"]


def case(cid, expr, data=DATA, undefined_input=False, bindings=None):
    c = {"id": cid, "expr": expr}
    if undefined_input:
        c["undefined_input"] = True
        c["data"] = None
    else:
        c["data"] = data
    if bindings:
        c["bindings"] = bindings
    return c


def op_cases():
    small = [v for v in VALUES if v[0] not in ("uni", "inarr")]
    for op in BINOPS:
        for la, a in small:
            for lb, b in small:
                yield case("op/%s/%s/%s" % (op, la, lb), "(%s) %s (%s)" % (a, op, b))
    for la, a in VALUES:
        yield case("op/neg/" + la, "-(%s)" % a)
        yield case("op/keep/" + la, "(%s)[]" % a)
        yield case("op/idx0/" + la, "(%s)[0]" % a)
        yield case("op/idxm1/" + la, "(%s)[-1]" % a)
        yield case("op/idx1.5/" + la, "(%s)[1.5]" % a)
        yield case("op/pred/" + la, "(%s)[$]" % a)
        yield case("op/predtrue/" + la, "(%s)[true]" % a)
        yield case("op/cond/" + la, "(%s) ? 'y' : 'n'" % a)
        yield case("op/condnoelse/" + la, "(%s) ? 'y'" % a)
        yield case("op/range/" + la, "[(%s)..3]" % a)
        yield case("op/range2/" + la, "[1..(%s)]" % a)
        yield case("op/arrc/" + la, "[(%s)]" % a)
        yield case("op/arrc2/" + la, "[%s, %s]" % (a, a))
        yield case("op/objv/" + la, '{"k": %s}' % a)
        yield case("op/objk/" + la, "{(%s): 1}" % a)
        yield case("op/path/" + la, "(%s).a" % a)
        yield case("op/pathctx/" + la, "(%s).$" % a)
        yield case("op/wild/" + la, "(%s).*" % a)
        yield case("op/desc/" + la, "(%s).**" % a)
        yield case("op/call/" + la, "(%s)(1)" % a)
        yield case("op/bind/" + la, "($v := %s; $v)" % a)
        yield case("op/type/" + la, "$type(%s)" % a)
        yield case("op/string/" + la, "$string(%s)" % a)
        yield case("op/stringp/" + la, "$string(%s, true)" % a)
        yield case("op/boolean/" + la, "$boolean(%s)" % a)
        yield case("op/sortkey/" + la, "items^(%s)" % a)
        yield case("op/group/" + la, "items{s: %s}" % a)
        yield case("op/each/" + la, "items.(%s)" % a)
        yield case("op/input/" + la, "$", data=None) if False else None
    # inputs of every JSON type
    for label, d in [("null", None), ("num", 5), ("str", "s"), ("arr", [1, [2, 3], {"a": 4}]),
                     ("obj", {"a": [{"b": 1}, {"b": [2, 3]}]}), ("earr", []), ("eobj", {}),
                     ("arrobj", [{"a": 1}, {"a": [2, 3]}, {"b": 4}])]:
        for e in ["$", "$$", "a", "a.b", "*", "**", "$[0]", "$[-1]", "$count($)", "$.a",
                  "a[0]", "$[0].a", "%", "$type($)", "$string($)", "$keys($)", "[$]", "$[]",
                  "a.b[0]", "(a.b)[0]", "$.$", "**.b", "*.b", "$reverse($)", "{'x': $}",
                  "$exists($)", "$ ~> $count()", "$.$type()", "$sum($.*)", "$[a]",
                  "$[$type($)='object']"]:
            yield case("op/input/%s/%s" % (label, e), e, data=d)
        yield case("op/noinput/" + label, "$", undefined_input=True)


# name: (list of sample valid args per position, arity)
FUNCS = {
    "string": [['"s"', "12.5", "{\"a\":[1,2]}"], ["true", "false"]],
    "length": [['"héllo😀"']],
    "substring": [['"héllo😀x"'], ["1", "-3", "1.7"], ["2", "10"]],
    "substringBefore": [['"a-b-c"'], ['"-"']],
    "substringAfter": [['"a-b-c"'], ['"-"']],
    "uppercase": [['"aßé"']],
    "lowercase": [['"AΣ"']],
    "trim": [['"  a \\n b  "']],
    "pad": [['"ab"'], ["5", "-5"], ['"xy"']],
    "contains": [['"abc"'], ['"b"', "/B/i"]],
    "split": [['"a,b,,c"'], ['","', "/,/"], ["2"]],
    "join": [['["a","b"]'], ['"-"']],
    "match": [['"abab"'], ["/a(b)/"], ["1"]],
    "replace": [['"abab"'], ['"a"', "/a(b)/"], ['"X$1"'], ["1"]],
    "eval": [['"1+1"', '"$"'], ['{"a":1}']],
    "base64encode": [['"héllo"']],
    "base64decode": [['"aMOpbGxv"']],
    "encodeUrlComponent": [['"a b&é"']],
    "encodeUrl": [['"http://x/a b?q=é"']],
    "decodeUrlComponent": [['"a%20b%C3%A9"']],
    "decodeUrl": [['"a%20b%3F"']],
    "number": [['"12.5"', "true", "7"]],
    "abs": [["-3.5"]],
    "floor": [["-3.5"]],
    "ceil": [["-3.5"]],
    "round": [["2.555"], ["2"]],
    "power": [["2"], ["10"]],
    "sqrt": [["16"]],
    "formatNumber": [["1234.5678"], ['"#,##0.00"'], ['{"decimal-separator":","}']],
    "formatBase": [["255"], ["16"]],
    "formatInteger": [["1234"], ['"w"', '"#,##0"']],
    "parseInteger": [['"1,234"'], ['"#,##0"']],
    "sum": [["[1,2,3]"]],
    "max": [["[1,5,3]"]],
    "min": [["[4,2,3]"]],
    "average": [["[1,2,3,4]"]],
    "boolean": [['"x"']],
    "not": [['"x"']],
    "exists": [["0"]],
    "count": [["[1,2]"]],
    "append": [["[1,2]"], ["[3]"]],
    "sort": [["[3,1,2]"], ["function($a,$b){$a>$b}"]],
    "reverse": [["[1,2,3]"]],
    "distinct": [["[1,2,1,[1],[1]]"]],
    "zip": [["[1,2]"], ["[3,4]"]],
    "keys": [['{"a":1,"b":2}']],
    "lookup": [['{"a":1,"b":2}'], ['"a"']],
    "spread": [['{"a":1,"b":2}']],
    "merge": [['[{"a":1},{"b":2}]']],
    "type": [["1"]],
    "error": [['"boom"']],
    "assert": [["false"], ['"msg"']],
    "fromMillis": [["1510067557121"], ['"[Y0001]-[M01]-[D01] [H01]:[m01]"'], ['"+0100"']],
    "toMillis": [['"2017-11-07T15:12:37.121Z"'], ['"[Y0001]-[M01]-[D01]"']],
    "map": [["[1,2,3]"], ["function($v){$v*2}"]],
    "filter": [["[1,2,3]"], ["function($v){$v>1}"]],
    "reduce": [["[1,2,3]"], ["function($a,$b){$a+$b}"], ["10"]],
    "single": [["[1,2,3]"], ["function($v){$v=2}"]],
    "each": [['{"a":1,"b":2}'], ["function($v,$k){$k&$v}"]],
    "sift": [['{"a":1,"b":2}'], ["function($v){$v>1}"]],
    "clone": [['{"a":[1,2.5]}']],
}


def fn_cases():
    for name, slots in FUNCS.items():
        n = len(slots)
        base = [s[0] for s in slots]
        # every arg count from 0 to n+1 with sample args
        for k in range(0, n + 2):
            args = base[:k] + (["1"] if k > n else [])
            yield case("fn/%s/argc%d" % (name, k), "$%s(%s)" % (name, ", ".join(args)))
        # alternative sample values
        for i, s in enumerate(slots):
            for j, alt in enumerate(s[1:]):
                args = list(base)
                args[i] = alt
                yield case("fn/%s/alt%d.%d" % (name, i, j), "$%s(%s)" % (name, ", ".join(args)))
        # each position replaced by every sample value
        for i in range(n):
            for lv, v in VALUES:
                args = list(base)
                args[i] = v
                yield case("fn/%s/p%d/%s" % (name, i, lv), "$%s(%s)" % (name, ", ".join(args)))
                if i == 0:
                    # context defaulting / path mapping
                    rest = ", ".join(base[1:])
                    yield case("fn/%s/ctx/%s" % (name, lv), "(%s).$%s(%s)" % (v, name, rest))
                    yield case("fn/%s/chain/%s" % (name, lv), "(%s) ~> $%s(%s)" % (v, name, rest))
        # partial application and as a value
        yield case("fn/%s/partial" % name, "$%s(?%s)(%s)" % (
            name, "".join(", " + a for a in base[1:]), base[0]))
        yield case("fn/%s/value" % name, "$type($%s)" % name)
        yield case("fn/%s/mapped" % name, "$map([%s], $%s)" % (base[0], name))


HOF_FNS = [
    ("l0", "function(){7}"),
    ("l1", "function($v){$v}"),
    ("l2", "function($v,$i){[$v,$i]}"),
    ("l3", "function($v,$i,$a){$count($a)+$i}"),
    ("l4", "function($a,$b,$c,$d){$exists($d)}"),
    ("lsig", "function($v)<n:n>{$v*2}"),
    ("lsiga", "function($v)<a:a>{$v}"),
    ("bstring", "$string"),
    ("bround", "$round"),
    ("bsub", "$substring"),
    ("bappend", "$append"),
    ("bsum", "$sum"),
    ("bbool", "$boolean"),
    ("partial", "$substring(?, 1)"),
    ("partial2", "$append(?, ?)"),
    ("compose", "$string ~> $length"),
    ("regex", "/2/"),
    ("transform", "|$|{'z':1}|"),
    ("undefres", "function($v){nothing}"),
    ("truthy", "function($v){$v > 1}"),
    ("cmp", "function($a,$b){$a < $b}"),
]
HOF_INPUTS = [("arr", "[1,2,3]"), ("one", "[2]"), ("scalar", "2"), ("empty", "[]"),
              ("undef", "nothing"), ("seq", "items.n"), ("strs", '["b","a","c"]'),
              ("objs", "items"), ("dec", "[1.55, 2.55, 3.5]"), ("nest", "[[1],[2,3]]")]


def hof_cases():
    for lf, f in HOF_FNS:
        for li, a in HOF_INPUTS:
            yield case("hof/map/%s/%s" % (lf, li), "$map(%s, %s)" % (a, f))
            yield case("hof/filter/%s/%s" % (lf, li), "$filter(%s, %s)" % (a, f))
            yield case("hof/reduce/%s/%s" % (lf, li), "$reduce(%s, %s)" % (a, f))
            yield case("hof/reducei/%s/%s" % (lf, li), "$reduce(%s, %s, 0)" % (a, f))
            yield case("hof/single/%s/%s" % (lf, li), "$single(%s, %s)" % (a, f))
            yield case("hof/sort/%s/%s" % (lf, li), "$sort(%s, %s)" % (a, f))
            yield case("hof/apply/%s/%s" % (lf, li), "(%s)(%s)" % (f, a))
            yield case("hof/chain/%s/%s" % (lf, li), "%s ~> %s" % (a, f))
        yield case("hof/each/%s" % lf, '$each({"a":1,"b":2}, %s)' % f)
        yield case("hof/sift/%s" % lf, '$sift({"a":1,"b":2,"c":0}, %s)' % f)
        yield case("hof/zipmap/%s" % lf, "$zip([1,2],[3,4]) ~> $map(%s)" % f)
        yield case("hof/type/%s" % lf, "$type(%s)" % f)
    for li, a in HOF_INPUTS:
        yield case("hof/sort1/%s" % li, "$sort(%s)" % a)
        yield case("hof/single1/%s" % li, "$single(%s)" % a)
        yield case("hof/distinct/%s" % li, "$distinct(%s)" % a)
        yield case("hof/reverse/%s" % li, "$reverse(%s)" % a)
        yield case("hof/count/%s" % li, "$count(%s)" % a)
        yield case("hof/zip/%s" % li, "$zip(%s, [9,8])" % a)
        yield case("hof/shuffle/%s" % li, "$sort($shuffle(%s))" % a)
        yield case("hof/append/%s" % li, "$append(%s, %s)" % (a, a))


NUMS = ["0", "-0", "1", "-1", "0.1", "0.2", "0.1+0.2", "1/3", "2/3", "-1/3", "1e21", "1e-7",
        "123e-20", "1e20", "123456789012345678", "1234567890123465", "9007199254740993",
        "0.000001", "0.0000001", "1.005", "2.5", "3.5", "-2.5", "0.5", "1.5", "-0.5", "125",
        "1e300*10", "5e-324", "1.7976931348623157e308", "100", "1e15", "1e16", "99.995",
        "0.045", "1.0000000000000002", "4.35", "8.345", "-1.7976931348623157e308", "12345.6789",
        "1e-10", "1234567.891", "0.30000000000000004", "1e21+1", "2e-6", "1.23456789e-5"]
NUM_PICTURES = ["#,##0.00", "0", "0.0", "#", "#.##", "00.000e0", "0.00e00", "#,###", "0%",
                "#0.00;(#0.00)", "000", "#,##0.###", "0.0##", "#.#e0", "##0.0e0", "0‰",
                "###,###.00", "#,##,##0", "0.00000000000000000000", "#e0", ".00"]


def num_cases():
    for i, n in enumerate(NUMS):
        yield case("num/raw/%d" % i, n)
        yield case("num/string/%d" % i, "$string(%s)" % n)
        yield case("num/concat/%d" % i, "'' & (%s)" % n)
        yield case("num/inarr/%d" % i, "$string([%s])" % n)
        yield case("num/round/%d" % i, "$round(%s)" % n)
        for p in (1, 2, -1, 3):
            yield case("num/round%d/%d" % (p, i), "$round(%s, %d)" % (n, p))
        yield case("num/floor/%d" % i, "$floor(%s)" % n)
        yield case("num/formatBase/%d" % i, "$formatBase(%s, 7)" % n)
        yield case("num/formatInteger/%d" % i, "$formatInteger(%s, '#,##0')" % n)
        yield case("num/formatIntegerw/%d" % i, "$formatInteger(%s, 'w')" % n)
        yield case("num/numberstr/%d" % i, "$number($string(%s))" % n)
        yield case("num/power/%d" % i, "$power(%s, 2)" % n)
        yield case("num/sqrt/%d" % i, "$sqrt(%s)" % n)
        yield case("num/transform/%d" % i, "{'a': %s} ~> |$|{}|" % n)
        for j, pic in enumerate(NUM_PICTURES):
            yield case("num/fmt/%d/%d" % (i, j), "$formatNumber(%s, '%s')" % (n, pic))
    for j, s in enumerate(["12", "-12", "1e3", "1E+3", "0x1F", "0X1f", "0o17", "0b101", "0x1G",
                           " 1", "1 ", "+1", ".5", "5.", "01", "-0", "1e400", "Infinity",
                           "NaN", "", "0b", "1_000", "1.5e-3", "-.5", "0xFFFFFFFFFFFFFFFFF"]):
        yield case("num/number/%d" % j, "$number(%s)" % json.dumps(s))
    for j, n in enumerate(["1e21", "1e-7", "12", "1.5", "-0"]):
        yield case("num/data/%d" % j, "n", data={"n": json.loads(n) if n != "-0" else -0.0})


STRS = ['""', '"abc"', '"ßé"', '"😀"', '"a😀b"', '"İstanbul"', '"ΣΑΣ"', '"ǅ"', '"ﬁ"',
        '"\\u00e9"', '"e\\u0301"', '"\\ud83d\\ude00x"', '"  a\\t b\\n"', '"\\u2028x"',
        '"日本語"', '"aaa"', '"𝒳𝒴"']


def str_cases():
    for i, s in enumerate(STRS):
        for e in ["$length(%s)", "$uppercase(%s)", "$lowercase(%s)", "$substring(%s, 1)",
                  "$substring(%s, 1, 1)", "$substring(%s, -1)", "$substring(%s, -2, 1)",
                  "$pad(%s, 6, '😀')", "$pad(%s, -6)", "$split(%s, '')", "$trim(%s)",
                  "$base64encode(%s)", "$encodeUrlComponent(%s)", "$encodeUrl(%s)",
                  "$string(%s)", "$contains(%s, 'a')", "$substringBefore(%s, 'b')",
                  "$substringAfter(%s, 'a')", "$match(%s, /./)", "$replace(%s, /./, '-')",
                  "$split(%s, /(?:)/)", "$match(%s, /a|😀/)", "%s < 'b'", "%s & %s",
                  "$reverse($split(%s, ''))", "$sort($split(%s, ''))", "$string({%s: 1})",
                  "$join($split(%s, ''), '|')", "$replace(%s, 'a', '$0')",
                  "$length($base64decode($base64encode(%s)))", "[%s]^($)",
                  "$formatNumber(1234.5, '#,##0.0', {'grouping-separator': %s})"]:
            yield case("str/%d/%s" % (i, e.replace("%s", "S")), e.replace("%s", s))
    for i, (a, b) in enumerate([('"a"', '"B"'), ('"\\uffff"', '"😀"'), ('"é"', '"f"'),
                                ('""', '"a"'), ('"ab"', '"a"'), ('"Z"', '"a"')]):
        for op in ["<", "<=", ">", ">=", "=", "!="]:
            yield case("str/cmp/%d/%s" % (i, op), "%s %s %s" % (a, op, b))
        yield case("str/sort/%d" % i, "$sort([%s, %s])" % (a, b))
        yield case("str/orderby/%d" % i, "[%s, %s]^($)" % (a, b))


REGEXES = ["/a/", "/a/i", "/^a/m", "/a$/m", "/./", "/\\d+/", "/\\w+/", "/\\s+/", "/\\bb/",
           "/(a)(b)?/", "/(?:x)|(a)/", "/[^a]/", "/a*/", "/a+?/", "/(a)\\1/", "/\\u0041/i",
           "/[\\s\\S]/", "/\\x61/", "/a{2}/", "/a{,2}/", "/a{2,}/", "/\\//", "/[/]/",
           "/(?=b)/", "/(?<=a)b/", "/(?!a)./", "/(?<n>a)/", "/\\p/", "/\\v/", "/[]/",
           "/[^]/", "/\\0/", "/\\8/", "/é/i", "/É/i", "/\\S+/", "/$/", "/^/", "/\\n/", "/😀/",
           "/./i", "/[a-c]+/i", "/\\B/", "/x*/", "/a|/"]
RX_SUBJECTS = ['"abAB ab\\naB"', '"xaab"', '""', '"b😀a"', '"aa\\u00a0b"', '"a/b"']
REPLACEMENTS = ['"[$0]"', '"$1"', '"$2"', '"$$"', '"$"', '"$10"', '"$01"', '"$a"', '"\\\\$1"',
                '"$11"', 'function($m){$uppercase($m.match)}', 'function($m){$m.groups}',
                'function($m){1}']


def rx_cases():
    for i, r in enumerate(REGEXES):
        for j, s in enumerate(RX_SUBJECTS):
            yield case("rx/match/%d/%d" % (i, j), "$match(%s, %s)" % (s, r))
            yield case("rx/replace/%d/%d" % (i, j), "$replace(%s, %s, '<$0>')" % (s, r))
            yield case("rx/split/%d/%d" % (i, j), "$split(%s, %s)" % (s, r))
            yield case("rx/contains/%d/%d" % (i, j), "$contains(%s, %s)" % (s, r))
            yield case("rx/call/%d/%d" % (i, j), "(%s)(%s)" % (r, s))
        yield case("rx/limit/%d" % i, "$match('abab ab', %s, 2)" % r)
        yield case("rx/next/%d" % i, "%s('aXbab').next()" % r)
    for i, rep in enumerate(REPLACEMENTS):
        for j, r in enumerate(["/(a)(b)?/", "/a/", "/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)/",
                               "/(x)?a/"]):
            yield case("rx/rep/%d/%d" % (i, j), "$replace('abcdefghijk ab', %s, %s)" % (r, rep))
    for i, (s, p, lim) in enumerate([("'aaa'", "'a'", "2"), ("'aaa'", "'a'", "0"),
                                     ("'aaa'", "'a'", "-1"), ("'aaa'", "'a'", "1.9"),
                                     ("'aaa'", "''", "1"), ("'a.b'", "'.'", "5")]):
        yield case("rx/lim/replace/%d" % i, "$replace(%s, %s, 'x', %s)" % (s, p, lim))
        yield case("rx/lim/split/%d" % i, "$split(%s, %s, %s)" % (s, p, lim))
        yield case("rx/lim/match/%d" % i, "$match(%s, /a/, %s)" % (s, lim))
    for i, e in enumerate(["/a/g", "//", "/a", "/(/", "/[/", "/a/x", "/a/mi", "/a/im",
                           "'a' ~> /a/", "$type(/a/)", "/a/ ~> $type()", "[/a/]",
                           "$string(/a/)", "{'r': /a/}", "$match('a', function($s){{'match':'a','start':0,'end':1,'groups':[]}})",
                           "$match('a', function($s){1})", "$replace('abc', function($s){undefined}, 'x')",
                           "$contains('abc', function($s){{'start':0}})",
                           "$split('a1b2c', /\\d/, 2)", "$match('a', /(?i)a/)",
                           "$match('aBc', /b/i).index", "$match('ab😀cd', /c/).index",
                           "$replace('ab😀cd', /c/, function($m){$string($m.start)})"]):
        yield case("rx/misc/%d" % i, e)


PATH_DATA = {
    "Account": {
        "Name": "Firefly",
        "Order": [
            {"OrderID": "o1", "Product": [{"Name": "Hat", "Price": 34.45, "Qty": 2, "Tags": ["a", "b"]},
                                          {"Name": "Cap", "Price": 21.67, "Qty": 1}]},
            {"OrderID": "o2", "Product": [{"Name": "Hat", "Price": 34.45, "Qty": 4, "Tags": ["c"]},
                                          {"Name": "Cloak", "Price": 107.99, "Qty": 1}]},
        ],
    },
    "arr": [[1, 2], [3, [4, 5]], 6],
    "nums": [3, 1, 2],
    "objs": [{"k": "b", "v": 1}, {"k": "a", "v": 2}, {"k": "b", "v": 3}, {"v": 4}],
    "e": [],
    "n": None,
    "deep": {"a": {"b": {"c": [{"d": 1}, {"d": 2}]}}},
    "ref": [{"r": [1, 2]}, {"r": [3, 4]}],
}
PATH_EXPRS = [
    "Account.Order.Product.Name", "Account.Order.Product[0].Name", "(Account.Order.Product)[0].Name",
    "Account.Order[0].Product.Price", "Account.Order.Product[Price>30].Name",
    "Account.Order.Product[Price>30][0].Name", "Account.Order.Product.Tags", "Account.Order.Product.Tags[0]",
    "Account.Order.Product.Tags[]", "Account.Order[].OrderID", "Account.Order[0].OrderID[]",
    "Account.*.Product", "Account.Order.*", "Account.**.Name", "**.Price", "Account.Order.Product.%.OrderID",
    "Account.Order.Product.%.%.Name", "Account.Order.Product[%.OrderID='o2'].Name",
    "Account.Order.Product.{'n': Name, 'o': %.OrderID}", "Account.Order.Product{Name: Price}",
    "Account.Order.Product{Name: Qty[]}", "Account.Order.Product{Name: $sum(Qty)}",
    "Account.Order.Product.{Name: Qty}", "Account.Order{OrderID: Product.Name}",
    "Account.Order.Product^(Price).Name", "Account.Order.Product^(>Price).Name",
    "Account.Order.Product^(Name, >Qty).[Name, Qty]", "Account.Order.Product^(Tags).Name",
    "Account.Order.Product#$i.[Name, $i]", "Account.Order.Product#$i[$i>0].Name",
    "Account.Order.Product[Price>30]#$i.[Name, $i]", "Account.Order#$o.Product#$p.[$o, $p, Name]",
    "Account.Order@$o.Product@$p.[$o.OrderID, $p.Name]", "Account.Order@$o.$o.OrderID",
    "Account.Order@$o.Product[Qty>1].{'id': $o.OrderID}", "Account.Order.Product@$p.%",
    "Account.Order.(Product.Price)", "Account.Order.Product.(Price * Qty)",
    "$sum(Account.Order.Product.(Price * Qty))", "Account.Order.Product[Name='Hat'].Qty",
    "Account.Order.Product[[0,1]].Name", "Account.Order.Product[-1].Name", "Account.Order.Product[99]",
    "Account.Order.Product[true].Name", "Account.Order.Product[Tags].Name", "Account.Order.Product['x'].Name",
    "Account.Order.Product[0.9].Name", "Account.Order.Product[[]].Name", "Account.Order.Product[{}].Name",
    "Account.Order.Product[null].Name", "Account.Order.Product[nothing].Name",
    "arr", "arr[0]", "arr[1]", "arr[1][1]", "arr.$", "arr.*", "arr[0][0]", "arr.[$]", "arr[][0]",
    "arr[$type($)='array']", "$count(arr)", "$count(arr.$)", "arr.$[0]", "[arr]", "[arr, arr]",
    "nums^($)", "nums^(>$)", "nums[$>1]", "nums[$ > 1]^($)", "nums#$i[$i=1]", "nums.($ * 2)",
    "nums@$x.$x", "nums[0..1]", "nums[[0..1]]", "$sort(nums)", "nums[-1..0]",
    "objs{k: v}", "objs{k: v[]}", "objs{k: $count($)}", "objs.{k: v}", "objs^(k).v",
    "objs^(>k, v).v", "objs[k='b'].v", "objs.k", "objs{k: v}.b", "objs{k: %.v}",
    "objs#$i{k: $i}", "objs@$o{$o.k: $o.v}", "e", "e[0]", "e.x", "e[]", "n", "n.x", "n[0]",
    "deep.a.b.c.d", "deep.**.d", "deep.a.**.c", "deep.*.*.c[0]", "deep.a.b.c[d=2].%.%.%",
    "ref.r", "ref.r[0]", "ref[0].r", "$.ref", "ref.r[]", "(ref.r)[1]", "ref[0]",
    "$ ~> |Account.Order.Product|{'Price': Price * 2}|", "$ ~> |Account.Order.Product|{}, ['Tags', 'Qty']|",
    "$ ~> |Account.Order|{'n': $count(Product)}, 'Product'|", "$ ~> |deep.a.b.c|{'e': d + 1}|",
    "$ ~> |nums|{'x':1}|", "$ ~> |objs[k='b']|{'v': v * 10}|", "($t := |**.d|{'z': 1}|; $t(deep))",
    "$ ~> |Account|{'Name': null}|", "$ ~> |Account|5|", "$ ~> |Account|{}, 5|", "$ ~> |nothing|{}|",
    "Account.Order.Product.Price ~> $sum()", "Account.Order.Product.Name ~> $distinct()",
    "Account.Order.Product[Price > 30 and Qty > 2].Name", "Account.Order[Product.Price > 100].OrderID",
    "Account.Order.Product[Name in ['Hat','Cap']].Qty", "Account.`Order`.Product.`Name`",
    "Account.'Order'.Product.\"Name\"", "Account.Order.Product.'Name'[0]",
    "{'a': Account.Order.Product.Name}", "{'a': Account.Order[0].Product[0].Tags}",
    "[Account.Order.Product.Name]", "[Account.Order.Product.Name][1]", "Account.Order.Product.Name[1]",
    "$$.Account.Name", "Account.($$.nums)", "Account.Order.$count(Product)",
    "Account.Order.Product.$string(Price)", "$.Account.Order.(OrderID & ':' & $count(Product))",
    "Account.Order.Product[$.Qty = 1].Name", "**[Price > 100].Name", "*[0]", "*.Order",
    "Account.Order[0].Product{Name: Price, 'x': Qty}", "Account.Order.Product{'k': Name}",
    "Account{Name: Order}", "nums{'x': $}", "nums{$string($): $}", "objs{k: v}~>$keys()",
]


def path_cases():
    for i, e in enumerate(PATH_EXPRS):
        yield case("path/%d" % i, e, data=PATH_DATA)
    for i, e in enumerate(["$[0]", "$[1].a", "a", "a[0]", "$.a", "*", "$count($)", "a.b",
                           "$[a>1]", "$ ~> $count()", "$.$", "**", "%", "$^(a)", "$[0][0]"]):
        yield case("path/toparr/%d" % i, e, data=[{"a": 1, "b": [1, 2]}, {"a": 2}, [3, 4]])


def cases():
    for g in (op_cases, fn_cases, hof_cases, num_cases, str_cases, rx_cases, path_cases):
        for c in g():
            if c is not None:
                yield c


if __name__ == "__main__":
    for c in cases():
        sys.stdout.write(json.dumps(c, ensure_ascii=False) + "\n")
