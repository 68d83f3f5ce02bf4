/*
 * sched.h: a minimal single-threaded scheduler: a FIFO run queue, a timer heap and an
 * injectable clock.
 *
 * The engine never blocks and never recurses across a wait: an execution that must wait
 * (Wait state, task I/O, retry delay, children running) arms its timer or waits for a
 * completion and returns; the completion or the timer posts it back on the run queue, and
 * sch_run() calls it again. Everything here is owned by one thread (the server gives each
 * worker thread its own sch_t); nothing locks.
 *
 *   sch_t
 *   +----------+     +------+    +------+
 *   | runq     | --> | task | -> | task | -> NULL        (intrusive, FIFO)
 *   | heap[]   | --> min-heap of sch_timer_t* by deadline (intrusive index)
 *   | now_ms   |     virtual clock: jumps to the next deadline when idle
 *   +----------+     real clock: sleeps until it
 *
 * Tasks and timers are embedded in their owner (no allocation per post or arm). A task may
 * be posted while queued (no-op) and a timer re-armed while armed (moved).
 */
#ifndef STEPX_SCHED_H
#define STEPX_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "stepx/sx.h"

typedef struct sch sch_t;
typedef struct sch_task sch_task_t;
typedef struct sch_timer sch_timer_t;

struct sch_task {
    void (*fn)(sch_task_t *t); /* called from sch_run() */
    sch_task_t *_next;         /* private: run-queue link */
    uint8_t _queued;           /* private: 1 while on the run queue */
};

struct sch_timer {
    void (*fn)(sch_timer_t *t); /* called from sch_run() once the deadline passed */
    int64_t deadline_ms;        /* absolute, on the scheduler's clock */
    uint32_t _slot;             /* private: heap index + 1, 0 = not armed */
};

typedef enum sch_clock {
    SCH_CLOCK_REAL = 0, /* wall clock; sch_run sleeps until the next deadline */
    SCH_CLOCK_VIRTUAL   /* time jumps to the next deadline when nothing is runnable */
} sch_clock_t;

/* Returns a new scheduler; a virtual clock starts at start_ms (0 = the current wall time). */
sch_t *sch_new(sch_clock_t clock, int64_t start_ms);
void sch_free(sch_t *s);

/* Current time in ms since the epoch on the scheduler's clock. */
int64_t sch_now_ms(const sch_t *s);
bool sch_is_virtual(const sch_t *s);

/* Appends t to the run queue unless it is already queued. t must stay valid until run. */
void sch_post(sch_t *s, sch_task_t *t);
/* Arms (or moves) timer t to fire at deadline_ms. */
void sch_timer_arm(sch_t *s, sch_timer_t *t, int64_t deadline_ms);
/* Disarms t; no-op when it is not armed. */
void sch_timer_cancel(sch_t *s, sch_timer_t *t);
static inline bool
sch_timer_armed(const sch_timer_t *t)
{
    return t->_slot != 0;
}

/* Runs queued tasks and due timers until nothing is queued and no timer is armed.
 * Returns the number of callbacks run. */
uint64_t sch_run(sch_t *s);
/* Same, but returns once `max` callbacks have run (checked between batches, so a few more
 * may run): a bounded drive for fuzzing and tests. */
uint64_t sch_run_bounded(sch_t *s, uint64_t max);
/* Runs at most one batch: every task queued at the time of the call, then the timers due
 * now (without advancing a virtual clock or sleeping). Returns the callbacks run. */
uint64_t sch_run_once(sch_t *s);
/* Number of armed timers and queued tasks. */
size_t sch_timers_armed(const sch_t *s);
bool sch_idle(const sch_t *s);
/* True when a task is queued (a server loop must run again before sleeping). */
bool sch_runnable(const sch_t *s);
/* Deadline of the earliest armed timer (scheduler clock, ms), or INT64_MAX when none: a
 * server arms one event-loop timer for it instead of polling. */
int64_t sch_next_deadline(const sch_t *s);

#endif
