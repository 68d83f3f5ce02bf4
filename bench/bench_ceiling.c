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
 * --preload on XADDs everything first and times the consumers alone (drain rate; the
 * producer then competes for nothing, and the latency figures mean nothing).
 * The last line is JSON for scripts. Redis: scripts/redis-test.sh start (port on stdout).
 *
 * --mode raw replaces the stream layer by the most minimal consumer: plain hiredis async, no
 * timeouts, no validation, and a commit script that only does `if XACK == 1 then XADD result
 * (id, output); HINCRBY requests end` per entry. Comparing the two modes shows what the
 * layer's richer results, usage counters and bookkeeping cost.
 *
 *   P=$(scripts/redis-test.sh start); build/bin/bench_ceiling --port $P; \
 *       scripts/redis-test.sh stop $P
 */
#include <event2/event.h>
#include <event2/thread.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_pace.h"
#include "stepx/cfg.h"
#include "stepx/stream.h"

typedef struct opts {
    char *host;       /* Redis host */
    int64_t port;     /* Redis port */
    int64_t events;   /* events to send */
    int64_t workers;  /* consumer threads */
    int64_t batch;    /* XREADGROUP COUNT and commit batch */
    int64_t size;     /* input JSON bytes */
    int64_t pipeline; /* producer pipeline depth */
    int64_t rate;     /* events/s, 0 = flat out */
    int64_t inflight; /* max_inflight per worker */
    char *mode;       /* "layer" (the stream layer) or "raw" (minimal hiredis consumer) */
    int64_t machines; /* distinct state machine names in the events */
    int64_t tenants;  /* distinct tenants in the events */
    bool preload;     /* produce everything first, then time the consumers alone */
} opts_t;

static int
check_mode(const cfg_directive_t *d, const void *field, char *msg, size_t len)
{
    const char *m = *(char *const *)field;
    SX_UNUSED(d);
    if (strcmp(m, "layer") == 0 || strcmp(m, "raw") == 0)
        return SX_OK;
    snprintf(msg, len, "want layer or raw");
    return SX_ERR;
}

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
    {"preload", CFG_BOOL, OFF(preload), "off", NULL, 0, 0,
     "XADD everything first, then time the consumers alone (latency is then meaningless)"},
    {"machines", CFG_INT, OFF(machines), "1", NULL, 1, 1000000,
     "distinct machine names, turning round per event (usage groups per commit)"},
    {"tenants", CFG_INT, OFF(tenants), "1", NULL, 1, 1000000, "distinct tenants, likewise"},
    {"mode", CFG_STR, OFF(mode), "layer", check_mode, 0, 0,
     "layer (stream layer) or raw (minimal)"},
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
    int64_t raw_inflight;   /* raw mode: entries read and not committed */
    bool raw_reading;       /* raw mode: a read is outstanding */
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

/* Records one committed event sent at `sent` (monotonic ns, 0 = unknown). */
static void
record(worker_t *w, uint64_t sent, uint64_t now)
{
    if (sent != 0) {
        if (w->nlat == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 65536;
            w->lat_ns = sx_realloc(w->lat_ns, w->cap * sizeof(*w->lat_ns));
        }
        w->lat_ns[w->nlat++] = now - sent;
    }
    w->last_commit_ns = (int64_t)now;
    w->st.written++;
    if (atomic_fetch_add(&committed_total, 1) + 1 >= opt.events)
        atomic_store(&stop_flag, 1);
}

static uint64_t
sent_time(const char *input)
{
    const char *t = strstr(input, "\"t\":");
    return t ? strtoull(t + 4, NULL, 10) : 0;
}

static void
on_committed(const rs_event_t *ev, bool written, void *ud)
{
    if (written)
        record(ud, sent_time(ev->input), sx_mono_ns());
}

static void
on_check(evutil_socket_t fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    if (atomic_load(&stop_flag))
        event_base_loopbreak(arg);
}

/* ---- raw mode ---- */

