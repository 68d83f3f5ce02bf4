/*
 * ref_eval.mjs: evaluates JSONata cases with the reference implementation (jsonata-js) and
 * prints one outcome line per case, in the same shape as `stepx jsonata --batch`:
 *   {"result": v} | {"undefined": true} | {"error": {"code", "message", "position"?, "token"?}}
 *
 * Input: JSON lines on stdin {expr, data, undefined_input, bindings, timelimit, depth}.
 * Usage: node ref_eval.mjs [--version 2.2.2|2.0.6] [--peers DIR]
 *
 * Runaway guard as the upstream test harness does it (__evaluate_entry/exit hooks): depth
 * (default 1000, the stepx default) and time (default 5000 ms) give code U1001. A JS error
 * without a JSONata code (stack overflow, invalid regex) gives code "JS:<name>".
 *
 * Printing follows cli_jsonata.c: functions are "" at the top level, null inside arrays and
 * omitted inside objects; NaN/Infinity print as null (JSON.stringify rules).
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const args = process.argv.slice(2);
let version = '2.2.2';
let peers = new URL('../../../bench/peers/node_modules', import.meta.url).pathname;
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--version') version = args[++i];
    else if (args[i] === '--peers') peers = args[++i];
}
const require = createRequire(import.meta.url);
const jsonata = require(join(peers, version === '2.0.6' ? 'jsonata-2.0.6' : 'jsonata'));

function isFn(v) {
    return typeof v === 'function' ||
        (v !== null && typeof v === 'object' && (v._jsonata_lambda === true || v._jsonata_function === true));
}

function plain(v) {
    if (isFn(v)) return undefined;
    if (Array.isArray(v)) return v.map((x) => { const y = plain(x); return y === undefined ? null : y; });
    if (v !== null && typeof v === 'object') {
        const o = {};
        for (const k of Object.keys(v)) {
            const y = plain(v[k]);
            if (y !== undefined) o[k] = y;
        }
        return o;
    }
    return v;
}

function timebox(expr, timeout, maxDepth) {
    let depth = 0;
    const time = Date.now();
    const check = () => {
        if (depth > maxDepth)
            throw { code: 'U1001', message: 'Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.' };
        if (Date.now() - time > timeout)
            throw { code: 'U1001', message: 'Expression evaluation timeout: Check for infinite loop' };
    };
    const entry = () => { depth++; check(); };
    const exit = () => { depth--; check(); };
    expr.assign(Symbol.for('jsonata.__evaluate_entry'), entry);
    expr.assign(Symbol.for('jsonata.__evaluate_exit'), exit);
    /* 2.0.x looked the hooks up by string name */
    expr.assign('__evaluate_entry', entry);
    expr.assign('__evaluate_exit', exit);
}

function errOut(e) {
    if (e && typeof e === 'object' && typeof e.code === 'string') {
        const o = { code: e.code, message: String(e.message ?? '') };
        if (typeof e.position === 'number') o.position = e.position;
        if (typeof e.token === 'string') o.token = e.token;
        return { error: o };
    }
    const name = e && e.name ? e.name : typeof e;
    return { error: { code: 'JS:' + name, message: String(e && e.message ? e.message : e) } };
}

async function one(c) {
    let expr;
    try {
        expr = jsonata(c.expr);
    } catch (e) {
        return errOut(e);
    }
    timebox(expr, c.timelimit ?? 5000, c.depth ?? 1000);
    const input = c.undefined_input ? undefined : c.data;
    try {
        const r = await expr.evaluate(input, c.bindings || {});
        if (r === undefined) return { undefined: true };
        if (isFn(r)) return { result: '' };
        return { result: plain(r) };
    } catch (e) {
        return errOut(e);
    }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
    if (!line.trim()) continue;
    let out;
    try {
        out = await one(JSON.parse(line));
    } catch (e) {
        out = errOut(e);
    }
    let text;
    try {
        text = JSON.stringify(out);
    } catch (e) {
        text = JSON.stringify(errOut(e));
    }
    process.stdout.write(text + '\n');
}
