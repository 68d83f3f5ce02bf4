/*
 * bench_ceiling.c: the Redis ceiling of stepxd: events/s through Redis with no engine.
 *
 * One producer thread XADDs events (an input JSON of --size bytes, default 200, carrying its
 * send time) pipelined on a blocking hiredis connection; --workers consumer threads (default
 * 2), each with its own event_base and its own rs_consumer (one async connection), read
 * batches of --batch (XREADGROUP COUNT, default 256), "execute" each event by completing it
 * at once with its input as output (no engine), and commit with the ack-gated Lua script
 * (XACK-gated result XADD + usage HINCRBY), exactly the path stepxd takes. The run ends when
 * every event is committed.
 *
 * Reported: events/s from the producer's first XADD to the last commit, event -> result
 * latency p50/p99/p999/max (send time to commit reply), and Redis CPU (INFO cpu delta) as a
 * share of one core. Flat out (default) measures throughput: latency then includes the
 * backlog. --rate R paces the producer (open loop) to measure latency at a given load.
 * The last line is JSON for scripts. Redis: scripts/redis-test.sh start (port on stdout).
 *
 *   P=$(scripts/redis-test.sh start); build/bin/bench_ceiling --port $P; \
 *       scripts/redis-test.sh stop $P
 */
#include <event2/event.h>
#include <event2/thread.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "stepx/cfg.h"
#include "stepx/stream.h"

typedef struct opts {
    char *host;        /* Redis host */
    int64_t port;      /* Redis port */
    int64_t events;    /* events to send */
    int64_t workers;   /* consumer threads */
    int64_t batch;     /* XREADGROUP COUNT and commit batch */
    int64_t size;      /* input JSON bytes */
    int64_t pipeline;  /* producer pipeline depth */
    int64_t rate;      /* events/s, 0 = flat out */
    int64_t inflight;  /* max_inflight per worker */
} opts_t;

#define OFF(f) offsetof(opts_t, f)
static const cfg_directive_t opt_dirs[] = {
    {"host", CFG_STR, OFF(host), "127.0.0.1", NULL, 0, 0, "Redis host"},
    {"port", CFG_INT, OFF(port), "6379", NULL, 1, 65535, "Redis port"},
    {"events", CFG_INT, OFF(events), "300000", NULL, 1, 100000000, "events to send"},
    {"workers", CFG_INT, OFF(workers), "2", NULL, 1, 64, "consumer threads"},
    {"batch", CFG_INT, OFF(batch), "256", NULL, 1, 4096, "read and commit batch"},
    {"size", CFG_INT, OFF(size), "200", NULL, 40, 1000000, "input bytes"},
    {"pipeline", CFG_INT, OFF(pipeline), "64", NULL, 1, 10000, "producer pipeline depth"},
    {"rate", CFG_INT, OFF(rate), "0", NULL, 0, 100000000, "events/s, 0 = flat out"},
    {"inflight", CFG_INT, OFF(inflight), "1024", NULL, 1, 1000000, "max_inflight per worker"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL}};

static opts_t opt;
static rs_conf_t rconf;
static atomic_llong committed_total;
static atomic_int stop_flag;

typedef struct worker {
    pthread_t th;           /* thread */
    int index;              /* worker number */
    uint64_t *lat_ns;       /* latencies of the events this worker committed */
    size_t nlat, cap;       /* used / reserved */
    rs_stats_t st;          /* final counters */
    int64_t last_commit_ns; /* monotonic time of the last commit */
} worker_t;

/* The "executor": completes at once with the input as output. */
static void
exec_pass(rs_event_t *ev, void *ud)
{
    rs_outcome_t out = {0};
    SX_UNUSED(ud);
    out.status = RS_SUCCEEDED;
    out.output = ev->input;
    out.output_len = ev->input_len;
    out.start_ms = out.stop_ms = ev->received_ms;
    out.transitions = 1;
    rs_event_complete(ev, &out);
}

static void
on_committed(const rs_event_t *ev, bool written, void *ud)
{
    worker_t *w = ud;
    uint64_t now = sx_mono_ns();
    const char *t = strstr(ev->input, "\"t\":");
    if (!written)
        return;
    if (t != NULL) {
        uint64_t sent = strtoull(t + 4, NULL, 10);
        if (w->nlat == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 65536;
            w->lat_ns = sx_realloc(w->lat_ns, w->cap * sizeof(*w->lat_ns));
        }
        w->lat_ns[w->nlat++] = now - sent;
    }
    w->last_commit_ns = (int64_t)now;
    if (atomic_fetch_add(&committed_total, 1) + 1 >= opt.events)
        atomic_store(&stop_flag, 1);
}