static const char raw_lua[] =
    "local res = {}\n"
    "for i = 2, #ARGV, 2 do\n"
    "  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then\n"
    "    redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000000', '*', 'id', ARGV[i], 'output',\n"
    "      ARGV[i + 1])\n"
    "    redis.call('HINCRBY', KEYS[3], 'requests', 1)\n"
    "    res[#res + 1] = '1'\n"
    "  else\n"
    "    res[#res + 1] = '0'\n"
    "  end\n"
    "end\n"
    "return table.concat(res)\n";
static char raw_sha[64];

typedef struct raw_batch {
    worker_t *w;     /* owner */
    size_t n;        /* entries */
    uint64_t sent[]; /* their send times */
} raw_batch_t;

static void raw_read(redisAsyncContext *ac, worker_t *w);

static void
raw_on_commit(redisAsyncContext *ac, void *reply, void *priv)
{
    raw_batch_t *b = priv;
    redisReply *r = reply;
    uint64_t now = sx_mono_ns();
    if (r != NULL && r->type == REDIS_REPLY_STRING && r->len == b->n) {
        for (size_t i = 0; i < b->n; i++)
            if (r->str[i] == '1')
                record(b->w, b->sent[i], now);
    } else if (r != NULL) {
        fprintf(stderr, "raw commit: %s\n", r->type == REDIS_REPLY_ERROR ? r->str : "?");
        b->w->st.commit_errors++;
    }
    b->w->raw_inflight -= (int64_t)b->n;
    if (r != NULL)
        raw_read(ac, b->w);
    sx_free(b);
}

static void
raw_on_read(redisAsyncContext *ac, void *reply, void *priv)
{
    worker_t *w = priv;
    redisReply *r = reply;
    w->raw_reading = false;
    if (r == NULL)
        return;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
        const redisReply *ents = r->element[0]->element[1];
        size_t n = ents->elements, k = 0;
        raw_batch_t *b = sx_malloc(sizeof(*b) + n * sizeof(b->sent[0]));
        const char **argv = sx_malloc((7 + 2 * n) * sizeof(*argv));
        size_t *lens = sx_malloc((7 + 2 * n) * sizeof(*lens));
        b->w = w;
        b->n = n;
        argv[k++] = "EVALSHA", argv[k++] = raw_sha, argv[k++] = "3";
        argv[k++] = "{bench}:events", argv[k++] = "{bench}:results";
        argv[k++] = "{bench}:usage:t1";
        for (size_t i = 0; i < 6; i++)
            lens[i] = strlen(argv[i]);
        argv[k] = "stepxd", lens[k++] = 6;
        for (size_t i = 0; i < n; i++) {
            const redisReply *e = ents->element[i], *f = e->element[1];
            const redisReply *in = f->element[f->elements - 1]; /* input is the last field */
            argv[k] = e->element[0]->str, lens[k++] = e->element[0]->len;
            argv[k] = in->str, lens[k++] = in->len;
            b->sent[i] = sent_time(in->str);
        }
        w->raw_inflight += (int64_t)n;
        redisAsyncCommandArgv(ac, raw_on_commit, b, (int)k, argv, lens);
        sx_free(argv);
        sx_free(lens);
    }
    raw_read(ac, w);
}

static void
raw_read(redisAsyncContext *ac, worker_t *w)
{
    char count[24], name[32];
    if (w->raw_reading || w->raw_inflight >= opt.inflight || atomic_load(&stop_flag))
        return;
    snprintf(count, sizeof(count), "%lld", (long long)opt.batch);
    snprintf(name, sizeof(name), "raw-%d", w->index);
    /* BLOCK only when nothing is waiting for a commit reply (it would queue behind) */
    if (w->raw_inflight == 0)
        redisAsyncCommand(ac, raw_on_read, w,
                          "XREADGROUP GROUP stepxd %s COUNT %s BLOCK 100 STREAMS {bench}:events >",
                          name, count);
    else
        redisAsyncCommand(ac, raw_on_read, w,
                          "XREADGROUP GROUP stepxd %s COUNT %s STREAMS {bench}:events >", name,
                          count);
    w->raw_reading = true;
}

