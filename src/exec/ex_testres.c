/*
 * ex_testres.c: the arn:stepx:test:* task resource, for Retry/Catch/timeout tests and
 * benchmarks. It never touches the network; delays run on the scheduler's clock (virtual
 * in tests and with --fast-waits).
 *
 *   arn:stepx:test:echo                  succeed with the task input
 *   arn:stepx:test:fail:<Error>[:<n>]    fail with <Error> (cause "stepx test failure
 *                                        #<invocation>") on invocations 0..n-1, then echo;
 *                                        without n: always fail
 *   arn:stepx:test:sleep:<ms>            echo after <ms> milliseconds
 *   arn:stepx:test:heartbeat:<every>:<ms> echo after <ms>, heartbeating every <every> ms
 *   arn:stepx:test:big:<bytes>           succeed with a string of <bytes> 'x' characters
 *                                        (at most 1 MiB)
 *
 * Invocation numbers are per Task state and execution (retries count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/exec.h"

#define PREFIX "arn:stepx:test:"

static ex_call_t *
call_of(sch_timer_t *t)
{
    return (ex_call_t *)((char *)t - offsetof(ex_call_t, rtimer));
}

static void
sleep_done(sch_timer_t *t)
{
    ex_call_t *c = call_of(t);
    ex_call_succeed(c, c->input);
}

typedef struct hb {
    int64_t end;   /* absolute completion time */
    int64_t every; /* heartbeat interval */
} hb_t;

static void
hb_tick(sch_timer_t *t)
{
    ex_call_t *c = call_of(t);
    const hb_t *h = c->rdata;
    int64_t now = sch_now_ms(c->sch);
    if (now >= h->end) {
        ex_call_succeed(c, c->input);
        return;
    }
    ex_call_heartbeat(c);
    sch_timer_arm(c->sch, &c->rtimer, now + h->every < h->end ? now + h->every : h->end);
}

static int
test_start(void *ud, ex_call_t *c)
{
    (void)ud;
    const char *r = c->resource;
    char buf[300];
    if (strncmp(r, PREFIX, strlen(PREFIX)) != 0)
        return SX_DECLINED;
    r += strlen(PREFIX);
    if (strcmp(r, "echo") == 0) {
        ex_call_succeed_sized(c, c->input, c->input_size);
    } else if (strncmp(r, "fail:", 5) == 0) {
        const char *name = r + 5, *colon = strchr(name, ':');
        size_t nlen = colon ? (size_t)(colon - name) : strlen(name);
        long n = colon ? strtol(colon + 1, NULL, 10) : -1;
        if (n >= 0 && (long)c->invocation >= n) {
            ex_call_succeed_sized(c, c->input, c->input_size);
            return SX_OK;
        }
        snprintf(buf, sizeof(buf), "%.*s", (int)(nlen < 256 ? nlen : 256), name);
        char cause[64];
        snprintf(cause, sizeof(cause), "stepx test failure #%u", c->invocation);
        ex_call_fail(c, buf, cause);
    } else if (strncmp(r, "sleep:", 6) == 0) {
        c->rtimer.fn = sleep_done;
        sch_timer_arm(c->sch, &c->rtimer, sch_now_ms(c->sch) + strtol(r + 6, NULL, 10));
    } else if (strncmp(r, "heartbeat:", 10) == 0) {
        char *end;
        long every = strtol(r + 10, &end, 10);
        long total = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
        hb_t *h = sx_arena_alloc(c->arena, sizeof(*h));
        h->end = sch_now_ms(c->sch) + total;
        h->every = every > 0 ? every : 1;
        c->rdata = h;
        c->rtimer.fn = hb_tick;
        sch_timer_arm(c->sch, &c->rtimer, sch_now_ms(c->sch) + every);
    } else if (strncmp(r, "big:", 4) == 0) {
        long n = strtol(r + 4, NULL, 10);
        if (n < 0)
            n = 0;
        if (n > 1024 * 1024)
            n = 1024 * 1024;
        char *s = sx_arena_alloc(c->arena, (size_t)n + 1);
        memset(s, 'x', (size_t)n);
        s[n] = '\0';
        ex_call_succeed(c, val_str_nocopy(c->arena, s, (size_t)n));
    } else {
        ex_call_fail(c, ASL_E_TASK_FAILED, "unknown arn:stepx:test resource");
    }
    return SX_OK;
}

static void
test_cancel(void *ud, ex_call_t *c)
{
    (void)ud;
    if (c->sch != NULL)
        sch_timer_cancel(c->sch, &c->rtimer);
}

void
ex_engine_add_test_resource(ex_engine_t *e)
{
    ex_resource_t r = {test_start, test_cancel, NULL};
    ex_engine_add_resource(e, &r);
}
