/*
 * wk_worker.c: one worker thread of stepxd: its event loop, its consumer, its engine.
 *
 * Loop (one turn):
 *
 *   sch_run_once            run the executions posted so far (each yields after
 *                           engine_batch transitions) and the timers due now
 *   runnable left?   -----> poll libevent without blocking, next turn
 *   else                    arm wake_ev for the scheduler's earliest deadline and block in
 *                           libevent until I/O (Redis, HTTP tasks), the deadline or the inbox
 *
 * Libevent callbacks never run the engine: the consumer's exec callback creates and starts an
 * execution (ex_exec_start only posts it), task completions only post, so the engine runs
 * from the top of the loop only. The commit queue is flushed by the stream layer once per
 * turn (an active event), so the results of one turn go out in one batch.
 *
 * Backpressure: at max_executions executions in flight the consumer is paused (no reads);
 * it resumes below 3/4 of that. The stream layer's own max_inflight bounds entries held
 * (executing + waiting for the commit reply). Nothing queues without bound.
 *
 * Shutdown (inbox stop): pause reading, let executions finish and their commits answer until
 * shutdown_grace passes, then free what is left without completing it: those entries stay
 * in the group's pending list and another consumer takes them over after claim_idle.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wk_int.h"
#include "stepx/bill.h"

struct wk_job {
    ex_exec_t *ex;           /* the execution (owns the arena this job lives in) */
    rs_event_t *ev;          /* the event, or NULL for a nested execution */
    rs_event_t *root;        /* the event whose commit writes this job's result (= ev for
                              * an event's execution, the ancestors' event when nested) */
    const char *nid;         /* nested: result id "<root event id>/<n>" (arena) */
    const char *parent_arn;  /* nested: ARN of the execution that started it (arena) */
    wk_worker_t *w;          /* owner */
    const log_config_t *log; /* arena copy of the machine's logging config, or NULL */
    const char *machine;     /* machine name (arena) */
    wk_job_t *prev, *next;   /* in w->jobs */
};

/* What on_committed needs to meter a written result (heap, in ev->udata from the start of
 * the event's execution): the event's own bill plus its nested executions'. */
struct wk_note {
    int64_t requests;       /* 1 + nested executions that finished */
    int64_t billed_ms;      /* billed duration (sum) */
    int64_t billed_mb_ms;   /* billed MB x ms (sum) */
    int64_t transitions;    /* state transitions (sum) */
    uint32_t nested_seq;    /* nested executions started so far (their ids' <n>) */
    wk_note_t *prev, *next; /* in w->notes (freed at exit if their commit never answers) */
};

static wk_note_t *
note_new(wk_worker_t *w)
{
    wk_note_t *n = sx_calloc(1, sizeof(*n));
    n->prev = NULL;
    n->next = w->notes;
    if (w->notes)
        w->notes->prev = n;
    w->notes = n;
    return n;
}

static void
note_free(wk_worker_t *w, wk_note_t *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        w->notes = n->next;
    if (n->next)
        n->next->prev = n->prev;
    sx_free(n);
}

static void
job_link(wk_worker_t *w, wk_job_t *j)
{
    j->prev = NULL;
    j->next = w->jobs;
    if (w->jobs)
        w->jobs->prev = j;
    w->jobs = j;
    w->inflight++;
    wk_ctr_set(&w->st.inflight, (uint64_t)w->inflight);
}

static void
job_unlink(wk_worker_t *w, wk_job_t *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        w->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    w->inflight--;
    wk_ctr_set(&w->st.inflight, (uint64_t)w->inflight);
}

static void
backpressure_check(wk_worker_t *w)
{
    int64_t cap = w->srv->wc->max_executions;
    if (!w->paused && w->inflight >= cap) {
        w->paused = true;
        wk_ctr_add(&w->st.pauses, 1);
        rs_consumer_pause(w->cons, true);
    } else if (w->paused && w->inflight < cap - cap / 4 && !w->draining) {
        w->paused = false;
        rs_consumer_pause(w->cons, false);
    }
}

/* ---- executions ---- */

