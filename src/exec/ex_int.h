/*
 * ex_int.h: the engine's private types, shared by src/exec/ex_*.c.
 *
 *   ex_exec_t (one execution, first thing in its own arena)
 *   +------------------+
 *   | root flow        |  flow = one thread of states: the top level, a Parallel branch or
 *   | arena, machine   |  a Map iteration. A flow that runs Parallel/Map owns an ex_kids_t
 *   | ids, ctx, status |  with its child flows; children point back at it (parent).
 *   +------------------+
 *
 * A flow moves through phases: ENTER (run the current state) -> possibly a waiting phase
 * (WAIT, TASK, RETRY, KIDS) -> the matching *_DONE phase when the timer/completion arrives
 * (the callback only records and posts) -> ENTER of the next state, or the end of the flow.
 * Step functions return R_NEXT / R_END / R_PARK / R_ERR; R_ERR leaves flow->err set and goes
 * through Retry/Catch.
 */
#ifndef SX_EX_INT_H
#define SX_EX_INT_H

#include "stepx/exec.h"

typedef struct ex_flow ex_flow_t;
typedef struct ex_kids ex_kids_t;

enum ex_phase {
    PH_ENTER = 0,
    PH_WAIT, /* Wait state timer armed */
    PH_WAIT_DONE,
    PH_TASK, /* task call in flight */
    PH_TASK_DONE,
    PH_RETRY, /* retry delay timer armed */
    PH_RETRY_DONE,
    PH_KIDS, /* children running */
    PH_KIDS_DONE,
    PH_DONE /* finished or aborted */
};

enum ex_step { R_NEXT = 0, R_END, R_PARK, R_ERR };

struct ex_flow {
    sch_task_t task;        /* run-queue link (first member) */
    sch_timer_t timer;      /* Wait / retry delay / task timeout+heartbeat */
    ex_exec_t *ex;          /* owning execution */
    ex_flow_t *parent;      /* Parallel/Map flow that spawned it, NULL for the root */
    uint32_t slot;          /* index in the parent's results */
    uint32_t cur;           /* current state index */
    uint32_t next;          /* chosen next state (R_NEXT) */
    uint8_t phase;          /* enum ex_phase */
    uint8_t outcome;        /* 0 running, 1 succeeded, 2 failed, 3 aborted */
    uint8_t terminal;       /* err may not be retried or caught */
    uint8_t task_ok;        /* last call succeeded (TASK_DONE) */
    uint32_t entered_id;    /* id of the current state's Entered event */
    uint32_t last_ev;       /* last event id of this flow (previousEventId) */
    uint32_t retry_count;   /* $$.State.RetryCount */
    uint32_t *retry_n;      /* per-retrier attempts in this state visit, or NULL */
    int64_t entered_ms;     /* $$.State.EnteredTime */
    int64_t task_deadline;  /* absolute ms, 0 = none */
    int64_t hb_deadline;    /* absolute ms, 0 = none */
    int64_t hb_ms;          /* heartbeat interval */
    const val_t *vars;      /* this scope's variables (object) or NULL */
    size_t vars_sz;         /* their size as counted for the limits (ex_vars_apply) */
    const val_t *input;     /* raw input of the current state */
    const val_t *eff;       /* effective input */
    const val_t *ctx;       /* context object of the current state, or NULL */
    const val_t *result;    /* task / children result waiting for the pipeline */
    const val_t *output;    /* output of the finished state / flow */
    const val_t *map_value; /* this iteration's item ($$.Map.Item.Value) */
    const val_t *assigned;  /* Assign applied by the current state (Exited details) */
    size_t in_sz;           /* upper bounds of the JSON sizes (ex_size.c) of input, */
    size_t eff_sz;          /* effective input, */
    size_t res_sz;          /* task result (0 = not known yet) */
    size_t out_sz;          /* and output */
    const char *fail_ev;    /* Map/ParallelStateFailed owed once Retry gives up, or NULL */
    uint32_t fail_prev;     /* its previousEventId (the failing inner event) */
    sx_err_t err;           /* pending or final error */
    ex_call_t *call;        /* the task attempt (arena, made on the first Task) */
    ex_kids_t *kids;        /* children of the current Parallel/Map, or NULL */
    ex_flow_t *next_free;   /* free-list link */
};

