/*
 * wk_int.h: internals of stepxd shared by the files of src/worker/.
 *
 * Threads: a wk_worker_t is touched by its own thread only, except three things:
 *   - its inbox (mutex + eventfd), written by the control thread;
 *   - its wk_stats_t, written by the worker with relaxed atomic stores and read by the
 *     control thread for /metrics (each counter has one writer, so a relaxed load/store
 *     pair is a correct increment);
 *   - `done`, set by the worker when its thread is about to exit.
 */
#ifndef STEPX_WK_INT_H
#define STEPX_WK_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "stepx/exec.h"
#include "stepx/worker.h"

struct event_base;
struct event;

uint64_t wk_hash(const void *p, size_t n, uint64_t h);

/* ---- statistics ---- */

/* Latency buckets (upper bounds, ms) of the event -> result and duration histograms. */
#define WK_LAT_N 16
extern const double wk_lat_bounds[WK_LAT_N];

typedef atomic_uint_fast64_t wk_ctr_t;

typedef struct wk_hist {
    wk_ctr_t bucket[WK_LAT_N + 1]; /* counts per bound, last = +Inf (not cumulative) */
    wk_ctr_t sum_ms;               /* sum of observations */
    wk_ctr_t count;                /* observations */
} wk_hist_t;

/* Per-tenant counters of the results this process committed (the same numbers as the
 * usage hashes get from this process). */
#define WK_TENANTS 64
typedef struct wk_tenant {
    char name[RS_TENANT_MAX + 1]; /* written once before `used` is published */
    atomic_bool used;             /* slot taken (release after name is written) */
    wk_ctr_t requests;            /* results written */
    wk_ctr_t billed_ms;           /* sum of billed durations */
    wk_ctr_t billed_mb_ms;        /* sum of billed MB x billed ms */
    wk_ctr_t transitions;         /* state transitions */
} wk_tenant_t;

enum { WK_ST_SUCCEEDED = 0, WK_ST_FAILED, WK_ST_TIMED_OUT, WK_ST_ABORTED, WK_NST };

typedef struct wk_stats {
    wk_ctr_t started;          /* executions started for events */
    wk_ctr_t nested;           /* nested executions (states:startExecution) started */
    wk_ctr_t finished[WK_NST]; /* executions finished, by status (events only) */
    wk_ctr_t rejected;         /* events dead-lettered by the executor */
    wk_ctr_t committed;        /* results this process wrote (commit acked) */
    wk_ctr_t duplicates;       /* results another consumer had already written */
    wk_ctr_t transitions;      /* state transitions (all executions) */
    wk_ctr_t inflight;         /* gauge: executions running */
    wk_ctr_t held;             /* gauge: entries held by the consumer */
    wk_ctr_t pauses;           /* times reading paused on max_executions */
    wk_ctr_t reloads;          /* machine tables installed */
    wk_ctr_t log_events;       /* log events written to the log stream */
    wk_ctr_t rs_read, rs_dead, rs_reclaimed, rs_commit_errors; /* stream layer (snapshots) */
    atomic_int consumer_state;                                 /* rs_state_t */
    wk_hist_t latency;                   /* event id time -> result committed, ms */
    wk_hist_t duration;                  /* execution start -> stop, ms */
    wk_tenant_t tenants[WK_TENANTS + 1]; /* the last slot is "_other" */
} wk_stats_t;

static inline void
wk_ctr_add(wk_ctr_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}
static inline void
wk_ctr_set(wk_ctr_t *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
}
static inline uint64_t
wk_ctr_get(const wk_ctr_t *c)
{
    return atomic_load_explicit((wk_ctr_t *)c, memory_order_relaxed);
}

void wk_hist_observe(wk_hist_t *h, int64_t ms);
/* The tenant slot of name (created on first use; "_other" once all are taken). */
wk_tenant_t *wk_tenant_slot(wk_stats_t *st, const char *name);

/* ---- workers ---- */
typedef struct wk_worker wk_worker_t;
typedef struct wk_job wk_job_t;
typedef struct wk_note wk_note_t;

