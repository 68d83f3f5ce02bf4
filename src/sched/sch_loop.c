/*
 * sch_loop.c: the run queue, timer heap and clock of sched.h.
 *
 * Design: the run queue is an intrusive FIFO (head/tail pointers), the timers a binary
 * min-heap of pointers keyed by deadline; each timer remembers its heap slot so cancel and
 * re-arm are O(log n). The heap array grows by doubling and never shrinks (a worker keeps
 * its high-water mark). Timers with equal deadlines fire in arming order (a sequence number
 * breaks ties) so that virtual-clock runs are deterministic.
 *
 * Invariant: heap[i]->_slot == i + 1 for every armed timer; _slot == 0 when disarmed.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "stepx/sched.h"

typedef struct heap_ent {
    sch_timer_t *t; /* the armed timer */
    uint64_t seq;   /* arming order, tie-breaker */
} heap_ent_t;

struct sch {
    sch_task_t *head, *tail; /* run queue */
    heap_ent_t *heap;        /* timer min-heap */
    uint32_t nheap, capheap; /* used / allocated entries */
    uint64_t seq;            /* next arming sequence number */
    sch_clock_t clock;       /* real or virtual */
    int64_t vnow;            /* virtual clock, ms */
};

sch_t *
sch_new(sch_clock_t clock, int64_t start_ms)
{
    sch_t *s = sx_calloc(1, sizeof(*s));
    s->clock = clock;
    s->vnow = start_ms != 0 ? start_ms : sx_wall_ms();
    return s;
}

void
sch_free(sch_t *s)
{
    if (s == NULL)
        return;
    sx_free(s->heap);
    sx_free(s);
}

int64_t
sch_now_ms(const sch_t *s)
{
    return s->clock == SCH_CLOCK_VIRTUAL ? s->vnow : sx_wall_ms();
}

bool
sch_is_virtual(const sch_t *s)
{
    return s->clock == SCH_CLOCK_VIRTUAL;
}

void
sch_post(sch_t *s, sch_task_t *t)
{
    if (t->_queued)
        return;
    t->_queued = 1;
    t->_next = NULL;
    if (s->tail != NULL)
        s->tail->_next = t;
    else
        s->head = t;
    s->tail = t;
}

/* ---- heap ---- */

static int
ent_less(const heap_ent_t *a, const heap_ent_t *b)
{
    if (a->t->deadline_ms != b->t->deadline_ms)
        return a->t->deadline_ms < b->t->deadline_ms;
    return a->seq < b->seq;
}

static void
heap_place(sch_t *s, uint32_t i, heap_ent_t e)
{
    s->heap[i] = e;
    e.t->_slot = i + 1;
}

static void
heap_up(sch_t *s, uint32_t i)
{
    heap_ent_t e = s->heap[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!ent_less(&e, &s->heap[p]))
            break;
        heap_place(s, i, s->heap[p]);
        i = p;
    }
    heap_place(s, i, e);
}

static void
heap_down(sch_t *s, uint32_t i)
{
    heap_ent_t e = s->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && ent_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!ent_less(&s->heap[c], &e))
            break;
        heap_place(s, i, s->heap[c]);
        i = c;
    }
    heap_place(s, i, e);
}

static void
heap_remove(sch_t *s, uint32_t i)
{
    s->heap[i].t->_slot = 0;
    s->nheap--;
    if (i == s->nheap)
        return;
    heap_place(s, i, s->heap[s->nheap]);
    heap_down(s, i);
    heap_up(s, s->heap[i].t->_slot - 1);
}

void
sch_timer_arm(sch_t *s, sch_timer_t *t, int64_t deadline_ms)
{
    if (t->_slot != 0)
        heap_remove(s, t->_slot - 1);
    if (s->nheap == s->capheap) {
        s->capheap = s->capheap ? s->capheap * 2 : 64;
        s->heap = sx_realloc(s->heap, s->capheap * sizeof(*s->heap));
    }
    t->deadline_ms = deadline_ms;
    heap_ent_t e = {t, s->seq++};
    s->heap[s->nheap] = e;
    t->_slot = s->nheap + 1;
    s->nheap++;
    heap_up(s, s->nheap - 1);
}

void
sch_timer_cancel(sch_t *s, sch_timer_t *t)
{
    if (t->_slot != 0)
        heap_remove(s, t->_slot - 1);
}

size_t
sch_timers_armed(const sch_t *s)
{
    return s->nheap;
}

bool
sch_idle(const sch_t *s)
{
    return s->head == NULL && s->nheap == 0;
}

bool
sch_runnable(const sch_t *s)
{
    return s->head != NULL;
}

int64_t
sch_next_deadline(const sch_t *s)
{
    return s->nheap > 0 ? s->heap[0].t->deadline_ms : INT64_MAX;
}

/* ---- running ---- */

static uint64_t
run_queue(sch_t *s)
{
    uint64_t n = 0;
    sch_task_t *last = s->tail;
    while (s->head != NULL) {
        sch_task_t *t = s->head;
        s->head = t->_next;
        if (s->head == NULL)
            s->tail = NULL;
        t->_queued = 0;
        t->_next = NULL;
        t->fn(t);
        n++;
        if (t == last)
            break;
    }
    return n;
}

static uint64_t
run_due(sch_t *s, int64_t now)
{
    uint64_t n = 0;
    while (s->nheap > 0 && s->heap[0].t->deadline_ms <= now) {
        sch_timer_t *t = s->heap[0].t;
        heap_remove(s, 0);
        t->fn(t);
        n++;
    }
    return n;
}

uint64_t
sch_run_once(sch_t *s)
{
    uint64_t n = run_queue(s);
    return n + run_due(s, sch_now_ms(s));
}

static void
sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

uint64_t
sch_run(sch_t *s)
{
    return sch_run_bounded(s, UINT64_MAX);
}

uint64_t
sch_run_bounded(sch_t *s, uint64_t max)
{
    uint64_t n = 0;
    while (n < max) {
        n += run_queue(s);
        if (s->head != NULL)
            continue;
        if (s->nheap == 0)
            break;
        int64_t due = s->heap[0].t->deadline_ms;
        int64_t now = sch_now_ms(s);
        if (due > now) {
            if (s->clock == SCH_CLOCK_VIRTUAL)
                s->vnow = due;
            else
                sleep_ms(due - now);
        }
        n += run_due(s, sch_now_ms(s));
    }
    return n;
}
