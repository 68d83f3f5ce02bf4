/*
 * tk_curl.c: an HTTP client for one worker: a libcurl multi handle driven by the worker's
 * libevent event_base (curl_multi_socket_action with CURLMOPT_SOCKETFUNCTION and
 * CURLMOPT_TIMERFUNCTION, as curl's hiperfifo example), one easy handle per task call.
 *
 * Design:
 * - The multi handle keeps the worker's keep-alive connection cache (CURLMOPT_MAXCONNECTS)
 *   and queues transfers beyond CURLMOPT_MAX_HOST_CONNECTIONS, so 1000 calls to one host
 *   never open 1000 sockets.
 * - Each socket libcurl wants watched gets one struct event (tk_sock_t, assigned to the
 *   socket with curl_multi_assign and kept in a list so tk_curl_free can release leftovers).
 * - Completions are read with curl_multi_info_read after every socket_action; the owner's
 *   done() runs from there and only posts the execution (ex_call_*), so no curl call is
 *   ever made re-entrantly. Cancellation (from the engine, never from a curl callback)
 *   removes the easy handle: curl_multi_remove_handle closes or caches its connection.
 * - Response bodies stop at q->cap bytes (the write callback refuses more and the transfer
 *   ends with CURLE_WRITE_ERROR, flagged too_big); headers stop at HDR_MAX bytes.
 * - Only http and https are allowed (CURLOPT_PROTOCOLS_STR); redirects are not followed.
 */
#include <ctype.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tk_int.h"

#define HDR_MAX (64 * 1024)

typedef struct tk_sock {
    struct event *ev;            /* read/write watcher of one socket */
    struct tk_sock *prev, *next; /* all sockets of the client */
} tk_sock_t;

struct tk_curl {
    struct event_base *base; /* borrowed */
    const tk_config_t *cfg;  /* borrowed */
    CURLM *multi;            /* owned */
    struct event *timer;     /* libcurl's single timeout */
    tk_sock_t *socks;        /* watched sockets */
    tk_map_t live;           /* ex_call_t* -> tk_req_t* in flight */
    uint64_t connects;       /* connections opened (sum of CURLINFO_NUM_CONNECTS) */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- event glue ---- */

static void
req_free(tk_req_t *q)
{
    curl_easy_cleanup(q->easy);
    curl_slist_free_all(q->hdr_out);
    sx_free(q->body_out);
    sx_sbuf_fini(&q->body);
    for (uint32_t i = 0; i < q->nhdrs; i++) {
        sx_free(q->hdrs[i].name);
        sx_free(q->hdrs[i].value);
    }
    sx_free(q->hdrs);
    sx_free(q);
}

static void
check_done(tk_curl_t *cl)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(cl->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        tk_req_t *q = NULL;
        long nconn = 0;
        CURL *e = m->easy_handle;
        int code = m->data.result;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&q);
        curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nconn);
        cl->connects += (uint64_t)nconn;
        curl_multi_remove_handle(cl->multi, e);
        if (SX_NEVER(q == NULL)) {
            curl_easy_cleanup(e);
            continue;
        }
        tk_map_del(&cl->live, q->call);
        q->code = code;
        q->done(q);
        req_free(q);
    }
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
    tk_curl_t *cl = arg;
    int action =
        ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running = 0;
    curl_multi_socket_action(cl->multi, fd, action, &running);
    check_done(cl);
    if (running <= 0)
        evtimer_del(cl->timer);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
    tk_curl_t *cl = arg;
    int running = 0;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    curl_multi_socket_action(cl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(cl);
}

