/*
 * stream.h: the Redis streams layer of stepxd (module rs_, src/stream/).
 *
 * Two objects, both owned by one worker thread and driven by its libevent event_base:
 *
 * - rs_conn_t: one hiredis 0.14 async connection. hiredis 0.14 has no timeouts, so the
 *   connection keeps its own: every command carries a deadline, a periodic tick checks the
 *   oldest outstanding command (Redis answers in order) and the connect attempt; on expiry
 *   the context is torn down (every pending callback then runs with a NULL reply) and a new
 *   connection is made after an exponential, jittered backoff.
 *
 * - rs_consumer_t: one consumer of the consumer group. It creates the group at startup
 *   (XGROUP CREATE ... MKSTREAM from `group_start`, never on reconnect: a NOGROUP after a Redis
 *   restart is reported loudly, not papered over), reads its own pending entries from id 0
 *   after every (re)connection, then new entries with XREADGROUP (COUNT, BLOCK only when it
 *   holds nothing uncommitted), hands each entry to the executor callback, and commits
 *   finished executions in batches with one Lua script (the ack-gated commit, see
 *   docs/events.md and spec/redis.md): per entry, `if XACK == 1 then XADD result; bill`.
 *   It also reclaims idle entries of dead consumers with XAUTOCLAIM, dead-letters entries
 *   delivered more than `max_deliveries` times, keeps its own long-running entries from
 *   being reclaimed (XCLAIM ... JUSTID refresh), and (worker 0) trims the events stream with
 *   MINID below what any group still needs (never MAXLEN: that drops undelivered entries).
 *
 *   Redis  --XREADGROUP-->  consumer --exec(ev)--> executor
 *                               ^                     |
 *                               |   rs_event_complete(ev, outcome) / rs_event_reject(ev, why)
 *                               |                     v
 *   Redis  <--EVALSHA commit--  commit queue (flushed once per loop turn, batches)
 *
 * Threads: nothing here takes a lock; each object is used by the thread that runs its
 * event_base only. Events and their strings are heap blocks owned by the consumer.
 * Process: ignore SIGPIPE (hiredis 0.14 writes with write(2), and a write to a connection
 * Redis closed would kill the process). redis_host is resolved with a blocking
 * getaddrinfo at each (re)connect: prefer an address.
 *
 * Event entry format (fields of an entry of the events stream; docs/events.md):
 *   machine        state machine name (required)
 *   input          input as JSON text          } exactly one of the two
 *   input_msgpack  input as MessagePack bytes  }
 *   name           execution name (optional)
 *   tenant         tenant id for metering (optional, default "default")
 * Other fields are ignored.
 */
#ifndef STEPX_STREAM_H
#define STEPX_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stepx/cfg.h"
#include "stepx/sx.h"

struct event_base;
struct redisReply;

/* ---- entry field names ---- */
#define RS_F_MACHINE "machine"
#define RS_F_INPUT "input"
#define RS_F_INPUT_MSGPACK "input_msgpack"
#define RS_F_NAME "name"
#define RS_F_TENANT "tenant"
#define RS_TENANT_DEFAULT "default"
#define RS_ID_MAX 48   /* "<ms>-<seq>" with both parts up to 20 digits, plus NUL */
#define RS_NAME_MAX 80 /* machine and execution names (AWS: 1..80 chars) */
#define RS_TENANT_MAX 128

