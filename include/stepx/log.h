/*
 * log.h: execution logging as AWS's loggingConfiguration does it (module log_, src/log/).
 *
 * AWS sends the history events of an Express execution to CloudWatch Logs, one log event
 * per history event, filtered by the state machine's log level and stripped of execution
 * data unless includeExecutionData is true (spec express.md section 2). stepx does the
 * same into a Redis stream ("{tag}:logs" by default), one entry per log event:
 *
 *   history (ex_exec_history)     log_event_format()             log_sink_write()
 *   [{id, previousEventId,   -->  filter by level, strip or  -->  XADD {tag}:logs MAXLEN ~ N *
 *     timestamp, type,            truncate payloads, print         group G stream S machine M
 *     <type>EventDetails}]        the CloudWatch message JSON      execution ARN message JSON
 *
 * Three parts:
 * - log_config_t: a loggingConfiguration object (CreateStateMachine / UpdateStateMachine)
 *   parsed and validated as AWS does, and the level filter (event type -> lowest level that
 *   logs it).
 * - Formatting: one history event -> one CloudWatch message (all scalar fields strings,
 *   epoch-ms event_timestamp, payloads as JSON strings truncated past payload_max), plus the
 *   log group and log stream names. Pure functions, no I/O.
 * - Sinks: log_sink_t writes the events of one finished execution to Redis with pipelined
 *   XADDs on a worker's rs_conn_t (async, best effort, like CloudWatch delivery);
 *   log_exec_fprint writes them to a FILE (the CLI, tests).
 *
 * docs/logging.md is the user-facing description (entry fields, naming, costs).
 */
#ifndef STEPX_LOG_H
#define STEPX_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stepx/cfg.h"
#include "stepx/stream.h"
#include "stepx/sx.h"
#include "stepx/val.h"

/* ---- loggingConfiguration ---- */

/* Levels in increasing verbosity: an event is logged when the configured level is at least
 * the event's level (log_event_level). */
typedef enum log_level {
    LOG_LEVEL_OFF = 0, /* nothing */
    LOG_LEVEL_FATAL,   /* ExecutionAborted, ExecutionFailed, ExecutionTimedOut */
    LOG_LEVEL_ERROR,   /* FATAL + failures of states, tasks, Map, Parallel, Lambda */
    LOG_LEVEL_ALL      /* every event type */
} log_level_t;

/* Longest logGroupArn CreateStateMachine accepts. */
#define LOG_ARN_MAX 256

typedef struct log_config {
    log_level_t level;                /* logging level */
    bool include_data;                /* includeExecutionData */
    char group_arn[LOG_ARN_MAX + 1];  /* destination logGroupArn ("" = none) */
    char group_name[LOG_ARN_MAX + 1]; /* log group name taken from group_arn ("" = none) */
} log_config_t;

/* Error names a bad loggingConfiguration yields (the API's error types). */
extern const char LOG_E_INVALID[];       /* "InvalidLoggingConfiguration" */
extern const char LOG_E_VALIDATION[];    /* "ValidationException" */
extern const char LOG_E_SERIALIZATION[]; /* "SerializationException" */

typedef struct log_config_err {
    const char *name; /* one of LOG_E_* */
    char msg[512];    /* the message, as AWS words it */
} log_config_err_t;

/* Sets c to AWS's default: level OFF, includeExecutionData false, no destination. */
void log_config_init(log_config_t *c);

/* Parses a loggingConfiguration object (borrowed) into c with CreateStateMachine's checks:
 * level one of ALL|ERROR|FATAL|OFF (default OFF), includeExecutionData a boolean (default
 * false), destinations an array of at most one {cloudWatchLogsLogGroup: {logGroupArn}} whose
 * ARN is a log-group ARN ending in ":*", and exactly one destination unless the level is OFF.
 * NULL (absent) gives the default. Returns SX_OK, or SX_ERR with err filled (c is then left
 * as log_config_init made it). */
int log_config_parse(log_config_t *c, const val_t *v, log_config_err_t *err);

/* Returns the loggingConfiguration as DescribeStateMachine prints it: level,
 * includeExecutionData, and destinations when one is set. Arena-owned. */
const val_t *log_config_to_val(const log_config_t *c, sx_arena_t *a);

/* "ALL", "ERROR", "FATAL", "OFF". */
const char *log_level_name(log_level_t l);
/* Parses a level name (exact, uppercase). Returns SX_OK or SX_ERR. */
int log_level_parse(const char *s, size_t n, log_level_t *out);

/* Returns the lowest level that logs events of this type: LOG_LEVEL_FATAL, LOG_LEVEL_ERROR,
 * or LOG_LEVEL_ALL (every other type, including unknown ones). */
log_level_t log_event_level(const char *type, size_t n);
/* True when a machine logging at `level` logs events of this type. */
static inline bool
log_event_included(log_level_t level, const char *type, size_t n)
{
    return level != LOG_LEVEL_OFF && level >= log_event_level(type, n);
}

/* ---- formatting ---- */

/* Payload budget of one log event (bytes of input/output text kept, together): AWS
 * truncates payloads over about 248 KB and marks them truncated:true. */
