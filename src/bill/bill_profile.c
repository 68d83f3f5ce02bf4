/*
 * bill_profile.c: what one execution of a definition does, for `stepx cost` (bill.h).
 *
 * Measured: the definition runs once with the engine's own API on a virtual clock (Waits and
 * task sleeps take no wall time, as `stepx run --fast-waits`), with the history on; states
 * entered are counted per state from the *StateEntered events, Map iterations from
 * MapIterationStarted and Parallel branch runs as entries x branches. The run happens in a
 * forked child that writes the profile into a pipe: a definition that loops forever on
 * Pass/Choice takes no virtual time, so only a wall-clock deadline in the parent (kill the
 * child) can end it, and the engine offers no way to stop a run from outside its loop.
 *
 *   parent --fork--> child: compile nothing, run m on input, write
 *                           [header][entered x nstates][error text] to the pipe, _exit
 *   parent: poll/read until EOF or the deadline; kill + reap on timeout
 *
 * Static: a walk of each graph from StartAt (bill_profile_static).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stepx/bill.h"
#include "stepx/exec.h"

void
bill_profile_fini(bill_profile_t *p)
{
    sx_free(p->entered);
    sx_free(p->run_error);
    memset(p, 0, sizeof(*p));
}

/* ---- static walk ---- */

/* The Choice target the static walk follows: the first of the rules' targets, then the
 * Default, that is not a Fail state (a Default to Fail is usually the rejection path), else
 * the Default, else the first rule's. */
static uint32_t
choice_target(const asl_machine_t *m, const asl_state_t *st)
{
    uint32_t n = st->u.choice.nbranches;
    for (uint32_t k = 0; k <= n; k++) {
        uint32_t t = k < n ? st->u.choice.branches[k].next : st->u.choice.deflt;
        if (t != ASL_NO_STATE && t < m->nstates && m->states[t].type != ASL_STATE_FAIL)
            return t;
    }
    return st->u.choice.deflt != ASL_NO_STATE || n == 0 ? st->u.choice.deflt
                                                        : st->u.choice.branches[0].next;
}

static void
walk(const asl_machine_t *m, uint32_t g, int depth, uint8_t *seen, bill_profile_t *p)
{
    uint32_t s = m->graphs[g].start;
    while (s != ASL_NO_STATE && s < m->nstates && !seen[s]) {
        const asl_state_t *st = &m->states[s];
        seen[s] = 1;
        p->entered[s]++;
        p->transitions++;
        p->by_type[st->type & 7]++;
        p->inner += depth > 0;
        switch (st->type) {
        case ASL_STATE_PARALLEL:
            p->parallel_runs++;
            for (uint32_t b = 0; b < st->u.par.nbranches; b++) {
                walk(m, st->u.par.branches[b], depth + 1, seen, p);
                p->steps++;
            }
            break;
        case ASL_STATE_MAP:
            walk(m, st->u.map.graph, depth + 1, seen, p);
            p->map_iterations++;
            p->steps++;
            break;
        case ASL_STATE_CHOICE:
            s = choice_target(m, st);
            continue;
        case ASL_STATE_SUCCEED:
        case ASL_STATE_FAIL:
            return;
        default:
            break;
        }
        s = st->end ? ASL_NO_STATE : st->next;
    }
}

void
bill_profile_static(const asl_machine_t *m, bill_profile_t *p)
{
    uint8_t *seen = sx_calloc(m->nstates ? m->nstates : 1, 1);
    memset(p, 0, sizeof(*p));
    p->nstates = m->nstates;
    p->entered = sx_calloc(m->nstates ? m->nstates : 1, sizeof(uint64_t));
    p->per_state = true;
    walk(m, 0, 0, seen, p);
    sx_free(seen);
}

/* ---- measured run (in the child) ---- */

/* Any Resource not served by the test resource answers with its input. */
static int
echo_start(void *ud, ex_call_t *c)
{
    SX_UNUSED(ud);
    ex_call_succeed(c, c->input);
    return SX_OK;
}

