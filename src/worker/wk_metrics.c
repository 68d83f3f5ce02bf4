/*
 * wk_metrics.c: stepxd's counters and their Prometheus text exposition (/metrics).
 *
 * Each worker owns its wk_stats_t and is its only writer (relaxed atomic stores); the control
 * thread sums the workers' counters with relaxed loads while rendering. A scrape therefore
 * sees each counter at some recent value, never a torn one, and costs the workers nothing.
 * Tenant slots are claimed by the worker (name written, then `used` published with release
 * order) and read by the renderer after an acquire load of `used`.
 *
 * Families (all prefixed stepx_):
 *   executions_started_total, executions_total{status}, nested_executions_total,
 *   executions_in_flight, events_held, dead_letters_total{source}, results_written_total,
 *   results_duplicate_total, transitions_total, read_pauses_total, entries_read_total,
 *   entries_reclaimed_total, commit_errors_total, machine_reloads_total, machines,
 *   machine_load_errors, machine_info{machine,type,origin}, stream_lag, stream_pending,
 *   stream_length{stream}, tenant_{requests,billed_ms,billed_mb_ms,transitions}_total{tenant},
 *   event_to_result_ms (histogram), execution_duration_ms (histogram), consumers_running,
 *   log_events_total, uptime_seconds.
 */
#include <stdio.h>
#include <string.h>

#include "wk_int.h"

const double wk_lat_bounds[WK_LAT_N] = {1,   2,    5,    10,   25,    50,    100,   250,
                                        500, 1000, 2500, 5000, 10000, 30000, 60000, 300000};

void
wk_hist_observe(wk_hist_t *h, int64_t ms)
{
    size_t i = 0;
    if (ms < 0)
        ms = 0;
    while (i < WK_LAT_N && (double)ms > wk_lat_bounds[i])
        i++;
    wk_ctr_add(&h->bucket[i], 1);
    wk_ctr_add(&h->sum_ms, (uint64_t)ms);
    wk_ctr_add(&h->count, 1);
}

wk_tenant_t *
wk_tenant_slot(wk_stats_t *st, const char *name)
{
    for (size_t i = 0; i < WK_TENANTS; i++) {
        wk_tenant_t *t = &st->tenants[i];
        if (!atomic_load_explicit(&t->used, memory_order_relaxed)) {
            snprintf(t->name, sizeof(t->name), "%s", name);
            atomic_store_explicit(&t->used, true, memory_order_release);
            return t;
        }
        if (strcmp(t->name, name) == 0)
            return t;
    }
    wk_tenant_t *o = &st->tenants[WK_TENANTS];
    if (!atomic_load_explicit(&o->used, memory_order_relaxed)) {
        snprintf(o->name, sizeof(o->name), "_other");
        atomic_store_explicit(&o->used, true, memory_order_release);
    }
    return o;
}

/* ---- rendering ---- */

/* Worker i's stats, or NULL when it is not running (--check, before start, after join). */
static wk_stats_t *
stats_of(wk_server_t *s, int i)
{
    return s->workers != NULL && s->workers[i] != NULL ? &s->workers[i]->st : NULL;
}

/* Sum of one counter at byte offset `off` of wk_stats_t over all workers. */
static uint64_t
sum_at(wk_server_t *s, size_t off)
{
    uint64_t n = 0;
    for (int i = 0; i < s->nworkers; i++)
        if (stats_of(s, i) != NULL)
            n += wk_ctr_get((const wk_ctr_t *)((const char *)stats_of(s, i) + off));
    return n;
}

#define SUM(field) sum_at(s, offsetof(wk_stats_t, field))

static void
family(sx_sbuf_t *b, const char *name, const char *type, const char *help)
{
    sx_sbuf_addf(b, "# HELP stepx_%s %s\n# TYPE stepx_%s %s\n", name, help, name, type);
}

static void
one(sx_sbuf_t *b, const char *name, const char *type, const char *help, uint64_t v)
{
    family(b, name, type, help);
    sx_sbuf_addf(b, "stepx_%s %llu\n", name, (unsigned long long)v);
}

/* A label value with \ " and newline escaped. */
static void
label(sx_sbuf_t *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            sx_sbuf_addc(b, '\\');
        if (*s == '\n') {
            sx_sbuf_adds(b, "\\n");
            continue;
        }
        sx_sbuf_addc(b, *s);
    }
}

