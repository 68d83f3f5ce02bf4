/*
 * cli_bench.c: `stepx bench DEF.json --input FILE -n N -c C [-t THREADS] [--park]`
 *
 * Runs N executions of one compiled machine in-process, C in flight at a time, on a virtual
 * clock (Waits are instant), and prints one JSON line:
 *   {"exec_per_s":..,"transitions_per_s":..,"p50_us":..,"p99_us":..,"peak_rss_kb":..}
 * The machine is compiled once and shared; the input is parsed once and borrowed by every
 * execution (it is immutable). With -t T, T worker threads each run N/T executions on their
 * own scheduler (C/T in flight each), sharing the machine read-only.
 *
 * --park: starts all N executions and runs them until every one is parked (e.g. in a Wait
 * state), reports "parked" and the peak RSS at that point, then lets them finish. This is
 * the "100k executions waiting under 100 MB" check.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "stepx/exec.h"

typedef struct bench {
    asl_machine_t *m;      /* shared machine */
    const val_t *input;    /* shared input */
    size_t input_size;     /* its JSON size */
    long n, c;             /* executions / in flight for this worker */
    long started, done, failed;
    uint64_t *lat_ns;      /* per execution latency */
    uint64_t *t0_ns;       /* per execution start time */
    uint64_t transitions;
    ex_engine_t eng;
    sch_t *sch;
    int park;
    long parked;
} bench_t;

static void start_one(bench_t *b);

static void
on_done(ex_exec_t *ex, void *ud)
{
    bench_t *b = ud;
    long idx = (long)(intptr_t)ex_exec_ud(ex);
    if (ex_exec_status(ex) != EX_SUCCEEDED)
        b->failed++;
    b->transitions += ex_exec_transitions(ex);
    b->lat_ns[b->done] = sx_mono_ns() - b->t0_ns[idx];
    b->done++;
    ex_exec_free(ex);
    if (b->started < b->n)
        start_one(b);
}