static int
curl_sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    tk_curl_t *cl = userp;
    tk_sock_t *k = socketp;
    SX_UNUSED(e);
    if (what == CURL_POLL_REMOVE) {
        if (k != NULL) {
            event_free(k->ev);
            if (k->prev != NULL)
                k->prev->next = k->next;
            else
                cl->socks = k->next;
            if (k->next != NULL)
                k->next->prev = k->prev;
            sx_free(k);
            curl_multi_assign(cl->multi, s, NULL);
        }
        return 0;
    }
    short kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
                         ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
    if (k == NULL) {
        k = sx_calloc(1, sizeof(*k));
        k->ev = event_new(cl->base, s, kind, on_socket, cl);
        k->next = cl->socks;
        if (cl->socks != NULL)
            cl->socks->prev = k;
        cl->socks = k;
        curl_multi_assign(cl->multi, s, k);
    } else {
        event_del(k->ev);
        event_assign(k->ev, cl->base, s, kind, on_socket, cl);
    }
    event_add(k->ev, NULL);
    return 0;
}

static int
curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    tk_curl_t *cl = userp;
    SX_UNUSED(multi);
    if (timeout_ms < 0) {
        evtimer_del(cl->timer);
    } else {
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        evtimer_add(cl->timer, &tv);
    }
    return 0;
}

/* ---- client ---- */

tk_curl_t *
tk_curl_new(struct event_base *base, const tk_config_t *cfg)
{
    pthread_once(&global_once, global_init);
    tk_curl_t *cl = sx_calloc(1, sizeof(*cl));
    cl->base = base;
    cl->cfg = cfg;
    cl->multi = curl_multi_init();
    cl->timer = evtimer_new(base, on_timer, cl);
    curl_multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
    curl_multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl);
    curl_multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
    curl_multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl);
    curl_multi_setopt(cl->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->max_host_connections);
    curl_multi_setopt(cl->multi, CURLMOPT_MAXCONNECTS, (long)cfg->max_connections);
    return cl;
}

static void
abort_one(const void *key, void *val, void *ud)
{
    tk_req_t *q = val;
    tk_curl_t *cl = ud;
    SX_UNUSED(key);
    curl_multi_remove_handle(cl->multi, q->easy);
    q->call = NULL;
}

static void
free_one(const void *key, void *val, void *ud)
{
    SX_UNUSED(key);
    SX_UNUSED(ud);
    req_free(val);
}

void
tk_curl_free(tk_curl_t *cl)
{
    if (cl == NULL)
        return;
    tk_map_each(&cl->live, abort_one, cl);
    tk_map_each(&cl->live, free_one, NULL);
    tk_map_fini(&cl->live);
    curl_multi_cleanup(cl->multi);
    while (cl->socks != NULL) {
        tk_sock_t *k = cl->socks;
        cl->socks = k->next;
        event_free(k->ev);
        sx_free(k);
    }
    event_free(cl->timer);
    sx_free(cl);
}

uint64_t
tk_curl_connects(const tk_curl_t *cl)
{
    return cl->connects;
}

/* ---- requests ---- */

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
    tk_req_t *q = ud;
    size_t len = size * n;
    if (q->body.len + len > q->cap) {
        q->too_big = true;
        return 0;
    }
    sx_sbuf_add(&q->body, p, len);
    return len;
}

static void
hdrs_reset(tk_req_t *q)
{
    for (uint32_t i = 0; i < q->nhdrs; i++) {
        sx_free(q->hdrs[i].name);
        sx_free(q->hdrs[i].value);
    }
    q->nhdrs = 0;
}

static void
status_line(tk_req_t *q, const char *p, size_t len)
{
    const char *e = p + len, *s = memchr(p, ' ', len);
    hdrs_reset(q);
    q->status = 0;
    q->reason[0] = '\0';
    if (s == NULL)
        return;
    s++;
    for (int i = 0; i < 3 && s < e && isdigit((unsigned char)*s); i++)
        q->status = q->status * 10 + (*s++ - '0'); /* a status code has three digits */
    while (s < e && isdigit((unsigned char)*s))
        s++;
    while (s < e && *s == ' ')
        s++;
    size_t rl = 0;
    while (s + rl < e && s[rl] != '\r' && s[rl] != '\n' && rl + 1 < sizeof(q->reason))
        rl++;
    memcpy(q->reason, s, rl);
    q->reason[rl] = '\0';
}

