/*
 * tk_loop.c: a driver that runs a scheduler (sched.h) on a libevent loop, for tests and
 * tools. stepxd's worker loop is the server's; this one is deliberately simple:
 *
 *   loop: sch_run_once            (runs posted executions and due timers)
 *         done?  -> return SX_OK
 *         ran something -> poll libevent without blocking, again
 *         else  -> block in libevent until I/O or a wake timer at the scheduler's next
 *                  deadline (sch_next_deadline), capped by tick_ms and by the limit
 *
 * Completions from libevent callbacks only post executions, so the next sch_run_once runs
 * them; nothing here blocks outside event_base_loop.
 */
#include <event2/event.h>

#include "tk_int.h"

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    SX_UNUSED(arg);
}

static int64_t
mono_ms(void)
{
    return (int64_t)(sx_mono_ns() / 1000000u);
}

int
tk_loop_run(struct event_base *base, sch_t *sch, bool (*done)(void *ud), void *ud, int64_t limit_ms,
            int64_t tick_ms)
{
    struct event *wake = evtimer_new(base, on_wake, NULL);
    int64_t end = mono_ms() + limit_ms;
    int rc = SX_AGAIN;
    if (tick_ms <= 0)
        tick_ms = 1000;
    for (;;) {
        uint64_t ran = sch_run_once(sch);
        if (done(ud)) {
            rc = SX_OK;
            break;
        }
        int64_t now = mono_ms();
        if (now >= end)
            break;
        if (ran > 0 || sch_runnable(sch)) {
            event_base_loop(base, EVLOOP_NONBLOCK);
            continue;
        }
        int64_t wait = end - now, next = sch_next_deadline(sch);
        if (next != INT64_MAX) {
            int64_t due = next - sch_now_ms(sch);
            wait = due < 0 ? 0 : (due < wait ? due : wait);
        }
        if (wait > tick_ms)
            wait = tick_ms;
        struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)((wait % 1000) * 1000)};
        evtimer_add(wake, &tv);
        event_base_loop(base, EVLOOP_ONCE);
        evtimer_del(wake);
    }
    event_free(wake);
    return rc;
}