static void job_free(wk_worker_t *w, wk_job_t *j);

static void
log_done(void *ud, uint32_t written, uint32_t failed)
{
    wk_worker_t *w = ud;
    SX_UNUSED(failed);
    wk_ctr_add(&w->st.log_events, written);
}

static void
job_log(wk_worker_t *w, wk_job_t *j)
{
    log_exec_t x = {ex_exec_arn(j->ex), j->machine, ex_exec_start_ms(j->ex)};
    const val_t *h = ex_exec_history(j->ex);
    if (w->log != NULL && h != NULL)
        log_sink_write(w->log, j->log, &x, h, log_done, w);
}

static rs_status_t
status_of(ex_status_t s)
{
    switch (s) {
    case EX_SUCCEEDED:
        return RS_SUCCEEDED;
    case EX_TIMED_OUT:
        return RS_TIMED_OUT;
    case EX_ABORTED:
        return RS_ABORTED;
    default:
        return RS_FAILED;
    }
}

/* Fills out from a finished execution (out->output_val borrows the execution's output) and
 * adds its bill to the root event's note. */
static void
job_outcome(wk_worker_t *w, wk_job_t *j, rs_outcome_t *pout)
{
    ex_exec_t *ex = j->ex;
    rs_outcome_t out = {0};
    wk_note_t *note = j->root->udata;
    out.status = status_of(ex_exec_status(ex));
    if (out.status == RS_SUCCEEDED) {
        out.output_val = ex_exec_output(ex); /* printed once, into the commit arguments */
    } else {
        out.error = ex_exec_error(ex);
        out.cause = ex_exec_cause(ex);
    }
    out.start_ms = ex_exec_start_ms(ex);
    out.stop_ms = ex_exec_stop_ms(ex);
    ex_usage_t use;
    ex_exec_usage(ex, &use);
    /* decimal MB, as AWS's estimate; the commit rounds up to 64 MB chunks */
    out.memory_mb =
        (bill_memory_estimate_bytes(use.def_bytes, use.data_bytes, use.steps) + 999999) / 1000000;
    out.transitions = (int64_t)ex_exec_transitions(ex);
    int64_t bms = rs_billed_ms(out.stop_ms - out.start_ms);
    note->requests++;
    note->billed_ms += bms;
    note->billed_mb_ms += bms * rs_billed_mb(out.memory_mb);
    note->transitions += out.transitions;
    wk_ctr_add(&w->st.finished[out.status], 1);
    wk_hist_observe(&w->st.duration, out.stop_ms - out.start_ms);
    *pout = out;
}

/* The execution name in an execution ARN ("...:express:<machine>:<name>:<uuid>" or
 * "...:execution:<machine>:<name>"), copied into a. */
static const char *
exec_name_of(sx_arena_t *a, const char *arn, const char *machine)
{
    size_t ml = strlen(machine);
    const char *p = arn;
    for (const char *q; (q = strchr(p, ':')) != NULL; p = q + 1) {
        if (strncmp(q + 1, machine, ml) == 0 && q[1 + ml] == ':') {
            const char *name = q + 2 + ml, *end = strchr(name, ':');
            return sx_arena_strndup(a, name, end ? (size_t)(end - name) : strlen(name));
        }
    }
    return arn;
}

static void
job_complete(wk_worker_t *w, wk_job_t *j)
{
    rs_outcome_t out;
    job_outcome(w, j, &out);
    if (j->ev != NULL) {
        rs_event_complete(j->ev, &out);
    } else {
        out.exec_name = exec_name_of(ex_exec_arena(j->ex), ex_exec_arn(j->ex), j->machine);
        rs_event_nested_end(j->root, j->nid, j->parent_arn, j->machine, &out);
    }
}

static void
on_done(ex_exec_t *ex, void *ud)
{
    wk_worker_t *w = ud;
    wk_job_t *j = ex_exec_ud(ex);
    wk_ctr_add(&w->st.transitions, ex_exec_transitions(ex));
    if (j->root != NULL)
        job_complete(w, j);
    if (j->log != NULL)
        job_log(w, j);
    job_unlink(w, j);
    job_free(w, j);
    backpressure_check(w);
}

