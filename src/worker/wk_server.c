/*
 * wk_server.c: stepxd's control thread: machine loading and reloading, worker threads,
 * signals and graceful shutdown, the /metrics and /healthz listener, Redis gauges.
 *
 * Startup: read machines_dir and (machines_registry) the hash {tag}:machines with a blocking
 * connection, so that no event is dead-lettered as "unknown machine" because the registry
 * was not read yet; build the first table; start N workers (signals blocked in them); run the
 * control event loop.
 *
 * Control loop (its own event_base; nothing here is on the hot path):
 *   reload_ev  every reload_interval: stat the directory (fingerprint) and HGETALL the
 *              registry on the control connection; when either changed, build a new table
 *              (compiling only changed definitions) and post a reference to every worker
 *   tick_ev    every 250 ms: XINFO GROUPS + XLEN (every lag_interval), FATAL consumers
 *   evhttp     GET /metrics (Prometheus text), GET /healthz (200 when every consumer runs)
 *   signals    SIGTERM / SIGINT (or wk_server_stop) end the loop
 * Then every worker is told to drain; the thread joins them (each bounded by its grace).
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wk_int.h"

/* ---- machine sources ---- */

static void
key_of(const wk_server_t *s, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "{%s}:%s", s->rc->redis_tag, name);
}

/* Digest of an HGETALL reply (to skip rebuilding when nothing changed). */
static uint64_t
reply_digest(const redisReply *r)
{
    uint64_t h = 0;
    for (size_t i = 0; i < r->elements; i++)
        h = wk_hash(r->element[i]->str, r->element[i]->len, h) + i;
    return h ? h : 1;
}

static void
registry_parse(wk_server_t *s, const redisReply *r)
{
    char key[300], origin[320], err[256];
    key_of(s, "machines", key, sizeof(key));
    snprintf(origin, sizeof(origin), "redis:%s", key);
    wk_srcset_fini(&s->reg_srcs);
    wk_srcset_init(&s->reg_srcs);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (wk_registry_add(&s->reg_srcs, k->str, k->len, v->str, v->len, origin, err,
                            sizeof(err)) != SX_OK)
            wk_log(RS_LOG_ERROR, "registry machine %.*s: %s", (int)k->len, k->str, err);
    }
    s->reg_digest = reply_digest(r);
}

/* Builds a new table from the directory and registry sources (registry wins) and posts it
 * to the workers. */
static void
table_rebuild(wk_server_t *s)
{
    wk_srcset_t all;
    size_t errors = 0;
    wk_srcset_init(&all);
    for (size_t i = 0; i < s->dir_srcs.n; i++)
        wk_srcset_add(&all, &s->dir_srcs.v[i]);
    for (size_t i = 0; i < s->reg_srcs.n; i++)
        wk_srcset_add(&all, &s->reg_srcs.v[i]);
    wk_table_t *t = wk_table_build(s->table, all.v, all.n, wk_log_cb, &errors);
    wk_srcset_fini(&all);
    s->load_errors = errors;
    wk_table_unref(s->table);
    s->table = t;
    for (int i = 0; i < s->nworkers; i++)
        if (s->workers && s->workers[i])
            wk_worker_post_table(s->workers[i], wk_table_ref(t));
    wk_log(RS_LOG_INFO, "machines: %zu loaded (table %llu), %zu rejected", wk_table_count(t),
           (unsigned long long)wk_table_gen(t), errors);
}

static int
dir_load(wk_server_t *s, char *err, size_t errlen)
{
    wk_srcset_fini(&s->dir_srcs);
    wk_srcset_init(&s->dir_srcs);
    if (s->wc->machines_dir == NULL || s->wc->machines_dir[0] == '\0')
        return SX_OK;
    return wk_dir_read(s->wc->machines_dir, &s->dir_srcs, wk_log_cb, err, errlen);
}

