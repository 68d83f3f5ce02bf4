/*
 * test_sch_loop.c: run queue order, timer heap order (incl. ties, cancel, re-arm) and the
 * virtual clock of src/sched/sch_loop.c.
 */
#include <stdlib.h>

#include "stepx/sched.h"
#include "../sx_test.h"

typedef struct rec {
    sch_task_t task;
    sch_timer_t timer;
    int id;
    sch_t *s;
} rec_t;

static int order[1024];
static int64_t when[1024];
static int norder;

static void
task_fn(sch_task_t *t)
{
    rec_t *r = (rec_t *)t;
    order[norder++] = r->id;
}

static void
timer_fn(sch_timer_t *t)
{
    rec_t *r = (rec_t *)((char *)t - offsetof(rec_t, timer));
    when[norder] = sch_now_ms(r->s);
    order[norder++] = r->id;
}

static void
test_runq_fifo(void)
{
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1000);
    rec_t r[3];
    norder = 0;
    for (int i = 0; i < 3; i++) {
        r[i] = (rec_t){.task = {.fn = task_fn}, .id = i, .s = s};
    }
    sch_post(s, &r[2].task);
    sch_post(s, &r[0].task);
    sch_post(s, &r[2].task); /* already queued: no-op */
    sch_post(s, &r[1].task);
    CHECK(!sch_idle(s));
    CHECK_INT(sch_run(s), 3);
    CHECK_INT(norder, 3);
    CHECK_INT(order[0], 2);
    CHECK_INT(order[1], 0);
    CHECK_INT(order[2], 1);
    CHECK(sch_idle(s));
    sch_free(s);
}

static void
test_timers_virtual(void)
{
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1000);
    rec_t r[40];
    norder = 0;
    for (int i = 0; i < 40; i++) {
        r[i] = (rec_t){.timer = {.fn = timer_fn}, .id = i, .s = s};
        /* deadlines 1000 + (i*7 % 40) * 10; ids with equal deadline fire in arming order */
        sch_timer_arm(s, &r[i].timer, 1000 + (i * 7 % 40) * 10);
    }
    sch_timer_cancel(s, &r[5].timer);
    sch_timer_cancel(s, &r[5].timer); /* twice: no-op */
    sch_timer_arm(s, &r[6].timer, 999999); /* moved to the end */
    CHECK_INT(sch_timers_armed(s), 39);
    uint64_t start = sx_mono_ns();
    CHECK_INT(sch_run(s), 39);
    CHECK((sx_mono_ns() - start) < 1000000000ull); /* virtual: no sleeping */
    CHECK_INT(norder, 39);
    for (int i = 1; i < norder; i++)
        CHECK(when[i] >= when[i - 1]);
    CHECK_INT(order[norder - 1], 6);
    CHECK_INT(when[norder - 1], 999999);
    CHECK_INT(sch_now_ms(s), 999999);
    for (int i = 0; i < norder; i++)
        CHECK(order[i] != 5);
    sch_free(s);
}

static void
test_timers_ties(void)
{
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 10);
    rec_t r[8];
    norder = 0;
    for (int i = 0; i < 8; i++) {
        r[i] = (rec_t){.timer = {.fn = timer_fn}, .id = i, .s = s};
        sch_timer_arm(s, &r[i].timer, 50);
    }
    sch_run(s);
    CHECK_INT(norder, 8);
    for (int i = 0; i < 8; i++)
        CHECK_INT(order[i], i);
    sch_free(s);
}

static void
test_real_clock_sleeps(void)
{
    sch_t *s = sch_new(SCH_CLOCK_REAL, 0);
    rec_t r = {.timer = {.fn = timer_fn}, .id = 1, .s = s};
    norder = 0;
    int64_t t0 = sch_now_ms(s);
    sch_timer_arm(s, &r.timer, t0 + 30);
    CHECK_INT(sch_run_once(s), 0); /* not due yet */
    sch_run(s);
    CHECK_INT(norder, 1);
    CHECK(when[0] >= t0 + 30);
    sch_free(s);
}

static void
test_random_heap(void)
{
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1);
    static rec_t r[500];
    norder = 0;
    srand(7);
    for (int i = 0; i < 500; i++) {
        r[i] = (rec_t){.timer = {.fn = timer_fn}, .id = i, .s = s};
        sch_timer_arm(s, &r[i].timer, 1 + rand() % 1000);
    }
    for (int i = 0; i < 500; i += 3)
        sch_timer_arm(s, &r[i].timer, 1 + rand() % 1000);
    for (int i = 1; i < 500; i += 4)
        sch_timer_cancel(s, &r[i].timer);
    int64_t last = 0;
    int sorted = 1;
    norder = 0;
    sch_run(s);
    for (int i = 0; i < norder; i++) {
        if (when[i] < last)
            sorted = 0;
        last = when[i];
    }
    int fired = norder;
    CHECK(sorted);
    CHECK_INT(fired, 375);
    sch_free(s);
}

static const sx_test_t tests[] = {
    {"runq_fifo", test_runq_fifo},       {"timers_virtual", test_timers_virtual},
    {"timers_ties", test_timers_ties},   {"real_clock_sleeps", test_real_clock_sleeps},
    {"random_heap", test_random_heap},   {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("sched", tests, argc, argv);
}