/* Creates a job for machine e (borrowed from the snapshot). Jobs come from a per-worker
 * free list (the execution's ud must exist before the execution does). */
static wk_job_t *
job_new(wk_worker_t *w, const wk_machine_t *e, const char *exec_name)
{
    ex_opts_t o = {0};
    wk_job_t *j = w->free_jobs;
    if (j != NULL)
        w->free_jobs = j->next;
    else
        j = sx_malloc(sizeof(*j));
    memset(j, 0, sizeof(*j));
    o.type = (asl_type_t)e->type;
    o.sm_name = e->name;
    o.exec_name = exec_name;
    o.region = w->tk.region;
    o.account = w->tk.account;
    o.history = e->logging && w->log != NULL;
    o.jsonata_time_ms = (int)w->srv->wc->jsonata_time_ms;
    o.ud = j;
    /* o.input_size stays 0 here: input_parse sets the bound the JSON parser computed
     * (event text may carry whitespace, so its length is no bound) */
    j->ex = ex_exec_new(&w->eng, e->m, &o);
    j->w = w;
    sx_arena_t *a = ex_exec_arena(j->ex);
    j->machine = sx_arena_strndup(a, e->name, strlen(e->name));
    if (o.history) {
        log_config_t *lc = sx_arena_alloc(a, sizeof(*lc));
        *lc = e->log;
        j->log = lc;
    }
    return j;
}

/* Frees the execution and returns the job to the free list. */
static void
job_free(wk_worker_t *w, wk_job_t *j)
{
    ex_exec_free(j->ex);
    j->ex = NULL;
    j->next = w->free_jobs;
    w->free_jobs = j;
}

/* Parses the event's input into the execution ex's arena and tells ex the input's compact
 * size when the parser knows it. Returns SX_OK or SX_ERR with the dead-letter reason in why. */
static int
input_parse(const rs_event_t *ev, ex_exec_t *ex, const val_t **in, char *why, size_t len)
{
    val_json_err_t jerr;
    size_t compact = 0;
    sx_arena_t *a = ex_exec_arena(ex);
    if (ev->input_msgpack) {
        if (val_msgpack_decode(a, ev->input, ev->input_len, in, &jerr) == SX_OK)
            return SX_OK;
        snprintf(why, len, "input_msgpack is not valid MessagePack: %s", jerr.msg);
        return SX_ERR;
    }
    if (val_json_parse_sized(a, ev->input, ev->input_len, in, &compact, &jerr) == SX_OK) {
        ex_exec_set_input_size(ex, compact > 0 ? compact : 1);
        return SX_OK;
    }
    snprintf(why, len, "input is not valid JSON: %s", jerr.msg);
    return SX_ERR;
}

static void
reject(wk_worker_t *w, rs_event_t *ev, const char *why)
{
    wk_ctr_add(&w->st.rejected, 1);
    ev->udata = NULL;
    rs_event_reject(ev, why);
}

/* The consumer's executor callback: one event -> one execution. */
static void
on_event(rs_event_t *ev, void *ud)
{
    wk_worker_t *w = ud;
    char why[400];
    const val_t *input;
    const wk_machine_t *e = wk_table_find(w->table, ev->machine, strlen(ev->machine));
    if (e == NULL) {
        snprintf(why, sizeof(why), "unknown state machine '%.80s'", ev->machine);
        reject(w, ev, why);
        return;
    }
    wk_job_t *j = job_new(w, e, ev->name ? ev->name : ev->id);
    if (input_parse(ev, j->ex, &input, why, sizeof(why)) != SX_OK) {
        job_free(w, j);
        reject(w, ev, why);
        return;
    }
    /* an event without a tenant is billed to its machine's tenant when it has one */
    if (ev->tenant_absent && e->tenant != NULL)
        rs_event_set_tenant(ev, e->tenant);
    j->ev = ev;
    j->root = ev;
    ev->udata = note_new(w);
    job_link(w, j);
    wk_ctr_add(&w->st.started, 1);
    ex_exec_start(j->ex, input);
    backpressure_check(w);
}

