/*
 * bench_jsonata.c: JSONata evaluation throughput over the conformance suite, compile once,
 * evaluate many. The peer is bench/peers/jsonata_peer.mjs; both do the same selection and
 * the same loop so that their figures compare case for case.
 *
 *   bench_jsonata [--suite DIR] [-m M] [--max-ms MS] [--ids FILE] [--per-case FILE]
 *                 [--filter SUBSTR] [-v]
 *
 * Selection: every line of DIR/ *.jsonl whose `expect` is a result or undefined and that has
 * no timelimit/depth guard. Each selected case is compiled once (timed apart) and evaluated
 * once untimed; a case that fails to compile, raises an error, or returns something other
 * than the expected value is dropped and counted (errors / mismatches), so a fast wrong
 * answer is never credited. The kept cases are then evaluated up to M times each, stopping
 * early once the case has used MS of evaluation time (at least one timed evaluation).
 *
 * Every evaluation gets a fresh arena, freed right after it: this is what an ASL state does
 * (one arena per execution), and it keeps memory flat whatever M is.
 *
 * Output: one JSON line
 *   {impl, m, max_ms, selected, cases, errors, mismatches, evals, eval_s, evals_per_s,
 *    geomean_evals_per_s, compiles_per_s, peak_rss_kb}
 * evals_per_s is the throughput of one evaluation of every kept case (cases / sum of the
 * per-case mean evaluation times, independent of how often each case ran);
 * geomean_evals_per_s is the geometric mean of the per-case rates. --per-case writes one
 * line per kept case {id, evals, ns_per_eval, evals_per_s}; -v lists dropped cases on
 * stderr. Exit status 0 when at least one case was measured, 3 when none could be (e.g.
 * the JSONata evaluator is not built yet), 2 on bad usage or unreadable suite.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "stepx/jsonata.h"
#include "stepx/sx.h"
#include "stepx/val.h"

typedef struct bench_opts {
    const char *suite;    /* directory of *.jsonl */
    long m;               /* timed evaluations per case, at most */
    double max_ms;        /* evaluation time budget per case */
    const char *ids;      /* file of case ids to keep, or NULL */
    const char *per_case; /* output file of per-case figures, or NULL */
    const char *filter;   /* substring an id must contain, or NULL */
    int verbose;          /* list dropped cases on stderr */
} bench_opts_t;

typedef struct bench_totals {
    long selected;       /* cases passing the static selection */
    long cases;          /* cases measured */
    long errors;         /* compile or evaluation errors */
    long mismatches;     /* evaluated to something other than expected */
    long evals;          /* timed evaluations */
    double eval_ns;      /* total timed evaluation time */
    double one_pass_ns;  /* sum of per-case mean evaluation times */
    double log_rate_sum; /* sum of log(per-case evals/s) */
    double compile_ns;   /* total compile time of measured cases */
    char **ids;          /* sorted ids to keep (--ids), or NULL */
    size_t nids;         /* entries in ids */
    FILE *per_case;      /* --per-case stream, or NULL */
} bench_totals_t;

/* One parsed suite line; every pointer lives in the case arena. */
typedef struct bench_case {
    const char *id;        /* "group/case001" */
    const val_t *expr;     /* VAL_STR */
    const val_t *input;    /* NULL when undefined_input */
    const val_t *bindings; /* object or NULL */
    const val_t *expect;   /* the expected result, NULL for undefined */
    int unordered;         /* compare top-level arrays as multisets */
} bench_case_t;

/* ------------------------------------------------------------------ options */

static void
usage(void)
{
    fprintf(stderr, "usage: bench_jsonata [--suite DIR] [-m M] [--max-ms MS] [--ids FILE]\n"
                    "                     [--per-case FILE] [--filter SUBSTR] [-v]\n");
}