struct wk_worker {
    wk_server_t *srv;         /* owner */
    int index;                /* 0..N-1 (consumer "<prefix>-<index>") */
    pthread_t th;             /* the thread */
    struct event_base *base;  /* owned; NOLOCK */
    sch_t *sch;               /* owned; the engine's scheduler */
    ex_engine_t eng;          /* the engine (resources below) */
    ex_resource_t res[4];     /* http, lambda, events, sfn (owned) */
    int nres;                 /* resources made */
    tk_config_t tk;           /* copy of the server's with redis/sfn set (strings borrowed) */
    rs_conn_t *task_conn;     /* owned: putEvents and logs (not the consumer's: a BLOCK read
                                 must not delay them) */
    rs_consumer_t *cons;      /* owned */
    log_sink_t *log;          /* owned; NULL without a log configuration */
    wk_table_t *table;        /* snapshot: one reference */
    wk_job_t *jobs;           /* executions in flight (doubly linked) */
    wk_job_t *free_jobs;      /* recycled job records (singly linked through next) */
    bool th_started;          /* the thread was created */
    wk_note_t *notes;         /* metering notes of completed events awaiting commit */
    int64_t inflight;         /* number of jobs */
    bool paused;              /* reading paused on max_executions */
    bool draining;            /* stop requested: no reading, finishing in flight */
    int64_t drain_deadline;   /* wall ms after which the rest is left pending */
    bool left_pending;        /* the grace expired with work left */
    bool exit;                /* leave the loop */
    struct event *wake_ev;    /* scheduler deadline timer */
    struct event *inbox_ev;   /* eventfd readable */
    struct event *stats_ev;   /* periodic stream-layer stats snapshot */
    int inbox_fd;             /* eventfd */
    pthread_mutex_t inbox_mu; /* guards the two fields below */
    wk_table_t *inbox_table;  /* a newer table to install (one reference), or NULL */
    bool inbox_stop;          /* drain and stop */
    atomic_bool done;         /* the thread finished its loop */
    wk_stats_t st;            /* counters read by /metrics */
};

/* Creates worker `index` (thread not started). Returns NULL with err on failure. */
wk_worker_t *wk_worker_new(wk_server_t *srv, int index, wk_table_t *table, char *err,
                           size_t errlen);
int wk_worker_start(wk_worker_t *w);
/* Posts a new table (takes one reference) or a stop request. Thread-safe. */
void wk_worker_post_table(wk_worker_t *w, wk_table_t *t);
void wk_worker_post_stop(wk_worker_t *w);
/* Joins the thread (its drain ends within shutdown_grace) and frees the worker. Returns true
 * when work was left pending (the grace expired). NULL is allowed. */
bool wk_worker_join_free(wk_worker_t *w);

/* ---- server ---- */
struct wk_server {
    const wk_conf_t *wc;     /* borrowed */
    const rs_conf_t *rc;     /* borrowed */
    rs_conf_t rc_workers;    /* rc with max_inflight capped at max_executions (strings
                                borrowed from rc): a read never exceeds the cap */
    const tk_config_t *tc;   /* borrowed */
    const log_conf_t *lc;    /* borrowed (NULL = no execution logging) */
    int nworkers;            /* threads */
    wk_worker_t **workers;   /* owned */
    wk_table_t *table;       /* current table (one reference) */
    wk_srcset_t dir_srcs;    /* last read of machines_dir */
    wk_srcset_t reg_srcs;    /* last read of the registry hash */
    uint64_t reg_digest;     /* hash of the last registry reply */
    size_t load_errors;      /* definitions rejected by the last build */
    struct event_base *base; /* control thread's loop */
    struct evhttp *http;     /* /metrics listener, or NULL */
    rs_conn_t *conn;         /* control connection: registry, XINFO */
    struct event *reload_ev, *tick_ev, *stop_ev, *sig_term, *sig_int; /* owned */
    int stop_pipe[2];        /* wk_server_stop -> stop_ev */
    bool reg_busy, lag_busy; /* a registry / XINFO request is outstanding */
    int64_t last_lag_ms;     /* wall ms of the last XINFO */
    atomic_int_fast64_t lag, pending, dead_len, results_len,
        stream_len;     /* from Redis (-1 = unknown) */
    int64_t started_ms; /* process start */
    bool fatal;         /* a consumer refused to run */
};

/* The server log (stderr): wk_log_setup sets the level and routes the stream layer's log
 * (rs_log_set) to the same sink; wk_log_cb has the wk_log_fn signature. */
void wk_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wk_log_cb(int level, const char *msg);

#endif