struct ex_kids {
    ex_flow_t **flows;     /* child flows by slot (NULL until started) */
    const val_t **results; /* outputs by slot */
    const val_t *items;    /* Map: the items (or batches) array; Parallel: NULL */
    uint32_t n;            /* children in total */
    uint32_t started, finished, failed, running;
    uint32_t max_conc;   /* 0 = unbounded */
    uint32_t tol_count;  /* tolerated failures (UINT32_MAX = unset) */
    double tol_pct;      /* tolerated percentage (<0 = unset) */
    bool tolerance;      /* either tolerance field set */
    bool failing;        /* a failure decided the outcome; no more starts */
    sx_err_t err;        /* the deciding failure */
    uint32_t started_ev; /* MapStateStarted / ParallelStateStarted id */
    uint32_t iter_ev;    /* last MapIterationSucceeded id (MapStateExited points at it) */
    uint32_t fail_prev;  /* the failing inner event (MapStateFailed points at it) */
    size_t res_sz;       /* upper bound of the results array's JSON size */
    size_t items_sz;     /* Map: upper bound of the items array's JSON size */
};

struct ex_exec {
    ex_flow_t root;   /* the top-level flow (first member) */
    ex_engine_t *eng; /* borrowed */
    asl_machine_t *m; /* referenced */
    sx_arena_t *a;    /* owns this struct and everything of the execution */
    ex_opts_t o;      /* options, strings in a */
    ex_status_t status;
    const val_t *input;  /* execution input (borrowed) */
    const val_t *output; /* final output */
    const char *error, *cause;
    const char *arn;       /* execution ARN */
    const char *sm_arn;    /* state machine ARN */
    const val_t *ctx_exec; /* context "Execution" member */
    const val_t *ctx_sm;   /* context "StateMachine" member */
    int64_t start_ms, stop_ms;
    uint32_t next_id;      /* last history event id handed out */
    uint64_t transitions;  /* states entered */
    uint32_t *invocations; /* per state index: task invocations (mocks), lazily */
    uint32_t call_gen;     /* generation counter for calls */
    sch_timer_t deadline;  /* execution TimeoutSeconds / Express limit */
    sch_task_t done_task;  /* runs on_done after the execution's queued tasks */
    ex_flow_t *free_flows; /* finished child flows for reuse */
    uint64_t steps;        /* billing: Parallel branch runs + Map iterations started */
    uint64_t input_bytes;  /* billing: size (bound) of the execution input */
    size_t vars_sz;        /* variables of all live scopes (EX_VARS_TOTAL_MAX) */
    val_arrb_t hist;       /* history events when o.history */
};

/* ---- ex_hist.c: history events (ids always; details only with history on) ---- */
/* Hands out the next event id; with history on, records the event (details may be NULL;
 * dkey is the "...EventDetails" member name). previousEventId = f->last_ev, or prev for
 * ex_event_at. Sets f->last_ev to the new id and returns it. */
uint32_t ex_event(ex_flow_t *f, const char *type, const char *dkey, const val_t *details);
uint32_t ex_event_at(ex_flow_t *f, uint32_t prev, const char *type, const char *dkey,
                     const val_t *details);
/* The id-only path when history is off (inline: the hot path of every transition). */
static inline uint32_t
ex_event_id(ex_flow_t *f)
{
    uint32_t id = ++f->ex->next_id;
    f->last_ev = id;
    return id;
}
static inline bool
ex_hist_on(const ex_flow_t *f)
{
    return f->ex->o.history;
}
uint32_t ex_ev_exec_started(ex_exec_t *ex, const char *role_arn);
/* ExecutionSucceeded (ex->output) / Failed / Aborted / TimedOut (ex->error, ex->cause). */
uint32_t ex_ev_exec_end(ex_flow_t *f, const char *type);
/* <Type>StateEntered with f->input; <Type>StateExited with f->output and f->assigned. */
uint32_t ex_ev_state(ex_flow_t *f, const asl_state_t *s, const char *type, bool entered);
static inline uint32_t
ex_ev_entered(ex_flow_t *f, const asl_state_t *s, const char *type)
{
    return ex_hist_on(f) ? ex_ev_state(f, s, type, true) : ex_event_id(f);
}
static inline uint32_t
ex_ev_exited(ex_flow_t *f, const asl_state_t *s, const char *type)
{
    return ex_hist_on(f) ? ex_ev_state(f, s, type, false) : ex_event_id(f);
}
enum {
    EX_EV_TASK_SCHEDULED = 0,
    EX_EV_TASK_STARTED,
    EX_EV_TASK_SUCCEEDED,
    EX_EV_TASK_FAILED, /* error/cause from f->err */
    EX_EV_TASK_TIMED_OUT
};
/* Task* or LambdaFunction* event of f's Task state; payload = parameters (Scheduled) or
 * output (Succeeded). */
