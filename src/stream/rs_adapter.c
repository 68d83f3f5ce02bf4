/*
 * rs_adapter.c: hiredis 0.14's event hooks on libevent, with fewer syscalls than the stock
 * adapter (hiredis/adapters/libevent.h).
 *
 * The stock adapter makes the read event one-shot, so libevent deletes it and hiredis adds
 * it again after every read (two epoll_ctl), and it waits for EPOLLOUT before every write
 * (an epoll_ctl to ask, an epoll_wait to hear it, an epoll_ctl to stop): four epoll_ctl and
 * an extra loop turn per command. Here:
 *   - the read event is persistent and stays added while hiredis wants reads;
 *   - a write hiredis asks for (addWrite) on a connected context is done by a manual event
 *     activated at once, which libevent runs in the same loop turn, after the callbacks
 *     already queued: commands queued in one turn still leave in one write(2);
 *   - only when that write cannot finish (socket buffer full: hiredis asks for addWrite again
 *     from inside it) or while connecting (the connect completes on writability) is the
 *     persistent EV_WRITE event added, and hiredis's delWrite removes it.
 * hiredis may free the context (cleanup) inside any of these callbacks, so no callback
 * touches its adapter after calling into hiredis; "inside the flush" is a thread-local
 * pointer, not a field.
 */
#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "rs_int.h"

typedef struct rs_adapter {
    redisAsyncContext *ac;
    struct event *rev;   /* EV_READ | EV_PERSIST */
    struct event *wev;   /* EV_WRITE | EV_PERSIST, only while a write must wait */
    struct event *flush; /* manual: write now, at the end of this loop turn */
    bool reading;        /* rev added */
    bool writing;        /* wev added */
    bool flush_pending;  /* flush activated and not run yet */
} rs_adapter_t;

static __thread rs_adapter_t *in_flush; /* the adapter whose flush is running */

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
    rs_adapter_t *a = arg;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    redisAsyncHandleRead(a->ac);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
    rs_adapter_t *a = arg;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    redisAsyncHandleWrite(a->ac);
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
    rs_adapter_t *a = arg;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    a->flush_pending = false;
    in_flush = a;
    redisAsyncHandleWrite(a->ac); /* may free a */
    in_flush = NULL;
}

static void
add_read(void *d)
{
    rs_adapter_t *a = d;
    if (!a->reading) {
        event_add(a->rev, NULL);
        a->reading = true;
    }
}

static void
del_read(void *d)
{
    rs_adapter_t *a = d;
    if (a->reading) {
        event_del(a->rev);
        a->reading = false;
    }
}

static void
add_write(void *d)
{
    rs_adapter_t *a = d;
    if (a->writing)
        return;
    if (in_flush == a || !(a->ac->c.flags & REDIS_CONNECTED)) {
        event_add(a->wev, NULL); /* the write must wait for the socket */
        a->writing = true;
    } else if (!a->flush_pending) {
        a->flush_pending = true;
        event_active(a->flush, EV_WRITE, 0);
    }
}

static void
del_write(void *d)
{
    rs_adapter_t *a = d;
    if (a->writing) {
        event_del(a->wev);
        a->writing = false;
    }
}

static void
cleanup(void *d)
{
    rs_adapter_t *a = d;
    event_free(a->rev);
    event_free(a->wev);
    event_free(a->flush);
    sx_free(a);
}

int
rs_adapter_attach(redisAsyncContext *ac, struct event_base *base)
{
    rs_adapter_t *a;
    if (ac->ev.data != NULL)
        return SX_ERR;
    a = sx_calloc(1, sizeof(*a));
    a->ac = ac;
    a->rev = event_new(base, ac->c.fd, EV_READ | EV_PERSIST, on_read, a);
    a->wev = event_new(base, ac->c.fd, EV_WRITE | EV_PERSIST, on_write, a);
    a->flush = event_new(base, -1, 0, on_flush, a);
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
    ac->ev.data = a;
    add_read(a);
    add_write(a); /* not connected yet: waits for writability, as the connect completes */
    return SX_OK;
}