/* The first registry read, blocking (before any worker reads an event). */
static void
registry_load_sync(wk_server_t *s)
{
    struct timeval tv = {(time_t)(s->rc->connect_timeout_ms / 1000),
                         (suseconds_t)(s->rc->connect_timeout_ms % 1000) * 1000};
    char key[300];
    redisReply *r = NULL;
    redisContext *c = redisConnectWithTimeout(s->rc->redis_host, (int)s->rc->redis_port, tv);
    key_of(s, "machines", key, sizeof(key));
    if (c == NULL || c->err) {
        wk_log(RS_LOG_WARN,
               "registry: cannot connect to %s:%lld (%s); files only until the "
               "next reload",
               s->rc->redis_host, (long long)s->rc->redis_port, c ? c->errstr : "out of memory");
        goto out;
    }
    redisSetTimeout(c, tv);
    if (s->rc->redis_password != NULL)
        freeReplyObject(redisCommand(c, "AUTH %s", s->rc->redis_password));
    r = redisCommand(c, "HGETALL %s", key);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY)
        registry_parse(s, r);
    else
        wk_log(RS_LOG_WARN, "registry: HGETALL %s failed", key);
out:
    if (r != NULL)
        freeReplyObject(r);
    if (c != NULL)
        redisFree(c);
}

static void
on_registry(rs_conn_t *c, redisReply *r, void *ud)
{
    wk_server_t *s = ud;
    SX_UNUSED(c);
    s->reg_busy = false;
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || reply_digest(r) == s->reg_digest)
        return;
    registry_parse(s, r);
    table_rebuild(s);
}

static void
on_reload(evutil_socket_t fd, short what, void *arg)
{
    wk_server_t *s = arg;
    char key[300], err[256];
    SX_UNUSED(fd);
    SX_UNUSED(what);
    if (s->wc->machines_dir && s->wc->machines_dir[0] &&
        wk_dir_stamp(s->wc->machines_dir) != s->dir_srcs.stamp) {
        if (dir_load(s, err, sizeof(err)) != SX_OK)
            wk_log(RS_LOG_ERROR, "%s", err);
        table_rebuild(s);
    }
    if (s->wc->machines_registry && !s->reg_busy) {
        key_of(s, "machines", key, sizeof(key));
        if (rs_conn_cmd(s->conn, 0, on_registry, s, "HGETALL %s", key) == SX_OK)
            s->reg_busy = true;
    }
}

/* ---- Redis gauges ---- */

static int64_t
field_int(const redisReply *kv, const char *name)
{
    for (size_t i = 0; i + 1 < kv->elements; i += 2)
        if (kv->element[i]->type == REDIS_REPLY_STRING && strcmp(kv->element[i]->str, name) == 0)
            return kv->element[i + 1]->type == REDIS_REPLY_INTEGER ? kv->element[i + 1]->integer
                                                                   : -1;
    return -1;
}

static bool
field_is(const redisReply *kv, const char *name, const char *value)
{
    for (size_t i = 0; i + 1 < kv->elements; i += 2)
        if (kv->element[i]->type == REDIS_REPLY_STRING && strcmp(kv->element[i]->str, name) == 0)
            return kv->element[i + 1]->type == REDIS_REPLY_STRING &&
                   strcmp(kv->element[i + 1]->str, value) == 0;
    return false;
}

static void
on_xinfo(rs_conn_t *c, redisReply *r, void *ud)
{
    wk_server_t *s = ud;
    SX_UNUSED(c);
    s->lag_busy = false;
    if (r == NULL || r->type != REDIS_REPLY_ARRAY)
        return;
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_ARRAY &&
            field_is(r->element[i], "name", s->rc->group)) {
            atomic_store(&s->lag, field_int(r->element[i], "lag"));
            atomic_store(&s->pending, field_int(r->element[i], "pending"));
        }
}

static void
on_xlen(rs_conn_t *c, redisReply *r, void *ud)
{
    SX_UNUSED(c);
    if (r != NULL && r->type == REDIS_REPLY_INTEGER)
        atomic_store((atomic_int_fast64_t *)ud, r->integer);
}

static void
gauges_refresh(wk_server_t *s)
{
    char k[300];
    if (s->lag_busy || !rs_conn_up(s->conn))
        return;
    key_of(s, s->rc->events_key, k, sizeof(k));
    if (rs_conn_cmd(s->conn, 0, on_xinfo, s, "XINFO GROUPS %s", k) != SX_OK)
        return;
    s->lag_busy = true;
    rs_conn_cmd(s->conn, 0, on_xlen, &s->stream_len, "XLEN %s", k);
    key_of(s, s->rc->results_key, k, sizeof(k));
    rs_conn_cmd(s->conn, 0, on_xlen, &s->results_len, "XLEN %s", k);
    key_of(s, s->rc->dead_key, k, sizeof(k));
    rs_conn_cmd(s->conn, 0, on_xlen, &s->dead_len, "XLEN %s", k);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
    wk_server_t *s = arg;
    int64_t now = sx_wall_ms();
    SX_UNUSED(fd);
    SX_UNUSED(what);
    if (now - s->last_lag_ms >= s->wc->lag_interval_ms) {
        s->last_lag_ms = now;
        gauges_refresh(s);
    }
    for (int i = 0; i < s->nworkers; i++)
        if (atomic_load(&s->workers[i]->st.consumer_state) == RS_ST_FATAL) {
            wk_log(RS_LOG_ERROR, "worker %d: consumer refused to run; stopping", i);
            s->fatal = true;
            event_base_loopbreak(s->base);
            return;
        }
}