static void
on_committed(const rs_event_t *ev, bool written, void *ud)
{
    wk_worker_t *w = ud;
    wk_note_t *note = ev->udata;
    if (note == NULL)
        return; /* a dead letter */
    if (written) {
        wk_tenant_t *t = wk_tenant_slot(&w->st, ev->tenant);
        char *end;
        int64_t id_ms = strtoll(ev->id, &end, 10);
        wk_ctr_add(&w->st.committed, 1);
        wk_ctr_add(&t->requests, (uint64_t)note->requests);
        wk_ctr_add(&t->billed_ms, (uint64_t)note->billed_ms);
        wk_ctr_add(&t->billed_mb_ms, (uint64_t)note->billed_mb_ms);
        wk_ctr_add(&t->transitions, (uint64_t)note->transitions);
        wk_hist_observe(&w->st.latency, sx_wall_ms() - id_ms);
    } else {
        wk_ctr_add(&w->st.duplicates, 1);
    }
    note_free(w, note);
    ((rs_event_t *)ev)->udata = NULL;
}

/* The running job whose execution owns arena a (the Task's caller), or NULL. A scan of the
 * worker's jobs: nested starts are rare next to events. */
static wk_job_t *
job_of_arena(wk_worker_t *w, const sx_arena_t *a)
{
    for (wk_job_t *j = w->jobs; j != NULL; j = j->next)
        if (ex_exec_arena(j->ex) == a)
            return j;
    return NULL;
}

/* states:startExecution: a nested Express execution on this worker. Its result is written
 * and billed (in the root event's tenant) by the root event's own ack-gated commit, which
 * waits for it (docs/events.md, "Nested executions"); its id is "<root event id>/<n>", n
 * counting the nested starts of that event's execution tree from 1. */
static int
sfn_start(void *ud, const char *machine, const char *name, const val_t *input, sx_arena_t *a,
          const char **exec_arn, int64_t *start_ms, sx_err_t *err)
{
    wk_worker_t *w = ud;
    wk_job_t *parent = job_of_arena(w, a);
    const wk_machine_t *e = wk_table_find(w->table, machine, strlen(machine));
    if (e == NULL) {
        err->name = "StepFunctions.StateMachineDoesNotExistException";
        err->cause = sx_arena_printf(a, NULL,
                                     "State Machine Does Not Exist: '%s' (Service: "
                                     "AWSStepFunctions; Status Code: 400; Error Code: "
                                     "StateMachineDoesNotExist; Proxy: null)",
                                     machine);
        return SX_ERR;
    }
    if (SX_NEVER(parent == NULL || parent->root == NULL)) {
        err->name = ASL_E_TASK_FAILED;
        err->cause = "nested execution started outside a running execution";
        return SX_ERR;
    }
    wk_job_t *j = job_new(w, e, name);
    sx_arena_t *na = ex_exec_arena(j->ex);
    const val_t *in = val_clone(na, input);
    wk_note_t *note = parent->root->udata;
    const char *parn = ex_exec_arn(parent->ex);
    j->root = parent->root;
    j->nid = sx_arena_printf(na, NULL, "%s/%u", j->root->id, (unsigned)++note->nested_seq);
    j->parent_arn = sx_arena_strndup(na, parn, strlen(parn));
    rs_event_nested_begin(j->root);
    *exec_arn = sx_arena_strndup(a, ex_exec_arn(j->ex), strlen(ex_exec_arn(j->ex)));
    *start_ms = sx_wall_ms();
    job_link(w, j);
    wk_ctr_add(&w->st.nested, 1);
    ex_exec_start(j->ex, in);
    return SX_OK;
}

/* ---- inbox and loop ---- */

static void
table_install(wk_worker_t *w, wk_table_t *t)
{
    wk_table_t *old = w->table;
    w->table = t;
    wk_table_unref(old);
    wk_ctr_add(&w->st.reloads, 1);
}

