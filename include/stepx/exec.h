/*
 * exec.h: executions of a compiled machine, driven by a scheduler (sched.h).
 *
 * An execution is a resumable object. ex_exec_start() posts it on the engine's scheduler;
 * it then runs state after state until it must wait (Wait state, task I/O, retry delay,
 * children running, Map throttled by MaxConcurrency), arms its timer or waits for a
 * completion, and returns control. Parallel branches and Map iterations are child flows of
 * the same execution, run by the same scheduler. Nothing blocks, and no C recursion spans a
 * wait. When the execution ends the engine's on_done callback runs (from the scheduler).
 *
 * Memory: each execution owns one arena (ex_exec_arena) holding every value it makes,
 * its flows and its history; ex_exec_free() releases it at once. Values are shared
 * structurally, never deep-copied. The input passed to ex_exec_start is borrowed and must
 * outlive the execution (parse it into ex_exec_arena(), or keep it in a longer-lived arena).
 *
 * Tasks: a Task state calls the first resource (ex_resource_t) that accepts its Resource
 * ARN. The resource completes the call later, or at once, with ex_call_succeed() or
 * ex_call_fail(); either only records the outcome and posts the execution, so a resource may
 * complete from inside start(). mock.h and the arn:stepx:test:* resource are provided.
 */
#ifndef STEPX_EXEC_H
#define STEPX_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "stepx/asl.h"
#include "stepx/asl_validate.h"
#include "stepx/err.h"
#include "stepx/sched.h"
#include "stepx/val.h"

typedef struct ex_exec ex_exec_t;
typedef struct ex_call ex_call_t;
typedef struct ex_engine ex_engine_t;

typedef enum ex_status {
    EX_RUNNING = 0,
    EX_SUCCEEDED,
    EX_FAILED,
    EX_TIMED_OUT,
    EX_ABORTED
} ex_status_t;

/* Payload limit (task/state/execution input or output), bytes of UTF-8 JSON. */
#define EX_PAYLOAD_MAX 262144
/* Inline Map: at most this many iterations in flight, whatever MaxConcurrency says (0 or
 * more): AWS runs inline Maps with "effectively <= 40 concurrent iterations" (express.md §1
 * quotas); no recorded case contradicts it (none has a Map over 40 items or Waits in one). */
#define EX_MAP_INLINE_MAX 40
/* Express executions end with States.Timeout after 5 minutes. */
#define EX_EXPRESS_MAX_MS (5 * 60 * 1000)

/* One task attempt. Owned by the execution; valid until completed or cancelled. */
struct ex_call {
    const char *resource; /* Resource ARN as written (machine arena) */
    const char *state;    /* Task state name */
    const val_t *input;   /* effective input (Parameters / Arguments applied) */
    size_t input_size;    /* an upper bound of input's compact JSON size (SIZE_MAX =
                             unknown); lets a resource that echoes report its size */
    uint32_t invocation;  /* 0-based invocation number of this state in the execution
                             (retries and Map iterations count) */
    int64_t timeout_ms;   /* TimeoutSeconds in ms (0 = none) */
    int64_t heartbeat_ms; /* HeartbeatSeconds in ms (0 = none) */
    sx_arena_t *arena;    /* where a result must live (the execution's arena) */
    sch_t *sch;           /* the execution's scheduler (for resources that sleep) */
    sch_timer_t rtimer;   /* free for the resource's own use (e.g. a sleep) */
    void *rdata;          /* free for the resource's own use */
    void *_flow;          /* private: the waiting flow */
    uint32_t _gen;        /* private: attempt generation, stale completions are ignored */
};

/* Completes a call with a result (borrowed; must live in call->arena or longer). */
void ex_call_succeed(ex_call_t *c, const val_t *result);
/* Same, with an upper bound of the result's compact JSON size when the resource knows it
 * (e.g. the response body length; 0 = unknown): the payload limit check then needs no walk
 * of the result. */
void ex_call_succeed_sized(ex_call_t *c, const val_t *result, size_t json_size);
/* Completes a call with an error (strings copied into the execution's arena; cause may be
 * NULL). */
void ex_call_fail(ex_call_t *c, const char *error, const char *cause);
/* Records a heartbeat (restarts the HeartbeatSeconds clock). */
void ex_call_heartbeat(ex_call_t *c);

typedef struct ex_resource {
    /* Starts call c. Returns SX_OK when it took the call (it completes later or already
     * did), SX_DECLINED when it does not serve c->resource. */
    int (*start)(void *ud, ex_call_t *c);
    /* The execution gave up on c (timeout, sibling failure, execution end): stop any work
     * and never complete it. May be NULL. */
    void (*cancel)(void *ud, ex_call_t *c);
    void *ud;
} ex_resource_t;

