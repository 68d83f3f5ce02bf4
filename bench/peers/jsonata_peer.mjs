/*
 * jsonata_peer.mjs: the JSONata benchmark's peer, the reference `jsonata` package on node.
 *
 * Mirrors bench/bench_jsonata.c case for case:
 *   - reads every shared/jsonata-suite/*.jsonl line;
 *   - keeps the cases that must evaluate successfully (expect.result or expect.undefined) and
 *     carry no timelimit/depth guard, then drops those whose evaluation throws here;
 *   - compiles each expression once (outside the timed loop, timed apart), evaluates it once
 *     untimed (warm-up and correctness probe), then M times against its input and bindings
 *     (awaiting each result: evaluate() is async in 2.x), stopping early once the case has
 *     used --max-ms of evaluation time (at least one timed evaluation);
 *   - prints one JSON line: evals_per_s, the throughput of one evaluation of every case
 *     (cases / sum of the per-case mean evaluation times, so the figure does not depend on
 *     how many times each case ran), and geomean_evals_per_s, the geometric mean of the
 *     per-case evals/s.
 *
 * Usage: node jsonata_peer.mjs [--suite DIR] [-m M] [--max-ms MS] [--version 2.2.2|2.0.6]
 *                              [--ids FILE] [--per-case FILE] [--filter SUBSTR]
 * --ids restricts the run to the case ids listed in FILE (one per line), so both sides can
 * run exactly the same set; --per-case writes one JSON line per case
 * {id, evals, ns_per_eval, evals_per_s, match}.
 *
 * KNOWN_HANGS lists cases a version never finishes (a bug of that version); they are skipped
 * and counted in `skipped`.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceUsage } from 'node:process';

const KNOWN_HANGS = {
    '2.2.2': [],
    /* $formatNumber loops forever on this picture in 2.0.6 (fixed upstream by 2.2.x). */
    '2.0.6': ['function-formatNumber/issue785#1']
};

function usage(msg) {
    if (msg) process.stderr.write(`jsonata_peer: ${msg}\n`);
    process.stderr.write(
        'usage: node jsonata_peer.mjs [--suite DIR] [-m M] [--version 2.2.2|2.0.6] ' +
            '[--ids FILE] [--per-case FILE] [--filter SUBSTR]\n'
    );
    process.exit(2);
}

function parseArgs(argv) {
    const o = {
        suite: '/work/shared/jsonata-suite',
        m: 100,
        maxMs: 100,
        version: '2.2.2',
        ids: null,
        perCase: null,
        filter: null
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const next = () => {
            if (i + 1 >= argv.length) usage(`${a} needs a value`);
            return argv[++i];
        };
        if (a === '--suite') o.suite = next();
        else if (a === '-m') o.m = Number(next());
        else if (a === '--max-ms') o.maxMs = Number(next());
        else if (a === '--version') o.version = next();
        else if (a === '--ids') o.ids = next();
        else if (a === '--per-case') o.perCase = next();
        else if (a === '--filter') o.filter = next();
        else usage(`unknown argument ${a}`);
    }
    if (!(o.m >= 1 && o.maxMs > 0)) usage('bad -m/--max-ms');
    if (o.version !== '2.2.2' && o.version !== '2.0.6') usage('bad --version');
    return o;
}

/* Deep equality as the suite's README asks: numbers by value, object keys in any order,
 * arrays in order unless `unordered`. Used only to report mismatches. */
