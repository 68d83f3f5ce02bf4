/*
 * tk_testsrv.h: a real HTTP server for the task tests (libevent evhttp on 127.0.0.1, a random
 * port, its own thread and event_base), never a mock of the client.
 *
 *   /json              200 {"hello":"world","n":1}            application/json
 *   /text              200 plain text                          text/plain
 *   /status/<code>     <code> {"error":"status <code>"}        application/json
 *   /echo              200 {"method","uri","headers","body"}   what the server received
 *   /delay/<ms>        200 {"delayed":<ms>} after <ms> ms
 *   /big/<n>           200 <n> bytes of 'x'                    text/plain
 *   /2015-03-31/functions/<name>/invocations   a Lambda RIE look-alike, by <name>:
 *       function, echo  200 the request body (echo also sends X-Amz-Executed-Version)
 *       fail            200 {"errorMessage","errorType":"ValueError",...} (RIE style)
 *       hdrfail         200 + X-Amz-Function-Error: Unhandled, errorType CustomError
 *       notype          200 + X-Amz-Function-Error: Unhandled, no errorType
 *       text            200 HelloWorld! (not JSON)
 *       throttle        429 + x-amzn-ErrorType: TooManyRequestsException
 *       slow            the body after 2 s
 *
 * Counters (atomics, read from the test thread): connections accepted, requests served,
 * and connections currently open.
 */
#ifndef TK_TESTSRV_H
#define TK_TESTSRV_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/val.h"

#define TS_MAX_CONNS 4096
#define TS_MAX_DELAYED 4096

typedef struct ts_delayed {
    struct evhttp_request *req;     /* NULL when free or its connection closed */
    struct evhttp_connection *conn; /* the request's connection */
    struct event *ev;               /* the delay timer */
    int code;                       /* status to send */
    char *body;                     /* heap */
    const char *ctype;              /* Content-Type */
} ts_delayed_t;

typedef struct ts_srv {
    pthread_t th;                                  /* server thread */
    struct event_base *base;                       /* server loop */
    struct evhttp *http;                           /* the server */
    int port;                                      /* bound port */
    atomic_int connections;                        /* connections seen */
    atomic_int requests;                           /* requests served */
    atomic_int open;                               /* connections open now */
    struct evhttp_connection *conns[TS_MAX_CONNS]; /* open connections (server thread) */
    ts_delayed_t delayed[TS_MAX_DELAYED];          /* pending delayed replies */
} ts_srv_t;

static const char *
ts_reason(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 418:
        return "I'm a teapot";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

static void
ts_reply(struct evhttp_request *req, int code, const char *ctype, const char *body, size_t n)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, body, n);
    if (ctype != NULL)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
    evhttp_send_reply(req, code, ts_reason(code), b);
    evbuffer_free(b);
}

static void
ts_on_close(struct evhttp_connection *conn, void *arg)
{
    ts_srv_t *s = arg;
    for (int i = 0; i < TS_MAX_CONNS; i++)
        if (s->conns[i] == conn) {
            s->conns[i] = NULL;
            atomic_fetch_sub(&s->open, 1);
        }
    for (int i = 0; i < TS_MAX_DELAYED; i++)
        if (s->delayed[i].req != NULL && s->delayed[i].conn == conn)
            s->delayed[i].req = NULL; /* libevent frees the request */
}

static void
ts_track(ts_srv_t *s, struct evhttp_request *req)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    int free_slot = -1;
    for (int i = 0; i < TS_MAX_CONNS; i++) {
        if (s->conns[i] == conn)
            return;
        if (s->conns[i] == NULL && free_slot < 0)
            free_slot = i;
    }
    if (free_slot >= 0)
        s->conns[free_slot] = conn;
    atomic_fetch_add(&s->connections, 1);
    atomic_fetch_add(&s->open, 1);
    evhttp_connection_set_closecb(conn, ts_on_close, s);
}