#define EX_MAX_RESOURCES 8

/* Shared by the executions run on one scheduler (one per worker thread). */
struct ex_engine {
    sch_t *sch;                                /* borrowed */
    ex_resource_t resources[EX_MAX_RESOURCES]; /* tried in order */
    uint32_t nresources;
    size_t arena_first;                       /* first arena chunk per execution */
    uint32_t batch;                           /* transitions per run before yielding */
    void (*on_done)(ex_exec_t *ex, void *ud); /* execution finished (may free it) */
    void *ud;
    uint64_t transitions; /* counter over all executions */
};

/* Initialises e on scheduler s with no resources; the test resource is added with
 * ex_engine_add_test_resource(). */
void ex_engine_init(ex_engine_t *e, sch_t *s);
void ex_engine_add_resource(ex_engine_t *e, const ex_resource_t *r);
/* Adds the arn:stepx:test:* resource (see ex_testres.c for the grammar). */
void ex_engine_add_test_resource(ex_engine_t *e);

typedef struct ex_opts {
    asl_type_t type;          /* STANDARD (default) or EXPRESS: ARN forms, context, limits */
    const char *sm_name;      /* state machine name (default "StateMachine") */
    const char *exec_name;    /* execution name (default: a UUID) */
    const char *region;       /* default "us-east-1" */
    const char *account;      /* default "123456789012" */
    const char *role_arn;     /* default arn:aws:iam::<account>:role/StepxExecutionRole */
    bool sync;                /* StartSyncExecution (EXPRESS: no RedriveCount) */
    bool history;             /* materialise history events */
    void *ud;                 /* caller's data (ex_exec_ud) */
    size_t input_size;        /* compact JSON size of the input when known (e.g. the
                                 request body length), 0 = measure it */
    uint64_t max_transitions; /* states entered before the execution fails with
                                 States.Runtime (0 = unlimited, as AWS Express; the server
                                 and the fuzzer set one) */
    int jsonata_time_ms;      /* wall-clock limit per JSONata evaluation (0 = none); an
                                 evaluation over it fails with States.QueryEvaluationError */
} ex_opts_t;

/* Creates an execution of m (referenced until ex_exec_free). Strings in o are copied.
 * The engine's on_done callback runs from its own scheduler task, after every task of the
 * execution already queued, so on_done may free the execution. */
ex_exec_t *ex_exec_new(ex_engine_t *e, asl_machine_t *m, const ex_opts_t *o);
sx_arena_t *ex_exec_arena(ex_exec_t *ex);
void *ex_exec_ud(const ex_exec_t *ex);
/* Starts the execution with input (borrowed, see above): posts it on the scheduler. */
void ex_exec_start(ex_exec_t *ex, const val_t *input);
/* Tells the execution, before ex_exec_start, an upper bound of its input's compact JSON size
 * (e.g. from val_json_parse_sized), so that it need not measure the input. */
void ex_exec_set_input_size(ex_exec_t *ex, size_t bound);
/* Stops a running execution (status ABORTED); cancels its timers and calls. */
void ex_exec_stop(ex_exec_t *ex);
void ex_exec_free(ex_exec_t *ex);

ex_status_t ex_exec_status(const ex_exec_t *ex);
const char *ex_status_name(ex_status_t s); /* "RUNNING", "SUCCEEDED", ... */
/* Output on success (arena-owned), else NULL. */
const val_t *ex_exec_output(const ex_exec_t *ex);
/* Error name / cause on failure (NULL when absent). */
const char *ex_exec_error(const ex_exec_t *ex);
const char *ex_exec_cause(const ex_exec_t *ex);
const char *ex_exec_arn(const ex_exec_t *ex);
int64_t ex_exec_start_ms(const ex_exec_t *ex);
int64_t ex_exec_stop_ms(const ex_exec_t *ex);
/* States entered so far (the Standard billing unit; retries included). */
uint64_t ex_exec_transitions(const ex_exec_t *ex);
/* What an execution used, for billing (include/stepx/bill.h turns it into billed memory and
 * duration as AWS does: memory ~ 50 MB + definition + data x Parallel/Map steps). */
typedef struct ex_usage {
    uint64_t def_bytes;   /* definition text, bytes */
    uint64_t data_bytes;  /* execution data: the input's compact JSON bytes */
    uint64_t steps;       /* Parallel branch runs + Map iterations started */
    uint64_t transitions; /* states entered (retries included) */
    int64_t duration_ms;  /* start to stop (to now while running), at least 1 */
} ex_usage_t;
void ex_exec_usage(const ex_exec_t *ex, ex_usage_t *u);
/* History events as one JSON array (arena-owned), or NULL when history is off. */
const val_t *ex_exec_history(ex_exec_t *ex);

#endif