size_t
tk_req_header_line(tk_req_t *q, const char *p, size_t len)
{
    q->hdr_bytes += len;
    if (q->hdr_bytes > HDR_MAX) {
        q->too_big = true;
        return 0;
    }
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        status_line(q, p, len);
        return len;
    }
    const char *colon = memchr(p, ':', len), *e = p + len;
    if (colon == NULL || colon == p || memchr(p, '\0', len) != NULL)
        return len; /* the blank line ending the block, or junk (libcurl refuses NULs too) */
    const char *v = colon + 1;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (q->nhdrs == q->caphdrs) {
        q->caphdrs = q->caphdrs ? q->caphdrs * 2 : 16;
        q->hdrs = sx_realloc(q->hdrs, q->caphdrs * sizeof(*q->hdrs));
    }
    q->hdrs[q->nhdrs].name = sx_strndup(p, (size_t)(colon - p));
    q->hdrs[q->nhdrs].value = sx_strndup(v, (size_t)(e - v));
    q->nhdrs++;
    return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
    return tk_req_header_line(ud, p, size * n);
}

tk_req_t *
tk_req_new(tk_curl_t *cl, ex_call_t *c, const char *method, const char *url)
{
    const tk_config_t *cfg = cl->cfg;
    tk_req_t *q = sx_calloc(1, sizeof(*q));
    q->cl = cl;
    q->call = c;
    q->cap = (size_t)cfg->max_response;
    q->easy = curl_easy_init();
    CURL *e = q->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)q);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, q);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)cfg->http_timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, cfg->tls_verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, cfg->tls_verify ? 2L : 0L);
    if (cfg->ca_file != NULL && cfg->ca_file[0] != '\0')
        curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    /* no 100-continue round trip for larger bodies */
    q->hdr_out = curl_slist_append(q->hdr_out, "Expect:");
    return q;
}

void
tk_req_header(tk_req_t *q, const char *name, const char *value)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    /* "Name;" sends an empty header; "Name:" would remove it */
    if (value[0] == '\0')
        sx_sbuf_addf(&b, "%s;", name);
    else
        sx_sbuf_addf(&b, "%s: %s", name, value);
    q->hdr_out = curl_slist_append(q->hdr_out, b.p);
    sx_sbuf_fini(&b);
}

void
tk_req_body(tk_req_t *q, const char *p, size_t n)
{
    sx_free(q->body_out);
    q->body_out = sx_malloc(n + 1);
    memcpy(q->body_out, p, n);
    q->body_out[n] = '\0';
    curl_easy_setopt(q->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(q->easy, CURLOPT_POSTFIELDS, q->body_out);
}

int
tk_req_start(tk_req_t *q, tk_done_fn done, void *ud)
{
    tk_curl_t *cl = q->cl;
    q->done = done;
    q->ud = ud;
    curl_easy_setopt(q->easy, CURLOPT_HTTPHEADER, q->hdr_out);
    if (curl_multi_add_handle(cl->multi, q->easy) != CURLM_OK) {
        req_free(q);
        return SX_ERR;
    }
    tk_map_put(&cl->live, q->call, q);
    return SX_OK;
}

void
tk_req_discard(tk_req_t *q)
{
    req_free(q);
}

bool
tk_curl_cancel(tk_curl_t *cl, const ex_call_t *c)
{
    tk_req_t *q = tk_map_del(&cl->live, c);
    if (q == NULL)
        return false;
    curl_multi_remove_handle(cl->multi, q->easy);
    req_free(q);
    return true;
}

const char *
tk_req_hdr(const tk_req_t *q, const char *name)
{
    for (uint32_t i = 0; i < q->nhdrs; i++)
        if (strcasecmp(q->hdrs[i].name, name) == 0)
            return q->hdrs[i].value;
    return NULL;
}