static void
raw_run(struct event_base *base, worker_t *w)
{
    redisAsyncContext *ac = redisAsyncConnect(opt.host, (int)opt.port);
    if (ac == NULL || ac->err) {
        fprintf(stderr, "raw worker %d: cannot connect\n", w->index);
        return;
    }
    redisLibeventAttach(ac, base);
    raw_read(ac, w);
    event_base_dispatch(base);
    redisAsyncFree(ac);
}

static void *
worker_main(void *arg)
{
    worker_t *w = arg;
    struct event_config *ec = event_config_new();
    event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
    /* batch epoll_ctl changes per loop turn, for --mode raw: the stock hiredis libevent
     * adapter re-adds its one-shot read event after every read and toggles write interest
     * per command (the layer's rs_adapter needs no such help) */
    event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(ec);
    event_config_free(ec);
    struct event *chk = event_new(base, -1, EV_PERSIST, on_check, base);
    struct timeval tv = {0, 5000};
    event_add(chk, &tv);
    if (strcmp(opt.mode, "raw") == 0) {
        raw_run(base, w);
        event_free(chk);
        event_base_free(base);
        return NULL;
    }
    rs_consumer_t *c = rs_consumer_new(base, &rconf, w->index, exec_pass, on_committed, w);
    event_base_dispatch(base);
    uint64_t written = w->st.written;
    rs_consumer_stats(c, &w->st);
    w->st.written = written;
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

/* Appends the decimal text of v to p; returns the new end. */
static char *
put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* Appends one XADD of an opt.size-byte input {"t":<now ns>,"pad":"xx..."} in RESP form:
 * machine "pass" and tenant "t1", or with --machines / --tenants above 1, "pass<k>" and
 * "t<k>" turning round per event (seq = the event's number). */
static char *
put_xadd(char *p, int64_t seq)
{
    static const char head[] = "*9\r\n$4\r\nXADD\r\n$14\r\n{bench}:events\r\n$1\r\n*\r\n"
                               "$7\r\nmachine\r\n$4\r\npass\r\n$6\r\ntenant\r\n$2\r\nt1\r\n"
                               "$5\r\ninput\r\n$";
    char num[24], *e = put_u64(num, sx_mono_ns());
    size_t tlen = (size_t)(e - num), len = (size_t)opt.size;
    if (opt.machines > 1 || opt.tenants > 1) {
        char mt[64];
        int n = snprintf(mt, sizeof(mt), "pass%lld", (long long)(seq % opt.machines));
        int k = snprintf(mt + 32, 32, "t%lld", (long long)(seq % opt.tenants));
        p += sprintf(p,
                     "*9\r\n$4\r\nXADD\r\n$14\r\n{bench}:events\r\n$1\r\n*\r\n"
                     "$7\r\nmachine\r\n$%d\r\n%s\r\n$6\r\ntenant\r\n$%d\r\n%s\r\n"
                     "$5\r\ninput\r\n$",
                     n, mt, k, mt + 32);
        p = put_u64(p, len);
    } else {
        memcpy(p, head, sizeof(head) - 1);
        p = put_u64(p + sizeof(head) - 1, len);
    }
    *p++ = '\r', *p++ = '\n';
    memcpy(p, "{\"t\":", 5);
    memcpy(p + 5, num, tlen);
    memcpy(p + 5 + tlen, ",\"pad\":\"", 8);
    memset(p + 13 + tlen, 'x', len - 15 - tlen);
    memcpy(p + len - 2, "\"}", 2);
    p += len;
    *p++ = '\r', *p++ = '\n';
    return p;
}

static void
producer(void)
{
    redisContext *r = sync_connect();
    char *buf = sx_malloc((size_t)opt.pipeline * ((size_t)opt.size + 200));
    uint64_t start = sx_mono_ns();
    for (int64_t sent = 0; sent < opt.events;) {
        int64_t n = opt.events - sent < opt.pipeline ? opt.events - sent : opt.pipeline;
        char *p = buf;
        if (opt.rate > 0)
            bench_pace(start, sent, opt.rate);
        for (int64_t i = 0; i < n; i++)
            p = put_xadd(p, sent + i);
        redisAppendFormattedCommand(r, buf, (size_t)(p - buf));
        bench_replies(r, n, "producer");
        sent += n;
    }
    sx_free(buf);
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
    redisReply *sha = redisCommand(r, "SCRIPT LOAD %s", raw_lua);
    if (sha != NULL && sha->type == REDIS_REPLY_STRING)
        snprintf(raw_sha, sizeof(raw_sha), "%s", sha->str);
    if (sha != NULL)
        freeReplyObject(sha);
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
    printf("events %llu in %.3f s: %.0f events/s (%s mode, %lld workers, batch %lld, "
           "%lld-byte input%s)\n",
           (unsigned long long)sum.written, secs, eps, opt.mode, (long long)opt.workers,
           (long long)opt.batch, (long long)opt.size, opt.rate ? ", open loop" : ", flat out");
    printf("latency event->result ms: p50 %.3f p99 %.3f p999 %.3f max %.3f\n", PCT(0.5), PCT(0.99),
           PCT(0.999), PCT(1.0));
    printf("redis cpu %.0f %% of a core, %.2f us/event; bench process (producer + workers) "
           "%.2f us/event; duplicates %llu, commit errors %llu\n",
           100 * cpu / secs, 1e6 * cpu / (double)sum.written, 1e6 * own / (double)sum.written,
           (unsigned long long)sum.duplicates, (unsigned long long)sum.commit_errors);
    printf("{\"bench\":\"ceiling\",\"events\":%llu,\"seconds\":%.3f,\"eps\":%.0f,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"redis_cpu\":%.2f,"
           "\"redis_us_per_event\":%.2f,"
           "\"mode\":\"%s\",\"workers\":%lld,\"batch\":%lld,\"size\":%lld,\"rate\":%lld}\n",
           (unsigned long long)sum.written, secs, eps, PCT(0.5), PCT(0.99), PCT(0.999), cpu / secs,
           1e6 * cpu / (double)sum.written, opt.mode, (long long)opt.workers, (long long)opt.batch,
           (long long)opt.size, (long long)opt.rate);
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
    const char *kv[] = {"redis_host",
                        opt.host,
                        "redis_port",
                        port,
                        "redis_tag",
                        "bench",
                        "read_count",
                        batch,
                        "commit_batch",
                        batch,
                        "max_inflight",
                        inflight,
                        "claim_interval",
                        "1h",
                        "consumer",
                        "bench",
                        NULL};
    for (const char *const *p = kv; *p; p += 2)
        if (cfg_set(&rs, 1, "bench", p[0], strlen(p[0]), p[1], &err) != SX_OK) {
            fprintf(stderr, "bench_ceiling: %s\n", err.msg);
            return 2;
        }
    signal(SIGPIPE, SIG_IGN); /* hiredis writes with write(2) */
    redisContext *ctl = sync_connect();
    setup_redis(ctl);
    worker_t *ws = sx_calloc((size_t)opt.workers, sizeof(*ws));
    uint64_t t0 = sx_mono_ns();
    if (opt.preload) {
        producer();
        fprintf(stderr, "producer: %lld events preloaded in %.3f s\n", (long long)opt.events,
                (double)(sx_mono_ns() - t0) / 1e9);
    }
    for (int i = 0; i < opt.workers; i++) {
        ws[i].index = i;
        pthread_create(&ws[i].th, NULL, worker_main, &ws[i]);
    }
    struct timespec settle = {0, 200000000}; /* let the consumers connect */
    if (!opt.preload)
        nanosleep(&settle, NULL);
    double cpu0 = redis_cpu(ctl), own0 = self_cpu();
    t0 = sx_mono_ns();
    if (!opt.preload) {
        producer();
        fprintf(stderr, "producer: %lld events sent in %.3f s\n", (long long)opt.events,
                (double)(sx_mono_ns() - t0) / 1e9);
    }
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