/* ---- configuration (directives in rs_conf_directives; conf/stepxd.conf) ---- */
typedef struct rs_conf {
    char *redis_host;           /* host name or address */
    int64_t redis_port;         /* TCP port */
    char *redis_password;       /* AUTH password, NULL = none */
    char *redis_tag;            /* hash tag: every key is "{tag}:<name>" (one cluster slot) */
    char *events_key;           /* input stream name (after the tag) */
    char *results_key;          /* results stream name */
    char *dead_key;             /* dead-letter stream name */
    char *usage_key;            /* usage hash prefix: "{tag}:<usage>:<tenant>" */
    char *group;                /* consumer group */
    char *group_start;          /* id the group starts at when created: "0" or an id */
    char *consumer;             /* consumer name prefix (NULL = <host>-<pid>); + "-<worker>" */
    int64_t read_count;         /* XREADGROUP COUNT */
    int64_t read_block_ms;      /* XREADGROUP BLOCK when idle */
    int64_t poll_ms;            /* re-read delay after an empty read while holding entries */
    int64_t max_inflight;       /* entries read and not yet committed, per consumer */
    int64_t commit_batch;       /* entries per commit script */
    int64_t cmd_timeout_ms;     /* deadline of each command (plus BLOCK time) */
    int64_t connect_timeout_ms; /* deadline of a connection attempt */
    int64_t reconnect_min_ms;   /* first reconnect delay; doubles per failure */
    int64_t reconnect_max_ms;   /* reconnect delay cap */
    int64_t results_maxlen;     /* MAXLEN ~ of the results stream */
    int64_t dead_maxlen;        /* MAXLEN ~ of the dead-letter stream */
    int64_t claim_idle_ms;      /* XAUTOCLAIM min idle time */
    int64_t claim_interval_ms;  /* how often to reclaim and refresh own entries */
    int64_t claim_count;        /* XAUTOCLAIM COUNT */
    int64_t max_deliveries;     /* dead-letter an entry delivered more often than this */
    int64_t max_input;          /* bytes; larger inputs are dead-lettered */
    bool check_eviction;        /* refuse to run unless maxmemory-policy is noeviction */
    int64_t trim_interval_ms;   /* MINID-trim the events stream this often (0 = never) */
} rs_conf_t;

/* The directive table for rs_conf_t (cfg.h). */
extern const cfg_directive_t rs_conf_directives[];

/* ---- logging ---- */
enum { RS_LOG_ERROR = 0, RS_LOG_WARN = 1, RS_LOG_INFO = 2 };
typedef void (*rs_log_fn)(int level, const char *msg);
/* Sets the log sink for all threads (call before starting workers); NULL = stderr, levels
 * up to `max_level`. */
void rs_log_set(rs_log_fn fn, int max_level);

/* ---- connection ---- */
typedef struct rs_conn rs_conn_t;

/* A reply callback. `r` is the hiredis reply (borrowed, valid during the call) or NULL when
 * the command failed without an answer (timeout, connection lost, teardown): its effect on
 * Redis is then unknown. Must not free the connection. */
typedef void (*rs_reply_fn)(rs_conn_t *c, struct redisReply *r, void *ud);
/* Called each time a connection is established (after AUTH was queued). */
typedef void (*rs_up_fn)(rs_conn_t *c, void *ud);

/* Returns a connection that starts connecting at once and reconnects forever. Borrows conf
 * (must outlive it) and base. */
rs_conn_t *rs_conn_new(struct event_base *base, const rs_conf_t *conf, rs_up_fn up, void *ud);
/* Tears down (pending callbacks run with NULL) and frees. Not from inside a reply callback. */
void rs_conn_free(rs_conn_t *c);
/* Sends a command. timeout_ms 0 = conf->cmd_timeout_ms. Returns SX_OK, or SX_AGAIN when not
 * connected (fn is not called then). Borrows argv. */
int rs_conn_argv(rs_conn_t *c, int64_t timeout_ms, rs_reply_fn fn, void *ud, int argc,
                 const char **argv, const size_t *lens);
/* printf-style (hiredis format: %s, %b, %d...). Same contract. */
int rs_conn_cmd(rs_conn_t *c, int64_t timeout_ms, rs_reply_fn fn, void *ud, const char *fmt, ...);
/* True while connected. */
bool rs_conn_up(const rs_conn_t *c);
/* Tears the current connection down now and schedules a reconnect (tests, protocol errors). */
void rs_conn_reset(rs_conn_t *c, const char *why);
/* Counters: connections made, teardowns caused by timeouts. */
uint64_t rs_conn_connects(const rs_conn_t *c);
uint64_t rs_conn_timeouts(const rs_conn_t *c);

/* ---- events and outcomes ---- */
typedef struct rs_consumer rs_consumer_t;