static void
ts_delay_fire(evutil_socket_t fd, short what, void *arg)
{
    ts_delayed_t *d = arg;
    (void)fd;
    (void)what;
    if (d->req != NULL)
        ts_reply(d->req, d->code, d->ctype, d->body, strlen(d->body));
    d->req = NULL;
    free(d->body);
    d->body = NULL;
    event_free(d->ev);
    d->ev = NULL;
}

static void
ts_delay(ts_srv_t *s, struct evhttp_request *req, int ms, int code, const char *ctype,
         const char *body)
{
    for (int i = 0; i < TS_MAX_DELAYED; i++) {
        ts_delayed_t *d = &s->delayed[i];
        if (d->ev != NULL)
            continue;
        d->req = req;
        d->conn = evhttp_request_get_connection(req);
        d->code = code;
        d->ctype = ctype;
        d->body = strdup(body);
        d->ev = evtimer_new(s->base, ts_delay_fire, d);
        struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
        evtimer_add(d->ev, &tv);
        return;
    }
    ts_reply(req, 503, NULL, "", 0);
}

static char *
ts_req_body(struct evhttp_request *req, size_t *n)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    *n = evbuffer_get_length(in);
    char *p = malloc(*n + 1);
    evbuffer_copyout(in, p, *n);
    p[*n] = '\0';
    return p;
}

static void
ts_echo(struct evhttp_request *req)
{
    static const char *const methods[] = {"GET",     "POST",  "HEAD",    "PUT",  "DELETE",
                                          "OPTIONS", "TRACE", "CONNECT", "PATCH"};
    sx_arena_t *a = sx_arena_new(0);
    size_t n;
    char *body = ts_req_body(req, &n);
    int cmd = (int)evhttp_request_get_command(req), mi = 0;
    while (mi < 8 && (1 << mi) != cmd)
        mi++;
    val_objb_t ob, hb;
    val_objb_init(&ob, a, 4);
    val_objb_init(&hb, a, 8);
    struct evkeyval *kv;
    for (kv = evhttp_request_get_input_headers(req)->tqh_first; kv != NULL; kv = kv->next.tqe_next)
        val_objb_sets(&hb, kv->key, val_strz(a, kv->value));
    val_objb_sets(&ob, "method", val_strz(a, methods[mi]));
    val_objb_sets(&ob, "uri", val_strz(a, evhttp_request_get_uri(req)));
    val_objb_sets(&ob, "headers", val_objb_done(&hb));
    val_objb_sets(&ob, "body", val_str(a, body, n));
    sx_sbuf_t out = SX_SBUF_INIT;
    val_json_print(&out, val_objb_done(&ob));
    ts_reply(req, 200, "application/json", out.p, out.len);
    sx_sbuf_fini(&out);
    free(body);
    sx_arena_free(a);
}

static void
ts_lambda(ts_srv_t *s, struct evhttp_request *req, const char *name)
{
    struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
    size_t n;
    char *body = ts_req_body(req, &n);
    if (strcmp(name, "function") == 0 || strcmp(name, "echo") == 0) {
        if (strcmp(name, "echo") == 0)
            evhttp_add_header(oh, "X-Amz-Executed-Version", "$LATEST");
        evhttp_add_header(oh, "x-amzn-RequestId", "11111111-2222-3333-4444-555555555555");
        ts_reply(req, 200, "application/json", body, n);
    } else if (strcmp(name, "fail") == 0) {
        const char *b = "{\"errorMessage\": \"boom\", \"errorType\": \"ValueError\", "
                        "\"requestId\": \"r1\", \"stackTrace\": [\"  File x\"]}";
        ts_reply(req, 200, "application/json", b, strlen(b));
    } else if (strcmp(name, "hdrfail") == 0) {
        const char *b = "{\"errorMessage\":\"bad\",\"errorType\":\"CustomError\"}";
        evhttp_add_header(oh, "X-Amz-Function-Error", "Unhandled");
        ts_reply(req, 200, "application/json", b, strlen(b));
    } else if (strcmp(name, "notype") == 0) {
        const char *b = "{\"errorMessage\":\"Task timed out after 1.00 seconds\"}";
        evhttp_add_header(oh, "X-Amz-Function-Error", "Unhandled");
        ts_reply(req, 200, "application/json", b, strlen(b));
    } else if (strcmp(name, "text") == 0) {
        ts_reply(req, 200, "application/json", "HelloWorld!", 11);
    } else if (strcmp(name, "throttle") == 0) {
        const char *b = "{\"Type\":\"User\",\"message\":\"Rate exceeded\"}";
        evhttp_add_header(oh, "x-amzn-ErrorType", "TooManyRequestsException");
        evhttp_add_header(oh, "x-amzn-RequestId", "req-429");
        ts_reply(req, 429, "application/json", b, strlen(b));
    } else if (strcmp(name, "slow") == 0) {
        ts_delay(s, req, 2000, 200, "application/json", body);
    } else {
        ts_reply(req, 404, "application/json", "{\"message\":\"no such test function\"}", 35);
    }
    free(body);
}

