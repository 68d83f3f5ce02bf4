/*
 * tk_http.c: the arn:aws:states:::http:invoke resource (AWS's HTTP Task) on the worker's
 * libcurl multi client (tk_curl.c).
 *
 * Parameters (AWS's names): ApiEndpoint (http:// or https://, required), Method (GET, POST,
 * PUT, DELETE, PATCH, HEAD, OPTIONS; required), Headers {name: scalar}, QueryParameters
 * {name: scalar | array | object}, RequestBody (any JSON), Transform {RequestBodyEncoding
 * NONE|URL_ENCODED, RequestEncodingOptions {ArrayFormat INDICES|BRACKETS|REPEAT|COMMA}},
 * Authentication {ConnectionArn, ...}. Authentication is accepted and ignored: we do not call
 * EventBridge connections, so credentials must travel in Headers or QueryParameters.
 *
 * Request: RequestBody is sent as JSON text (a string as its raw text) with Content-Type
 * application/json unless Headers set one; URL_ENCODED sends an object as
 * application/x-www-form-urlencoded, nested keys as a[b], arrays per ArrayFormat (default
 * INDICES, as AWS documents). QueryParameters are encoded the same way with REPEAT arrays.
 * Hop-by-hop and framing headers (Host, Content-Length, Transfer-Encoding, Connection, ...)
 * are refused, as AWS refuses its "prohibited headers".
 *
 * Result (AWS's shape): {"Headers": {lowercased name: [values]}, "ResponseBody": parsed JSON
 * when Content-Type is JSON and the body parses, else the body string, "StatusCode": n,
 * "StatusText": reason phrase}. Header names are lowercased and values are arrays, as AWS's
 * documented examples print them (assumption: no recorded case in our corpus).
 *
 * Errors:
 * - non-2xx: States.Http.StatusCode.<code>, cause = the result object above as compact JSON
 *   (assumption from AWS's TestState examples; no recording), cut at SX_ERR_CAUSE_MAX bytes.
 * - connection refused/reset, DNS, TLS, timeouts (http_timeout, AWS's 60 s socket timeout):
 *   States.Http.Socket, cause = libcurl's error text.
 * - response body over max_response bytes: States.DataLimitExceeded with the engine's cause
 *   text for service "http" (asl.md §9).
 * - unusable Parameters: States.Runtime, cause "The Parameters '<json>' could not be used to
 *   start the Task: [<detail>]" (AWS's wording for service integrations).
 * TimeoutSeconds/HeartbeatSeconds are the engine's: it calls cancel(), which removes the
 * transfer (tk_curl_cancel).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tk_int.h"

#define HTTP_ARN "arn:aws:states:::http:invoke"

typedef struct tk_http {
    tk_res_t h;             /* header: kind, free, counters */
    tk_curl_t *cl;          /* the worker's HTTP client */
    const tk_config_t *cfg; /* borrowed */
} tk_http_t;

static bool
method_ok(const char *m)
{
    static const char *const ok[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < SX_ARRAY_LEN(ok); i++)
        if (strcmp(m, ok[i]) == 0)
            return true;
    return false;
}

static bool
header_prohibited(const char *name)
{
    static const char *const no[] = {"host",
                                     "content-length",
                                     "transfer-encoding",
                                     "connection",
                                     "expect",
                                     "te",
                                     "upgrade",
                                     "keep-alive",
                                     "trailer",
                                     "proxy-connection",
                                     "proxy-authorization"};
    for (size_t i = 0; i < SX_ARRAY_LEN(no); i++)
        if (strcasecmp(name, no[i]) == 0)
            return true;
    return false;
}

static tk_arrfmt_t
arrfmt_of(const val_t *transform)
{
    const val_t *o = val_obj_gets(transform, "RequestEncodingOptions");
    const val_t *f = val_obj_gets(o, "ArrayFormat");
    if (!val_is(f, VAL_STR))
        return TK_ARR_INDICES;
    if (strcmp(val_str_get(f), "BRACKETS") == 0)
        return TK_ARR_BRACKETS;
    if (strcmp(val_str_get(f), "REPEAT") == 0)
        return TK_ARR_REPEAT;
    if (strcmp(val_str_get(f), "COMMA") == 0)
        return TK_ARR_COMMA;
    return TK_ARR_INDICES;
}