static void
on_check(evutil_socket_t fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    if (atomic_load(&stop_flag))
        event_base_loopbreak(arg);
}

static void *
worker_main(void *arg)
{
    worker_t *w = arg;
    struct event_config *ec = event_config_new();
    event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
    struct event_base *base = event_base_new_with_config(ec);
    event_config_free(ec);
    rs_consumer_t *c = rs_consumer_new(base, &rconf, w->index, exec_pass, on_committed, w);
    struct event *chk = event_new(base, -1, EV_PERSIST, on_check, base);
    struct timeval tv = {0, 5000};
    event_add(chk, &tv);
    event_base_dispatch(base);
    rs_consumer_stats(c, &w->st);
    if (rs_consumer_error(c))
        fprintf(stderr, "worker %d: %s\n", w->index, rs_consumer_error(c));
    rs_consumer_free(c);
    event_free(chk);
    event_base_free(base);
    return NULL;
}

static redisContext *
sync_connect(void)
{
    struct timeval tv = {5, 0};
    redisContext *r = redisConnectWithTimeout(opt.host, (int)opt.port, tv);
    if (r == NULL || r->err) {
        fprintf(stderr, "cannot connect to %s:%lld: %s\n", opt.host, (long long)opt.port,
                r ? r->errstr : "oom");
        exit(1);
    }
    return r;
}

static void
producer(void)
{
    redisContext *r = sync_connect();
    char *input = sx_malloc((size_t)opt.size + 64);
    uint64_t start = sx_mono_ns();
    for (int64_t sent = 0; sent < opt.events;) {
        int64_t n = opt.events - sent < opt.pipeline ? opt.events - sent : opt.pipeline;
        if (opt.rate > 0) {
            uint64_t due = start + (uint64_t)((double)sent * 1e9 / (double)opt.rate);
            uint64_t now = sx_mono_ns();
            if (due > now) {
                struct timespec ts = {(time_t)((due - now) / 1000000000),
                                      (long)((due - now) % 1000000000)};
                nanosleep(&ts, NULL);
            }
        }
        for (int64_t i = 0; i < n; i++) {
            int len = snprintf(input, 64, "{\"t\":%llu,\"pad\":\"",
                               (unsigned long long)sx_mono_ns());
            while (len < opt.size - 2)
                input[len++] = 'x';
            input[len++] = '"';
            input[len++] = '}';
            const char *argv[] = {"XADD",    "{bench}:events", "*",      "machine",
                                  "pass",    "tenant",         "t1",     "input",
                                  input};
            size_t lens[] = {4, 14, 1, 7, 4, 6, 2, 5, (size_t)len};
            redisAppendCommandArgv(r, 9, argv, lens);
        }
        for (int64_t i = 0; i < n; i++) {
            redisReply *rep;
            if (redisGetReply(r, (void **)&rep) != REDIS_OK) {
                fprintf(stderr, "producer: %s\n", r->errstr);
                exit(1);
            }
            freeReplyObject(rep);
        }
        sent += n;
    }
    sx_free(input);
    redisFree(r);
}