#define LOG_PAYLOAD_MAX (248 * 1024)
/* Longest log group / log stream name (CloudWatch: 512). */
#define LOG_NAME_MAX 512

/* The execution whose events are logged. Strings borrowed. */
typedef struct log_exec {
    const char *arn;     /* execution ARN (execution_arn of every event) */
    const char *machine; /* state machine name */
    int64_t start_ms;    /* execution start, wall ms since the epoch (log stream date) */
} log_exec_t;

/* Appends the CloudWatch message for history event ev (borrowed) of execution x to out:
 *   {"id","type","details","previous_event_id","event_timestamp","execution_arn",
 *    "redrive_count"}
 * details is the event's <type>EventDetails member ({} when it has none) with input,
 * inputDetails, output and outputDetails removed unless c->include_data; when kept, input
 * and output are JSON strings (non-string values are encoded), cut at a UTF-8 boundary once
 * the event's payloads exceed payload_max bytes (0 = LOG_PAYLOAD_MAX), and their *Details
 * carry truncated true or false. Timestamps may be ISO-8601 strings (stepx) or epoch
 * seconds (AWS JSON). Returns SX_OK, SX_DECLINED when c's level does not log this type
 * (nothing appended), or SX_ERR when ev is not a history event (no type, id or timestamp;
 * out is restored to its length on entry). */
int log_event_format(sx_sbuf_t *out, const log_config_t *c, const log_exec_t *x, const val_t *ev,
                     size_t payload_max);

/* Writes the log group name into buf (LOG_NAME_MAX + 1 bytes): the name in c's destination
 * ARN, or "/aws/vendedlogs/states/<machine>-Logs" (the console's default) when c has none.
 * Returns buf. */
const char *log_group_name(const log_config_t *c, const log_exec_t *x, char *buf);
/* Writes the log stream name into buf (LOG_NAME_MAX + 1 bytes):
 * "states/<machine>/<YYYY-MM-DD of start, UTC>/<id>", where id is the last ':'-separated
 * part of the execution ARN (the UUID of an Express ARN). Returns buf. */
const char *log_stream_name(const log_exec_t *x, char *buf);

/* Writes the messages of every logged event of history (a JSON array of history events,
 * borrowed) to f, one per line. Returns the number of events written, or -1 when history is
 * not an array. Events that fail to format are skipped. */
int log_exec_fprint(FILE *f, const log_config_t *c, const log_exec_t *x, const val_t *history,
                    size_t payload_max);

/* ---- Redis sink (stepxd) ---- */

/* Configuration (directives in log_conf_directives; conf/stepxd.conf). */
typedef struct log_conf {
    char *stream_key;    /* log_stream: stream name after the tag, "{tag}:<stream_key>" */
    int64_t maxlen;      /* log_maxlen: XADD MAXLEN ~ of the log stream */
    int64_t payload_max; /* log_payload_max: payload bytes kept per log event */
    int64_t timeout_ms;  /* log_timeout: deadline of each XADD (0 = the connection's) */
} log_conf_t;

extern const cfg_directive_t log_conf_directives[];

/* Counters of one sink (plain integers, read by its thread). */
typedef struct log_stats {
    uint64_t execs;     /* executions that had at least one event to log */
    uint64_t events;    /* XADDs sent */
    uint64_t written;   /* XADDs Redis answered with an entry id */
    uint64_t failed;    /* XADDs answered with an error, or lost (timeout, disconnect) */
    uint64_t unsent;    /* events not sent because the connection was down */
    uint64_t malformed; /* history events that could not be formatted */
    uint64_t bytes;     /* message bytes sent */
} log_stats_t;

typedef struct log_sink log_sink_t;

/* Called once all XADDs of one log_sink_write have been answered (or lost): `written`
 * entries were added, `failed` were not. */
typedef void (*log_done_fn)(void *ud, uint32_t written, uint32_t failed);

/* Returns a sink writing to "{tag}:<conf->stream_key>" through conn. Borrows conn and conf
 * (both must outlive the sink's writes); copies tag. Used by conn's thread only. */
log_sink_t *log_sink_new(rs_conn_t *conn, const log_conf_t *conf, const char *tag);
/* Frees the sink. Writes still pending complete later without touching the caller: the sink
 * stays allocated until their replies (or the connection's teardown) arrive, and their done
 * callbacks are not called. */
void log_sink_free(log_sink_t *s);

/* Sends one XADD per event of history (a JSON array, borrowed) that c's level logs, all at
 * once (pipelined on conn), with fields group, stream, machine, execution and message.
 * Nothing is retried: like CloudWatch delivery, logging is best effort and never holds up
 * an execution. Returns SX_OK when at least one XADD was sent (done is called later, once),
 * SX_DECLINED when there is nothing to log (level OFF, no event included, every included
 * event malformed, or history not an array), or SX_AGAIN when the connection is down (nothing sent;
 * counted as unsent). done is not called unless SX_OK is returned. */
int log_sink_write(log_sink_t *s, const log_config_t *c, const log_exec_t *x, const val_t *history,
                   log_done_fn done, void *ud);

/* Copies the sink's counters into out. */
void log_sink_stats(const log_sink_t *s, log_stats_t *out);
/* Writes still waiting for replies. */
uint32_t log_sink_pending(const log_sink_t *s);

#endif
