/*
 * log_sink.c: the log events of finished executions, XADDed to a Redis stream.
 *
 * One log_sink_write per execution: every logged event becomes one
 *   XADD {tag}:logs MAXLEN ~ <log_maxlen> * group <G> stream <S> machine <M>
 *        execution <ARN> message <JSON>
 * sent at once on the worker's rs_conn_t. hiredis formats each command into its output
 * buffer and the event loop writes them together, so the events of an execution (and of
 * every execution finished in the same loop turn) travel as one pipeline; no MULTI, since a
 * half-written log is acceptable where a blocked worker is not.
 *
 * A write is a batch: a heap block counting the replies still due. It holds one extra
 * count while its commands are being sent, so a reply can never finish it early. The sink
 * counts the batches in flight; log_sink_free on a sink with batches in flight only marks
 * it, and the last reply frees it (replies always come: hiredis runs every pending
 * callback with NULL when the connection is torn down, see stream.h).
 *
 * Best effort, as CloudWatch delivery: an XADD answered with an error, or not at all, is
 * counted (log_stats_t.failed) and reported to the batch's done callback, never retried.
 */
#include <hiredis/hiredis.h>
#include <string.h>

#include "stepx/log.h"

struct log_sink {
    rs_conn_t *conn;        /* borrowed */
    const log_conf_t *conf; /* borrowed */
    char *key;              /* "{tag}:<stream_key>" (heap) */
    sx_sbuf_t msg;          /* message being formatted (reused) */
    log_stats_t st;         /* counters */
    uint32_t pending;       /* batches waiting for replies */
    bool freed;             /* log_sink_free was called; the last reply frees */
};

typedef struct log_batch {
    log_sink_t *s;    /* owner */
    log_done_fn done; /* caller's completion, or NULL */
    void *ud;         /* for done */
    uint32_t left;    /* replies still due, +1 while sending */
    uint32_t written; /* XADDs answered with an id */
    uint32_t failed;  /* XADDs failed or lost, plus events left unsent */
} log_batch_t;

/* Per-write strings every XADD of one execution shares. */
typedef struct xadd_ctx {
    const char *argv[16]; /* XADD arguments */
    size_t lens[16];      /* their lengths */
    char maxlen[24];      /* MAXLEN ~ value as text */
    char group[LOG_NAME_MAX + 1];
    char stream[LOG_NAME_MAX + 1];
} xadd_ctx_t;

enum { A_MESSAGE = 15, A_N = 16 }; /* the message is the last argument */

log_sink_t *
log_sink_new(rs_conn_t *conn, const log_conf_t *conf, const char *tag)
{
    log_sink_t *s = sx_calloc(1, sizeof(*s));
    sx_sbuf_t k = SX_SBUF_INIT;
    s->conn = conn;
    s->conf = conf;
    sx_sbuf_addf(&k, "{%s}:%s", tag ? tag : "stepx", conf->stream_key ? conf->stream_key : "logs");
    s->key = k.p;
    return s;
}

static void
sink_destroy(log_sink_t *s)
{
    sx_sbuf_fini(&s->msg);
    sx_free(s->key);
    sx_free(s);
}

void
log_sink_free(log_sink_t *s)
{
    if (s == NULL)
        return;
    if (s->pending > 0) {
        s->freed = true;
        return;
    }
    sink_destroy(s);
}

void
log_sink_stats(const log_sink_t *s, log_stats_t *out)
{
    *out = s->st;
}

uint32_t
log_sink_pending(const log_sink_t *s)
{
    return s->pending;
}

/* Drops one count of b; the last one finishes the batch. Does not touch s afterwards when
 * the caller's done callback runs (done may free the sink). */
static void
batch_release(log_batch_t *b)
{
    log_sink_t *s = b->s;
    log_done_fn done = b->done;
    void *ud = b->ud;
    uint32_t written = b->written, failed = b->failed;

    if (--b->left > 0)
        return;
    sx_free(b);
    s->pending--;
    if (s->freed) {
        if (s->pending == 0)
            sink_destroy(s);
        return;
    }
    if (done != NULL)
        done(ud, written, failed);
}