static int
opts_parse(bench_opts_t *o, int argc, char **argv)
{
    *o = (bench_opts_t){"/work/shared/jsonata-suite", 100, 100.0, NULL, NULL, NULL, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-v") == 0) {
            o->verbose = 1;
            continue;
        }
        if (i + 1 >= argc)
            return SX_ERR;
        const char *v = argv[++i];
        if (strcmp(a, "--suite") == 0)
            o->suite = v;
        else if (strcmp(a, "-m") == 0)
            o->m = strtol(v, NULL, 10);
        else if (strcmp(a, "--max-ms") == 0)
            o->max_ms = strtod(v, NULL);
        else if (strcmp(a, "--ids") == 0)
            o->ids = v;
        else if (strcmp(a, "--per-case") == 0)
            o->per_case = v;
        else if (strcmp(a, "--filter") == 0)
            o->filter = v;
        else
            return SX_ERR;
    }
    return o->m >= 1 && o->max_ms > 0 ? SX_OK : SX_ERR;
}

static int
cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Loads the --ids file into t->ids (sorted, heap). */
static int
ids_load(bench_totals_t *t, const char *path)
{
    char *buf;
    size_t len, cap = 64;
    if (sx_read_file(path, &buf, &len) != SX_OK)
        return SX_ERR;
    t->ids = sx_malloc(cap * sizeof(char *));
    /* Split by length: an empty file's buffer is not NUL-terminated (sx_read_file). */
    for (char *p = buf, *nl; p < buf + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (nl == NULL)
            nl = buf + len;
        if (nl == p)
            continue;
        if (t->nids == cap) {
            cap *= 2;
            t->ids = sx_realloc(t->ids, cap * sizeof(char *));
        }
        t->ids[t->nids++] = sx_strndup(p, (size_t)(nl - p));
    }
    sx_free(buf);
    qsort(t->ids, t->nids, sizeof(char *), cmp_str);
    return SX_OK;
}

static int
ids_has(const bench_totals_t *t, const char *id)
{
    return bsearch(&id, t->ids, t->nids, sizeof(char *), cmp_str) != NULL;
}

/* ------------------------------------------------------------------ cases */

/* Fills c from one parsed line; returns SX_DECLINED when the case is not selected. */
static int
case_select(const bench_opts_t *o, const bench_totals_t *t, const val_t *line, bench_case_t *c)
{
    const val_t *id = val_obj_gets(line, "id");
    const val_t *exp = val_obj_gets(line, "expect");
    const val_t *und = val_obj_gets(line, "undefined_input");
    const val_t *uo = val_obj_gets(line, "unordered");
    if (!val_is(id, VAL_STR) || !val_is(exp, VAL_OBJ))
        return SX_ERR;
    c->id = val_str_get(id);
    c->expr = val_obj_gets(line, "expr");
    c->expect = val_obj_gets(exp, "result");
    if (!val_is(c->expr, VAL_STR))
        return SX_ERR;
    if (c->expect == NULL && !val_is(val_obj_gets(exp, "undefined"), VAL_BOOL))
        return SX_DECLINED;
    if (val_obj_gets(line, "timelimit") != NULL || val_obj_gets(line, "depth") != NULL)
        return SX_DECLINED;
    if (o->filter != NULL && strstr(c->id, o->filter) == NULL)
        return SX_DECLINED;
    if (t->ids != NULL && !ids_has(t, c->id))
        return SX_DECLINED;
    c->input = val_is(und, VAL_BOOL) && val_bool_get(und) ? NULL : val_obj_gets(line, "data");
    c->bindings = val_obj_gets(line, "bindings");
    if (!val_is(c->bindings, VAL_OBJ) || val_len(c->bindings) == 0)
        c->bindings = NULL;
    c->unordered = val_is(uo, VAL_BOOL) && val_bool_get(uo);
    return SX_OK;
}

