/*
 * rs_int.h: declarations shared by the files of the stream module only.
 */
#ifndef STEPX_RS_INT_H
#define STEPX_RS_INT_H

#include "stepx/stream.h"

/* Attaches ac to base (rs_adapter.c: hiredis's event hooks with fewer syscalls than the
 * stock libevent adapter). SX_ERR if something is attached already. */
struct redisAsyncContext;
struct event_base;
int rs_adapter_attach(struct redisAsyncContext *ac, struct event_base *base);

/* Sends a command already in RESP form (resp, len bytes). Same contract as rs_conn_argv. */
int rs_conn_formatted(rs_conn_t *c, int64_t timeout_ms, rs_reply_fn fn, void *ud, const char *resp,
                      size_t len);
/* RESP building without printf: "*<argc>\r\n", then "$<n>\r\n<bytes>\r\n" per argument. */
void rs_resp_head(sx_sbuf_t *b, size_t argc);
void rs_resp_arg(sx_sbuf_t *b, const char *p, size_t n);
/* Writes v in decimal at p (20 bytes at most, no NUL); returns the length. */
size_t rs_u64_fmt(uint64_t v, char *p);

/* Logs a formatted message through the sink set by rs_log_set. */
void rs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Text of a reply for logs ("(null)", the error text, "(integer) 5", "(array 3)"...) into
 * buf (len bytes). Returns buf. */
const char *rs_reply_text(const struct redisReply *r, char *buf, size_t len);

/* SHA1 of n bytes of s in lowercase hex ("" if the digest is unavailable). */
void rs_sha1_hex(const char *s, size_t n, char out[41]);
/* The commit script (with its #!lua shebang) and its SHA1 in hex (computed once). */
const char *rs_commit_script(void);
const char *rs_commit_sha(void);

/* Appends one commit argument to ev (copied). */
void rs_event_arg(rs_event_t *ev, const char *p, size_t n);
/* Appends a decimal integer argument. */
void rs_event_argi(rs_event_t *ev, int64_t v);

/* ---- the consumer, shared by rs_consumer.c (life, reads), rs_commit.c and rs_claim.c ---- */
struct event;

/* A doubly linked list of events through _prev/_next. */
typedef struct rs_evlist {
    rs_event_t *head, *tail; /* oldest first */
    size_t n;                /* members */
} rs_evlist_t;

struct rs_consumer {
    struct event_base *base;      /* borrowed */
    const rs_conf_t *conf;        /* borrowed */
    rs_conn_t *conn;              /* owned */
    char name[160];               /* consumer name in the group */
    char *k_events;               /* "{tag}:events" (owned) */
    char *k_results;              /* "{tag}:results" */
    char *k_dead;                 /* "{tag}:dead" */
    char *k_usage;                /* "{tag}:usage:" (prefix, tenant appended) */
    rs_exec_fn exec;              /* executor */
    rs_committed_fn committed;    /* optional commit observer */
    void *ud;                     /* for exec and committed */
    rs_state_t state;             /* STARTING / RUNNING / FATAL */
    char error[256];              /* FATAL reason or last loud error; "" = none */
    bool paused;                  /* no new reads */
    bool closing;                 /* being freed: nothing more is dispatched */
    bool reading;                 /* an XREADGROUP is outstanding */
    bool history;                 /* reading own PEL (after each connection) */
    bool drained;                 /* the last new-entry read came back empty */
    bool read_wait;               /* read_ev armed (error backoff): no read until it fires */
    bool commit_wait;             /* commit_ev armed: no commit until it fires */
    bool claiming;                /* an XAUTOCLAIM round is outstanding */
    char hist_cursor[RS_ID_MAX];  /* last id of the PEL read */
    char claim_cursor[RS_ID_MAX]; /* XAUTOCLAIM cursor */
    uint32_t read_errors;         /* consecutive read errors (backoff) */
    uint32_t commit_errors;       /* consecutive commit errors (backoff) */
    rs_event_t **htab;            /* in-flight events by id (chained through _hnext) */
    size_t hcap;                  /* buckets, power of two */
    size_t nheld;                 /* events in htab: read and not yet committed */
    rs_evlist_t exec_list;        /* events with the executor (or awaiting XPENDING) */
    rs_evlist_t commit_q;         /* events ready to commit, not yet sent */
    struct event *flush_ev;       /* deferred commit flush (once per loop turn) */
    struct event *read_ev;        /* read-retry timer after errors */
    struct event *poll_ev;        /* re-read timer while holding entries, stream empty */
    struct event *commit_ev;      /* commit retry timer */
    struct event *claim_ev;       /* periodic reclaim + refresh */
    struct event *trim_ev;        /* periodic MINID trim of the events stream (worker 0) */
    bool trimming;                /* a trim script is outstanding */
    int index;                    /* worker number */
    int64_t day_lo, day_hi;       /* [lo, hi) wall ms of the UTC day in `day` */
    char day[12];                 /* ":YYYY-MM-DD" of the last result's end (cache) */
    size_t out_hint;              /* bytes of the last output printed by rs_event_complete
                                   * (buffer size hint for the next one) */
    sx_sbuf_t req;                /* commit request buffer, reused between batches */
    rs_stats_t st;                /* counters (st.inflight computed on demand) */
};