/* Builds the URL (endpoint + query) into b. Returns NULL or an error detail. */
static const char *
url_build(sx_sbuf_t *b, const val_t *endpoint, const val_t *query)
{
    const char *ep = val_str_get(endpoint);
    if (strncasecmp(ep, "http://", 7) != 0 && strncasecmp(ep, "https://", 8) != 0)
        return "ApiEndpoint must be an http:// or https:// URL";
    sx_sbuf_add(b, ep, val_len(endpoint));
    if (query == NULL)
        return NULL;
    if (!val_is(query, VAL_OBJ))
        return "QueryParameters must be an object";
    sx_sbuf_t q = SX_SBUF_INIT;
    tk_form_add(&q, NULL, query, TK_ARR_REPEAT);
    if (q.len > 0) {
        sx_sbuf_addc(b, strchr(ep, '?') != NULL ? '&' : '?');
        sx_sbuf_add(b, q.p, q.len);
    }
    sx_sbuf_fini(&q);
    return NULL;
}

/* Adds Headers to q; *has_ctype tells whether they set Content-Type. */
static const char *
headers_add(tk_req_t *q, sx_arena_t *a, const val_t *hdrs, bool *has_ctype)
{
    *has_ctype = false;
    if (hdrs == NULL)
        return NULL;
    if (!val_is(hdrs, VAL_OBJ))
        return "Headers must be an object";
    for (size_t i = 0; i < val_len(hdrs); i++) {
        const val_member_t *m = val_obj_at(hdrs, i);
        const char *name = val_str_get(m->key);
        if (header_prohibited(name))
            return sx_arena_printf(a, NULL, "The header '%s' is not allowed", name);
        if (strpbrk(name, " :\r\n") != NULL || name[0] == '\0')
            return sx_arena_printf(a, NULL, "Invalid header name '%s'", name);
        if (val_is(m->val, VAL_ARR) || val_is(m->val, VAL_OBJ))
            return sx_arena_printf(a, NULL, "The header '%s' must be a string", name);
        sx_sbuf_t v = SX_SBUF_INIT;
        tk_scalar_add(&v, m->val);
        bool crlf = v.p != NULL && strpbrk(v.p, "\r\n") != NULL;
        if (!crlf)
            tk_req_header(q, name, v.p != NULL ? v.p : "");
        sx_sbuf_fini(&v);
        if (crlf)
            return sx_arena_printf(a, NULL, "The header '%s' contains a line break", name);
        if (strcasecmp(name, "Content-Type") == 0)
            *has_ctype = true;
    }
    return NULL;
}