static double
redis_cpu(redisContext *r)
{
    redisReply *rep = redisCommand(r, "INFO cpu");
    double u = 0, s = 0;
    const char *p;
    if (rep && rep->type == REDIS_REPLY_STRING) {
        if ((p = strstr(rep->str, "used_cpu_user:")) != NULL)
            u = atof(p + 14);
        if ((p = strstr(rep->str, "used_cpu_sys:")) != NULL)
            s = atof(p + 13);
    }
    if (rep)
        freeReplyObject(rep);
    return u + s;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void
setup_redis(redisContext *r)
{
    freeReplyObject(redisCommand(r, "DEL {bench}:events {bench}:results {bench}:dead "
                                    "{bench}:usage:t1"));
    freeReplyObject(redisCommand(r, "XGROUP CREATE {bench}:events stepxd $ MKSTREAM"));
}

/* CPU seconds this process used so far (producer + workers). */
static double
self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void
report(worker_t *ws, uint64_t t0, double cpu, double own)
{
    size_t total = 0, k = 0;
    int64_t end = 0;
    rs_stats_t sum = {0};
    for (int i = 0; i < opt.workers; i++) {
        total += ws[i].nlat;
        if (ws[i].last_commit_ns > end)
            end = ws[i].last_commit_ns;
        sum.written += ws[i].st.written;
        sum.duplicates += ws[i].st.duplicates;
        sum.commit_errors += ws[i].st.commit_errors;
    }
    uint64_t *all = sx_malloc((total + 1) * sizeof(*all));
    for (int i = 0; i < opt.workers; i++)
        for (size_t j = 0; j < ws[i].nlat; j++)
            all[k++] = ws[i].lat_ns[j];
    qsort(all, total, sizeof(*all), cmp_u64);
    double secs = (double)((uint64_t)end - t0) / 1e9;
    double eps = (double)sum.written / secs;
#define PCT(p) (total ? (double)all[(size_t)((double)(total - 1) * (p))] / 1e6 : 0.0)
    printf("events %llu in %.3f s: %.0f events/s (%lld workers, batch %lld, %lld-byte input%s)\n",
           (unsigned long long)sum.written, secs, eps, (long long)opt.workers,
           (long long)opt.batch, (long long)opt.size, opt.rate ? ", open loop" : ", flat out");
    printf("latency event->result ms: p50 %.3f p99 %.3f p999 %.3f max %.3f\n", PCT(0.5),
           PCT(0.99), PCT(0.999), PCT(1.0));
    printf("redis cpu %.0f %% of a core, %.2f us/event; bench process (producer + workers) "
           "%.2f us/event; duplicates %llu, commit errors %llu\n",
           100 * cpu / secs, 1e6 * cpu / (double)sum.written, 1e6 * own / (double)sum.written,
           (unsigned long long)sum.duplicates, (unsigned long long)sum.commit_errors);
    printf("{\"bench\":\"ceiling\",\"events\":%llu,\"seconds\":%.3f,\"eps\":%.0f,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"redis_cpu\":%.2f,"
           "\"redis_us_per_event\":%.2f,"
           "\"workers\":%lld,\"batch\":%lld,\"size\":%lld,\"rate\":%lld}\n",
           (unsigned long long)sum.written, secs, eps, PCT(0.5), PCT(0.99), PCT(0.999),
           cpu / secs, 1e6 * cpu / (double)sum.written, (long long)opt.workers, (long long)opt.batch, (long long)opt.size,
           (long long)opt.rate);
#undef PCT
    sx_free(all);
}

int
main(int argc, char **argv)
{
    cfg_section_t os = {opt_dirs, &opt}, rs = {rs_conf_directives, &rconf};
    cfg_err_t err;
    char port[16], batch[16], inflight[16];
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        cfg_usage_print(&os, 1, stdout);
        return 0;
    }
    if (cfg_load(&os, 1, argc, argv, &err) != SX_OK || cfg_defaults_apply(&rs, 1, &err) != SX_OK) {
        fprintf(stderr, "bench_ceiling: %s\n", err.msg);
        return 2;
    }
    snprintf(port, sizeof(port), "%lld", (long long)opt.port);
    snprintf(batch, sizeof(batch), "%lld", (long long)opt.batch);
    snprintf(inflight, sizeof(inflight), "%lld", (long long)opt.inflight);
    const char *kv[] = {"redis_host", opt.host, "redis_port", port, "redis_tag", "bench",
                        "read_count", batch, "commit_batch", batch, "max_inflight", inflight,
                        "claim_interval", "1h", "consumer", "bench", NULL};
    for (const char *const *p = kv; *p; p += 2)
        if (cfg_set(&rs, 1, "bench", p[0], strlen(p[0]), p[1], &err) != SX_OK) {
            fprintf(stderr, "bench_ceiling: %s\n", err.msg);
            return 2;
        }
    redisContext *ctl = sync_connect();
    setup_redis(ctl);
    worker_t *ws = sx_calloc((size_t)opt.workers, sizeof(*ws));
    for (int i = 0; i < opt.workers; i++) {
        ws[i].index = i;
        pthread_create(&ws[i].th, NULL, worker_main, &ws[i]);
    }
    struct timespec settle = {0, 200000000}; /* let the consumers connect */
    nanosleep(&settle, NULL);
    double cpu0 = redis_cpu(ctl), own0 = self_cpu();
    uint64_t t0 = sx_mono_ns();
    producer();
    fprintf(stderr, "producer: %lld events sent in %.3f s\n", (long long)opt.events,
            (double)(sx_mono_ns() - t0) / 1e9);
    for (int i = 0; i < opt.workers; i++)
        pthread_join(ws[i].th, NULL);
    double cpu = redis_cpu(ctl) - cpu0, own = self_cpu() - own0;
    report(ws, t0, cpu, own);
    for (int i = 0; i < opt.workers; i++)
        sx_free(ws[i].lat_ns);
    sx_free(ws);
    redisFree(ctl);
    cfg_sections_fini(&os, 1);
    cfg_sections_fini(&rs, 1);
    return 0;
}