function deepEqual(a, b) {
    if (a === b) return true;
    if (typeof a !== typeof b || a === null || b === null) return false;
    if (typeof a !== 'object') return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) {
        if (a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
        return true;
    }
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

function matches(c, got) {
    if (c.expect.undefined) return got === undefined;
    if (got === undefined) return false;
    /* A JSON round trip drops functions and sequence annotations, as the suite's JSON does. */
    let plain;
    try {
        plain = JSON.parse(JSON.stringify(got));
    } catch {
        return false;
    }
    if (c.unordered && Array.isArray(plain) && Array.isArray(c.expect.result)) {
        const rest = [...c.expect.result];
        for (const x of plain) {
            const k = rest.findIndex((y) => deepEqual(x, y));
            if (k < 0) return false;
            rest.splice(k, 1);
        }
        return rest.length === 0;
    }
    return deepEqual(plain, c.expect.result);
}

function loadCases(o) {
    const files = readdirSync(o.suite)
        .filter((f) => f.endsWith('.jsonl'))
        .sort();
    const only = o.ids
        ? new Set(
              readFileSync(o.ids, 'utf8')
                  .split('\n')
                  .filter((s) => s.length > 0)
          )
        : null;
    const cases = [];
    let skipped = 0;
    for (const f of files) {
        for (const line of readFileSync(join(o.suite, f), 'utf8').split('\n')) {
            if (line.trim() === '') continue;
            const c = JSON.parse(line);
            if (!('result' in c.expect) && !c.expect.undefined) continue;
            if ('timelimit' in c || 'depth' in c) continue;
            if (only && !only.has(c.id)) continue;
            if (o.filter && !c.id.includes(o.filter)) continue;
            if (KNOWN_HANGS[o.version].includes(c.id)) {
                skipped++;
                continue;
            }
            cases.push(c);
        }
    }
    return { cases, skipped };
}

function nowNs() {
    return process.hrtime.bigint();
}

/* Compiles and runs one case; returns its per-case record, or null when it throws. */
async function runCase(jsonata, c, m, maxNs) {
    const input = c.undefined_input ? undefined : c.data;
    const bindings = c.bindings && Object.keys(c.bindings).length ? c.bindings : undefined;
    let expr;
    let got;
    const t0 = nowNs();
    try {
        expr = jsonata(c.expr);
    } catch {
        return null;
    }
    const compileNs = Number(nowNs() - t0);
    try {
        got = await expr.evaluate(input, bindings); /* warm-up and correctness probe */
    } catch {
        return null;
    }
    const t1 = nowNs();
    let n = 0;
    let ns = 0;
    while (n < m && ns < maxNs) {
        await expr.evaluate(input, bindings);
        n++;
        ns = Number(nowNs() - t1);
    }
    return { id: c.id, evals: n, compile_ns: compileNs, ns, match: matches(c, got) };
}

function geomean(xs) {
    if (xs.length === 0) return 0;
    return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

async function main() {
    const o = parseArgs(process.argv.slice(2));
    const mod = await import(o.version === '2.2.2' ? 'jsonata' : 'jsonata-2.0.6');
    const jsonata = mod.default;
    const { cases, skipped } = loadCases(o);
    const recs = [];
    let errors = 0;
    for (const c of cases) {
        const r = await runCase(jsonata, c, o.m, o.maxMs * 1e6);
        if (r === null) errors++;
        else recs.push(r);
    }
    const totalEvals = recs.reduce((s, r) => s + r.evals, 0);
    const evalNs = recs.reduce((s, r) => s + r.ns, 0);
    const onePassNs = recs.reduce((s, r) => s + r.ns / r.evals, 0);
    const compileNs = recs.reduce((s, r) => s + r.compile_ns, 0);
    const perCase = recs.map((r) => ({
        id: r.id,
        evals: r.evals,
        ns_per_eval: r.ns / r.evals,
        evals_per_s: r.ns > 0 ? (r.evals * 1e9) / r.ns : 0,
        match: r.match
    }));
    if (o.perCase) writeFileSync(o.perCase, perCase.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const out = {
        impl: `jsonata@${o.version}`,
        node: process.version,
        m: o.m,
        max_ms: o.maxMs,
        selected: cases.length,
        skipped,
        cases: recs.length,
        errors,
        mismatches: recs.filter((r) => !r.match).length,
        evals: totalEvals,
        eval_s: Number((evalNs / 1e9).toFixed(6)),
        evals_per_s: Number(((recs.length * 1e9) / onePassNs).toFixed(1)),
        geomean_evals_per_s: Number(geomean(perCase.map((x) => x.evals_per_s)).toFixed(1)),
        compiles_per_s: Number(((recs.length * 1e9) / compileNs).toFixed(1)),
        peak_rss_kb: resourceUsage().maxRSS
    };
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
    process.stderr.write(`jsonata_peer: ${e.stack || e}\n`);
    process.exit(1);
});