void rs_evlist_push(rs_evlist_t *l, rs_event_t *ev);
void rs_evlist_unshift_all(rs_evlist_t *l, rs_event_t **evs, size_t n);
void rs_evlist_remove(rs_evlist_t *l, rs_event_t *ev);

/* In-flight table. */
rs_event_t *rs_held_find(rs_consumer_t *c, const char *id, size_t len);
void rs_held_add(rs_consumer_t *c, rs_event_t *ev);
void rs_held_remove(rs_consumer_t *c, rs_event_t *ev);
void rs_event_free(rs_event_t *ev);

/* Builds an event from a stream entry reply element [id, fields|nil] and adds it to the
 * in-flight table. Returns NULL when the id is already held (a duplicate) or malformed.
 * Entries that fail validation come back already queued for the dead-letter commit
 * (*queued = true); valid ones must be dispatched by the caller. */
rs_event_t *rs_entry_take(rs_consumer_t *c, const struct redisReply *entry, uint32_t deliveries,
                          bool *queued);
/* Takes the entries of ents (an array of [id, fields] replies) into the in-flight table,
 * holds the valid ones until XPENDING reports their delivery counts, then dead-letters those
 * delivered more than max_deliveries times and dispatches the rest (rs_claim.c). reclaimed:
 * they came from XAUTOCLAIM (counted in st.reclaimed), else from the own-PEL history.
 * Returns the number held. */
size_t rs_take_counted(rs_consumer_t *c, const struct redisReply *ents, bool reclaimed);
/* Hands ev to the executor (it joins exec_list). */
void rs_dispatch(rs_consumer_t *c, rs_event_t *ev);
/* Issues the next read if the state allows one. */
void rs_read_kick(rs_consumer_t *c);

/* Consumer hook: ev is ready to commit (called by rs_event_complete / rs_event_reject). */
void rs_consumer_enqueue_commit(rs_consumer_t *c, rs_event_t *ev);
/* Sends queued commits (batches of commit_batch) while the connection is up. */
void rs_commit_flush(rs_consumer_t *c);
/* Timer callbacks living in rs_commit.c / rs_claim.c. */
void rs_commit_on_flush(int fd, short what, void *arg);
void rs_commit_on_retry(int fd, short what, void *arg);
void rs_claim_on_tick(int fd, short what, void *arg);
void rs_trim_on_tick(int fd, short what, void *arg);
/* Starts a reclaim + refresh round now. */
void rs_claim_round(rs_consumer_t *c);

#endif