static void
hist(wk_server_t *s, sx_sbuf_t *b, const char *name, size_t off, const char *help)
{
    uint64_t cum = 0;
    family(b, name, "histogram", help);
    for (size_t i = 0; i <= WK_LAT_N; i++) {
        cum += sum_at(s, off + offsetof(wk_hist_t, bucket) + i * sizeof(wk_ctr_t));
        if (i < WK_LAT_N)
            sx_sbuf_addf(b, "stepx_%s_bucket{le=\"%g\"} %llu\n", name, wk_lat_bounds[i],
                         (unsigned long long)cum);
        else
            sx_sbuf_addf(b, "stepx_%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
    }
    sx_sbuf_addf(b, "stepx_%s_sum %llu\nstepx_%s_count %llu\n", name,
                 (unsigned long long)sum_at(s, off + offsetof(wk_hist_t, sum_ms)), name,
                 (unsigned long long)sum_at(s, off + offsetof(wk_hist_t, count)));
}

static void
tenants(wk_server_t *s, sx_sbuf_t *b)
{
    static const struct {
        const char *name;
        size_t off;
        const char *help;
    } m[] = {
        {"tenant_requests_total", offsetof(wk_tenant_t, requests),
         "results written by this process per tenant"},
        {"tenant_billed_ms_total", offsetof(wk_tenant_t, billed_ms),
         "billed duration per tenant, ms"},
        {"tenant_billed_mb_ms_total", offsetof(wk_tenant_t, billed_mb_ms),
         "billed memory x duration per tenant, MB*ms"},
        {"tenant_transitions_total", offsetof(wk_tenant_t, transitions),
         "state transitions per tenant"},
    };
    for (size_t k = 0; k < SX_ARRAY_LEN(m); k++) {
        family(b, m[k].name, "counter", m[k].help);
        /* merge the workers' slots by name (quadratic in tenants, fine for a scrape) */
        for (int i = 0; i < s->nworkers && stats_of(s, i) != NULL; i++) {
            for (size_t t = 0; t <= WK_TENANTS; t++) {
                wk_tenant_t *ti = &stats_of(s, i)->tenants[t];
                bool seen = false;
                uint64_t v = 0;
                if (!atomic_load_explicit(&ti->used, memory_order_acquire))
                    continue;
                for (int p = 0; p < i && !seen; p++)
                    for (size_t u = 0; u <= WK_TENANTS && !seen; u++) {
                        wk_tenant_t *tp = &stats_of(s, p)->tenants[u];
                        seen = atomic_load_explicit(&tp->used, memory_order_acquire) &&
                               strcmp(tp->name, ti->name) == 0;
                    }
                if (seen)
                    continue;
                for (int q = i; q < s->nworkers && stats_of(s, q) != NULL; q++)
                    for (size_t u = 0; u <= WK_TENANTS; u++) {
                        wk_tenant_t *tq = &stats_of(s, q)->tenants[u];
                        if (atomic_load_explicit(&tq->used, memory_order_acquire) &&
                            strcmp(tq->name, ti->name) == 0)
                            v += wk_ctr_get((const wk_ctr_t *)((const char *)tq + m[k].off));
                    }
                sx_sbuf_addf(b, "stepx_%s{tenant=\"", m[k].name);
                label(b, ti->name);
                sx_sbuf_addf(b, "\"} %llu\n", (unsigned long long)v);
            }
        }
    }
}

static void
machines(wk_server_t *s, sx_sbuf_t *b)
{
    one(b, "machines", "gauge", "state machines loaded", wk_table_count(s->table));
    one(b, "machine_load_errors", "gauge", "definitions rejected by the last (re)load",
        s->load_errors);
    family(b, "machine_info", "gauge", "loaded state machines (value 1)");
    for (size_t i = 0; i < wk_table_count(s->table); i++) {
        const wk_machine_t *e = wk_table_at(s->table, i);
        sx_sbuf_adds(b, "stepx_machine_info{machine=\"");
        label(b, e->name);
        sx_sbuf_addf(b, "\",type=\"%s\",origin=\"",
                     e->type == ASL_TYPE_STANDARD ? "STANDARD" : "EXPRESS");
        label(b, e->origin);
        sx_sbuf_adds(b, "\",tenant=\"");
        label(b, e->tenant ? e->tenant : "");
        sx_sbuf_adds(b, "\"} 1\n");
    }
}

static void
redis_gauges(wk_server_t *s, sx_sbuf_t *b)
{
    family(b, "stream_lag", "gauge", "events not yet delivered to the group (XINFO GROUPS lag)");
    sx_sbuf_addf(b, "stepx_stream_lag %lld\n", (long long)atomic_load(&s->lag));
    family(b, "stream_pending", "gauge", "events delivered and not yet acknowledged (group)");
    sx_sbuf_addf(b, "stepx_stream_pending %lld\n", (long long)atomic_load(&s->pending));
    family(b, "stream_length", "gauge", "entries in the streams (XLEN)");
    sx_sbuf_addf(b, "stepx_stream_length{stream=\"events\"} %lld\n",
                 (long long)atomic_load(&s->stream_len));
    sx_sbuf_addf(b, "stepx_stream_length{stream=\"results\"} %lld\n",
                 (long long)atomic_load(&s->results_len));
    sx_sbuf_addf(b, "stepx_stream_length{stream=\"dead\"} %lld\n",
                 (long long)atomic_load(&s->dead_len));
}

void
wk_metrics_render(wk_server_t *s, sx_sbuf_t *b)
{
    static const char *const st[WK_NST] = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};
    int running = 0;
    one(b, "executions_started_total", "counter", "executions started for events", SUM(started));
    family(b, "executions_total", "counter", "executions finished by status");
    for (int i = 0; i < WK_NST; i++)
        sx_sbuf_addf(b, "stepx_executions_total{status=\"%s\"} %llu\n", st[i],
                     (unsigned long long)SUM(finished[i]));
    one(b, "nested_executions_total", "counter", "executions started by states:startExecution",
        SUM(nested));
    one(b, "executions_in_flight", "gauge", "executions running now", SUM(inflight));
    one(b, "events_held", "gauge", "entries read and not yet committed", SUM(held));
    family(b, "dead_letters_total", "counter", "entries written to the dead-letter stream");
    sx_sbuf_addf(b, "stepx_dead_letters_total{source=\"all\"} %llu\n",
                 (unsigned long long)SUM(rs_dead));
    sx_sbuf_addf(b, "stepx_dead_letters_total{source=\"executor\"} %llu\n",
                 (unsigned long long)SUM(rejected));
    one(b, "results_written_total", "counter", "results written (commit acked the event)",
        SUM(committed));
    one(b, "results_duplicate_total", "counter",
        "finished events another consumer had already committed", SUM(duplicates));
    one(b, "transitions_total", "counter", "state transitions", SUM(transitions));
    one(b, "read_pauses_total", "counter", "times reading paused at max_executions", SUM(pauses));
    one(b, "entries_read_total", "counter", "stream entries received", SUM(rs_read));
    one(b, "entries_reclaimed_total", "counter", "entries taken over from other consumers",
        SUM(rs_reclaimed));
    one(b, "commit_errors_total", "counter", "commit scripts that failed", SUM(rs_commit_errors));
    one(b, "log_events_total", "counter", "execution log events written", SUM(log_events));
    one(b, "machine_reloads_total", "counter", "machine tables installed by workers", SUM(reloads));
    machines(s, b);
    redis_gauges(s, b);
    tenants(s, b);
    hist(s, b, "event_to_result_ms", offsetof(wk_stats_t, latency),
         "event id time to result committed, ms");
    hist(s, b, "execution_duration_ms", offsetof(wk_stats_t, duration),
         "execution start to stop, ms");
    for (int i = 0; i < s->nworkers; i++)
        running += stats_of(s, i) != NULL &&
                   atomic_load_explicit(&stats_of(s, i)->consumer_state, memory_order_relaxed) ==
                       RS_ST_RUNNING;
    one(b, "consumers_running", "gauge", "consumers reading (one per worker)", (uint64_t)running);
    one(b, "workers", "gauge", "worker threads", (uint64_t)s->nworkers);
    one(b, "uptime_seconds", "gauge", "seconds since start",
        (uint64_t)((sx_wall_ms() - s->started_ms) / 1000));
}