uint32_t ex_ev_task(ex_flow_t *f, int kind, const val_t *payload, int64_t timeout_s, int64_t hb_s);
uint32_t ex_ev_map_started(ex_flow_t *f, uint32_t length);
/* MapIteration{Started,Succeeded,Failed} {name, index} with an explicit previousEventId. */
uint32_t ex_ev_iteration(ex_flow_t *f, uint32_t prev, const char *type, uint32_t index);
/* EvaluationFailed {error, cause (f->err), location (may be NULL), state}. */
uint32_t ex_ev_eval_failed(ex_flow_t *f, const char *location);

/* ---- ex_exec.c ---- */
/* Counts a state transition (entry or retry); SX_ERR when it passes ex_opts.max_transitions:
 * the execution has then failed (States.Runtime) and the caller must park. */
int ex_transition_over(ex_exec_t *ex);
static inline int
ex_transition(ex_exec_t *ex)
{
    return ++ex->transitions > ex->o.max_transitions && ex->o.max_transitions != 0
               ? ex_transition_over(ex)
               : SX_OK;
}
/* Ends the whole execution as FAILED from anywhere (every flow aborted). */
void ex_exec_fail_now(ex_exec_t *ex, const char *error, const char *cause);
static inline const asl_state_t *
ex_state(const ex_flow_t *f)
{
    return &f->ex->m->states[f->cur];
}
/* Sets f->err to States.QueryEvaluationError with the prefixed cause and records the
 * EvaluationFailed event (location: the field path, or NULL). */
