/*
 * asl_peer.mjs: the engine benchmark's peer, aws-local-stepfunctions 3.0.0 on node.
 *
 * Runs one state machine N times with C executions in flight and prints one JSON line with
 * the fields `stepx bench` prints:
 *   {exec_per_s, transitions_per_s, p50_us, p99_us, peak_rss_kb, ...}
 *
 * Usage: node asl_peer.mjs DEF.json --input F [-n N] [-c C] [--warmup W] [--count MODE]
 *                          [--wait-ms MS] [--print-output]
 *
 * A state transition is one state entered (the StateEntered events of the execution,
 * including those forwarded from Map iterations and Parallel branches), which is how
 * `stepx bench` counts. --count events (default) drains every execution's event log and
 * counts its StateEntered events; --count first counts them for the warm-up executions only
 * and multiplies (valid for the deterministic workflows in shared/bench, and cheaper for the
 * peer). The library queues the events either way, so draining them costs only the async
 * iteration.
 *
 * --wait-ms MS makes every Wait state pause MS milliseconds (the library's waitTimeOverrides);
 * with -c N and a Wait longer than the time it takes to start N executions, all N are parked
 * at once and peak_rss_kb is the memory of N parked executions (the --park check of
 * `stepx bench`, which runs on a virtual clock instead). max_in_flight tells how many
 * executions actually overlapped (N when the Wait outlasted the start-up).
 *
 * --print-output runs one execution and prints its output (JSON) instead of measuring:
 * scripts/bench.sh compares it with `stepx run`, so that both sides are known to do the same
 * work.
 *
 * Latency is measured per execution from run() to its result (µs). peak_rss_kb is the
 * process's maximum resident set (getrusage), as stepx reports it.
 */
import { readFileSync } from 'node:fs';
import { resourceUsage } from 'node:process';
import { StateMachine } from 'aws-local-stepfunctions';

function usage(msg) {
    if (msg) process.stderr.write(`asl_peer: ${msg}\n`);
    process.stderr.write(
        'usage: node asl_peer.mjs DEF.json --input F [-n N] [-c C] [--warmup W] ' +
            '[--count events|first] [--wait-ms MS] [--print-output]\n'
    );
    process.exit(2);
}

function parseArgs(argv) {
    const o = { def: null, input: null, n: 1000, c: 1, warmup: 20, count: 'events', waitMs: -1, printOutput: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const next = () => {
            if (i + 1 >= argv.length) usage(`${a} needs a value`);
            return argv[++i];
        };
        if (a === '--input') o.input = next();
        else if (a === '-n') o.n = Number(next());
        else if (a === '-c') o.c = Number(next());
        else if (a === '--warmup') o.warmup = Number(next());
        else if (a === '--count') o.count = next();
        else if (a === '--wait-ms') o.waitMs = Number(next());
        else if (a === '--print-output') o.printOutput = true;
        else if (a.startsWith('-')) usage(`unknown option ${a}`);
        else if (o.def === null) o.def = a;
        else usage(`unexpected argument ${a}`);
    }
    if (o.def === null) usage('no definition');
    if (!(o.n >= 1 && o.c >= 1 && o.warmup >= 0)) usage('bad -n/-c/--warmup');
    if (o.count !== 'events' && o.count !== 'first') usage('bad --count');
    return o;
}

/* Runs one execution; returns the number of states entered (-1 when not counted). */
async function runOne(sm, input, countEvents, runOpts) {
    const { result, eventLogs } = sm.run(input, runOpts);
    await result;
    if (!countEvents) return -1;
    let entered = 0;
    for await (const ev of eventLogs) {
        if (ev.type === 'StateEntered') entered++;
    }
    return entered;
}

/* Maps every Wait state name (at any depth) to ms. */
function waitOverrides(def, ms) {
    const out = {};
    const walk = (machine) => {
        for (const [name, st] of Object.entries(machine.States || {})) {
            if (st.Type === 'Wait') out[name] = ms;
            if (st.ItemProcessor) walk(st.ItemProcessor);
            if (st.Iterator) walk(st.Iterator);
            for (const b of st.Branches || []) walk(b);
        }
    };
    walk(def);
    return out;
}

/* The largest number of executions running at the same moment (start/end sweep). */
function maxInFlight(startNs, latUs) {
    const ev = [];
    for (let i = 0; i < startNs.length; i++) {
        ev.push([startNs[i], 1]);
        ev.push([startNs[i] + latUs[i] * 1000, -1]);
    }
    ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let cur = 0;
    let max = 0;
    for (const [, d] of ev) {
        cur += d;
        if (cur > max) max = cur;
    }
    return max;
}

function percentile(sorted, p) {
    if (sorted.length === 0) return 0;
    const k = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return sorted[Math.max(0, k)];
}

async function main() {
    const o = parseArgs(process.argv.slice(2));
    const def = JSON.parse(readFileSync(o.def, 'utf8'));
    const input = o.input ? JSON.parse(readFileSync(o.input, 'utf8')) : {};
    const sm = new StateMachine(def);
    const runOpts = o.waitMs >= 0 ? { overrides: { waitTimeOverrides: waitOverrides(def, o.waitMs) } } : undefined;

    if (o.printOutput) {
        const out = await sm.run(input, runOpts).result;
        process.stdout.write(JSON.stringify(out) + '\n');
        return;
    }

    /* Warm-up: lets V8 optimise and gives the per-execution count for --count first. */
    let perExec = -1;
    for (let i = 0; i < Math.max(o.warmup, 1); i++) {
        const k = await runOne(sm, input, true, runOpts);
        if (perExec >= 0 && k !== perExec) {
            process.stderr.write(`asl_peer: non-deterministic workflow (${perExec} vs ${k})\n`);
            if (o.count === 'first') process.exit(1);
        }
        perExec = k;
    }

    const countEvents = o.count === 'events';
    const lat = new Float64Array(o.n);
    const startNs = new Float64Array(o.n);
    let next = 0;
    let transitions = 0;
    let failed = 0;
    async function worker() {
        while (next < o.n) {
            const i = next++;
            const t0 = process.hrtime.bigint();
            startNs[i] = Number(t0 - tStart);
            try {
                const k = await runOne(sm, input, countEvents, runOpts);
                transitions += countEvents ? k : perExec;
            } catch (e) {
                failed++;
                if (failed === 1) process.stderr.write(`asl_peer: execution failed: ${e}\n`);
            }
            lat[i] = Number(process.hrtime.bigint() - t0) / 1000;
        }
    }
    const tStart = process.hrtime.bigint();
    const t0 = tStart;
    await Promise.all(Array.from({ length: Math.min(o.c, o.n) }, worker));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;

    const sorted = Array.from(lat).sort((a, b) => a - b);
    const out = {
        impl: 'aws-local-stepfunctions@3.0.0',
        node: process.version,
        n: o.n,
        c: o.c,
        failed,
        transitions,
        transitions_per_exec: perExec,
        elapsed_s: Number(secs.toFixed(6)),
        exec_per_s: Number(((o.n - failed) / secs).toFixed(1)),
        transitions_per_s: Number((transitions / secs).toFixed(1)),
        p50_us: Math.round(percentile(sorted, 50)),
        p99_us: Math.round(percentile(sorted, 99)),
        max_in_flight: maxInFlight(startNs, lat),
        peak_rss_kb: resourceUsage().maxRSS
    };
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(failed ? 1 : 0);
}

main().catch((e) => {
    process.stderr.write(`asl_peer: ${e.stack || e}\n`);
    process.exit(1);
});
