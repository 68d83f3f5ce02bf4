/*
 * task.h: nonblocking Task integrations for stepxd (module tk_, src/task/).
 *
 * Each integration is an ex_resource_t (exec.h) that serves some Resource ARNs and never
 * blocks its thread: every byte of I/O goes through libevent on the worker's event_base, and
 * a finished call is completed with ex_call_succeed / ex_call_fail (which only post the
 * execution on the worker's scheduler). One set of resources is made per worker thread and
 * used by that thread only.
 *
 *   arn:aws:states:::http:invoke           tk_http_new    libcurl multi on libevent
 *   arn:aws:states:::lambda:invoke         tk_lambda_new  POST to a configured URL per
 *   arn:aws:lambda:REGION:ACCT:function:N[:Q]              function (Lambda RIE form works)
 *   arn:aws:states:::events:putEvents      tk_events_new  XADD per entry (hiredis async)
 *   arn:aws:states:::states:startExecution tk_sfn_new     nested Express execution started
 *                                                         through a server callback
 *
 * Lifetime: free every execution of a worker (ex_exec_free cancels its calls) before freeing
 * that worker's resources; tk_resource_free() abandons whatever is still in flight.
 *
 * Errors follow AWS's names where AWS's are known (see each resource's file for the source
 * or assumption behind every name and cause text):
 *   http:invoke  non-2xx -> States.Http.StatusCode.<code>, socket/timeout -> States.Http.Socket
 *   Lambda       function error -> errorType (Lambda.Unknown without one), unmapped function
 *                -> Lambda.ResourceNotFoundException, transport -> Lambda.SdkClientException
 *   any result   over max_response bytes -> States.DataLimitExceeded
 */
#ifndef STEPX_TASK_H
#define STEPX_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "stepx/cfg.h"
#include "stepx/err.h"
#include "stepx/exec.h"
#include "stepx/sched.h"
#include "stepx/stream.h"
#include "stepx/val.h"

struct event_base;

/* Starts a nested execution for states:startExecution. The server looks the machine up by
 * ARN or name, creates and starts an EXPRESS execution with `input` (borrowed; clone it into
 * the new execution's arena) and `name` (NULL = generated), and returns SX_OK with
 * *exec_arn (a string in arena a) and *start_ms (wall ms). On failure it returns SX_ERR and
 * fills err (strings in a; e.g. StepFunctions.StateMachineDoesNotExistException). It must
 * not run the new execution in place (ex_exec_start only posts it). */
typedef int (*tk_sfn_start_fn)(void *ud, const char *machine, const char *name, const val_t *input,
                               sx_arena_t *a, const char **exec_arn, int64_t *start_ms,
                               sx_err_t *err);

/* Per-worker configuration. The STR/INT/MS/SIZE/BOOL fields are filled from tk_conf_directives
 * (cfg.h) or by tk_config_init(); the pointer fields at the end are set by the server. */
typedef struct tk_config {
    int64_t http_timeout_ms;      /* whole request (AWS: 60 s socket timeout) */
    int64_t connect_timeout_ms;   /* TCP + TLS connect */
    int64_t max_host_connections; /* parallel connections per host (more wait in curl) */
    int64_t max_connections;      /* keep-alive connection cache per worker */
    int64_t max_response;         /* response body bytes (over -> DataLimitExceeded) */
    bool tls_verify;              /* verify peer certificate and host name */
    char *ca_file;                /* CA bundle, NULL = libcurl's default */
    char *lambda_functions;       /* "name=url,name2=url2,*=url": function -> invoke URL;
                                     "{name}" in a URL is replaced by the function name */
    char *region;                 /* for ARNs we print (default us-east-1) */
    char *account;                /* default 123456789012 */
    char *event_buses;            /* "bus=stream,...": stream per event bus */
    char *bus_stream_prefix;      /* stream of an unlisted bus: prefix + bus name */
    int64_t bus_maxlen;           /* XADD MAXLEN ~ of bus streams (0 = no trimming) */
    int64_t redis_timeout_ms;     /* deadline of each XADD (0 = the connection's default) */
    /* set by the server, not by the directive table */
    rs_conn_t *redis;          /* borrowed: hiredis connection of this worker */
    tk_sfn_start_fn sfn_start; /* nested executions (NULL = startExecution fails) */
    void *sfn_ud;              /* passed to sfn_start */
} tk_config_t;

/* The directive table of tk_config_t (cfg.h); conf/stepxd.conf can use the same keys. */
extern const cfg_directive_t tk_conf_directives[];

/* Fills c with the directive table's defaults (strings are heap copies: tk_config_fini). */
void tk_config_init(tk_config_t *c);
/* Frees the strings of c (the ones tk_config_init or cfg set). */
void tk_config_fini(tk_config_t *c);

/* Constructors. Each returns a resource whose ud is a heap object owned by the caller until
 * tk_resource_free(). They borrow base, sch and cfg (cfg must outlive the resource). A bad
 * table string (lambda_functions, event_buses) makes the constructor return SX_ERR with a
 * message in msg; otherwise SX_OK and *out. */
int tk_http_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
                char *msg, size_t msglen);
int tk_lambda_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
                  char *msg, size_t msglen);
int tk_events_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
                  char *msg, size_t msglen);
int tk_sfn_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
               char *msg, size_t msglen);
/* Frees a resource made by a tk_*_new constructor; calls still in flight are dropped
 * without completion. */
void tk_resource_free(ex_resource_t *r);

/* Counters of one resource (for tests and metrics). */
typedef struct tk_stats {
    uint64_t started;   /* calls taken */
    uint64_t succeeded; /* completed with a result */
    uint64_t failed;    /* completed with an error */
    uint64_t cancelled; /* cancelled by the engine while in flight */
    uint64_t inflight;  /* taken and not yet completed or cancelled */
} tk_stats_t;
void tk_resource_stats(const ex_resource_t *r, tk_stats_t *out);

/* A small driver that runs a scheduler on a libevent loop (tests and tools; stepxd has its
 * own worker loop): alternates sch_run_once with event_base_loop until done(ud) returns true
 * or limit_ms passes. It sleeps until I/O or the scheduler's next deadline, at most tick_ms
 * at a time (a safety net; 0 = 1000 ms). Returns SX_OK when done, SX_AGAIN on the limit. */
int tk_loop_run(struct event_base *base, sch_t *sch, bool (*done)(void *ud), void *ud,
                int64_t limit_ms, int64_t tick_ms);

#endif