static const char *
detail_name(const val_t *e, const char *member)
{
    const val_t *d = val_obj_gets(e, member), *n = d ? val_obj_gets(d, "name") : NULL;
    return val_is(n, VAL_STR) ? val_str_get(n) : NULL;
}

static const char *const entered_types[8] = {
    "PassStateEntered",    "TaskStateEntered", "ChoiceStateEntered",   "WaitStateEntered",
    "SucceedStateEntered", "FailStateEntered", "ParallelStateEntered", "MapStateEntered"};

/* The largest branch count of the machine's Parallel states. */
static uint32_t
max_branches(const asl_machine_t *m)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nstates; i++)
        if (m->states[i].type == ASL_STATE_PARALLEL && m->states[i].u.par.nbranches > n)
            n = m->states[i].u.par.nbranches;
    return n;
}

/* Counts entries per type (and per state when named), iterations and nesting. */
static void
count_history(const asl_machine_t *m, const val_t *hist, bill_profile_t *p)
{
    uint64_t depth = 0, named = 0, par_branches = 0;
    for (size_t i = 0; i < val_len(hist); i++) {
        const val_t *e = val_arr_at(hist, i), *t = val_obj_gets(e, "type");
        const char *type = val_is(t, VAL_STR) ? val_str_get(t) : "";
        if (strcmp(type, "MapIterationStarted") == 0) {
            p->map_iterations++;
        } else if (strcmp(type, "MapStateStarted") == 0 ||
                   strcmp(type, "ParallelStateStarted") == 0) {
            p->parallel_runs += type[0] == 'P';
            depth++;
        } else if (depth > 0 && (strcmp(type, "MapStateSucceeded") == 0 ||
                                 strcmp(type, "MapStateFailed") == 0 ||
                                 strcmp(type, "ParallelStateSucceeded") == 0 ||
                                 strcmp(type, "ParallelStateFailed") == 0)) {
            depth--;
        }
        for (int k = 0; k < 8; k++) {
            if (strcmp(type, entered_types[k]) != 0)
                continue;
            p->by_type[k]++;
            p->inner += depth > 0;
            const char *name = detail_name(e, "stateEnteredEventDetails");
            uint32_t s = name ? asl_machine_find(m, name) : ASL_NO_STATE;
            if (s != ASL_NO_STATE) {
                p->entered[s]++;
                named++;
                if (m->states[s].type == ASL_STATE_PARALLEL)
                    par_branches += m->states[s].u.par.nbranches;
            }
        }
    }
    uint64_t total = 0;
    for (int k = 0; k < 8; k++)
        total += p->by_type[k];
    p->per_state = named == total;
    /* without names, Parallel branch runs are an upper bound: runs x the most branches */
    p->steps = p->map_iterations +
               (p->per_state ? par_branches : p->parallel_runs * max_branches(m));
}

typedef struct wire {
    bill_profile_t p;  /* pointers are meaningless across the pipe */
    uint32_t errlen;   /* bytes of error text after entered[] */
} wire_t;

static int
write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return SX_ERR;
        p += w;
        n -= (size_t)w;
    }
    return SX_OK;
}