/* ---- HTTP ---- */

static void
on_http(struct evhttp_request *req, void *arg)
{
    wk_server_t *s = arg;
    const char *uri = evhttp_request_get_uri(req);
    struct evbuffer *out = evbuffer_new();
    sx_sbuf_t b = SX_SBUF_INIT;
    int code = 200;
    if (strcmp(uri, "/metrics") == 0) {
        wk_metrics_render(s, &b);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "text/plain; version=0.0.4");
    } else if (strcmp(uri, "/healthz") == 0) {
        int running = 0;
        for (int i = 0; i < s->nworkers; i++)
            running += atomic_load(&s->workers[i]->st.consumer_state) == RS_ST_RUNNING;
        code = running == s->nworkers ? 200 : 503;
        sx_sbuf_addf(&b, "%s %d/%d consumers running, %zu machines\n",
                     code == 200 ? "ok" : "unavailable", running, s->nworkers,
                     wk_table_count(s->table));
    } else {
        code = 404;
        sx_sbuf_adds(&b, "not found: try /metrics or /healthz\n");
    }
    evbuffer_add(out, b.p ? b.p : "", b.len);
    evhttp_send_reply(req, code,
                      code == 200   ? "OK"
                      : code == 404 ? "Not Found"
                                    : "Service Unavailable",
                      out);
    evbuffer_free(out);
    sx_sbuf_fini(&b);
}

/* ---- signals ---- */

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    wk_server_t *s = arg;
    SX_UNUSED(what);
    wk_log(RS_LOG_INFO, "signal %d: draining", (int)sig);
    event_base_loopbreak(s->base);
}

static void
on_stop_pipe(evutil_socket_t fd, short what, void *arg)
{
    char c;
    SX_UNUSED(what);
    while (read(fd, &c, 1) == 1)
        ;
    on_signal(0, 0, arg);
}

void
wk_server_stop(wk_server_t *s)
{
    char c = 1;
    ssize_t n = write(s->stop_pipe[1], &c, 1);
    SX_UNUSED(n);
}

/* ---- lifecycle ---- */

static int
http_start(wk_server_t *s, char *err, size_t errlen)
{
    if (s->wc->metrics_port == 0)
        return SX_OK;
    s->http = evhttp_new(s->base);
    if (evhttp_bind_socket(s->http, s->wc->metrics_bind, (uint16_t)s->wc->metrics_port) != 0) {
        snprintf(err, errlen, "metrics listener: cannot bind %s:%lld", s->wc->metrics_bind,
                 (long long)s->wc->metrics_port);
        return SX_ERR;
    }
    evhttp_set_gencb(s->http, on_http, s);
    return SX_OK;
}

static void
timers_start(wk_server_t *s)
{
    struct timeval tick = {0, 250000};
    s->tick_ev = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    event_add(s->tick_ev, &tick);
    if (s->wc->reload_interval_ms > 0) {
        struct timeval tv = {(time_t)(s->wc->reload_interval_ms / 1000),
                             (suseconds_t)(s->wc->reload_interval_ms % 1000) * 1000};
        s->reload_ev = event_new(s->base, -1, EV_PERSIST, on_reload, s);
        event_add(s->reload_ev, &tv);
    }
    s->sig_term = evsignal_new(s->base, SIGTERM, on_signal, s);
    s->sig_int = evsignal_new(s->base, SIGINT, on_signal, s);
    event_add(s->sig_term, NULL);
    event_add(s->sig_int, NULL);
    s->stop_ev = event_new(s->base, s->stop_pipe[0], EV_READ | EV_PERSIST, on_stop_pipe, s);
    event_add(s->stop_ev, NULL);
}