/* Multiset equality of two arrays (the suite's `unordered` cases; they are short). */
static int
equal_unordered(const val_t *got, const val_t *want)
{
    size_t n = val_len(want);
    int ok = 1;
    if (!val_is(got, VAL_ARR) || val_len(got) != n)
        return 0;
    char *used = sx_calloc(n ? n : 1, 1);
    for (size_t i = 0; i < n && ok; i++) {
        ok = 0;
        for (size_t j = 0; j < n && !ok; j++) {
            if (!used[j] && val_equal(val_arr_at(got, i), val_arr_at(want, j))) {
                used[j] = 1;
                ok = 1;
            }
        }
    }
    sx_free(used);
    return ok;
}

static int
case_matches(const bench_case_t *c, const val_t *got)
{
    if (c->expect == NULL || got == NULL)
        return c->expect == got;
    if (c->unordered && val_is(c->expect, VAL_ARR))
        return equal_unordered(got, c->expect);
    return val_equal(got, c->expect);
}

static void
drop(const bench_opts_t *o, const bench_case_t *c, const char *why, const jna_error_t *err)
{
    if (!o->verbose)
        return;
    if (err != NULL)
        fprintf(stderr, "drop %s: %s %s: %s\n", c->id, why, err->code,
                err->message ? err->message : "");
    else
        fprintf(stderr, "drop %s: %s\n", c->id, why);
}

/* Evaluates e once in a fresh arena; returns SX_OK when it matched the expectation. */
static int
case_probe(const bench_opts_t *o, bench_totals_t *t, const bench_case_t *c, const jna_expr_t *e,
           const jna_opts_t *jo)
{
    sx_arena_t *a = sx_arena_new(0);
    const val_t *out = NULL;
    jna_error_t err = {0};
    int rc = SX_ERR;
    if (jna_eval(e, c->input, jo, a, &out, &err) != SX_OK) {
        t->errors++;
        drop(o, c, "eval error", &err);
        goto out_free_arena;
    }
    if (!case_matches(c, out)) {
        t->mismatches++;
        drop(o, c, "unexpected result", NULL);
        goto out_free_arena;
    }
    rc = SX_OK;
out_free_arena:
    sx_arena_free(a);
    return rc;
}

/* The timed loop of one case; records its figures in t. */
static void
case_time(const bench_opts_t *o, bench_totals_t *t, const bench_case_t *c, const jna_expr_t *e,
          const jna_opts_t *jo)
{
    double budget = o->max_ms * 1e6, ns = 0;
    long n = 0;
    uint64_t t0 = sx_mono_ns();
    while (n < o->m && ns < budget) {
        sx_arena_t *a = sx_arena_new(0);
        const val_t *out;
        jna_error_t err;
        (void)jna_eval(e, c->input, jo, a, &out, &err);
        sx_arena_free(a);
        n++;
        ns = (double)(sx_mono_ns() - t0);
    }
    if (ns <= 0)
        ns = 1;
    double per = ns / (double)n;
    t->cases++;
    t->evals += n;
    t->eval_ns += ns;
    t->one_pass_ns += per;
    t->log_rate_sum += log(1e9 / per);
    if (t->per_case != NULL) {
        sx_sbuf_t id = SX_SBUF_INIT;
        val_json_quote(&id, c->id, strlen(c->id));
        fprintf(t->per_case,
                "{\"id\":%s,\"evals\":%ld,\"ns_per_eval\":%.1f,\"evals_per_s\":%.1f}\n", id.p, n,
                per, 1e9 / per);
        sx_sbuf_fini(&id);
    }
}

/* Runs one suite line: select, compile, probe, time. */
static void
case_run(const bench_opts_t *o, bench_totals_t *t, const char *text, size_t len)
{
    sx_arena_t *ca = sx_arena_new(0);
    const val_t *line;
    const jna_expr_t *e;
    bench_case_t c;
    jna_error_t err = {0};
    if (val_json_parse(ca, text, len, &line, NULL) != SX_OK || case_select(o, t, line, &c) != SX_OK)
        goto out_free_arena;
    t->selected++;
    jna_opts_t jo = {.bindings = c.bindings};
    uint64_t t0 = sx_mono_ns();
    if (jna_compile(ca, val_str_get(c.expr), val_len(c.expr), &e, &err) != SX_OK) {
        t->errors++;
        drop(o, &c, "compile error", &err);
        goto out_free_arena;
    }
    double compile_ns = (double)(sx_mono_ns() - t0);
    if (case_probe(o, t, &c, e, &jo) != SX_OK)
        goto out_free_arena;
    t->compile_ns += compile_ns;
    case_time(o, t, &c, e, &jo);
out_free_arena:
    sx_arena_free(ca);
}