static void
on_inbox(evutil_socket_t fd, short what, void *arg)
{
    wk_worker_t *w = arg;
    uint64_t v;
    wk_table_t *t;
    bool stop;
    SX_UNUSED(what);
    while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
        ;
    pthread_mutex_lock(&w->inbox_mu);
    t = w->inbox_table;
    w->inbox_table = NULL;
    stop = w->inbox_stop;
    pthread_mutex_unlock(&w->inbox_mu);
    if (t != NULL)
        table_install(w, t);
    if (stop && !w->draining) {
        w->draining = true;
        w->drain_deadline = sx_wall_ms() + w->srv->wc->shutdown_grace_ms;
        rs_consumer_pause(w->cons, true);
    }
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    SX_UNUSED(arg);
}

static void
on_stats(evutil_socket_t fd, short what, void *arg)
{
    wk_worker_t *w = arg;
    rs_stats_t rs;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    rs_consumer_stats(w->cons, &rs);
    wk_ctr_set(&w->st.held, rs.inflight);
    wk_ctr_set(&w->st.rs_read, rs.read);
    wk_ctr_set(&w->st.rs_dead, rs.dead);
    wk_ctr_set(&w->st.rs_reclaimed, rs.reclaimed);
    wk_ctr_set(&w->st.rs_commit_errors, rs.commit_errors);
    atomic_store_explicit(&w->st.consumer_state, (int)rs_consumer_state(w->cons),
                          memory_order_relaxed);
}

/* During a drain: true when the worker may leave its loop. */
static bool
drain_over(wk_worker_t *w)
{
    rs_stats_t rs;
    rs_consumer_stats(w->cons, &rs);
    if (w->inflight == 0 && rs.inflight == 0)
        return true;
    if (sx_wall_ms() >= w->drain_deadline) {
        w->left_pending = true;
        wk_log(RS_LOG_WARN,
               "worker %d: grace period over, %lld executions and %llu entries "
               "left pending for another consumer",
               w->index, (long long)w->inflight, (unsigned long long)rs.inflight);
        return true;
    }
    return false;
}

static void
loop_wait(wk_worker_t *w)
{
    int64_t dl = sch_next_deadline(w->sch);
    if (w->draining && w->drain_deadline < dl)
        dl = w->drain_deadline;
    if (dl != INT64_MAX) {
        int64_t ms = dl - sch_now_ms(w->sch);
        if (ms < 0)
            ms = 0;
        struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
        evtimer_add(w->wake_ev, &tv);
    } else {
        evtimer_del(w->wake_ev);
    }
    event_base_loop(w->base, EVLOOP_ONCE);
}

static void *
worker_main(void *arg)
{
    wk_worker_t *w = arg;
    for (;;) {
        sch_run_once(w->sch);
        if (w->draining && drain_over(w))
            break;
        if (sch_runnable(w->sch)) {
            event_base_loop(w->base, EVLOOP_NONBLOCK);
            continue;
        }
        loop_wait(w);
    }
    on_stats(-1, 0, w);
    atomic_store(&w->done, true);
    return NULL;
}

/* ---- lifecycle ---- */

static int
resources_make(wk_worker_t *w, char *err, size_t errlen)
{
    int (*mk[])(struct event_base *, sch_t *, const tk_config_t *, ex_resource_t *, char *,
                size_t) = {tk_http_new, tk_lambda_new, tk_events_new, tk_sfn_new};
    for (size_t i = 0; i < SX_ARRAY_LEN(mk); i++) {
        if (mk[i](w->base, w->sch, &w->tk, &w->res[i], err, errlen) != SX_OK)
            return SX_ERR;
        w->nres++;
        ex_engine_add_resource(&w->eng, &w->res[i]);
    }
    ex_engine_add_test_resource(&w->eng);
    return SX_OK;
}