wk_server_t *
wk_server_new(const wk_conf_t *wc, const rs_conf_t *rc, const tk_config_t *tc, const log_conf_t *lc,
              char *err, size_t errlen)
{
    wk_server_t *s = sx_calloc(1, sizeof(*s));
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    s->wc = wc, s->rc = rc, s->tc = tc, s->lc = lc;
    s->rc_workers = *rc;
    if (s->rc_workers.max_inflight > wc->max_executions)
        s->rc_workers.max_inflight = wc->max_executions;
    s->started_ms = sx_wall_ms();
    s->nworkers = wc->workers > 0 ? (int)wc->workers : (int)(cores > 0 ? cores : 1);
    atomic_init(&s->lag, -1);
    atomic_init(&s->pending, -1);
    atomic_init(&s->dead_len, -1);
    atomic_init(&s->results_len, -1);
    atomic_init(&s->stream_len, -1);
    s->stop_pipe[0] = s->stop_pipe[1] = -1;
    wk_srcset_init(&s->dir_srcs);
    wk_srcset_init(&s->reg_srcs);
    if (dir_load(s, err, errlen) != SX_OK)
        goto fail;
    if (wc->machines_registry)
        registry_load_sync(s);
    table_rebuild(s);
    s->base = event_base_new();
    if (pipe2(s->stop_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        goto fail;
    }
    if (http_start(s, err, errlen) != SX_OK)
        goto fail;
    s->conn = rs_conn_new(s->base, rc, NULL, NULL);
    timers_start(s);
    return s;
fail:
    wk_server_free(s);
    return NULL;
}

static int
workers_start(wk_server_t *s)
{
    sigset_t all, old;
    char err[512];
    int rc = SX_OK;
    s->workers = sx_calloc((size_t)s->nworkers, sizeof(*s->workers));
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old); /* workers inherit the mask: signals come here */
    for (int i = 0; i < s->nworkers && rc == SX_OK; i++) {
        s->workers[i] = wk_worker_new(s, i, s->table, err, sizeof(err));
        if (s->workers[i] == NULL || wk_worker_start(s->workers[i]) != SX_OK) {
            wk_log(RS_LOG_ERROR, "worker %d: %s", i, s->workers[i] ? "pthread_create" : err);
            rc = SX_ERR;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int
wk_server_run(wk_server_t *s)
{
    int code = 0;
    signal(SIGPIPE, SIG_IGN);
    if (workers_start(s) != SX_OK) {
        s->fatal = true;
    } else {
        wk_log(RS_LOG_INFO, "running: %d workers, %zu machines, stream {%s}:%s group %s%s",
               s->nworkers, wk_table_count(s->table), s->rc->redis_tag, s->rc->events_key,
               s->rc->group, s->http ? ", /metrics on" : "");
        event_base_dispatch(s->base);
    }
    for (int i = 0; i < s->nworkers; i++)
        if (s->workers[i])
            wk_worker_post_stop(s->workers[i]);
    for (int i = 0; i < s->nworkers; i++) {
        if (s->workers[i] == NULL)
            continue;
        if (wk_worker_join_free(s->workers[i])) /* joins: the drain happens here */
            code = 1;
        s->workers[i] = NULL;
    }
    code = s->fatal ? 2 : code;
    wk_log(RS_LOG_INFO, "stopped (%s)",
           code == 0   ? "drained"
           : code == 1 ? "work left pending"
                       : "fatal");
    return code;
}

void
wk_server_free(wk_server_t *s)
{
    if (s == NULL)
        return;
    if (s->workers != NULL) {
        for (int i = 0; i < s->nworkers; i++)
            (void)wk_worker_join_free(s->workers[i]);
        sx_free(s->workers);
    }
    if (s->http)
        evhttp_free(s->http);
    rs_conn_free(s->conn);
    struct event *evs[] = {s->reload_ev, s->tick_ev, s->stop_ev, s->sig_term, s->sig_int};
    for (size_t i = 0; i < SX_ARRAY_LEN(evs); i++)
        if (evs[i])
            event_free(evs[i]);
    if (s->base)
        event_base_free(s->base);
    for (int i = 0; i < 2; i++)
        if (s->stop_pipe[i] >= 0)
            close(s->stop_pipe[i]);
    wk_table_unref(s->table);
    wk_srcset_fini(&s->dir_srcs);
    wk_srcset_fini(&s->reg_srcs);
    sx_free(s);
}