/* ------------------------------------------------------------------ suite */

static void
file_run(const bench_opts_t *o, bench_totals_t *t, const char *path)
{
    char *buf;
    size_t len;
    if (sx_read_file(path, &buf, &len) != SX_OK) {
        fprintf(stderr, "bench_jsonata: cannot read %s\n", path);
        return;
    }
    for (char *p = buf, *nl; p < buf + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (nl == NULL)
            nl = buf + len;
        if (nl > p)
            case_run(o, t, p, (size_t)(nl - p));
    }
    sx_free(buf);
}

static int
has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

/* Runs every *.jsonl of the suite directory in name order. */
static int
suite_run(const bench_opts_t *o, bench_totals_t *t)
{
    DIR *d = opendir(o->suite);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    if (d == NULL)
        return SX_ERR;
    while ((de = readdir(d)) != NULL) {
        if (!has_suffix(de->d_name, ".jsonl"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 128;
            names = sx_realloc(names, cap * sizeof(char *));
        }
        names[n++] = sx_strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", o->suite, names[i]);
        file_run(o, t, path);
        sx_free(names[i]);
    }
    sx_free(names);
    return SX_OK;
}

static long
peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static void
report(const bench_opts_t *o, const bench_totals_t *t)
{
    double total = t->one_pass_ns > 0 ? (double)t->cases * 1e9 / t->one_pass_ns : 0;
    double geo = t->cases > 0 ? exp(t->log_rate_sum / (double)t->cases) : 0;
    double comp = t->compile_ns > 0 ? (double)t->cases * 1e9 / t->compile_ns : 0;
    printf("{\"impl\":\"stepx\",\"m\":%ld,\"max_ms\":%g,\"selected\":%ld,\"cases\":%ld,"
           "\"errors\":%ld,\"mismatches\":%ld,\"evals\":%ld,\"eval_s\":%.6f,"
           "\"evals_per_s\":%.1f,\"geomean_evals_per_s\":%.1f,\"compiles_per_s\":%.1f,"
           "\"peak_rss_kb\":%ld}\n",
           o->m, o->max_ms, t->selected, t->cases, t->errors, t->mismatches, t->evals,
           t->eval_ns / 1e9, total, geo, comp, peak_rss_kb());
}

int
main(int argc, char **argv)
{
    bench_opts_t o;
    bench_totals_t t = {0};
    int rc = 2;
    if (opts_parse(&o, argc, argv) != SX_OK) {
        usage();
        return 2;
    }
    if (o.ids != NULL && ids_load(&t, o.ids) != SX_OK) {
        fprintf(stderr, "bench_jsonata: cannot read %s\n", o.ids);
        return 2;
    }
    if (o.per_case != NULL && (t.per_case = fopen(o.per_case, "w")) == NULL) {
        fprintf(stderr, "bench_jsonata: cannot write %s\n", o.per_case);
        goto out_free_ids;
    }
    if (suite_run(&o, &t) != SX_OK) {
        fprintf(stderr, "bench_jsonata: cannot open suite %s\n", o.suite);
        goto out_close;
    }
    report(&o, &t);
    rc = t.cases > 0 ? 0 : 3;
out_close:
    if (t.per_case != NULL)
        fclose(t.per_case);
out_free_ids:
    for (size_t i = 0; i < t.nids; i++)
        sx_free(t.ids[i]);
    sx_free(t.ids);
    return rc;
}