wk_worker_t *
wk_worker_new(wk_server_t *srv, int index, wk_table_t *table, char *err, size_t errlen)
{
    wk_worker_t *w = sx_calloc(1, sizeof(*w));
    struct event_config *ec = event_config_new();
    w->srv = srv;
    w->index = index;
    w->table = wk_table_ref(table);
    event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
    w->base = event_base_new_with_config(ec);
    event_config_free(ec);
    w->sch = sch_new(SCH_CLOCK_REAL, 0);
    ex_engine_init(&w->eng, w->sch);
    w->eng.batch = (uint32_t)srv->wc->engine_batch;
    w->eng.on_done = on_done;
    w->eng.ud = w;
    w->task_conn = rs_conn_new(w->base, srv->rc, NULL, NULL);
    w->tk = *srv->tc;
    w->tk.redis = w->task_conn;
    w->tk.sfn_start = sfn_start;
    w->tk.sfn_ud = w;
    if (srv->lc != NULL)
        w->log = log_sink_new(w->task_conn, srv->lc, srv->rc->redis_tag);
    pthread_mutex_init(&w->inbox_mu, NULL);
    w->inbox_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->inbox_ev = event_new(w->base, w->inbox_fd, EV_READ | EV_PERSIST, on_inbox, w);
    event_add(w->inbox_ev, NULL);
    w->wake_ev = evtimer_new(w->base, on_wake, w);
    w->stats_ev = event_new(w->base, -1, EV_PERSIST, on_stats, w);
    struct timeval tv = {0, 250000};
    event_add(w->stats_ev, &tv);
    if (w->inbox_fd < 0 || resources_make(w, err, errlen) != SX_OK) {
        if (w->inbox_fd < 0)
            snprintf(err, errlen, "eventfd: %s", strerror(errno));
        wk_worker_join_free(w);
        return NULL;
    }
    w->cons = rs_consumer_new(w->base, &srv->rc_workers, index, on_event, on_committed, w);
    return w;
}

int
wk_worker_start(wk_worker_t *w)
{
    if (pthread_create(&w->th, NULL, worker_main, w) != 0)
        return SX_ERR;
    w->th_started = true;
    return SX_OK;
}

static void
inbox_kick(wk_worker_t *w)
{
    uint64_t one = 1;
    if (write(w->inbox_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        wk_log(RS_LOG_ERROR, "worker %d: inbox write: %s", w->index, strerror(errno));
}

void
wk_worker_post_table(wk_worker_t *w, wk_table_t *t)
{
    wk_table_t *old;
    pthread_mutex_lock(&w->inbox_mu);
    old = w->inbox_table;
    w->inbox_table = t;
    pthread_mutex_unlock(&w->inbox_mu);
    wk_table_unref(old); /* never installed: superseded */
    inbox_kick(w);
}

void
wk_worker_post_stop(wk_worker_t *w)
{
    pthread_mutex_lock(&w->inbox_mu);
    w->inbox_stop = true;
    pthread_mutex_unlock(&w->inbox_mu);
    inbox_kick(w);
}

bool
wk_worker_join_free(wk_worker_t *w)
{
    bool left;
    if (w == NULL)
        return false;
    if (w->th_started)
        pthread_join(w->th, NULL);
    /* executions first (they cancel their task calls), then the consumer frees the
     * events still held: those stay pending in Redis */
    while (w->jobs != NULL) {
        wk_job_t *j = w->jobs;
        job_unlink(w, j);
        job_free(w, j);
    }
    while (w->free_jobs != NULL) {
        wk_job_t *j = w->free_jobs;
        w->free_jobs = j->next;
        sx_free(j);
    }
    rs_consumer_free(w->cons); /* calls no callback: nothing more is committed */
    while (w->notes != NULL)
        note_free(w, w->notes);
    for (int i = 0; i < w->nres; i++)
        tk_resource_free(&w->res[i]);
    log_sink_free(w->log);
    rs_conn_free(w->task_conn);
    if (w->wake_ev)
        event_free(w->wake_ev);
    if (w->inbox_ev)
        event_free(w->inbox_ev);
    if (w->stats_ev)
        event_free(w->stats_ev);
    if (w->inbox_fd >= 0)
        close(w->inbox_fd);
    pthread_mutex_destroy(&w->inbox_mu);
    wk_table_unref(w->inbox_table);
    wk_table_unref(w->table);
    sch_free(w->sch);
    event_base_free(w->base);
    left = w->left_pending;
    sx_free(w);
    return left;
}