int ex_fail_eval(ex_flow_t *f, const char *location, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets f->err to (name, "An error occurred while executing the state ... " + detail). */
int ex_fail_prefixed(ex_flow_t *f, const char *name, bool terminal, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets f->err to (name, cause) verbatim (both copied or static). */
int ex_fail_plain(ex_flow_t *f, const char *name, const char *cause, bool terminal);
/* Starts a flow at state `start` with input (posts it); in_sz bounds its JSON size. */
void ex_flow_start(ex_flow_t *f, uint32_t start, const val_t *input, size_t in_sz);
ex_flow_t *ex_flow_new(ex_exec_t *ex, ex_flow_t *parent, uint32_t slot);
/* Stops f and everything under it (timers, calls, children), with the events AWS records
 * for it: inner flows first, a Map iteration's MapIterationAborted after its own events,
 * then f's Wait/Task/Map/ParallelStateAborted when it was inside such a state. */
void ex_flow_abort(ex_flow_t *f);
/* Aborts f's running children as ex_flow_abort does (MapIterationAborted for a Map's). */
void ex_kids_abort(ex_flow_t *f);
void ex_flow_post(ex_flow_t *f);

/* ---- ex_data.c: context object, variables, JSONPath pipeline helpers ---- */
const val_t *ex_ctx_build(ex_flow_t *f, const asl_state_t *s, bool with_retry);
const val_t *ex_ctx_with_item(ex_flow_t *f, uint32_t index, const val_t *value);
const val_t *ex_var_lookup(void *ud, const char *name, size_t len);
void ex_env_init(jp_env_t *env, ex_flow_t *f, const val_t *input, const val_t *ctx);
/* JSONPath helpers; on failure f->err is set and SX_ERR returned. */
int ex_path_or_fail(ex_flow_t *f, const jp_prog_t *p, bool isnull, const val_t *in,
                    const val_t **out);
int ex_tmpl_or_fail(ex_flow_t *f, const jp_tmpl_t *t, const val_t *in, const val_t *ctx,
                    const val_t **out);
int ex_result_path_or_fail(ex_flow_t *f, const jp_prog_t *p, bool isnull, const val_t *raw,
                           const val_t *result, const val_t **out);
/* Sets Assign's values in f's scope (f->assigned for the Exited event). Over a variables
 * limit (one value EX_VAR_MAX, one Assign EX_ASSIGN_MAX, all live scopes of the execution
 * EX_VARS_TOTAL_MAX) it changes nothing and fails with States.DataLimitExceeded, terminal
 * (SX_ERR). */
int ex_vars_apply(ex_flow_t *f, const val_t *assigned);
/* A finished child flow's scope stops counting toward the execution's total. */
void ex_vars_drop(ex_flow_t *f);
/* Pass/Task/Map/Parallel success pipeline: ResultSelector, ResultPath, OutputPath, Assign
 * ($ = assign_in), then Exited. */
int ex_finish_result(ex_flow_t *f, const val_t *result, size_t res_sz, const val_t *assign_in);
/* Exited event + next/end decision for f's current state with f->output set. */
int ex_exit_state(ex_flow_t *f, const char *exited_type);

/* ---- ex_size.c: payload size bounds and States.DataLimitExceeded ---- */
#define EX_SZ_UNKNOWN SIZE_MAX
/* Variables limits (variables-jsonata.md §1): one value, all values of one Assign, all
 * variables of an execution. Values whose quick bound is at most EX_VAR_QUICK count by it. */
#define EX_VAR_MAX 262144
#define EX_ASSIGN_MAX 262144
#define EX_VARS_TOTAL_MAX (10u << 20)
#define EX_VAR_QUICK 4096
static inline size_t
ex_sz_add(size_t a, size_t b) /* saturating */
{
    return a > EX_SZ_UNKNOWN - b ? EX_SZ_UNKNOWN : a + b;
}
/* A cheap upper bound of v's JSON size, or EX_SZ_UNKNOWN when v is big. */
size_t ex_sz_quick(const val_t *v);
/* v's exact JSON size, or some value above limit once it passes limit. */
size_t ex_sz_exact(const val_t *v, size_t limit);
bool ex_payload_too_big(const val_t *v, size_t limit);
/* Bound of a Path's result (src = bound of its input) / of a ResultPath's output. */
size_t ex_sz_path_slow(const jp_prog_t *p, const val_t *out, size_t src);
static inline size_t
ex_sz_path(const jp_prog_t *p, bool isnull, const val_t *out, size_t src)
{
    return isnull ? 2 : p == NULL ? src : ex_sz_path_slow(p, out, src);
}
/* plen = the ResultPath text's length (asl_state_t.result_path_len) */
size_t ex_sz_result_path(const jp_prog_t *p, uint32_t plen, bool isnull, size_t raw, size_t res);
/* Sets f->err to States.DataLimitExceeded for `who`; returns SX_ERR. */
int ex_data_limit(ex_flow_t *f, const char *who, bool terminal);
/* SX_OK when v fits EX_PAYLOAD_MAX (*bound tightened to the exact size when it had to be
 * measured), else ex_data_limit(). */
int ex_sz_measure_or_fail(ex_flow_t *f, const val_t *v, size_t *bound, const char *who,
                          bool terminal);
static inline int
ex_sz_check_or_fail(ex_flow_t *f, const val_t *v, size_t *bound, const char *who, bool terminal)
{
    return *bound <= EX_PAYLOAD_MAX ? SX_OK : ex_sz_measure_or_fail(f, v, bound, who, terminal);
}

/* ---- ex_jx.c: JSONata-mode evaluation ---- */
typedef struct ex_jx_env {
    ex_flow_t *f;
    const val_t *input;        /* $states.input */
    const val_t *result;       /* $states.result or NULL */
    const val_t *error_output; /* $states.errorOutput or NULL */
    const val_t *ctx;          /* $states.context */
    const val_t *states;       /* built lazily */
} ex_jx_env_t;
void ex_jx_env_init(ex_jx_env_t *e, ex_flow_t *f, const val_t *input);
/* Evaluates j; undefined at the top is an error. On failure f->err is set
 * (States.QueryEvaluationError) and SX_ERR returned. */
int ex_jx_eval_or_fail(ex_jx_env_t *e, const asl_jx_t *j, const val_t **out);

/* ---- ex_states.c ---- */
int ex_state_enter(ex_flow_t *f);
int ex_wait_done(ex_flow_t *f);
int ex_task_attempt(ex_flow_t *f);
int ex_task_done(ex_flow_t *f);
void ex_task_cancel(ex_flow_t *f);
void ex_flow_timer_fn(sch_timer_t *t);

/* ---- ex_kids.c ---- */
int ex_parallel_attempt(ex_flow_t *f);
int ex_map_attempt(ex_flow_t *f);
int ex_kids_done(ex_flow_t *f);
/* A child flow finished (outcome set): updates the parent's counters, starts more
 * iterations or decides the outcome; posts the parent when it must run. */
void ex_kid_finished(ex_flow_t *kid);

/* ---- ex_choice.c ---- */
int ex_choice_run(ex_flow_t *f);

#endif