typedef struct rs_event {
    char id[RS_ID_MAX];      /* entry id in the events stream */
    const char *machine;     /* state machine name, NUL-terminated */
    const char *input;       /* JSON text, or MessagePack bytes when input_msgpack */
    size_t input_len;        /* bytes of input */
    bool input_msgpack;      /* input is MessagePack */
    const char *name;        /* execution name, NULL when absent */
    const char *tenant;      /* tenant, RS_TENANT_DEFAULT when absent (rs_event_set_tenant) */
    bool tenant_absent;      /* the entry had no tenant field */
    uint32_t deliveries;     /* 1 when read new; the group's count when reclaimed or re-read
                              * from the own pending list; 0 when XPENDING did not answer */
    int64_t received_ms;     /* wall clock when this consumer received it */
    rs_consumer_t *consumer; /* the consumer it came from */
    void *udata;             /* free for the executor (NULL when handed over) */
    /* private to the stream layer */
    uint64_t _touch_ms;             /* last read/claim refresh (wall ms) */
    struct rs_event *_hnext;        /* in-flight hash chain */
    struct rs_event *_prev, *_next; /* in-flight list (oldest first) or commit queue */
    char _kind;            /* 0 = with executor, 'r' result, 'd' dead letter, 'a' ack only */
    char _day[12];         /* ":YYYY-MM-DD" (UTC) of the end of the execution, for 'r' */
    uint8_t _status;       /* rs_status_t of a result ('r') */
    uint16_t _nargs;       /* commit arguments in _args */
    int64_t _bms, _bmb;    /* 'r': billed ms and MB (usage summed per batch, rs_commit.c) */
    int64_t _tr;           /* 'r': state transitions */
    char *_tenant_own;     /* heap copy set by rs_event_set_tenant, or NULL */
    struct rs_event *_sub; /* 'r': nested results committed with this one ('n' events) */
    uint32_t _pend;        /* nested executions still to report (rs_event_nested_begin) */
    uint32_t _gi;          /* 'n': 1-based usage group in the batch being sent */
    bool _ready;           /* 'r' outcome set, commit waits for _pend == 0 */
    uint32_t _args[16][2]; /* (offset, length) into _buf (12 used at most) */
    sx_sbuf_t _buf;        /* commit argument bytes */
} rs_event_t;

typedef enum rs_status { RS_SUCCEEDED = 0, RS_FAILED, RS_TIMED_OUT, RS_ABORTED } rs_status_t;

typedef struct rs_outcome {
    rs_status_t status;    /* final status */
    const char *exec_name; /* execution name (NULL = the event's name, or its id) */
    const char *output;    /* SUCCEEDED: output JSON text */
    size_t output_len;     /* bytes of output */
    const struct val *output_val; /* SUCCEEDED, when output is NULL: the output value,
                                   * printed (compact) straight into the commit arguments */
    const char *error;     /* otherwise: error name (may be NULL) */
    const char *cause;     /* otherwise: cause (may be NULL) */
    int64_t start_ms;      /* execution start, wall ms */
    int64_t stop_ms;       /* execution end, wall ms */
    int64_t memory_mb;     /* memory used in MB (billing rounds up to 64 MB chunks) */
    int64_t transitions;   /* state transitions */
} rs_outcome_t;

/* Text of a status ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"). */
const char *rs_status_name(rs_status_t s);
/* Express billing rounding: 100 ms steps (min 100), 64 MB chunks (min 64). */
int64_t rs_billed_ms(int64_t duration_ms);
int64_t rs_billed_mb(int64_t memory_mb);

/* The executor: receives every valid event exactly once per delivery to this consumer and
 * must later call rs_event_complete or rs_event_reject exactly once (possibly from inside
 * the call). The event stays valid until then. */
typedef void (*rs_exec_fn)(rs_event_t *ev, void *ud);
/* Called after a commit answered: written is true when this commit acked the entry and wrote
 * its result (or dead letter), false when another consumer had already committed it. The
 * event is freed right after. Optional. */
typedef void (*rs_committed_fn)(const rs_event_t *ev, bool written, void *ud);