static void
on_xadd(rs_conn_t *c, struct redisReply *r, void *ud)
{
    log_batch_t *b = ud;
    SX_UNUSED(c);
    if (r != NULL && r->type != REDIS_REPLY_ERROR) {
        b->written++;
        b->s->st.written++;
    } else {
        b->failed++;
        b->s->st.failed++;
    }
    batch_release(b);
}

static void
xadd_init(xadd_ctx_t *a, const log_sink_t *s, const log_config_t *c, const log_exec_t *x)
{
    static const char *const fixed[] = {"XADD",    NULL,    "MAXLEN",    "~",      NULL,
                                        "*",       "group", NULL,        "stream", NULL,
                                        "machine", NULL,    "execution", NULL,     "message"};
    for (size_t i = 0; i < SX_ARRAY_LEN(fixed); i++)
        a->argv[i] = fixed[i];
    snprintf(a->maxlen, sizeof(a->maxlen), "%lld", (long long)s->conf->maxlen);
    a->argv[1] = s->key;
    a->argv[4] = a->maxlen;
    a->argv[7] = log_group_name(c, x, a->group);
    a->argv[9] = log_stream_name(x, a->stream);
    a->argv[11] = x->machine ? x->machine : "";
    a->argv[13] = x->arn ? x->arn : "";
    for (size_t i = 0; i < A_MESSAGE; i++)
        a->lens[i] = strlen(a->argv[i]);
}

/* Events of history that c's level logs. */
static uint32_t
count_logged(const log_config_t *c, const val_t *history)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < val_len(history); i++) {
        const val_t *t = val_obj_gets(val_arr_at(history, i), "type");
        if (val_is(t, VAL_STR) && log_event_included(c->level, val_str_get(t), val_len(t)))
            n++;
    }
    return n;
}

/* Formats and sends every logged event; returns the number sent. Stops at the first
 * SX_AGAIN (connection lost), leaving the rest counted as unsent. */
static uint32_t
send_events(log_sink_t *s, log_batch_t *b, const log_config_t *c, const log_exec_t *x,
            const val_t *history, uint32_t todo)
{
    xadd_ctx_t a;
    uint32_t sent = 0;
    xadd_init(&a, s, c, x);
    for (uint32_t i = 0; i < val_len(history); i++) {
        int rc;
        sx_sbuf_reset(&s->msg);
        rc = log_event_format(&s->msg, c, x, val_arr_at(history, i), (size_t)s->conf->payload_max);
        if (rc == SX_DECLINED)
            continue;
        if (rc != SX_OK) {
            s->st.malformed++;
            b->failed++;
            todo--;
            continue;
        }
        a.argv[A_MESSAGE] = s->msg.p;
        a.lens[A_MESSAGE] = s->msg.len;
        if (rs_conn_argv(s->conn, s->conf->timeout_ms, on_xadd, b, A_N, a.argv, a.lens) != SX_OK)
            break;
        b->left++;
        sent++;
        todo--;
        s->st.events++;
        s->st.bytes += s->msg.len;
    }
    s->st.unsent += todo;
    b->failed += todo;
    return sent;
}

int
log_sink_write(log_sink_t *s, const log_config_t *c, const log_exec_t *x, const val_t *history,
               log_done_fn done, void *ud)
{
    log_batch_t *b;
    uint32_t todo, sent;

    if (c->level == LOG_LEVEL_OFF || !val_is(history, VAL_ARR))
        return SX_DECLINED;
    todo = count_logged(c, history);
    if (todo == 0)
        return SX_DECLINED;
    if (!rs_conn_up(s->conn)) {
        s->st.unsent += todo;
        return SX_AGAIN;
    }
    b = sx_calloc(1, sizeof(*b));
    b->s = s;
    b->done = done;
    b->ud = ud;
    b->left = 1; /* held while sending */
    s->pending++;
    sent = send_events(s, b, c, x, history, todo);
    if (sent == 0) {
        /* nothing in flight: no callback will come, so done is not called either */
        sx_free(b);
        s->pending--;
        return rs_conn_up(s->conn) ? SX_DECLINED : SX_AGAIN;
    }
    s->st.execs++;
    batch_release(b);
    return SX_OK;
}