static void
start_one(bench_t *b)
{
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    o.type = ASL_TYPE_EXPRESS;
    o.sync = true;
    o.exec_name = "bench";
    o.sm_name = "bench";
    o.ud = (void *)(intptr_t)b->started;
    o.input_size = b->input_size;
    ex_exec_t *ex = ex_exec_new(&b->eng, b->m, &o);
    b->t0_ns[b->started] = sx_mono_ns();
    b->started++;
    ex_exec_start(ex, b->input);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static long
peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void *
worker(void *arg)
{
    bench_t *b = arg;
    b->sch = sch_new(SCH_CLOCK_VIRTUAL, 0);
    ex_engine_init(&b->eng, b->sch);
    ex_engine_add_test_resource(&b->eng);
    b->eng.on_done = on_done;
    b->eng.ud = b;
    if (b->park) {
        b->eng.on_done = NULL;
        ex_exec_t **all = sx_calloc((size_t)b->n, sizeof(*all));
        ex_opts_t o;
        memset(&o, 0, sizeof(o));
        o.type = ASL_TYPE_EXPRESS;
        o.sync = true;
        o.exec_name = "bench";
        o.sm_name = "bench";
        o.input_size = b->input_size;
        for (long i = 0; i < b->n; i++) {
            all[i] = ex_exec_new(&b->eng, b->m, &o);
            ex_exec_start(all[i], b->input);
            if ((i & 1023) == 0)
                while (sch_run_once(b->sch) > 0)
                    ;
        }
        while (sch_run_once(b->sch) > 0)
            ;
        for (long i = 0; i < b->n; i++)
            if (ex_exec_status(all[i]) == EX_RUNNING)
                b->parked++;
        b->transitions = 0;
        sch_run(b->sch);
        for (long i = 0; i < b->n; i++) {
            if (ex_exec_status(all[i]) != EX_SUCCEEDED)
                b->failed++;
            b->transitions += ex_exec_transitions(all[i]);
            ex_exec_free(all[i]);
        }
        b->done = b->n;
        sx_free(all);
    } else {
        for (long i = 0; i < b->c && b->started < b->n; i++)
            start_one(b);
        sch_run(b->sch);
    }
    sch_free(b->sch);
    return NULL;
}

static int
usage(void)
{
    fprintf(stderr,
            "usage: stepx bench DEF.json --input FILE -n N -c C [-t THREADS] [--park]\n");
    return 2;
}

int
cli_bench(int argc, char **argv)
{
    const char *def = NULL, *inpath = NULL;
    long n = 1000, c = 1, t = 1;
    int park = 0, rc = 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--input") == 0 && i + 1 < argc)
            inpath = argv[++i];
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atol(argv[++i]);
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            c = atol(argv[++i]);
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            t = atol(argv[++i]);
        else if (strcmp(argv[i], "--park") == 0)
            park = 1;
        else if (argv[i][0] != '-' && def == NULL)
            def = argv[i];
        else
            return usage();
    }
    if (def == NULL || n < 1 || c < 1 || t < 1 || t > 64)
        return usage();
    char *text = NULL, *why = NULL;
    size_t len;
    asl_machine_t *m = NULL;
    sx_arena_t *ia = sx_arena_new(0);
    const val_t *input = val_obj_empty();
    bench_t *bs = NULL;
    if (sx_read_file(def, &text, &len) != SX_OK) {
        fprintf(stderr, "stepx bench: cannot read '%s'\n", def);
        goto out;
    }
    if (asl_machine_compile_text(text, len, ASL_TYPE_EXPRESS, &m, &why) != SX_OK) {
        fprintf(stderr, "%s", why);
        goto out;
    }
    sx_free(text);
    text = NULL;
    if (cli_load_json("bench", inpath, ia, &input) != SX_OK)
        goto out;
    bs = sx_calloc((size_t)t, sizeof(*bs));
    uint64_t t0 = sx_mono_ns();
    pthread_t th[64];
    for (long i = 0; i < t; i++) {
        bs[i].m = m;
        bs[i].input = input;
        bs[i].input_size = val_json_len(input);
        bs[i].n = n / t + (i < n % t ? 1 : 0);
        bs[i].c = c / t > 0 ? c / t : 1;
        bs[i].park = park;
        bs[i].lat_ns = sx_calloc((size_t)bs[i].n + 1, sizeof(uint64_t));
        bs[i].t0_ns = sx_calloc((size_t)bs[i].n + 1, sizeof(uint64_t));
        if (t == 1)
            worker(&bs[i]);
        else
            pthread_create(&th[i], NULL, worker, &bs[i]);
    }
    if (t > 1)
        for (long i = 0; i < t; i++)
            pthread_join(th[i], NULL);
    uint64_t el = sx_mono_ns() - t0;
    long done = 0, failed = 0, parked = 0;
    uint64_t trans = 0;
    for (long i = 0; i < t; i++) {
        done += bs[i].done;
        failed += bs[i].failed;
        parked += bs[i].parked;
        trans += bs[i].transitions;
    }
    uint64_t *lat = sx_calloc((size_t)done + 1, sizeof(uint64_t));
    long k = 0;
    for (long i = 0; i < t && !park; i++)
        for (long j = 0; j < bs[i].done; j++)
            lat[k++] = bs[i].lat_ns[j];
    qsort(lat, (size_t)k, sizeof(uint64_t), cmp_u64);
    double secs = (double)el / 1e9;
    printf("{\"exec_per_s\":%.0f,\"transitions_per_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
           "\"peak_rss_kb\":%ld,\"executions\":%ld,\"failed\":%ld",
           (double)done / secs, (double)trans / secs,
           k ? (double)lat[k / 2] / 1000.0 : 0.0, k ? (double)lat[(k * 99) / 100] / 1000.0 : 0.0,
           peak_rss_kb(), done, failed);
    if (park)
        printf(",\"parked\":%ld", parked);
    printf("}\n");
    sx_free(lat);
    for (long i = 0; i < t; i++) {
        sx_free(bs[i].lat_ns);
        sx_free(bs[i].t0_ns);
    }
    rc = 0;
out:
    sx_free(bs);
    sx_free(text);
    sx_free(why);
    asl_machine_unref(m);
    sx_arena_free(ia);
    return rc;
}