static void
child_run(asl_machine_t *m, const val_t *input, int fd)
{
    bill_profile_t p;
    wire_t w;
    sch_t *sch = sch_new(SCH_CLOCK_VIRTUAL, 0);
    ex_engine_t eng;
    ex_resource_t echo = {echo_start, NULL, NULL};
    ex_opts_t o;
    memset(&p, 0, sizeof(p));
    memset(&w, 0, sizeof(w));
    memset(&o, 0, sizeof(o));
    p.entered = sx_calloc(m->nstates ? m->nstates : 1, sizeof(uint64_t));
    ex_engine_init(&eng, sch);
    ex_engine_add_test_resource(&eng);
    ex_engine_add_resource(&eng, &echo);
    o.type = ASL_TYPE_STANDARD;
    o.history = true;
    ex_exec_t *ex = ex_exec_new(&eng, m, &o);
    ex_exec_start(ex, input);
    sch_run(sch);
    if (ex_exec_status(ex) == EX_RUNNING)
        ex_exec_stop(ex);
    count_history(m, ex_exec_history(ex), &p);
    p.transitions = ex_exec_transitions(ex);
    p.run_ms = ex_exec_stop_ms(ex) - ex_exec_start_ms(ex);
    p.nstates = m->nstates;
    p.measured = true;
    snprintf(p.run_status, sizeof(p.run_status), "%s", ex_status_name(ex_exec_status(ex)));
    w.p = p;
    w.p.entered = NULL;
    char *err = NULL;
    if (ex_exec_status(ex) != EX_SUCCEEDED)
        err = sx_arena_printf(ex_exec_arena(ex), NULL, "%s%s%s",
                              ex_exec_error(ex) ? ex_exec_error(ex) : "(no error)",
                              ex_exec_cause(ex) ? ": " : "",
                              ex_exec_cause(ex) ? ex_exec_cause(ex) : "");
    w.errlen = err ? (uint32_t)strlen(err) : 0;
    if (write_all(fd, &w, sizeof(w)) == SX_OK &&
        write_all(fd, p.entered, m->nstates * sizeof(uint64_t)) == SX_OK && w.errlen != 0)
        (void)write_all(fd, err, w.errlen);
    ex_exec_free(ex);
    sch_free(sch);
    sx_free(p.entered);
}

/* ---- measured run (in the parent) ---- */

/* Reads everything the child writes until EOF or the deadline. */
static int
read_until(int fd, sx_sbuf_t *b, int64_t deadline_ms)
{
    char buf[8192];
    for (;;) {
        int64_t left = deadline_ms - sx_wall_ms();
        if (left <= 0)
            return SX_AGAIN;
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return SX_ERR;
        if (r == 0)
            continue;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return SX_ERR;
        if (n == 0)
            return SX_OK;
        sx_sbuf_add(b, buf, (size_t)n);
    }
}

static int
decode(const sx_sbuf_t *b, const asl_machine_t *m, bill_profile_t *p)
{
    wire_t w;
    if (b->len < sizeof(w))
        return SX_ERR;
    memcpy(&w, b->p, sizeof(w));
    if (w.p.nstates != m->nstates ||
        b->len != sizeof(w) + w.p.nstates * sizeof(uint64_t) + w.errlen)
        return SX_ERR;
    *p = w.p;
    p->run_status[sizeof(p->run_status) - 1] = '\0';
    p->run_error = NULL;
    p->entered = sx_calloc(w.p.nstates ? w.p.nstates : 1, sizeof(uint64_t));
    memcpy(p->entered, b->p + sizeof(w), w.p.nstates * sizeof(uint64_t));
    if (w.errlen)
        p->run_error = sx_strndup(b->p + sizeof(w) + w.p.nstates * sizeof(uint64_t), w.errlen);
    return SX_OK;
}

int
bill_profile_run(asl_machine_t *m, const val_t *input, int64_t timeout_ms, bill_profile_t *p)
{
    int fds[2], rc, status;
    sx_sbuf_t b = SX_SBUF_INIT;
    memset(p, 0, sizeof(*p));
    if (pipe(fds) != 0)
        return SX_ERR;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return SX_ERR;
    }
    if (pid == 0) {
        close(fds[0]);
        child_run(m, input, fds[1]);
        close(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    rc = read_until(fds[0], &b, sx_wall_ms() + timeout_ms);
    close(fds[0]);
    if (rc != SX_OK)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == SX_OK &&
        (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || decode(&b, m, p) != SX_OK))
        rc = SX_ERR;
    sx_sbuf_fini(&b);
    return rc;
}
