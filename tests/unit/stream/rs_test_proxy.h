/*
 * rs_test_proxy.h: a TCP proxy between the connections under test and redis-server, run on
 * the test's own event_base, to cut a connection at a chosen moment (no netem here).
 *
 *   client --> [proxy: listen on a free loopback port] --> redis-server
 *
 * rp_cut_reply(p, "EVALSHA", "11111") arms a cut: once a client has sent bytes containing
 * the first marker, the first reply chunk from Redis to that client containing the second
 * marker is dropped and both sockets are closed. Redis has then executed the command, but the
 * client never learns it: exactly the "reply lost" case of the commit and of XREADGROUP.
 */
#ifndef RS_TEST_PROXY_H
#define RS_TEST_PROXY_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <string.h>

#include "stepx/sx.h"

typedef struct rp_proxy rp_proxy_t;

typedef struct rp_pair {
    rp_proxy_t *p;           /* owner */
    struct bufferevent *cli; /* accepted client side */
    struct bufferevent *srv; /* connection to redis-server */
    int saw_marker;          /* client sent the marker while armed */
} rp_pair_t;

struct rp_proxy {
    struct event_base *base;    /* the test's loop */
    struct evconnlistener *lis; /* listening socket */
    int port;                   /* proxy port (give it to rs_conf.redis_port) */
    int target;                 /* redis-server port */
    char marker[32];            /* armed client marker, "" = not armed */
    char reply_marker[32];      /* server data to drop */
    int cuts;                   /* connections cut so far */
    int stalled;                /* 1 = hold all bytes in both directions (a partition) */
    rp_pair_t *pairs[16];       /* live pairs */
};

static inline void
rp_pair_close(rp_pair_t *pr)
{
    rp_proxy_t *p = pr->p;
    for (size_t i = 0; i < SX_ARRAY_LEN(p->pairs); i++)
        if (p->pairs[i] == pr)
            p->pairs[i] = NULL;
    bufferevent_free(pr->cli);
    bufferevent_free(pr->srv);
    free(pr);
}

static inline void
rp_on_cli_read(struct bufferevent *bev, void *arg)
{
    rp_pair_t *pr = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    if (pr->p->stalled)
        return; /* kept in the input buffer until rp_stall(p, 0) */
    if (pr->p->marker[0] != '\0') {
        size_t n = evbuffer_get_length(in);
        const char *data = (const char *)evbuffer_pullup(in, -1);
        if (data != NULL && memmem(data, n, pr->p->marker, strlen(pr->p->marker)) != NULL)
            pr->saw_marker = 1;
    }
    bufferevent_write_buffer(pr->srv, in);
}

static inline void
rp_on_srv_read(struct bufferevent *bev, void *arg)
{
    rp_pair_t *pr = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    const char *data;
    if (pr->p->stalled)
        return;
    data = pr->saw_marker ? (const char *)evbuffer_pullup(in, -1) : NULL;
    if (data != NULL && memmem(data, n, pr->p->reply_marker, strlen(pr->p->reply_marker)) != NULL) {
        pr->p->marker[0] = '\0';
        pr->p->cuts++;
        rp_pair_close(pr);
        return;
    }
    bufferevent_write_buffer(pr->cli, in);
}

static inline void
rp_on_event(struct bufferevent *bev, short what, void *arg)
{
    SX_UNUSED(bev);
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        rp_pair_close(arg);
}

static inline void
rp_on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
    rp_proxy_t *p = arg;
    rp_pair_t *pr = calloc(1, sizeof(*pr));
    struct sockaddr_in a;
    SX_UNUSED(l);
    SX_UNUSED(sa);
    SX_UNUSED(len);
    pr->p = p;
    pr->cli = bufferevent_socket_new(p->base, fd, BEV_OPT_CLOSE_ON_FREE);
    pr->srv = bufferevent_socket_new(p->base, -1, BEV_OPT_CLOSE_ON_FREE);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)p->target);
    bufferevent_setcb(pr->cli, rp_on_cli_read, NULL, rp_on_event, pr);
    bufferevent_setcb(pr->srv, rp_on_srv_read, NULL, rp_on_event, pr);
    bufferevent_enable(pr->cli, EV_READ | EV_WRITE);
    bufferevent_enable(pr->srv, EV_READ | EV_WRITE);
    for (size_t i = 0; i < SX_ARRAY_LEN(p->pairs); i++)
        if (p->pairs[i] == NULL) {
            p->pairs[i] = pr;
            break;
        }
    if (bufferevent_socket_connect(pr->srv, (struct sockaddr *)&a, sizeof(a)) != 0)
        rp_pair_close(pr);
}

/* Starts a proxy to 127.0.0.1:target on base. */
static inline void
rp_start(rp_proxy_t *p, struct event_base *base, int target)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    memset(p, 0, sizeof(*p));
    memset(&a, 0, sizeof(a));
    p->base = base;
    p->target = target;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->lis =
        evconnlistener_new_bind(base, rp_on_accept, p, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                16, (struct sockaddr *)&a, sizeof(a));
    getsockname(evconnlistener_get_fd(p->lis), (struct sockaddr *)&a, &alen);
    p->port = ntohs(a.sin_port);
}

static inline void
rp_cut_reply(rp_proxy_t *p, const char *marker, const char *reply_marker)
{
    snprintf(p->marker, sizeof(p->marker), "%s", marker);
    snprintf(p->reply_marker, sizeof(p->reply_marker), "%s", reply_marker);
    for (size_t i = 0; i < SX_ARRAY_LEN(p->pairs); i++)
        if (p->pairs[i] != NULL)
            p->pairs[i]->saw_marker = 0;
}

/* Starts (1) or ends (0) a partition: while stalled nothing is forwarded; at the end what was
 * held on surviving connections is delivered. */
static inline void
rp_stall(rp_proxy_t *p, int on)
{
    p->stalled = on;
    if (on)
        return;
    for (size_t i = 0; i < SX_ARRAY_LEN(p->pairs); i++) {
        rp_pair_t *pr = p->pairs[i];
        if (pr == NULL)
            continue;
        bufferevent_write_buffer(pr->srv, bufferevent_get_input(pr->cli));
        bufferevent_write_buffer(pr->cli, bufferevent_get_input(pr->srv));
    }
}

static inline void
rp_stop(rp_proxy_t *p)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(p->pairs); i++)
        if (p->pairs[i] != NULL)
            rp_pair_close(p->pairs[i]);
    evconnlistener_free(p->lis);
}

#endif