static void
ts_handle(struct evhttp_request *req, void *arg)
{
    ts_srv_t *s = arg;
    char path[512], buf[64];
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *p = evhttp_uri_get_path(u);
    snprintf(path, sizeof(path), "%s", p != NULL ? p : "/");
    ts_track(s, req);
    atomic_fetch_add(&s->requests, 1);
    if (strcmp(path, "/json") == 0) {
        ts_reply(req, 200, "application/json", "{\"hello\":\"world\",\"n\":1}", 23);
    } else if (strcmp(path, "/text") == 0) {
        ts_reply(req, 200, "text/plain", "plain text", 10);
    } else if (strncmp(path, "/status/", 8) == 0) {
        int code = atoi(path + 8);
        int len = snprintf(buf, sizeof(buf), "{\"error\":\"status %d\"}", code);
        ts_reply(req, code, "application/json", buf, (size_t)len);
    } else if (strcmp(path, "/echo") == 0) {
        ts_echo(req);
    } else if (strncmp(path, "/delay/", 7) == 0) {
        int ms = atoi(path + 7);
        snprintf(buf, sizeof(buf), "{\"delayed\":%d}", ms);
        ts_delay(s, req, ms, 200, "application/json", buf);
    } else if (strncmp(path, "/big/", 5) == 0) {
        size_t n = (size_t)atol(path + 5);
        char *b = malloc(n + 1);
        memset(b, 'x', n);
        ts_reply(req, 200, "text/plain", b, n);
        free(b);
    } else if (strncmp(path, "/2015-03-31/functions/", 22) == 0) {
        char name[128];
        size_t k = strcspn(path + 22, "/");
        snprintf(name, sizeof(name), "%.*s", (int)(k < 127 ? k : 127), path + 22);
        ts_lambda(s, req, name);
    } else {
        ts_reply(req, 404, "text/plain", "not found", 9);
    }
}

static void *
ts_main(void *arg)
{
    ts_srv_t *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

/* Starts the server; returns 0 or -1. */
static int
ts_start(ts_srv_t *s)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, (void (*)(void))evthread_use_pthreads);
    memset(s, 0, sizeof(*s));
    s->base = event_base_new();
    s->http = evhttp_new(s->base);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(s->http, ts_handle, s);
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
    if (bs == NULL)
        return -1;
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sa, &len);
    s->port = ntohs(sa.sin_port);
    return pthread_create(&s->th, NULL, ts_main, s) == 0 ? 0 : -1;
}

static void
ts_stop(ts_srv_t *s)
{
    event_base_loopbreak(s->base);
    pthread_join(s->th, NULL);
    for (int i = 0; i < TS_MAX_DELAYED; i++)
        if (s->delayed[i].ev != NULL) {
            event_free(s->delayed[i].ev);
            free(s->delayed[i].body);
        }
    evhttp_free(s->http);
    event_base_free(s->base);
}

#endif