/* Queues the result of ev for the ack-gated commit. Borrows out (copied). */
void rs_event_complete(rs_event_t *ev, const rs_outcome_t *out);
/* Nested executions (states:startExecution) of the execution that runs ev: each is billed as
 * its own request, in ev's tenant, and its result is written by ev's own ack-gated commit
 * (so a redelivered ev that runs its nested executions again never writes or bills them a
 * second time: only the first commit of ev's id writes anything). nested_begin: one more
 * nested execution will report; ev's commit waits until every one has (rs_event_complete
 * then only records ev's outcome). nested_end: its outcome (copied), with `id` its result's
 * id (e.g. "<ev id>/<n>"), parent_arn the starting execution's ARN and machine its state
 * machine. */
void rs_event_nested_begin(rs_event_t *ev);
void rs_event_nested_end(rs_event_t *ev, const char *id, const char *parent_arn,
                         const char *machine, const rs_outcome_t *out);
/* Sets the tenant ev is billed to (copied; before rs_event_complete). */
void rs_event_set_tenant(rs_event_t *ev, const char *tenant);
/* Queues ev for the dead-letter stream with `reason` (unknown machine, bad JSON...): acked,
 * billed nowhere. */
void rs_event_reject(rs_event_t *ev, const char *reason);
/* Converts a MessagePack input to JSON text appended to out, with val_msgpack_decode's rules
 * (the engine's). Returns SX_OK, or SX_ERR with the decoder's reason in msg (out unchanged). */
int rs_msgpack_to_json(const char *p, size_t n, sx_sbuf_t *out, char *msg, size_t msglen);

/* ---- consumer ---- */
typedef enum rs_state {
    RS_ST_STARTING = 0, /* connecting, checking Redis, creating the group */
    RS_ST_RUNNING,      /* reading and committing */
    RS_ST_FATAL         /* refused to run (see rs_consumer_error) */
} rs_state_t;

typedef struct rs_stats {
    uint64_t read;          /* entries received (new, history and reclaimed) */
    uint64_t dispatched;    /* handed to the executor */
    uint64_t written;       /* commits that wrote a result */
    uint64_t dead;          /* commits that wrote a dead letter */
    uint64_t duplicates;    /* commits whose XACK found the entry already acked */
    uint64_t reclaimed;     /* entries taken over from other consumers */
    uint64_t deleted;       /* pending entries found deleted from the stream */
    uint64_t nogroup;       /* NOGROUP errors */
    uint64_t commit_errors; /* commit scripts answered with an error or not at all */
    uint64_t trimmed;       /* entries removed from the events stream by this consumer */
    uint64_t trims;         /* trim scripts that answered */
    uint64_t inflight;      /* entries held now (executor + commit queue) */
} rs_stats_t;

/* Returns a consumer named "<conf->consumer>-<index>" that starts connecting at once.
 * Borrows conf (must outlive it) and base. */
rs_consumer_t *rs_consumer_new(struct event_base *base, const rs_conf_t *conf, int index,
                               rs_exec_fn exec, rs_committed_fn committed, void *ud);
/* Frees the consumer. Events still with the executor must have been completed. */
void rs_consumer_free(rs_consumer_t *c);
/* Stops reading new entries (commits and refreshes go on); for a clean shutdown. */
void rs_consumer_pause(rs_consumer_t *c, bool paused);
rs_state_t rs_consumer_state(const rs_consumer_t *c);
/* Why the consumer is FATAL, or the last loud error; NULL when none. Borrowed. */
const char *rs_consumer_error(const rs_consumer_t *c);
const char *rs_consumer_name(const rs_consumer_t *c);
void rs_consumer_stats(const rs_consumer_t *c, rs_stats_t *out);
/* The connection (for tests: rs_conn_reset). */
rs_conn_t *rs_consumer_conn(rs_consumer_t *c);
/* Runs one reclaim/refresh round now instead of waiting for claim_interval. */
void rs_consumer_claim_now(rs_consumer_t *c);
/* Trims the events stream now (MINID below every group's oldest pending or undelivered
 * entry; see rs_trim.c) instead of waiting for trim_interval. Any worker may call it. */
void rs_consumer_trim_now(rs_consumer_t *c);

#endif