/* Sets the body of q from RequestBody and Transform. */
static const char *
body_set(tk_req_t *q, const val_t *body, const val_t *transform, bool has_ctype)
{
    if (body == NULL)
        return NULL;
    const val_t *enc = val_obj_gets(transform, "RequestBodyEncoding");
    sx_sbuf_t b = SX_SBUF_INIT;
    const char *ctype = "application/json";
    if (enc != NULL && (!val_is(enc, VAL_STR) || (strcmp(val_str_get(enc), "NONE") != 0 &&
                                                  strcmp(val_str_get(enc), "URL_ENCODED") != 0)))
        return "RequestBodyEncoding must be NONE or URL_ENCODED";
    if (enc != NULL && strcmp(val_str_get(enc), "URL_ENCODED") == 0) {
        if (!val_is(body, VAL_OBJ))
            return "A URL_ENCODED RequestBody must be an object";
        tk_form_add(&b, NULL, body, arrfmt_of(transform));
        ctype = "application/x-www-form-urlencoded";
    } else {
        tk_scalar_add(&b, body);
    }
    tk_req_body(q, b.p != NULL ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    if (!has_ctype)
        tk_req_header(q, "Content-Type", ctype);
    return NULL;
}

static const char *
cut_cause(sx_arena_t *a, const char *s, size_t n)
{
    if (n <= SX_ERR_CAUSE_MAX)
        return s;
    n = SX_ERR_CAUSE_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* do not split a UTF-8 sequence */
    return sx_arena_strndup(a, s, n);
}

static const val_t *
result_obj(sx_arena_t *a, const val_t *hdrs, const val_t *body, const val_t *code,
           const val_t *text)
{
    val_objb_t ob;
    val_objb_init(&ob, a, 4);
    val_objb_sets(&ob, "Headers", hdrs);
    val_objb_sets(&ob, "ResponseBody", body);
    val_objb_sets(&ob, "StatusCode", code);
    val_objb_sets(&ob, "StatusText", text);
    return val_objb_done(&ob);
}

static void
http_done(tk_req_t *q)
{
    tk_http_t *r = q->ud;
    ex_call_t *c = q->call;
    sx_arena_t *a = c->arena;
    if (q->too_big) {
        tk_res_data_limit(&r->h, c, "http");
        return;
    }
    if (q->code != CURLE_OK) {
        const char *why = q->errbuf[0] != '\0' ? q->errbuf : curl_easy_strerror(q->code);
        tk_res_fail(&r->h, c, ASL_E_HTTP_SOCKET, why);
        return;
    }
    const char *reason = q->reason[0] != '\0' ? q->reason : tk_status_text(q->status);
    bool json = tk_ctype_json(tk_req_hdr(q, "Content-Type"));
    size_t body_sz;
    const val_t *hdrs = tk_hdrs_val(a, q, true, true);
    const val_t *body = tk_body_val_sized(a, q->body.p, q->body.len, json, &body_sz);
    const val_t *code = val_num(a, (double)q->status), *text = val_strz(a, reason);
    const val_t *res = result_obj(a, hdrs, body, code, text);
    if (q->status >= 200 && q->status < 300) {
        /* the result's size without walking the body: measure it with a null body */
        size_t sz = tk_wrap_bound(result_obj(a, hdrs, val_null(), code, text), body_sz);
        tk_res_succeed_sized(&r->h, c, res, sz);
        return;
    }
    size_t n;
    const char *cause = val_json_str(a, res, &n);
    const char *name = sx_arena_printf(a, NULL, "States.Http.StatusCode.%ld", q->status);
    tk_res_fail(&r->h, c, name, cut_cause(a, cause, n));
}

static int
http_start(void *ud, ex_call_t *c)
{
    tk_http_t *r = ud;
    if (strcmp(c->resource, HTTP_ARN) != 0)
        return SX_DECLINED;
    r->h.stats.started++;
    r->h.stats.inflight++;
    const val_t *in = c->input;
    const val_t *ep = val_obj_gets(in, "ApiEndpoint"), *method = val_obj_gets(in, "Method");
    const val_t *transform = val_obj_gets(in, "Transform");
    if (!val_is(in, VAL_OBJ))
        return tk_res_bad_params(&r->h, c, "Parameters must be an object");
    if (!val_is(ep, VAL_STR))
        return tk_res_bad_params(&r->h, c,
                                 "The field 'ApiEndpoint' is required and must be a string");
    if (!val_is(method, VAL_STR) || !method_ok(val_str_get(method)))
        return tk_res_bad_params(&r->h, c,
                                 "The field 'Method' must be one of GET, POST, PUT, DELETE, "
                                 "PATCH, HEAD, OPTIONS");
    if (transform != NULL && !val_is(transform, VAL_OBJ))
        return tk_res_bad_params(&r->h, c, "Transform must be an object");
    sx_sbuf_t url = SX_SBUF_INIT;
    const char *why = url_build(&url, ep, val_obj_gets(in, "QueryParameters"));
    tk_req_t *q = why == NULL ? tk_req_new(r->cl, c, val_str_get(method), url.p) : NULL;
    sx_sbuf_fini(&url);
    bool has_ctype = false;
    if (why == NULL)
        why = headers_add(q, c->arena, val_obj_gets(in, "Headers"), &has_ctype);
    if (why == NULL)
        why = body_set(q, val_obj_gets(in, "RequestBody"), transform, has_ctype);
    if (why != NULL) {
        if (q != NULL)
            tk_req_discard(q);
        return tk_res_bad_params(&r->h, c, why);
    }
    if (tk_req_start(q, http_done, r) != SX_OK)
        tk_res_fail(&r->h, c, ASL_E_HTTP_SOCKET, "could not start the HTTP request");
    return SX_OK;
}

static void
http_cancel(void *ud, ex_call_t *c)
{
    tk_http_t *r = ud;
    if (tk_curl_cancel(r->cl, c)) {
        r->h.stats.cancelled++;
        r->h.stats.inflight--;
    }
}

static void
http_free(tk_res_t *h)
{
    tk_http_t *r = (tk_http_t *)h;
    tk_curl_free(r->cl);
    sx_free(r);
}

int
tk_http_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
            char *msg, size_t msglen)
{
    SX_UNUSED(sch);
    SX_UNUSED(msg);
    SX_UNUSED(msglen);
    tk_http_t *r = sx_calloc(1, sizeof(*r));
    r->h.kind = "http";
    r->h.free = http_free;
    r->cfg = cfg;
    r->cl = tk_curl_new(base, cfg);
    out->start = http_start;
    out->cancel = http_cancel;
    out->ud = r;
    return SX_OK;
}
